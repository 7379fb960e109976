#include "participantcode.h"
