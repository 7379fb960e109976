#include "sessionflow.h"
