#include "widgethelpers.h"

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

} // namespace ntt
