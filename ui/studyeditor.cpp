#include "studyeditor.h"
