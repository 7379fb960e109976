#pragma once

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

} // namespace ntt
