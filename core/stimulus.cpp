#include "stimulus.h"
