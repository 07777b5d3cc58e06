/* test_vecmath.c: Criterion tests for src/base/vecmath.c (array exp, tanh,
 * sigmoid and integer powers) against long double libm and binary128.
 *
 * Errors are measured in ulp of the correctly rounded value, for which a
 * long double computation stands in, over dense sweeps of the ranges
 * where each kernel changes formula and over random points of every
 * magnitude. Special values (inf, nan, -0, overflow, underflow) must come
 * out exactly. Each array is run whole and then one element at a time, so
 * the vector blocks and the scalar tail are both covered and must agree.
 */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/vecmath.h"

typedef void (*ArrayMap)(double *, const double *, size_t);

/* References in long double (64-bit mantissa), rounded once to double:
 * closer to the correctly rounded value than libm's double functions,
 * whose own errors (up to 2 ulp for tanh) would otherwise be counted. */
static double ref_exp(double x) { return (double)expl(x); }
static double ref_tanh(double x) { return (double)tanhl(x); }

static double ref_sigmoid(double x)
{
    long double e = expl(-fabsl(x));
    return (double)(x >= 0 ? 1 / (1 + e) : e / (1 + e));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_bits(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Uniform in [lo, hi]. */
static double uniform(double lo, double hi)
{
    return lo + (hi - lo) * (double)(next_bits() >> 11) / (double)(1ull << 53);
}

/* |got - want| in units of the last place of want (subnormal ulp at the
 * bottom of the range). */
static double ulp_error(double got, double want)
{
    if (got == want)
        return 0;
    double ulp = want == 0 ? DBL_TRUE_MIN
                           : fmax(nextafter(fabs(want), INFINITY) - fabs(want),
                                  DBL_TRUE_MIN);
    return fabs(got - want) / ulp;
}

/* Applies f to x[0..n) as one array and one element at a time; asserts
 * the two agree bit for bit and returns the worst ulp error against ref. */
static double worst_error(ArrayMap f, double (*ref)(double), const double *x,
                          size_t n)
{
    double *whole = malloc(n * sizeof *whole);
    cr_assert_not_null(whole);
    f(whole, x, n);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double one;
        f(&one, &x[i], 1);
        cr_assert(memcmp(&one, &whole[i], sizeof one) == 0,
                  "array and scalar paths differ at x = %a", x[i]);
        double e = ulp_error(whole[i], ref(x[i]));
        cr_assert(e <= 8, "x = %a: got %a, reference %a", x[i], whole[i], ref(x[i]));
        worst = fmax(worst, e);
    }
    free(whole);
    return worst;
}

/* Evenly spaced points on [lo, hi] plus random ones there. */
static double sweep_error(ArrayMap f, double (*ref)(double), double lo,
                          double hi)
{
    enum { N = 200003 };
    double *x = malloc(N * sizeof *x);
    cr_assert_not_null(x);
    for (size_t i = 0; i < N; i++)
        x[i] = i % 2 ? uniform(lo, hi) : lo + (hi - lo) * (double)i / (N - 1);
    double e = worst_error(f, ref, x, N);
    free(x);
    return e;
}

/* Random doubles with exponents spread from 2^-1074 up to limit. */
static double magnitude_error(ArrayMap f, double (*ref)(double), double limit)
{
    enum { N = 100001 };
    double *x = malloc(N * sizeof *x);
    cr_assert_not_null(x);
    for (size_t i = 0; i < N; i++) {
        double m = ldexp(uniform(0.5, 1), (int)uniform(-1074, log2(limit)));
        x[i] = i % 2 ? -m : m;
    }
    double e = worst_error(f, ref, x, N);
    free(x);
    return e;
}

static double apply(ArrayMap f, double x)
{
    double y;
    f(&y, &x, 1);
    return y;
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* ------------------------------------------------------------------ exp */

Test(vecmath, exp_within_1_ulp)
{
    double e = sweep_error(vm_exp, ref_exp, -20, 20);
    e = fmax(e, sweep_error(vm_exp, ref_exp, -1, 1));
    e = fmax(e, sweep_error(vm_exp, ref_exp, 700, 709.78));
    e = fmax(e, magnitude_error(vm_exp, ref_exp, 709));
    cr_log_info("exp: worst %.3f ulp over normal results", e);
    cr_assert(e <= 1, "exp: %.3f ulp", e);
}

Test(vecmath, exp_subnormal_results_within_1_subnormal_ulp)
{
    enum { N = 50001 };
    double x[N], y[N];
    for (size_t i = 0; i < N; i++)
        x[i] = uniform(-745.2, -708.4);
    vm_exp(y, x, N);
    for (size_t i = 0; i < N; i++)
        cr_assert(fabs(y[i] - ref_exp(x[i])) <= DBL_TRUE_MIN,
                  "x = %a: got %a, reference %a", x[i], y[i], ref_exp(x[i]));
}

Test(vecmath, exp_special_values)
{
    cr_assert(same_bits(apply(vm_exp, 0.0), 1.0));
    cr_assert(same_bits(apply(vm_exp, -0.0), 1.0));
    cr_assert(same_bits(apply(vm_exp, INFINITY), INFINITY));
    cr_assert(same_bits(apply(vm_exp, -INFINITY), 0.0));
    cr_assert(isnan(apply(vm_exp, NAN)));
    cr_assert(same_bits(apply(vm_exp, 709.79), INFINITY));
    cr_assert(same_bits(apply(vm_exp, 1e300), INFINITY));
    cr_assert(same_bits(apply(vm_exp, -745.2), 0.0));
    cr_assert(same_bits(apply(vm_exp, -1e300), 0.0));
    cr_assert(same_bits(apply(vm_exp, DBL_MAX), INFINITY));
    cr_assert(same_bits(apply(vm_exp, 709.782712893384), ref_exp(709.782712893384)));
    cr_assert(same_bits(apply(vm_exp, -745.1), ref_exp(-745.1)));
}

/* ----------------------------------------------------------------- tanh */

Test(vecmath, tanh_within_2_ulp)
{
    double e = sweep_error(vm_tanh, ref_tanh, -1, 1);
    e = fmax(e, sweep_error(vm_tanh, ref_tanh, -25, 25));
    e = fmax(e, sweep_error(vm_tanh, ref_tanh, -1e-6, 1e-6));
    e = fmax(e, magnitude_error(vm_tanh, ref_tanh, 1e300));
    cr_log_info("tanh: worst %.3f ulp", e);
    cr_assert(e <= 2, "tanh: %.3f ulp", e);
}

Test(vecmath, tanh_special_values)
{
    cr_assert(same_bits(apply(vm_tanh, 0.0), 0.0));
    cr_assert(same_bits(apply(vm_tanh, -0.0), -0.0));
    cr_assert(same_bits(apply(vm_tanh, INFINITY), 1.0));
    cr_assert(same_bits(apply(vm_tanh, -INFINITY), -1.0));
    cr_assert(same_bits(apply(vm_tanh, DBL_MAX), 1.0));
    cr_assert(same_bits(apply(vm_tanh, -DBL_MAX), -1.0));
    cr_assert(same_bits(apply(vm_tanh, 20.0), 1.0));
    cr_assert(same_bits(apply(vm_tanh, DBL_TRUE_MIN), DBL_TRUE_MIN));
    cr_assert(same_bits(apply(vm_tanh, -DBL_MIN), -DBL_MIN));
    cr_assert(isnan(apply(vm_tanh, NAN)));
    cr_assert(isnan(apply(vm_tanh, -NAN)));
}

/* -------------------------------------------------------------- sigmoid */

Test(vecmath, sigmoid_within_2_ulp)
{
    double e = sweep_error(vm_sigmoid, ref_sigmoid, -40, 40);
    e = fmax(e, sweep_error(vm_sigmoid, ref_sigmoid, -1, 1));
    e = fmax(e, sweep_error(vm_sigmoid, ref_sigmoid, -708, -600));
    e = fmax(e, magnitude_error(vm_sigmoid, ref_sigmoid, 700));
    cr_log_info("sigmoid: worst %.3f ulp over normal results", e);
    cr_assert(e <= 2, "sigmoid: %.3f ulp", e);
}

Test(vecmath, sigmoid_special_values)
{
    cr_assert(same_bits(apply(vm_sigmoid, 0.0), 0.5));
    cr_assert(same_bits(apply(vm_sigmoid, -0.0), 0.5));
    cr_assert(same_bits(apply(vm_sigmoid, INFINITY), 1.0));
    cr_assert(same_bits(apply(vm_sigmoid, -INFINITY), 0.0));
    cr_assert(same_bits(apply(vm_sigmoid, 800.0), 1.0));
    cr_assert(same_bits(apply(vm_sigmoid, -800.0), 0.0));
    cr_assert(isnan(apply(vm_sigmoid, NAN)));
}

/* ----------------------------------------------------------- powers */

#ifdef __SIZEOF_FLOAT128__
/* x^p in binary128 (113 bits), then rounded to double: the correctly
 * rounded power except within 2^-105 or so of a halfway case. */
static double exact_power(double x, int p)
{
    __float128 q = 1;
    for (int k = 0; k < p; k++)
        q *= (__float128)x;
    return (double)q;
}

Test(vecmath, powi_correctly_rounded)
{
    enum { N = 200003 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    cr_assert(x && y);
    for (int p = 3; p <= 8; p++) {
        for (size_t i = 0; i < N; i++) {
            double m = ldexp(uniform(0.5, 1), (int)uniform(-900.0 / p, 900.0 / p));
            x[i] = i % 2 ? -m : m;
        }
        vm_powi(y, x, N, p);
        for (size_t i = 0; i < N; i++)
            cr_assert(same_bits(y[i], exact_power(x[i], p)),
                      "%a^%d: got %a, exact %a", x[i], p, y[i], exact_power(x[i], p));
    }
    free(x);
    free(y);
}
#endif

/* Zeros, infinities, nan, overflow and underflow come out as pow gives
 * them, also when they share a block with ordinary elements. */
Test(vecmath, powi_special_values_as_pow)
{
    const double x[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1e300, -1e300,
                        1e-300, -1e-300, DBL_TRUE_MIN, 1.5, -2.0, 1.0, -1.0,
                        0x1p-200, 0x1p200, 3.0};
    enum { N = sizeof x / sizeof *x };
    double y[N];
    for (int p = 3; p <= 8; p++) {
        vm_powi(y, x, N, p);
        for (size_t i = 0; i < N; i++)
            cr_assert(same_bits(y[i], pow(x[i], p)) || (isnan(y[i]) && isnan(x[i])),
                      "%a^%d: got %a, pow %a", x[i], p, y[i], pow(x[i], p));
    }
}

/* In place (out == x) gives the same as into a separate array. */
Test(vecmath, in_place_matches)
{
    enum { N = 1003 };
    double x[N], y[N];
    for (size_t i = 0; i < N; i++)
        x[i] = uniform(-30, 30);
    vm_tanh(y, x, N);
    vm_tanh(x, x, N);
    cr_assert(memcmp(x, y, sizeof x) == 0);
}
