/* rng.c: Philox4x32-10 counter-based generator and derived distributions.
 *
 * THE STREAM (version "philox4x32-10/1"; users rely on it across releases,
 * so any change here must bump RNG_STREAM_VERSION in rng.h)
 *
 * Block function. Philox4x32 with 10 rounds (Salmon, Moraes, Dror, Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3", SC 2011), with the
 * Random123 constants. One round maps (x0, x1, x2, x3) under round key
 * (k0, k1) to
 *     (hi(B * x2) ^ x1 ^ k0,  lo(B * x2),  hi(A * x0) ^ x3 ^ k1,  lo(A * x0))
 * where A = 0xD2511F53, B = 0xCD9E8D57 and hi/lo are the upper/lower 32
 * bits of the 64-bit product. The first round uses the key itself; before
 * each later round the key is bumped by the Weyl increments
 * (k0 += 0x9E3779B9, k1 += 0xBB67AE85), all modulo 2^32. The output of the
 * tenth round is the block. This matches the Random123 known-answer tests.
 *
 * Seeding. rng_seed(seed): key[0] = seed & 0xFFFFFFFF, key[1] = seed >> 32;
 * the 128-bit counter (ctr[0] least significant ... ctr[3] most) is 0. The
 * key never changes afterwards.
 *
 * Words. The stream is a sequence of 32-bit words: block(counter = 0) gives
 * words 0..3 in the order out[0], out[1], out[2], out[3]; then the counter
 * is incremented by one as a 128-bit integer (carry from ctr[0] into ctr[1],
 * and so on; wraps after 2^128 blocks) and block(1) gives words 4..7, etc.
 * Every function below consumes whole words, in order, from this single
 * sequence; there is no hidden skipping or alignment to blocks.
 *
 *   rng_u32      one word.
 *   rng_u64      two words w0, w1 -> w0 | (w1 << 32)  (first word = low half).
 *   rng_uniform  one u64 x -> (x >> 11) * 2^-53, in [0, 1) on a 2^-53 grid.
 *   rng_uniform_open
 *                one u64 x -> ((x >> 12) + 0.5) * 2^-52, in [2^-53, 1-2^-53].
 *   rng_below(n) n == 0: returns 0, consumes nothing. n <= 2^32-1: draw one
 *                word w at a time, reject while w < (2^32 mod n), return
 *                w mod n. n >= 2^32: the same with u64 values and 2^64.
 *                (So n == 1 still consumes one word and returns 0.)
 *   rng_normal   if a spare is cached, return it and clear the cache (no
 *                words consumed). Otherwise the Marsaglia polar method:
 *                repeat { u = 2*rng_uniform - 1; v = 2*rng_uniform - 1;
 *                s = u*u + v*v } until 0 < s < 1; f = sqrt(-2 * ln(s) / s);
 *                cache v*f as the spare and return u*f. The cache survives
 *                other calls in between and is cleared only by rng_seed.
 *   rng_fill_uniform / rng_fill_normal
 *                exactly n successive rng_uniform / rng_normal calls.
 *   rng_permutation
 *                out[i] = i; for i = n-1 down to 1: j = rng_below(i + 1),
 *                swap out[i] and out[j].
 *
 * Floating point choices. Integer-to-double conversions and scalings above
 * are exact. The normal generator avoids libm transcendental functions,
 * whose last bits differ between libraries and versions: ln is computed
 * here (det_log) with only +, -, *, / and bit manipulation, and sqrt is
 * IEEE 754 correctly rounded everywhere. So normals are bit-identical on
 * any platform with binary64 doubles evaluated at double precision
 * (FLT_EVAL_METHOD == 0, e.g. x86-64 SSE2, AArch64) and without fused
 * multiply-add contraction: GCC and Clang do not contract in ISO C mode
 * (-std=c11), which is how ovp is built; do not build this file with
 * -ffp-contract=fast or -ffast-math.
 */
#include "base/rng.h"

#include <math.h>
#include <string.h>

enum {
    PHILOX_ROUNDS = 10
};

#define PHILOX_M0 UINT32_C(0xD2511F53)
#define PHILOX_M1 UINT32_C(0xCD9E8D57)
#define PHILOX_W0 UINT32_C(0x9E3779B9)
#define PHILOX_W1 UINT32_C(0xBB67AE85)

/* ---- block function --------------------------------------------------- */

/* One Philox round on x in place under round key k. */
static void philox_round(uint32_t x[4], const uint32_t k[2])
{
    uint64_t p0 = (uint64_t)PHILOX_M0 * x[0];
    uint64_t p1 = (uint64_t)PHILOX_M1 * x[2];
    uint32_t y0 = (uint32_t)(p1 >> 32) ^ x[1] ^ k[0];
    uint32_t y1 = (uint32_t)p1;
    uint32_t y2 = (uint32_t)(p0 >> 32) ^ x[3] ^ k[1];
    uint32_t y3 = (uint32_t)p0;
    x[0] = y0;
    x[1] = y1;
    x[2] = y2;
    x[3] = y3;
}

void philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                   uint32_t out[4])
{
    uint32_t x[4] = { ctr[0], ctr[1], ctr[2], ctr[3] };
    uint32_t k[2] = { key[0], key[1] };
    for (int i = 0; i < PHILOX_ROUNDS; i++) {
        if (i > 0) {
            k[0] += PHILOX_W0;
            k[1] += PHILOX_W1;
        }
        philox_round(x, k);
    }
    memcpy(out, x, sizeof x);
}

