#include "poolimport.h"
