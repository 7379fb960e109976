#include "trialgenerator.h"
