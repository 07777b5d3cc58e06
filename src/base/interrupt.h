/* interrupt.h: Ctrl-C, as every layer sees it.
 *
 * The application's SIGINT handler sets the flag; nothing else in ovp
 * handles signals. Long computations poll it: the evaluator at every call,
 * loop iteration and statement, the kernels every INTERRUPT_STRIDE
 * elements, the tape between nodes, the products between BLAS calls. A
 * poll that finds it set stops the work with the error "interrupted"
 * (exit status 130); the REPL clears the flag after each input. */
#ifndef OVP_INTERRUPT_H
#define OVP_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

/* Elements a kernel handles between two polls: 2^16 doubles are 512 KB,
 * a fraction of a millisecond of work, so a poll costs nothing measurable
 * and Ctrl-C is noticed at once. */
#define INTERRUPT_STRIDE ((size_t)1 << 16)

extern volatile sig_atomic_t ovp_interrupted;

static inline bool interrupt_pending(void)
{
    return ovp_interrupted != 0;
}

#endif
