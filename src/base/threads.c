/* threads.c: the thread count of each BLAS and LAPACK call (threads.h). */
#include "config.h"

#include "base/threads.h"

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
#endif

static int cap;       /* 0 until threads_init */
static int current;   /* the count last set, to skip repeated calls */

void threads_init(void)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    cap = openblas_get_num_threads();
    if (cap < 1)
        cap = 1;
    current = 0;
    threads_for(0);   /* one thread until a large call asks for more */
#endif
}

void threads_set_cap(int n)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    cap = n < 1 ? 1 : n;
    current = 0;
    threads_for(0);
#else
    (void)n;
#endif
}

int threads_cap(void)
{
    return cap > 0 ? cap : 1;
}

void threads_for(double flops)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    if (cap == 0)
        return;
    int n = flops >= THREADS_MIN_FLOPS ? cap : 1;
    if (n != current) {
        openblas_set_num_threads(n);
        current = n;
    }
#else
    (void)flops;
#endif
}
