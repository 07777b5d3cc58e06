/* repl.h: the interactive loop. */
#ifndef OVP_REPL_H
#define OVP_REPL_H

#include "eval/interp.h"

/* Reads, evaluates and echoes until end of input; returns the exit code
 * (0, or 3 when a check failed during the session). */
int repl_run(Interp *I);

#endif
