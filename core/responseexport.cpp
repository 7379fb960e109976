#include "responseexport.h"
