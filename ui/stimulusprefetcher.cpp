#include "stimulusprefetcher.h"
