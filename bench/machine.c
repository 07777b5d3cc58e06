/* machine.c: the machine's limits, for bench/run.sh to measure each
 * workload against: the dgemm rate (GFLOP/s) on one thread and on every
 * thread OpenBLAS would use, and the triad bandwidth a[i] = b[i] + s c[i]
 * (GB/s) on one core. Each figure is the best of several repetitions.
 * The kernels are the ones ovp runs with: where OpenBLAS falls back to
 * Prescott on a CPU with AVX-512 or AVX2 (src/app/blaskernel.h), this
 * program makes the same choice, so the limit is the machine's.
 * Prints "gemm1 GF gemmN GF triad GBs threads N core NAME". */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);

static void best_kernels(char **argv)
{
    if (getenv("OPENBLAS_CORETYPE") || strcasecmp(openblas_get_corename(), "prescott") != 0)
        return;
    __builtin_cpu_init();
    const char *core = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
                       && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
                           ? "SkylakeX"
                       : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? "Haswell"
                                                                                        : NULL;
    if (core && setenv("OPENBLAS_CORETYPE", core, 1) == 0)
        execv("/proc/self/exe", argv);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* GFLOP/s of an n x n x n dgemm, best of reps. */
static double gemm_rate(int n, int reps)
{
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n),
           *c = malloc(sizeof(double) * n * n);
    for (int i = 0; i < n * n; i++)
        a[i] = b[i] = 1.0 / (1 + i % 7);
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n,
                    0.0, c, n);
        double t = now() - t0;
        best = t < best ? t : best;
    }
    free(a), free(b), free(c);
    return 2.0 * n * n * n / best / 1e9;
}

/* GB/s of the triad over arrays far larger than the caches, best of reps. */
static double triad_rate(size_t n, int reps)
{
    double *a = malloc(sizeof(double) * n), *b = malloc(sizeof(double) * n),
           *c = malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++)
        a[i] = 0, b[i] = 1, c[i] = 2;
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] + 3.0 * c[i];
        double t = now() - t0;
        best = t < best ? t : best;
    }
    volatile double sink = a[n / 2];
    (void)sink;
    free(a), free(b), free(c);
    return 3.0 * sizeof(double) * n / best / 1e9;
}

int main(int argc, char **argv)
{
    (void)argc;
    best_kernels(argv);
    int threads = openblas_get_num_threads();
    double all = gemm_rate(2000, 5);
    openblas_set_num_threads(1);
    double one = gemm_rate(2000, 5);
    double bw = triad_rate((size_t)20 << 20, 5);
    printf("gemm1 %.1f gemmN %.1f triad %.1f threads %d core %s\n", one, all, bw, threads,
           openblas_get_corename());
    return 0;
}
