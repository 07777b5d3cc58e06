/* test_rng.c: Criterion tests for src/base/rng.c (Philox4x32-10 stream).
 *
 * Statistical tests use fixed seeds, so they are deterministic; their
 * thresholds are still set several standard deviations out so that a
 * harmless change of seed would not make them fail.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"

#define NSAMPLES 100000

static void check_block(const uint32_t ctr[4], const uint32_t key[2],
                        const uint32_t want[4])
{
    uint32_t out[4];
    philox4x32_10(ctr, key, out);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(out[i], want[i], "word %d: got %08x, want %08x", i,
                     (unsigned)out[i], (unsigned)want[i]);
}

/* Makes r return the four given words next (white-box, for edge cases). */
static void force_block(Rng *r, uint32_t w0, uint32_t w1, uint32_t w2,
                        uint32_t w3)
{
    r->buf[0] = w0;
    r->buf[1] = w1;
    r->buf[2] = w2;
    r->buf[3] = w3;
    r->avail = 4;
}

/* Pearson chi-square of counts against a uniform expectation. */
static double chi_square(const long *counts, int bins, long total)
{
    double expected = (double)total / bins;
    double chi = 0.0;
    for (int i = 0; i < bins; i++) {
        double d = (double)counts[i] - expected;
        chi += d * d / expected;
    }
    return chi;
}

/* ---- block function: Random123 kat_vectors ---------------------------- */

Test(philox, kat_zero)
{
    const uint32_t ctr[4] = { 0, 0, 0, 0 };
    const uint32_t key[2] = { 0, 0 };
    const uint32_t want[4] = { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c,
                               0x9b00dbd8 };
    check_block(ctr, key, want);
}

Test(philox, kat_ones)
{
    const uint32_t ctr[4] = { 0xffffffff, 0xffffffff, 0xffffffff,
                              0xffffffff };
    const uint32_t key[2] = { 0xffffffff, 0xffffffff };
    const uint32_t want[4] = { 0x408f276d, 0x41c83b0e, 0xa20bc7c6,
                               0x6d5451fd };
    check_block(ctr, key, want);
}

Test(philox, kat_pi)
{
    const uint32_t ctr[4] = { 0x243f6a88, 0x85a308d3, 0x13198a2e,
                              0x03707344 };
    const uint32_t key[2] = { 0xa4093822, 0x299f31d0 };
    const uint32_t want[4] = { 0xd16cfe09, 0x94fdcceb, 0x5001e420,
                               0x24126ea1 };
    check_block(ctr, key, want);
}

Test(philox, output_may_alias_counter)
{
    uint32_t x[4] = { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 };
    const uint32_t key[2] = { 0xa4093822, 0x299f31d0 };
    philox4x32_10(x, key, x);
    cr_expect_eq(x[0], 0xd16cfe09);
    cr_expect_eq(x[3], 0x24126ea1);
}

/* ---- documented stream layout ----------------------------------------- */

Test(stream, seed_maps_to_key_and_counter)
{
    Rng r;
    rng_seed(&r, UINT64_C(0x0123456789abcdef));
    cr_assert_eq(r.key[0], 0x89abcdef);
    cr_assert_eq(r.key[1], 0x01234567);

    const uint32_t key[2] = { 0x89abcdef, 0x01234567 };
    uint32_t ctr[4] = { 0, 0, 0, 0 };
    for (uint32_t block = 0; block < 3; block++) {
        uint32_t want[4];
        ctr[0] = block;
        philox4x32_10(ctr, key, want);
        for (int i = 0; i < 4; i++)
            cr_expect_eq(rng_u32(&r), want[i], "block %u word %d",
                         (unsigned)block, i);
    }
}

Test(stream, counter_carries_across_words)
{
    Rng r;
    rng_seed(&r, 7);
    const uint32_t c0[4] = { 0xffffffff, 0xffffffff, 0xffffffff, 0 };
    const uint32_t c1[4] = { 0, 0, 0, 1 };
    memcpy(r.ctr, c0, sizeof c0);
    uint32_t b0[4], b1[4];
    philox4x32_10(c0, r.key, b0);
    philox4x32_10(c1, r.key, b1);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(rng_u32(&r), b0[i]);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(rng_u32(&r), b1[i]);
}

Test(stream, u64_is_low_word_then_high_word)
{
    Rng a, b;
    rng_seed(&a, 99);
    rng_seed(&b, 99);
    for (int i = 0; i < 100; i++) {
        uint64_t lo = rng_u32(&a);
        uint64_t hi = rng_u32(&a);
        cr_assert_eq(rng_u64(&b), lo | (hi << 32));
    }
}

