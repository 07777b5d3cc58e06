/* rng.h: counter-based pseudo-random numbers (Philox4x32-10).
 *
 * Independent of the interpreter. An Rng is a small value type: it owns no
 * memory, can be copied with `=`, and two copies produce the same stream.
 * The stream is a pure function of the seed and of the sequence of calls;
 * it does not depend on the machine, the thread or the libm in use. The
 * exact stream (which is part of the language's compatibility promise) is
 * specified at the top of rng.c and identified by RNG_STREAM_VERSION; any
 * change to it must change that string.
 *
 * Not for cryptographic use.
 */
#ifndef OVP_RNG_H
#define OVP_RNG_H

#include <stddef.h>
#include <stdint.h>

/* Identifies the generated stream; printed by `ovp --version`. */
#define RNG_STREAM_VERSION "philox4x32-10/1"

typedef struct Rng {
    uint32_t key[2];   /* Philox key: low and high halves of the seed */
    uint32_t ctr[4];   /* counter of the next block; ctr[0] least significant */
    uint32_t buf[4];   /* current output block */
    int avail;         /* unconsumed words of buf; next is buf[4 - avail] */
    int has_spare;     /* nonzero when `spare` holds a cached normal */
    double spare;      /* second variate of the last polar-method pair */
} Rng;

/* Starts the stream for `seed`: key[0] = low 32 bits, key[1] = high 32
 * bits, counter = 0, empty buffer, no cached normal. Every seed (0 too) is
 * valid; the same seed always gives the same stream. */
void rng_seed(Rng *r, uint64_t seed);

/* Restarts the seed's stream number `stream` (0 is rng_seed's own): the
 * counter starts at stream * 2^64, so streams never overlap in practice.
 * ovp sweep gives point i stream i, so points draw independent numbers
 * from one seed, whichever process runs them. */
void rng_set_stream(Rng *r, uint64_t stream);

/* Next 32-bit word of the stream (uniform on [0, 2^32)). */
uint32_t rng_u32(Rng *r);

/* Next 64-bit value, made of two consecutive words: the first is the low
 * half, the second the high half. */
uint64_t rng_u64(Rng *r);

/* Uniform double in [0, 1): the top 53 bits of rng_u64 times 2^-53. */
double rng_uniform(Rng *r);

/* Uniform double in the open interval (0, 1): (k + 0.5) * 2^-52 where k is
 * the top 52 bits of rng_u64. Never 0, never 1; always one rng_u64. */
double rng_uniform_open(Rng *r);

/* Standard normal variate (Marsaglia polar method; pairs are produced and
 * the second one is cached and returned by the next call, even if other
 * draws happen in between). Uses no libm function except sqrt. */
double rng_normal(Rng *r);

/* Uniform integer in [0, n), unbiased (rejection of the short top range).
 * Requires n >= 1; n == 0 returns 0 without consuming anything. Uses 32-bit
 * words when n <= 2^32 - 1, 64-bit values otherwise. */
uint64_t rng_below(Rng *r, uint64_t n);

/* out[0..n-1] = n successive rng_uniform values (same as n calls). */
void rng_fill_uniform(Rng *r, double *out, size_t n);

/* out[0..n-1] = n successive rng_normal values (same as n calls). */
void rng_fill_normal(Rng *r, double *out, size_t n);

/* out[0..n-1] = a uniformly random permutation of 0..n-1 (Fisher-Yates:
 * start from the identity, then for i = n-1 down to 1 swap out[i] with
 * out[rng_below(r, i + 1)]). */
void rng_permutation(Rng *r, size_t *out, size_t n);

/* The raw Philox4x32-10 block function: out = Philox(ctr, key). Pure;
 * out may alias ctr. */
void philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                   uint32_t out[4]);

#endif /* OVP_RNG_H */
