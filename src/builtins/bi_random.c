/* bi_random.c: the seeded generator (Philox4x32-10, see rng.c) behind
 * every random built-in. Output depends only on the seed and the
 * sequence of calls. */
#include <math.h>
#include <stdlib.h>

#include "eval/builtin.h"

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
        return bi_error(I, a, "out of memory for a %zux%zu matrix", r, c);
    fill(&I->rng, m->data, r * c);
    return val_mat(m);
}

static Value bi_rand(Interp *I, const Args *a) { return random_fill(I, a, rng_fill_uniform); }
static Value bi_randn(Interp *I, const Args *a) { return random_fill(I, a, rng_fill_normal); }

static Value bi_seed(Interp *I, const Args *a)
{
    double s;
    if (!arg_num(I, a, 0, &s))
        return val_error;
    if (s != floor(s) || s < 0 || s > 18446744073709549568.0)
        return bi_error(I, a, "seed must be a non-negative integer, got %g", s);
    rng_seed(&I->rng, (uint64_t)s);
    return val_nil;
}

static Value bi_randperm(Interp *I, const Args *a)
{
    size_t n;
    if (!arg_count(I, a, 0, &n))
        return val_error;
    size_t *p = malloc((n ? n : 1) * sizeof *p);
    Matrix *m = p ? mat_new_uninit(1, n) : NULL;
    if (!m) {
        free(p);
        return bi_error(I, a, "out of memory for %zu elements", n);
    }
    rng_permutation(&I->rng, p, n);
    for (size_t i = 0; i < n; i++)
        m->data[i] = (double)(p[i] + 1);
    free(p);
    return val_mat(m);
}

/* n points uniform on the unit sphere of R^d, one per row. */
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
        return bi_error(I, a, "out of memory");
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
 * replacement unless replace = false. */
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
    size_t *perm = !replace ? malloc((n ? n : 1) * sizeof *perm) : NULL;
    if (!m || (!replace && !perm)) {
        mat_unref(m);
        mat_unref(pool);
        free(perm);
        return bi_error(I, a, "out of memory");
    }
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