Test(stream, version_string)
{
    cr_expect_str_eq(RNG_STREAM_VERSION, "philox4x32-10/1");
}

/* ---- golden values: guard stream stability across releases ------------ */

#define GOLDEN_SEED UINT64_C(20240607)

Test(golden, u32)
{
    static const uint32_t want[6] = { 0xe01a407a, 0xd34a311b, 0x50e2fb25,
                                      0x08a78c12, 0x82344648, 0x9710b1b1 };
    Rng r;
    rng_seed(&r, GOLDEN_SEED);
    for (int i = 0; i < 6; i++)
        cr_expect_eq(rng_u32(&r), want[i], "word %d", i);
}

Test(golden, uniform)
{
    static const double want[6] = {
        0x1.a6946237c0348p-1,   /* 0.82535082750846644 */
        0x1.14f1824a1c5fp-5,    /* 0.033806566688223572 */
        0x1.2e21636304688p-1,   /* 0.59009848197656911 */
        0x1.dd8c0a9da4c6p-5,    /* 0.058294316038108418 */
        0x1.cb9702fc9c6dep-2,   /* 0.44881825129333019 */
        0x1.3c743447cb038p-4,   /* 0.077259258480524617 */
    };
    Rng r;
    rng_seed(&r, GOLDEN_SEED);
    for (int i = 0; i < 6; i++) {
        double x = rng_uniform(&r);
        cr_expect(x == want[i], "uniform %d: got %a, want %a", i, x, want[i]);
    }
}

Test(golden, normal)
{
    /* Bit-exact: the normal generator uses no variable libm functions. */
    static const double want[6] = {
        0x1.0778cbffe7679p-3,   /* 0.12864837050158309 */
        -0x1.42ea88bf467dp-1,   /* -0.63069560370353805 */
        -0x1.8a8e0dd529c96p-4,  /* -0.096326879533636806 */
        -0x1.975bb16c8b725p-1,  /* -0.79562143754967407 */
        0x1.bc87d29ac0228p-2,   /* 0.43411187238237625 */
        -0x1.305a1044f1ec2p+0,  /* -1.1888742607424523 */
    };
    Rng r;
    rng_seed(&r, GOLDEN_SEED);
    for (int i = 0; i < 6; i++) {
        double x = rng_normal(&r);
        cr_expect(x == want[i], "normal %d: got %a, want %a", i, x, want[i]);
    }
}

Test(golden, below)
{
    static const uint64_t want[4] = { 826, 811, 709, 98 };
    Rng r;
    rng_seed(&r, GOLDEN_SEED);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(rng_below(&r, 1000), want[i], "below %d", i);
}

/* ---- determinism ------------------------------------------------------- */

Test(determinism, same_seed_same_sequence)
{
    Rng a, b;
    rng_seed(&a, 12345);
    rng_seed(&b, 12345);
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(rng_u32(&a), rng_u32(&b));
        double x = rng_normal(&a), y = rng_normal(&b);
        cr_assert(x == y);
        cr_assert(rng_uniform(&a) == rng_uniform(&b));
    }
}

Test(determinism, copy_continues_identically)
{
    Rng a;
    rng_seed(&a, 5);
    rng_u32(&a);           /* mid-block */
    rng_normal(&a);        /* spare cached */
    Rng b = a;
    for (int i = 0; i < 100; i++)
        cr_assert(rng_normal(&a) == rng_normal(&b));
    for (int i = 0; i < 100; i++)
        cr_assert_eq(rng_u32(&a), rng_u32(&b));
}

Test(determinism, reseed_restarts_and_clears_spare)
{
    Rng r;
    rng_seed(&r, 42);
    double first = rng_normal(&r);
    rng_seed(&r, 42);
    rng_normal(&r);                      /* leaves a spare cached */
    rng_seed(&r, 42);
    cr_expect(rng_normal(&r) == first);
}

Test(determinism, different_seeds_differ)
{
    static const uint64_t seeds[4] = { 0, 1, UINT64_C(1) << 32,
                                       UINT64_MAX };
    uint32_t w[4][8];
    for (int s = 0; s < 4; s++) {
        Rng r;
        rng_seed(&r, seeds[s]);
        for (int i = 0; i < 8; i++)
            w[s][i] = rng_u32(&r);
    }
    for (int s = 0; s < 4; s++)
        for (int t = s + 1; t < 4; t++)
            cr_expect(memcmp(w[s], w[t], sizeof w[s]) != 0,
                      "seeds %d and %d give the same words", s, t);
}

