/* bi_random.c: the seeded generator (Philox4x32-10, see rng.c) behind
 * every random built-in. Output depends only on the seed and the
 * sequence of calls.
 *
 * There is one generator, I->rng, shared by these built-ins, the theory
 * family (init, covariance with k, corrupt, clusters, teacher) and sgd.
 * The order in which a built-in consumes draws is therefore part of its
 * behaviour: the same script with the same seed must print the same
 * numbers on every machine, so the comments below say what each draws. */
#include <math.h>
#include <stdlib.h>

#include "base/interrupt.h"
#include "eval/builtin.h"

/* rand(), rand(n) (n x n) or rand(r, c). The size is checked here so that
 * a shape over the element limit is reported as too large, with its
 * size, before any allocation is tried. */
static bool rand_shape(Interp *I, const Args *a, size_t *r, size_t *c)
{
    *r = *c = 1;
    if (!arg_given(a, 0))
        return true;
    if (!arg_count(I, a, 0, r))
        return false;
    *c = *r;
    if (arg_given(a, 1) && !arg_count(I, a, 1, c))
        return false;
    if (!mat_size_ok(*r, *c)) {
        bi_error(I, a, "a %zux%zu matrix is too large", *r, *c);
        return false;
    }
    return true;
}

/* rand() and randn() with no argument give a number, not a 1x1 matrix.
 * The matrix is filled in storage (column-major) order, one draw per
 * element, so rand(2, 3) consumes the same draws as six rand() calls. */
static Value random_fill(Interp *I, const Args *a,
                         void (*fill)(Rng *, double *, size_t))
{
    size_t r, c;
    if (!rand_shape(I, a, &r, &c))
        return val_error;
    if (!arg_given(a, 0)) {
        double x;
        fill(&I->rng, &x, 1);
        return val_num(x);
    }
    Matrix *m = mat_new_uninit(r, c);
    if (!m)
        return bi_error(I, a, "a %zux%zu matrix is too large", r, c);
    /* in strides, polling Ctrl-C; the fills draw element by element, so
     * the stream is the same as in one call */
    size_t n = r * c;
    for (size_t k = 0; k < n; k += INTERRUPT_STRIDE) {
        fill(&I->rng, m->data + k, n - k < INTERRUPT_STRIDE ? n - k : INTERRUPT_STRIDE);
        if (interrupt_pending()) {
            mat_unref(m);
            return rt_interrupted(&I->err, NULL);
        }
    }
    return val_mat(m);
}

static Value bi_rand(Interp *I, const Args *a) { return random_fill(I, a, rng_fill_uniform); }
static Value bi_randn(Interp *I, const Args *a) { return random_fill(I, a, rng_fill_normal); }

/* The seed becomes a uint64_t. 18446744073709549568 is the largest
 * double below 2^64: converting anything larger would be undefined, and
 * every double up to it converts exactly. Seeding also drops the cached
 * second normal of the polar method, so the stream restarts fully. */
static Value bi_seed(Interp *I, const Args *a)
{
    double s;
    if (!arg_num(I, a, 0, &s))
        return val_error;
    if (s == floor(s) && s > 18446744073709549568.0)
        return bi_error(I, a, "seed %.17g is too large (at most 2^64 - 2048, "
                        "the largest whole double below 2^64)", s);
    if (s != floor(s) || s < 0)
        return bi_error(I, a, "seed must be a non-negative integer, got %.17g", s);
    rng_seed(&I->rng, (uint64_t)s);
    return val_nil;
}

/* Fisher-Yates on 0-based size_t indices (rng_permutation), shifted to
 * 1-based numbers for the language. n = 0 gives an empty row. */
static Value bi_randperm(Interp *I, const Args *a)
{
    size_t n;
    if (!arg_count(I, a, 0, &n))
        return val_error;
    Matrix *m = mat_new_uninit(1, n);
    if (!m)
        return bi_error(I, a, "%zu elements are too many for a matrix", n);
    size_t *p = xmalloc((n ? n : 1) * sizeof *p);
    rng_permutation(&I->rng, p, n);
    for (size_t i = 0; i < n; i++)
        m->data[i] = (double)(p[i] + 1);
    free(p);
    return val_mat(m);
}

/* n points uniform on the unit sphere of R^d, one per row.
 * A standard normal vector has a rotation-invariant law, so its direction
 * is uniform on the sphere (Muller's method). Draws go row by row, d
 * normals per point. A vector of exact zeros, which normalising would
 * turn into NaN, is drawn again; it cannot happen in practice, but the
 * loop costs nothing. d = 0 is refused: R^0 has no unit sphere. */
