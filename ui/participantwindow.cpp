#include "participantwindow.h"
