/* threads.h: how many threads each BLAS and LAPACK call gets.
 *
 * OpenBLAS runs every call on one fixed thread count unless told
 * otherwise. Small products lose time waking a second thread (the depth-3
 * linear net's 128 x 128 products ran 23 % slower on two), large ones
 * nearly halve. So the count is chosen per call from the size of the work:
 * every thread of the cap for a call of at least THREADS_MIN_FLOPS
 * floating-point operations, one below.
 *
 * The cap is what OpenBLAS itself would use (OPENBLAS_NUM_THREADS when
 * set, otherwise every core), read once by threads_init. The choice
 * depends only on the shapes, so a script, its seed and the cap give the
 * same bits on every run. OpenBLAS divides a product by rows and columns
 * of the result, not along the inner dimension, so every element is
 * summed in the same order whatever the count; results are not promised
 * to agree bit for bit across different caps all the same (doc/manual.md,
 * "Threads"). */
#ifndef OVP_THREADS_H
#define OVP_THREADS_H

/* About 0.3 ms of one core's dgemm: above it a second thread pays off. */
#define THREADS_MIN_FLOPS 16.0e6

/* Reads the cap. Before it is called (unit tests, fuzzers) the calls
 * below leave OpenBLAS's own setting alone. */
void threads_init(void);

/* The cap read by threads_init (1 before it). */
int threads_cap(void);

/* Sets the thread count for the next BLAS or LAPACK call, which does
 * about `flops` floating-point operations. */
void threads_for(double flops);

#endif
