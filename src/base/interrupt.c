/* interrupt.c: the Ctrl-C flag (see interrupt.h). */
#include "base/interrupt.h"

volatile sig_atomic_t ovp_interrupted = 0;
