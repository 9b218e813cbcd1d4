/* Placeholder until the interpreter lands. */
#include "cpu.h"
