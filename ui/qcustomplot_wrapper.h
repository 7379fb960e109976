#pragma once

// The one place that includes QCustomPlot. We build with QT_NO_KEYWORDS (Torch headers have members
// named `slots`), but Debian's qcustomplot.h declares its signals with `signals:` and iterates with
// `foreach` in inline code: map both to their Q_ macros for this header only.

#ifndef signals
#define NTT_QCP_DEFINED_SIGNALS
#define signals Q_SIGNALS
#endif
#ifndef slots
#define NTT_QCP_DEFINED_SLOTS
#define slots Q_SLOTS
#endif
#ifndef emit
#define NTT_QCP_DEFINED_EMIT
#define emit Q_EMIT
#endif
#ifndef foreach
#define NTT_QCP_DEFINED_FOREACH
#define foreach Q_FOREACH
#endif

#include <qcustomplot.h>

#ifdef NTT_QCP_DEFINED_SIGNALS
#undef signals
#undef NTT_QCP_DEFINED_SIGNALS
#endif
#ifdef NTT_QCP_DEFINED_SLOTS
#undef slots
#undef NTT_QCP_DEFINED_SLOTS
#endif
#ifdef NTT_QCP_DEFINED_EMIT
#undef emit
#undef NTT_QCP_DEFINED_EMIT
#endif
#ifdef NTT_QCP_DEFINED_FOREACH
#undef foreach
#undef NTT_QCP_DEFINED_FOREACH
#endif