Test(determinism, fill_matches_single_calls)
{
    double buf[101];
    Rng a, b;
    rng_seed(&a, 77);
    rng_seed(&b, 77);
    rng_fill_uniform(&a, buf, 50);
    for (int i = 0; i < 50; i++)
        cr_assert(buf[i] == rng_uniform(&b));
    rng_fill_normal(&a, buf, 101);       /* odd: leaves a spare */
    for (int i = 0; i < 101; i++)
        cr_assert(buf[i] == rng_normal(&b));
    cr_assert(rng_normal(&a) == rng_normal(&b));
    rng_fill_uniform(&a, buf, 0);
    rng_fill_normal(&a, buf, 0);
    cr_assert_eq(rng_u32(&a), rng_u32(&b));
}

/* ---- uniform ----------------------------------------------------------- */

Test(uniform, range_mean_variance)
{
    Rng r;
    rng_seed(&r, 1);
    double sum = 0.0, sumsq = 0.0;
    for (int i = 0; i < NSAMPLES; i++) {
        double x = rng_uniform(&r);
        cr_assert(x >= 0.0 && x < 1.0, "out of range: %a", x);
        sum += x;
        sumsq += x * x;
    }
    double mean = sum / NSAMPLES;
    double var = sumsq / NSAMPLES - mean * mean;
    cr_expect(fabs(mean - 0.5) < 0.005, "mean %g", mean);
    cr_expect(fabs(var - 1.0 / 12) < 0.002, "variance %g", var);
}

Test(uniform, chi_square_10_bins)
{
    Rng r;
    rng_seed(&r, 2);
    long counts[10] = { 0 };
    for (int i = 0; i < NSAMPLES; i++)
        counts[(int)(rng_uniform(&r) * 10)]++;
    double chi = chi_square(counts, 10, NSAMPLES);
    /* 9 degrees of freedom: P(chi2 > 40) is about 7e-6. */
    cr_expect(chi < 40.0, "chi-square %g", chi);
}

Test(uniform, extremes_of_the_grid)
{
    Rng r;
    rng_seed(&r, 0);
    force_block(&r, 0, 0, 0xffffffff, 0xffffffff);
    cr_expect(rng_uniform(&r) == 0.0);
    cr_expect(rng_uniform(&r) == 1.0 - 0x1p-53);
}

Test(uniform_open, never_zero_or_one)
{
    Rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < NSAMPLES; i++) {
        double x = rng_uniform_open(&r);
        cr_assert(x > 0.0 && x < 1.0, "out of (0,1): %a", x);
    }
    force_block(&r, 0, 0, 0xffffffff, 0xffffffff);
    double lo = rng_uniform_open(&r);
    double hi = rng_uniform_open(&r);
    cr_expect(lo > 0.0 && lo == 0x1p-53, "all-zero words: %a", lo);
    cr_expect(hi < 1.0 && hi == 1.0 - 0x1p-53, "all-one words: %a", hi);
}

/* ---- normal ------------------------------------------------------------ */

Test(normal, moments)
{
    Rng r;
    rng_seed(&r, 4);
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    long within1 = 0;
    for (int i = 0; i < NSAMPLES; i++) {
        double x = rng_normal(&r);
        cr_assert(isfinite(x));
        double x2 = x * x;
        m1 += x;
        m2 += x2;
        m3 += x2 * x;
        m4 += x2 * x2;
        within1 += fabs(x) < 1.0;
    }
    double n = NSAMPLES;
    double mean = m1 / n;
    double var = m2 / n - mean * mean;
    double skew = (m3 / n) / pow(var, 1.5);
    double kurt = (m4 / n) / (var * var);
    double frac1 = (double)within1 / n;
    /* Standard errors at n = 1e5: mean .0032, var .0045, skew .0077,
     * kurtosis .015, P(|x|<1) .0015. */
    cr_expect(fabs(mean) < 0.02, "mean %g", mean);
    cr_expect(fabs(var - 1.0) < 0.03, "variance %g", var);
    cr_expect(fabs(skew) < 0.06, "skewness %g", skew);
    cr_expect(fabs(kurt - 3.0) < 0.15, "kurtosis %g", kurt);
    cr_expect(fabs(frac1 - 0.682689) < 0.01, "P(|x|<1) %g", frac1);
}

/* ---- rng_below --------------------------------------------------------- */

