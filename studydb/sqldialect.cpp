#include "sqldialect.h"
