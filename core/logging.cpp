#include "logging.h"

Q_LOGGING_CATEGORY(lcPool, "ntt.core.pool")
Q_LOGGING_CATEGORY(lcStudy, "ntt.core.study")
Q_LOGGING_CATEGORY(lcStimulus, "ntt.core.stimulus")
Q_LOGGING_CATEGORY(lcDemo, "ntt.core.demo")
