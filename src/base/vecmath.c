/* vecmath.c: branch-free exp, tanh and sigmoid kernels and the block loops
 * that apply them to arrays.
 *
 * exp(x) = 2^k exp(r) with k = round(x / ln 2) and |r| <= ln2 / 2; exp(r)
 * is 1 + expm1(r), expm1(r) = r + r^2 q(r) with q the Taylor series up to
 * r^13 (truncation error below 0.05 ulp on that interval). tanh builds on
 * expm1 reduced in the same way. The operations
 * are plain multiplies and adds (no fma, and ISO C mode does not contract),
 * so every vector width gives the same bits. */
#include "base/vecmath.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Elements per block: a whole number of vectors for SSE2, AVX2 and
 * AVX-512, and a constant trip count, which -O2's vectoriser requires. */
#define BLOCK 8

/* x86-64 builds with GCC carry AVX2 and AVX-512 copies of the array loops,
 * picked at load time from what the CPU supports; the shipped flags stay
 * -O2. Clang builds one copy: clang 14 names the ifunc "vm_exp.ifunc", so
 * calls from other files would not link. -DVM_CLONES= also builds one. */
#if !defined(VM_CLONES) && defined(__GNUC__) && !defined(__clang__) && \
    defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define VM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef VM_CLONES
#define VM_CLONES
#endif

static const double log2e = 0x1.71547652b82fep0;
/* ln 2 split so that k * ln2_hi is exact for |k| < 2^20 (Cody and Waite) */
static const double ln2_hi = 0x1.62e42feep-1;
static const double ln2_lo = 0x1.a39ef35793c76p-33;
/* Adding 1.5 * 2^52 rounds a double of magnitude below 2^51 to an integer
 * and leaves that integer in the low bits of the mantissa. */
static const double round_shift = 0x1.8p52;

