/* threads.h: how many threads each BLAS and LAPACK call gets.
 *
 * OpenBLAS runs every call on one fixed thread count unless told
 * otherwise, and waking a second thread costs more than a tiny product
 * gains. So the count is chosen per call from the size of the work:
 * every thread of the cap for a call of at least THREADS_MIN_FLOPS
 * floating-point operations, one below. The threshold was measured on
 * the depth-3 linear net (W3: 4000 x 128 matrix-vector products and
 * 128 x 128 products, 5000 steps) on a 2-core Xeon: 1.69 s with it at
 * 1e6, 1.98 s threading every call, 2.56 s at 16e6, where the
 * matrix-vector products stayed on one thread. (On an AMD Zen 5 an
 * earlier measurement found W3's products slower on two threads; the
 * best threshold depends on the machine.)
 *
 * The cap is what OpenBLAS itself would use (OPENBLAS_NUM_THREADS when
 * set, otherwise every core), read once by threads_init. The choice
 * depends only on the shapes, so a script, its seed and the cap give the
 * same bits on every run. Results are not the same bit for bit across
 * caps: OpenBLAS blocks a product differently for two threads
 * (doc/manual.md, "What is bit-stable"). */
#ifndef OVP_THREADS_H
#define OVP_THREADS_H

/* About 20 to 60 microseconds of one core's work. */
#ifndef THREADS_MIN_FLOPS
#define THREADS_MIN_FLOPS 1.0e6
#endif

/* Reads the cap. Before it is called (unit tests, fuzzers) the calls
 * below leave OpenBLAS's own setting alone. */
void threads_init(void);

/* Lowers (or raises) the cap for the rest of the process: a sweep runs
 * every point on one thread, so that all its backends compute the same
 * bits. */
void threads_set_cap(int n);

/* The cap read by threads_init (1 before it). */
int threads_cap(void);

/* Sets the thread count for the next BLAS or LAPACK call, which does
 * about `flops` floating-point operations. */
void threads_for(double flops);

#endif
