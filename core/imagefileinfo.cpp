#include "imagefileinfo.h"
