#include "shortcutaudit.h"
