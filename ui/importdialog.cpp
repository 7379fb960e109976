#include "importdialog.h"
