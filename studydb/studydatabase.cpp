#include "studydatabase.h"
