#pragma once

#include <QLoggingCategory>

// One logging category per module; enable with QT_LOGGING_RULES="ntt.*.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcPool)
Q_DECLARE_LOGGING_CATEGORY(lcStudy)
Q_DECLARE_LOGGING_CATEGORY(lcStimulus)
Q_DECLARE_LOGGING_CATEGORY(lcDemo)
Q_DECLARE_LOGGING_CATEGORY(lcModels)
