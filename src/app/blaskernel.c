/* blaskernel.c: see blaskernel.h. */
#include "config.h"

#include "app/blaskernel.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifdef HAVE_OPENBLAS_GET_CORENAME
char *openblas_get_corename(void);
#endif

/* The OpenBLAS core for this CPU's vector features, or NULL when it has
 * nothing better than the fallback. __builtin_cpu_supports checks the
 * operating system's support of the registers as well as the CPU's. */
static const char *core_for_features(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
#endif
    return NULL;
}

void blas_kernel_fix(char **argv)
{
#ifdef HAVE_OPENBLAS_GET_CORENAME
    if (getenv("OPENBLAS_CORETYPE"))
        return;   /* the user's (or a parent ovp's) choice */
    const char *chosen = openblas_get_corename();
    const char *better = core_for_features();
    if (!chosen || !better || strcasecmp(chosen, "prescott") != 0)
        return;
    if (setenv("OPENBLAS_CORETYPE", better, 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE");   /* no /proc: go on with the fallback */
#else
    (void)argv;
#endif
}