static Value bi_sphere(Interp *I, const Args *a)
{
    size_t n, d;
    if (!arg_count(I, a, 0, &n) || !arg_count(I, a, 1, &d))
        return val_error;
    if (d == 0)
        return bi_error(I, a, "dimension d must be at least 1");
    if (!mat_size_ok(n, d))
        return bi_error(I, a, "a %zux%zu matrix is too large", n, d);
    Matrix *m = mat_new_uninit(n, d);
    if (!m)
        return bi_error(I, a, "the result is too large (a matrix holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
    for (size_t i = 0; i < n; i++) {
        double norm2;
        do {
            norm2 = 0;
            for (size_t j = 0; j < d; j++) {
                MAT_AT(m, i, j) = rng_normal(&I->rng);
                norm2 += MAT_AT(m, i, j) * MAT_AT(m, i, j);
            }
        } while (norm2 == 0);
        double s = 1 / sqrt(norm2);
        for (size_t j = 0; j < d; j++)
            MAT_AT(m, i, j) *= s;
    }
    return val_mat(m);
}

/* k draws from 1..n (or from the elements of a vector), with
 * replacement unless replace = false.
 * The first argument is a pool when it is a matrix with other than one
 * element (any shape, taken in column-major order; an empty one is an
 * empty pool); a number or a 1x1 matrix is the count n. So choice([7], 3)
 * draws from 1..7, not three 7s. With replacement each draw is one
 * rng_below(n); without, a full permutation of n is drawn (n - 1 calls
 * of rng_below whatever k is) and its first k entries are used. */
static Value bi_choice(Interp *I, const Args *a)
{
    size_t k = 1;
    bool replace = true;
    Matrix *pool = NULL;
    if (!arg_given(a, 0))
        return arg_type_error(I, a, 0, "a count or a vector");
    if (a->v[0].kind == VAL_MAT && mat_numel(a->v[0].as.mat) != 1)
        pool = arg_mat(I, a, 0);
    size_t n = pool ? mat_numel(pool) : 0;
    if (!pool && !arg_count(I, a, 0, &n))
        return val_error;
    if ((arg_given(a, 1) && !arg_count(I, a, 1, &k)) ||
        (arg_given(a, 2) && !arg_bool(I, a, 2, &replace))) {
        mat_unref(pool);
        return val_error;
    }
    if ((n == 0 && k > 0) || (!replace && k > n)) {
        mat_unref(pool);
        return bi_error(I, a, "cannot draw %zu of %zu %s", k, n,
                        replace ? "(nothing to draw from)" : "without replacement");
    }
    Matrix *m = mat_new_uninit(k, 1);
    if (!m) {
        mat_unref(pool);
        return bi_error(I, a, "%zu draws are too many for a matrix", k);
    }
    size_t *perm = !replace ? xmalloc((n ? n : 1) * sizeof *perm) : NULL;
    if (perm)
        rng_permutation(&I->rng, perm, n);
    for (size_t i = 0; i < k; i++) {
        size_t j = perm ? perm[i] : (size_t)rng_below(&I->rng, n);
        m->data[i] = pool ? pool->data[j] : (double)(j + 1);
    }
    free(perm);
    mat_unref(pool);
    return val_mat(m);
}

const Builtin builtins_random[] = {
    {"seed", 1, 1, "seed(s)", "restart the generator (Philox4x32-10) from seed s, a "
     "non-negative integer; the default seed is 0", bi_seed},
    {"rand", 0, 2, "rand(rows, cols)", "uniform numbers in [0, 1); rand() one number, "
     "rand(n) n x n", bi_rand},
    {"randn", 0, 2, "randn(rows, cols)", "standard normal numbers; randn() one number, "
     "randn(n) n x n", bi_randn},
    {"randperm", 1, 1, "randperm(n)", "a uniformly random permutation of 1..n, as a row", bi_randperm},
    {"sphere", 2, 2, "sphere(n, d)", "n points uniform on the unit sphere of R^d, one "
     "per row", bi_sphere},
    {"choice", 1, 3, "choice(n, k, replace)", "k draws (a column) from 1..n, or from the "
     "elements of a vector n; with replacement unless replace = false", bi_choice},
    BUILTIN_END,
};
