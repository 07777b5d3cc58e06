/* kernel.h: `ovp --kernel`, the machine-readable mode the Jupyter kernel
 * (jupyter/ovp_kernel.py) drives: one JSON request per line on standard
 * input, JSON events and one reply per request on standard output, the
 * interpreter's state kept across requests. See doc/jupyter.md. */
#ifndef OVP_KERNEL_H
#define OVP_KERNEL_H

#include "eval/interp.h"

/* Serves requests until "shutdown" or end of input; returns 0. */
int kernel_run(Interp *I);

/* `ovp --install-kernel [--user] [--prefix DIR]`: writes the kernelspec
 * (kernel.json and the logos) for this binary. Returns the exit status. */
int kernel_install(int argc, char **argv, const char *self);

#endif