static inline uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double double_of(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* c ? x : y through bit masks: a ternary on doubles would let the compiler
 * move arithmetic under the condition, and speculating it again (which
 * vectorising needs) is not allowed while FP exceptions may trap. */
static inline double pick(bool c, double x, double y)
{
    uint64_t mask = c ? ~(uint64_t)0 : 0;
    return double_of((bits_of(x) & mask) | (bits_of(y) & ~mask));
}

/* Rounds to the nearest integer (|x| < 2^51). */
static inline double round_int(double x)
{
    return (x + round_shift) - round_shift;
}

/* 2^k for an integer-valued k in [-1022, 1023], built in the exponent
 * field with unsigned (wrapping) arithmetic, which vectorises on SSE2. */
static inline double pow2(double k)
{
    uint64_t biased = bits_of(k + round_shift) - bits_of(round_shift) + 1023;
    return double_of(biased << 52);
}

/* x = k ln 2 + r + dr with |r| <= ln2 / 2 (for |x| < 2^40): returns r and
 * sets dr to the rounding error of r (x - k ln2_hi is exact). */
static inline double reduce(double x, double *k, double *dr)
{
    *k = round_int(x * log2e);
    double hi = x - *k * ln2_hi, lo = *k * ln2_lo;
    double r = hi - lo;
    *dr = (hi - r) - lo;
    return r;
}

/* expm1(r) - r for |r| <= ln2 / 2: r^2 times the Taylor series to r^13. */
static inline double expm1_tail(double r)
{
    double q = 1.0 / 6227020800;   /* 1/13! */
    q = q * r + 1.0 / 479001600;
    q = q * r + 1.0 / 39916800;
    q = q * r + 1.0 / 3628800;
    q = q * r + 1.0 / 362880;
    q = q * r + 1.0 / 40320;
    q = q * r + 1.0 / 5040;
    q = q * r + 1.0 / 720;
    q = q * r + 1.0 / 120;
    q = q * r + 1.0 / 24;
    q = q * r + 1.0 / 6;
    q = q * r + 0.5;
    return r * r * q;
}

/* Below -746 exp rounds to 0, above 710 it overflows: clamping there keeps
 * k in range and still gives 0 and inf. NaN reduces as 0 and is passed
 * through at the end. */
static inline double exp_kernel(double x)
{
    double c = pick(x > 710, 710, x);
    c = pick(c < -746, -746, c);
    c = pick(x == x, c, 0);
    double k, dr;
    double r = reduce(c, &k, &dr);
    /* 1 + r split exactly into sum + err (|r| < 1), so the one rounding
     * that matters is the last add */
    double sum = 1 + r, err = (1 - sum) + r;
    double p = sum + (err + (expm1_tail(r) + dr));
    /* two factors, so 2^k from 2^-1076 to 2^1024 scales in one rounding */
    double half = round_int(k * 0.5);
    double e = p * pow2(half) * pow2(k - half);
    return pick(x == x, e, x);
}

/* expm1(x) for 0 <= x <= 40, within about an ulp even where it cancels:
 * (2^k - 1) + 2^k r is exact or nearly, and the small rest
 * 2^k (expm1(r) - r + dr) is added last. */
static inline double expm1_nonneg(double x)
{
    double k, dr;
    double r = reduce(x, &k, &dr);
    double s = pow2(k);
    return ((s - 1) + s * r) + s * (expm1_tail(r) + dr);
}

/* With m = e^2a - 1 for a = |x|: tanh a = m / (m + 2) up to a = 0.55, where
 * m is small, and 1 - 2 / (m + 2) above, where the quotient is (m / (m + 2)
 * costs up to 3 ulp near 1). Above 20 the result is exactly 1, so the
 * argument is capped there. */
static inline double tanh_kernel(double x)
{
    double a = fabs(x);
    bool large = a > 0.55;
    double m = expm1_nonneg(2 * pick(a > 20, 20, a));
    double q = pick(large, 2, m) / (m + 2);
    return copysign(pick(large, 1 - q, q), x);
}

/* 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below, one exp either
 * way and no overflow. */
static inline double sigmoid_kernel(double x)
{
    double e = exp_kernel(-fabs(x));
    return pick(x >= 0, 1, e) / (1 + e);
}

/* Runs kernel over the array a block at a time; the block is copied in and
 * out, so the loop has a constant count and out may alias x. */
#define DEFINE_ARRAY_MAP(name, kernel)                                       \
    VM_CLONES void name(double *out, const double *x, size_t n)              \
    {                                                                        \
        double in[BLOCK], res[BLOCK];                                        \
        size_t i = 0;                                                        \
        for (; i + BLOCK <= n; i += BLOCK) {                                 \
            memcpy(in, x + i, sizeof in);                                    \
            for (int j = 0; j < BLOCK; j++)                                  \
                res[j] = kernel(in[j]);                                      \
            memcpy(out + i, res, sizeof res);                                \
        }                                                                    \
        for (; i < n; i++)                                                   \
            out[i] = kernel(x[i]);                                           \
    }

DEFINE_ARRAY_MAP(vm_exp, exp_kernel)
DEFINE_ARRAY_MAP(vm_tanh, tanh_kernel)
DEFINE_ARRAY_MAP(vm_sigmoid, sigmoid_kernel)

/* Veltkamp's split: x = hi + lo exactly, each half with 26 significant
 * bits or fewer (|x| < 2^995). */
static inline void split(double x, double *hi, double *lo)
{
    double c = 134217729.0 * x;   /* 2^27 + 1 */
    *hi = c - (c - x);
    *lo = x - *hi;
}

/* Dekker's product: a b = p + *err exactly, barring overflow and results
 * below 2^-969, where err would underflow. */
static inline double two_prod(double a, double b, double *err)
{
    double p = a * b, ah, al, bh, bl;
    split(a, &ah, &al);
    split(b, &bh, &bl);
    *err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    return p;
}

/* x^p for 3 <= p <= 8 as a double-double product (hi + lo carries the
 * exact value to about 2^-100 relative) rounded once at the end: the
 * correctly rounded power, barring a halfway case closer than that. Where
 * a power of x may leave [2^-960, 2^990], and for 0, inf and nan, pow
 * answers instead. */
/* |x| in [low, high], with & rather than && so both comparisons always
 * run and there is no branch. */
static inline bool within(double x, double low, double high)
{
    return (fabs(x) >= low) & (fabs(x) <= high);
}

VM_CLONES void vm_powi(double *out, const double *x, size_t n, int p)
{
    double low = ldexp(1, -960 / p), high = ldexp(1, 990 / p);
    double in[BLOCK], base[BLOCK], hi[BLOCK], lo[BLOCK];
    /* the lanes of a short last block are padded with 1, a harmless
     * input; a lane outside [low, high] computes 1^p and takes pow's
     * answer at the end */
    for (size_t i = 0; i < n; i += BLOCK) {
        size_t len = n - i < BLOCK ? n - i : BLOCK;
        for (size_t j = 0; j < BLOCK; j++)
            in[j] = j < len ? x[i + j] : 1;
        for (int j = 0; j < BLOCK; j++) {
            base[j] = pick(within(in[j], low, high), in[j], 1);
            hi[j] = base[j];
            lo[j] = 0;
        }
        for (int k = 1; k < p; k++)
            for (int j = 0; j < BLOCK; j++) {
                double err;
                double h = two_prod(hi[j], base[j], &err);
                lo[j] = lo[j] * base[j] + err;
                hi[j] = h;
            }
        for (size_t j = 0; j < len; j++)
            out[i + j] = within(in[j], low, high) ? hi[j] + lo[j] : pow(in[j], p);
    }
}

/* ---- arithmetic ---------------------------------------------------- */

/* out[k] = expr for k < n, BLOCK at a time into a local array (which
 * cannot alias the operands, so no overlap checks are needed), then the
 * tail one by one. */
#define BLOCK_LOOP(expr)                                                     \
    do {                                                                     \
        double res[BLOCK];                                                   \
        size_t i = 0;                                                        \
        for (; i + BLOCK <= n; i += BLOCK) {                                 \
            for (size_t k = i; k < i + BLOCK; k++)                           \
                res[k - i] = (expr);                                         \
            memcpy(out + i, res, sizeof res);                                \
        }                                                                    \
        for (size_t k = i; k < n; k++)                                       \
            out[k] = (expr);                                                 \
    } while (0)

/* name_vv (two arrays), name_vs (array and scalar), name_sv (scalar and
 * array) */
#define DEFINE_ARITH(name, op)                                               \
    VM_CLONES static void name##_vv(double *out, const double *x,            \
                                    const double *y, double s, size_t n)     \
    {                                                                        \
        (void)s;                                                             \
        BLOCK_LOOP(x[k] op y[k]);                                            \
    }                                                                        \
    VM_CLONES static void name##_vs(double *out, const double *x,            \
                                    const double *y, double s, size_t n)     \
    {                                                                        \
        (void)y;                                                             \
        BLOCK_LOOP(x[k] op s);                                               \
    }                                                                        \
    VM_CLONES static void name##_sv(double *out, const double *x,            \
                                    const double *y, double s, size_t n)     \
    {                                                                        \
        (void)x;                                                             \
        BLOCK_LOOP(s op y[k]);                                               \
    }

DEFINE_ARITH(add, +)
DEFINE_ARITH(sub, -)
DEFINE_ARITH(mul, *)
DEFINE_ARITH(div, /)

typedef void (*ArithLoop)(double *, const double *, const double *, double,
                          size_t);

static const ArithLoop arith_loops[][3] = {
    [VM_ADD] = {add_vv, add_vs, add_sv},
    [VM_SUB] = {sub_vv, sub_vs, sub_sv},
    [VM_MUL] = {mul_vv, mul_vs, mul_sv},
    [VM_DIV] = {div_vv, div_vs, div_sv},
};

/* shape: 0 both arrays, 1 x and the scalar s, 2 s and y. */
void vm_arith(VmArith op, double *out, const double *x, const double *y,
              double s, size_t n)
{
    int shape = x && y ? 0 : x ? 1 : 2;
    arith_loops[op][shape](out, x, y, s, n);
}
