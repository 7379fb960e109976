#pragma once

#include "result.h"

#include <QColor>
#include <QPalette>
#include <QString>

class QTableWidgetItem;
class QWidget;

namespace ntt {

/// The colour of inline error messages in forms and panels (dark red, readable on light themes).
inline const QColor kErrorColour(176, 0, 32);

/// Shows `widget`'s text (the palette `role`: WindowText for labels, Text for editors) in the error
/// colour when `failed`, else in the normal colour.
void markFailed(QWidget* widget, QPalette::ColorRole role, bool failed);

/// A read-only table cell; numbers are right-aligned.
QTableWidgetItem* readOnlyItem(const QString& text, bool number = false);

/// Where to save a CSV file, and whether for Excel.
struct CsvDestination
{
    QString path; ///< empty when the dialog was cancelled
    bool excel = false; ///< start the file with the UTF-8 byte-order mark
};
/// A save dialog for a CSV file offering "CSV" and "CSV for Excel (UTF-8 with byte-order mark)", the
/// latter chosen first when AppSettings::csvForExcel(); the choice is remembered there.
CsvDestination askCsvDestination(QWidget* parent, const QString& title, const QString& suggested);
/// After a CSV was written to `destination.path`: adds Excel's byte-order mark when asked for.
Status finishCsvExport(const CsvDestination& destination);

} // namespace ntt
