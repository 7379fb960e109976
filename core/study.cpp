#include "study.h"