/* ---- word stream ------------------------------------------------------ */

/* Adds one to the 128-bit counter (ctr[0] least significant). */
static void ctr_increment(uint32_t ctr[4])
{
    for (int i = 0; i < 4; i++) {
        if (++ctr[i] != 0)
            return;
    }
}

/* Fills buf with the block of the current counter, then advances it. */
static void refill(Rng *r)
{
    philox4x32_10(r->ctr, r->key, r->buf);
    ctr_increment(r->ctr);
    r->avail = 4;
}

void rng_seed(Rng *r, uint64_t seed)
{
    memset(r, 0, sizeof *r);
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
}

/* The stream number sits in the counter's top 64 bits, so each stream
 * has 2^64 blocks of its own before it could reach the next one. */
void rng_set_stream(Rng *r, uint64_t stream)
{
    r->ctr[0] = r->ctr[1] = 0;
    r->ctr[2] = (uint32_t)stream;
    r->ctr[3] = (uint32_t)(stream >> 32);
    r->avail = 0;
    r->has_spare = 0;
}

uint32_t rng_u32(Rng *r)
{
    if (r->avail <= 0)
        refill(r);
    uint32_t w = r->buf[4 - r->avail];
    r->avail--;
    return w;
}

uint64_t rng_u64(Rng *r)
{
    uint64_t lo = rng_u32(r);
    uint64_t hi = rng_u32(r);
    return lo | (hi << 32);
}

/* ---- uniform doubles -------------------------------------------------- */

#define TWO_POW_M52 (1.0 / 4503599627370496.0)    /* 2^-52 */
#define TWO_POW_M53 (1.0 / 9007199254740992.0)    /* 2^-53 */

double rng_uniform(Rng *r)
{
    return (double)(rng_u64(r) >> 11) * TWO_POW_M53;
}

double rng_uniform_open(Rng *r)
{
    return ((double)(rng_u64(r) >> 12) + 0.5) * TWO_POW_M52;
}

void rng_fill_uniform(Rng *r, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = rng_uniform(r);
}

/* ---- integers --------------------------------------------------------- */

/* Unbiased value in [0, n) from 32-bit words, 1 <= n <= 2^32 - 1. */
static uint32_t below32(Rng *r, uint32_t n)
{
    uint32_t threshold = (uint32_t)(0u - n) % n;   /* 2^32 mod n */
    uint32_t w;
    do {
        w = rng_u32(r);
    } while (w < threshold);
    return w % n;
}

/* Unbiased value in [0, n) from 64-bit values, n >= 2^32. */
static uint64_t below64(Rng *r, uint64_t n)
{
    uint64_t threshold = (uint64_t)(0u - n) % n;   /* 2^64 mod n */
    uint64_t x;
    do {
        x = rng_u64(r);
    } while (x < threshold);
    return x % n;
}

uint64_t rng_below(Rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    if (n <= UINT32_MAX)
        return below32(r, (uint32_t)n);
    return below64(r, n);
}

void rng_permutation(Rng *r, size_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(r, (uint64_t)i);
        size_t t = out[i - 1];
        out[i - 1] = out[j];
        out[j] = t;
    }
}

/* ---- normals ---------------------------------------------------------- */

/* ln 2 split so that e * LN2_HI is exact for |e| < 2^11. */
#define LN2_HI 0x1.62e42feep-1
#define LN2_LO 0x1.a39ef35793c76p-33
#define SQRT2  0x1.6a09e667f3bcdp+0

/* x = m * 2^e with m in [1, 2), for positive normal finite x. */
static double split_exponent(double x, int *e)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    *e = (int)((bits >> 52) & 0x7FF) - 1023;
    bits = (bits & UINT64_C(0x000FFFFFFFFFFFFF)) | UINT64_C(0x3FF0000000000000);
    double m;
    memcpy(&m, &bits, sizeof m);
    return m;
}

/* Natural logarithm of a positive normal finite x, using only IEEE basic
 * arithmetic (so the result is the same on every conforming platform;
 * accurate to about one ulp). With x = m * 2^e, m in [sqrt(2)/2, sqrt(2)),
 * ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.1716, expanded as
 * 2s + 2s * z * (1/3 + z/5 + ... + z^9/21), z = s^2 (truncation < 2^-55). */
static double det_log(double x)
{
    static const double c[10] = {
        1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11,
        1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21,
    };
    int e;
    double m = split_exponent(x, &e);
    if (m > SQRT2) {
        m = m * 0.5;
        e = e + 1;
    }
    double f = m - 1.0;           /* exact (Sterbenz) */
    double s = f / (2.0 + f);
    double z = s * s;
    double q = c[9];
    for (int i = 8; i >= 0; i--)
        q = q * z + c[i];
    double s2 = s + s;
    double lnm = s2 + s2 * z * q;
    return (double)e * LN2_HI + (lnm + (double)e * LN2_LO);
}

/* Draws a polar-method pair: returns one variate, stores the other. */
static double polar_pair(Rng *r, double *other)
{
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * det_log(s) / s);
    *other = v * f;
    return u * f;
}

double rng_normal(Rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double x = polar_pair(r, &r->spare);
    r->has_spare = 1;
    return x;
}

void rng_fill_normal(Rng *r, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = rng_normal(r);
}
