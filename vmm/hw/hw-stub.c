/* Placeholder until the devices land. */
#include "bus.h"