Test(below, n3_unbiased)
{
    Rng r;
    rng_seed(&r, 5);
    long counts[3] = { 0 };
    for (int i = 0; i < NSAMPLES; i++) {
        uint64_t k = rng_below(&r, 3);
        cr_assert(k < 3);
        counts[k]++;
    }
    double chi = chi_square(counts, 3, NSAMPLES);
    cr_expect(chi < 25.0, "chi-square %g (%ld %ld %ld)", chi, counts[0],
              counts[1], counts[2]);
}

Test(below, rejects_the_short_range)
{
    /* For n = 3, 2^32 mod 3 = 1: the word 0 must be rejected. */
    Rng r;
    rng_seed(&r, 0);
    force_block(&r, 0, 5, 7, 9);
    cr_expect_eq(rng_below(&r, 3), 2);    /* 0 rejected, 5 % 3 */
    cr_expect_eq(r.avail, 2);
}

Test(below, no_modulo_bias_for_large_n)
{
    /* With plain modulo these n would give values below 2^30 (resp. 2^62)
     * half of the time instead of a third. */
    const uint64_t n32 = UINT64_C(3) << 30, n64 = UINT64_C(3) << 62;
    Rng r;
    rng_seed(&r, 6);
    long low32 = 0, low64 = 0;
    for (int i = 0; i < NSAMPLES; i++) {
        uint64_t a = rng_below(&r, n32), b = rng_below(&r, n64);
        cr_assert(a < n32 && b < n64);
        low32 += a < (UINT64_C(1) << 30);
        low64 += b < (UINT64_C(1) << 62);
    }
    cr_expect(fabs((double)low32 / NSAMPLES - 1.0 / 3) < 0.01, "%ld", low32);
    cr_expect(fabs((double)low64 / NSAMPLES - 1.0 / 3) < 0.01, "%ld", low64);
}

Test(below, range_bounds)
{
    Rng r;
    rng_seed(&r, 8);
    const uint64_t big = UINT64_C(1) << 40;
    uint64_t max40 = 0;
    long seen2[2] = { 0 };
    long above32 = 0;
    for (int i = 0; i < 10000; i++) {
        cr_assert_eq(rng_below(&r, 1), 0);
        uint64_t b = rng_below(&r, 2);
        cr_assert(b < 2);
        seen2[b]++;
        uint64_t x = rng_below(&r, big);
        cr_assert(x < big);
        if (x > max40)
            max40 = x;
        above32 += x >= (UINT64_C(1) << 32);
        cr_assert(rng_below(&r, UINT64_C(1) << 32) <= UINT32_MAX);
        cr_assert(rng_below(&r, UINT32_MAX) < UINT32_MAX);
        (void)rng_below(&r, UINT64_MAX);
    }
    cr_expect(seen2[0] > 4000 && seen2[1] > 4000);
    cr_expect(max40 >= big - big / 100, "max %llu", (unsigned long long)max40);
    cr_expect(above32 > 9800, "only %ld of 10000 above 2^32", above32);
    cr_expect_eq(rng_below(&r, 0), 0);
}

/* ---- permutation ------------------------------------------------------- */

Test(permutation, is_a_permutation)
{
    enum { N = 257 };
    size_t out[N];
    Rng r;
    rng_seed(&r, 9);
    rng_permutation(&r, out, 0);
    rng_permutation(&r, out, 1);
    cr_assert_eq(out[0], 0);
    for (size_t n = 2; n <= N; n += 51) {
        for (int rep = 0; rep < 20; rep++) {
            unsigned char seen[N] = { 0 };
            rng_permutation(&r, out, n);
            for (size_t i = 0; i < n; i++) {
                cr_assert(out[i] < n);
                cr_assert(!seen[out[i]], "duplicate %zu", out[i]);
                seen[out[i]] = 1;
            }
        }
    }
}

Test(permutation, every_position_roughly_uniform)
{
    enum { N = 5, TRIALS = NSAMPLES };
    long counts[N][N] = { { 0 } };    /* counts[position][value] */
    size_t out[N];
    Rng r;
    rng_seed(&r, 10);
    for (int t = 0; t < TRIALS; t++) {
        rng_permutation(&r, out, N);
        for (int p = 0; p < N; p++)
            counts[p][out[p]]++;
    }
    for (int p = 0; p < N; p++) {
        double chi = chi_square(counts[p], N, TRIALS);
        /* 4 degrees of freedom: P(chi2 > 30) is about 5e-6. */
        cr_expect(chi < 30.0, "position %d: chi-square %g", p, chi);
    }
}
