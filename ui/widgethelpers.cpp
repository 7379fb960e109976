#include "widgethelpers.h"

#include "settings.h"
#include "studyexports.h"

#include <QFileDialog>
#include <QTableWidgetItem>
#include <QWidget>

namespace ntt {

void markFailed(QWidget* widget, QPalette::ColorRole role, bool failed)
{
    QPalette palette = widget->palette();
    palette.setColor(role, failed ? kErrorColour : QPalette().color(role));
    widget->setPalette(palette);
}

QTableWidgetItem* readOnlyItem(const QString& text, bool number)
{
    auto* it = new QTableWidgetItem(text);
    it->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    if (number)
        it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return it;
}

CsvDestination askCsvDestination(QWidget* parent, const QString& title, const QString& suggested)
{
    const QString plain = QObject::tr("CSV (*.csv)");
    const QString excel = QObject::tr("CSV for Excel, UTF-8 with byte-order mark (*.csv)");
    QString chosen = AppSettings::csvForExcel() ? excel : plain;
    CsvDestination d;
    d.path = QFileDialog::getSaveFileName(parent, title, suggested,
        AppSettings::csvForExcel() ? excel + QStringLiteral(";;") + plain : plain + QStringLiteral(";;") + excel,
        &chosen);
    if (d.path.isEmpty())
        return d;
    if (!d.path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) && !d.path.contains(QLatin1Char('.')))
        d.path += QStringLiteral(".csv");
    d.excel = chosen == excel;
    AppSettings::setCsvForExcel(d.excel);
    return d;
}

Status finishCsvExport(const CsvDestination& destination)
{
    return destination.excel ? addExcelByteOrderMark(destination.path) : Status();
}

} // namespace ntt
