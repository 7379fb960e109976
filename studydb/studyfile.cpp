#include "studyfile.h"
