/* blaskernel.c: see blaskernel.h. */
#include "config.h"

#include "app/blaskernel.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifdef HAVE_OPENBLAS_GET_CORENAME
char *openblas_get_corename(void);
#endif
#if defined(HAVE_GOTOBLAS_DYNAMIC_INIT) && defined(HAVE_GOTOBLAS_DYNAMIC_QUIT)
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);

/* OpenBLAS built for several CPUs (DYNAMIC_ARCH, as Debian's is) picks
 * its kernel table in gotoblas_dynamic_init, which reads
 * OPENBLAS_CORETYPE; quitting clears the table and a second init picks
 * again. Done before any BLAS call, nothing has used the old table, and
 * the threads OpenBLAS started call through the new one. True when the
 * core asked for is the one in use afterwards. */
static bool reselect_in_process(const char *core)
{
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    const char *now = openblas_get_corename();
    return now && strcasecmp(now, core) == 0;
}
#else
static bool reselect_in_process(const char *core)
{
    (void)core;
    return false;
}
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
    if (reselect_in_process(better))
        return;   /* the variable stays set for the processes ovp starts */
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE");   /* no /proc: go on with the fallback */
#else
    (void)argv;
#endif
}
