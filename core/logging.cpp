#include "logging.h"

Q_LOGGING_CATEGORY(lcPool, "ntt.core.pool", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStudy, "ntt.core.study", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStimulus, "ntt.core.stimulus", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDemo, "ntt.core.demo", QtInfoMsg)
Q_LOGGING_CATEGORY(lcModels, "ntt.core.models", QtInfoMsg)
