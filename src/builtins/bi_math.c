/* bi_math.c: elementwise maths (one X-macro list, expanded twice) and
 * the reductions.
 *
 * NaN policy: a number computed from a NaN is NaN (relu, max, min,
 * median, norm...), unlike Octave's max and min, which skip NaN. A
 * diverging computation must show as NaN in its result, never be hidden
 * behind a number; only the tests (isnan, any, all, find) treat NaN as a
 * value. The derivatives of these built-ins are rules in ad/ad.c; nothing
 * here knows of the tape. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "eval/builtin.h"
#include "numeric/linalg.h"
#include "value/ops.h"
#include "base/vecmath.h"

/* NaN stays NaN: a diverging run must not be hidden behind a zero. */
static double relu(double x) { return x > 0 || isnan(x) ? x : 0; }
/* Above 30, log(1 + e^x) = x + log1p(e^-x) differs from x by about 3e-15
 * relative at most, and returning x keeps exp from overflowing (past 709).
 * log1p keeps full accuracy for very negative x, where e^x is tiny. */
static double softplus(double x) { return x > 30 ? x : log1p(exp(x)); }
/* step(0) = 0: relu's derivative at the kink, as hermite.c's step. */
static double step(double x) { return isnan(x) ? x : x > 0 ? 1 : 0; }
/* 0, -0 and NaN come back as they are. */
static double sign(double x) { return x > 0 ? 1 : x < 0 ? -1 : x; }
static double is_nan(double x) { return isnan(x) != 0; }
static double is_inf(double x) { return isinf(x) != 0; }
/* C's round() rounds halves away from 0 (2.5 to 3, -2.5 to -3); rint and
 * nearbyint would round them to even under the default rounding mode. */
static double round_half_away(double x) { return round(x); }

/* name, how (VECTOR: an array kernel of vecmath.h; EACH: a C function
 * applied element by element), function, help
 * VECTOR is used where the kernel matters for speed (exp, tanh, sigmoid
 * run on every activation of a network); vecmath's kernels are within a
 * few ulp of libm, with inf, NaN and -0 exact. */
#define ELEMENTWISE_LIST(X)                                                  \
    X(exp, VECTOR, vm_exp, "e^x, elementwise")                               \
    X(log, EACH, log, "natural logarithm, elementwise (log(0) = -inf)")      \
    X(sqrt, EACH, sqrt, "square root, elementwise (nan for negatives)")      \
    X(abs, EACH, fabs, "absolute value, elementwise")                        \
    X(sign, EACH, sign, "-1, 0 or 1 by the sign of each element")            \
    X(tanh, VECTOR, vm_tanh, "hyperbolic tangent, elementwise")              \
    X(sigmoid, VECTOR, vm_sigmoid, "logistic function 1/(1+e^-x), elementwise") \
    X(relu, EACH, relu, "max(x, 0), elementwise")                            \
    X(softplus, EACH, softplus, "log(1+e^x), elementwise")                   \
    X(step, EACH, step, "1 where x > 0, else 0 (the derivative of relu)")    \
    X(sin, EACH, sin, "sine, elementwise")                                   \
    X(cos, EACH, cos, "cosine, elementwise")                                 \
    X(tan, EACH, tan, "tangent, elementwise")                                \
    X(asin, EACH, asin, "arcsine, elementwise (nan outside [-1, 1])")        \
    X(acos, EACH, acos, "arccosine, elementwise (nan outside [-1, 1])")      \
    X(atan, EACH, atan, "arctangent, elementwise")                           \
    X(sinh, EACH, sinh, "hyperbolic sine, elementwise")                      \
    X(cosh, EACH, cosh, "hyperbolic cosine, elementwise")                    \
    X(log10, EACH, log10, "base-10 logarithm, elementwise")                  \
    X(log2, EACH, log2, "base-2 logarithm, elementwise")                     \
    X(log1p, EACH, log1p, "log(1 + x), accurate for small x, elementwise")   \
    X(expm1, EACH, expm1, "e^x - 1, accurate for small x, elementwise")      \
    X(erf, EACH, erf, "error function 2/sqrt(pi) * integral of e^(-t^2) "    \
      "from 0 to x, elementwise")                                            \
    X(erfc, EACH, erfc, "1 - erf(x), accurate where erf(x) is near 1, "      \
      "elementwise")                                                         \
    X(gamma, EACH, tgamma, "gamma function (gamma(n) = (n-1)! for whole n); " \
      "inf at 0, NaN at the negative integers, elementwise")                 \
    X(lgamma, EACH, lgamma, "log |gamma(x)|, finite where gamma overflows, "  \
      "elementwise")                                                         \
    X(floor, EACH, floor, "round towards -inf, elementwise")                 \
    X(ceil, EACH, ceil, "round towards +inf, elementwise")                   \
    X(round, EACH, round_half_away, "round to nearest, halves away from 0")  \
    X(isnan, EACH, is_nan, "1 where an element is NaN (a logical mask)")    \
    X(isinf, EACH, is_inf, "1 where an element is +-inf (a logical mask)")

typedef void (*ArrayFn)(double *out, const double *x, size_t n);

static void isnan_each(double *out, const double *x, size_t n);
static void gamma_plus_one_each(double *out, const double *x, size_t n);
static void isinf_each(double *out, const double *x, size_t n);

/* Applies f to a number or to every element of a matrix.
 * A number or boolean gives a number (a bool for a mask), not a 1x1
 * matrix. The result is a mask only for isnan and isinf: a logical input
 * through exp is plain numbers. Every element of out is written by f, so
 * uninitialised storage is safe. A temporary argument (Args.temps) is
 * overwritten with its result instead: tanh(X * W') then needs one
 * matrix, not two; the kernels allow out == x. */
static Value map1(Interp *I, const Args *a, ArrayFn f, bool logical)
{
    Value x = a->v[0];
    if (x.kind == VAL_NUM || x.kind == VAL_BOOL) {
        double in = ops_scalar(x), r;
        f(&r, &in, 1);
        return logical ? val_bool(r != 0) : val_num(r);
    }
    if (x.kind != VAL_MAT)
        return arg_type_error(I, a, 0, "a number or matrix");
    Matrix *m = x.as.mat;
    bool reuse = a->temps && m->rc == 1;
    Matrix *out = reuse ? mat_ref(m) : mat_new_uninit(m->rows, m->cols);
    if (!out)
        return bi_error(I, a, "the result is too large (a matrix holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
    size_t n = mat_numel(m);
    for (size_t k = 0; k < n; k += INTERRUPT_STRIDE) {
        f(out->data + k, m->data + k, n - k < INTERRUPT_STRIDE ? n - k : INTERRUPT_STRIDE);
        if (interrupt_pending()) {
            mat_unref(out);
            return rt_interrupted(&I->err, NULL);
        }
    }
    out->logical = logical;
    return val_mat(out);
}

/* First expansion: for an EACH entry, a loop name##_each over the C
 * function; bi_name then calls map1 with the array function. isnan and
 * isinf are recognised by their loop's address, so the list needs no
 * column saying "returns a mask". */
#define ARRAY_FN_VECTOR(name, fn) fn
#define ARRAY_FN_EACH(name, fn) name##_each
#define DEFINE_EACH_VECTOR(name, fn)
#define DEFINE_EACH_EACH(name, fn)                                           \
    static void name##_each(double *out, const double *x, size_t n)          \
    {                                                                        \
        for (size_t i = 0; i < n; i++)                                       \
            out[i] = fn(x[i]);                                               \
    }

#define DEFINE_MAP(name, how, fn, help)                                      \
    DEFINE_EACH_##how(name, fn)                                              \
    static Value bi_##name(Interp *I, const Args *a)                         \
    {                                                                        \
        ArrayFn f = ARRAY_FN_##how(name, fn);                                \
        return map1(I, a, f, f == isnan_each || f == isinf_each);            \
    }
ELEMENTWISE_LIST(DEFINE_MAP)

/* tgamma(n + 1) is correctly rounded for the whole n factorial takes. */
static void gamma_plus_one_each(double *out, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = tgamma(x[i] + 1);
}

/* ---- reductions -------------------------------------------------- */

/* f(x, n, stride) reduces x[0], x[stride], ..., x[(n-1)*stride]. A reducer
 * cannot report an error, so it answers with NaN where there is nothing
 * sensible to return. */
typedef double (*Reducer)(const double *x, size_t n, size_t stride);

/* Plain left-to-right summation, no compensation: reproducible, with an
 * error of at most about n*eps*sum|x_i|. */
static double r_sum(const double *x, size_t n, size_t s)
{
    double t = 0;
    for (size_t i = 0; i < n; i++)
        t += x[i * s];
    return t;
}
static double r_mean(const double *x, size_t n, size_t s)
{
    return n ? r_sum(x, n, s) / (double)n : NAN;
}
static double r_prod(const double *x, size_t n, size_t s)
{
    double t = 1;
    for (size_t i = 0; i < n; i++)
        t *= x[i * s];
    return t;
}
/* Unscaled: overflows where norm, which scales, would not. */
static double r_sumsq(const double *x, size_t n, size_t s)
{
    double t = 0;
    for (size_t i = 0; i < n; i++)
        t += x[i * s] * x[i * s];
    return t;
}
/* A NaN replaces t and then stays, since no comparison with NaN is true.
 * Starting from -inf lets an all -inf vector give -inf; an empty one gives
 * NaN, not -inf. */
static double r_max(const double *x, size_t n, size_t s)
{
    double t = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (x[i * s] > t || isnan(x[i * s]))
            t = x[i * s];
    return n ? t : NAN;
}
static double r_min(const double *x, size_t n, size_t s)
{
    double t = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (x[i * s] < t || isnan(x[i * s]))
            t = x[i * s];
    return n ? t : NAN;
}
/* NaN is non-zero (NaN != 0 holds): any([NaN]) and all([NaN]) are true.
 * The empty conventions: any([]) is false, all([]) is true. */
static double r_any(const double *x, size_t n, size_t s)
{
    for (size_t i = 0; i < n; i++)
        if (x[i * s] != 0)
            return 1;
    return 0;
}
static double r_all(const double *x, size_t n, size_t s)
{
    for (size_t i = 0; i < n; i++)
        if (x[i * s] == 0)
            return 0;
    return 1;
}

/* Reduces all elements (dim 0) or along dim 1 (down columns, giving a
 * row) or dim 2 (across rows, giving a column).
 * dim 0 gives a number (a bool for any and all); along a dimension the
 * result stays a matrix even with one element. A column is contiguous in
 * column-major storage (stride 1); a row has stride rows. An empty input
 * reduces to the empty value of f: sum 0, prod 1, mean and max NaN. */
static Value reduce(Interp *I, const Args *a, const Matrix *m, int dim,
                    Reducer f, bool logical)
{
    if (dim == 0) {
        double r = f(m->data, mat_numel(m), 1);
        return logical ? val_bool(r != 0) : val_num(r);
    }
    size_t outer = dim == 1 ? m->cols : m->rows;
    size_t len = dim == 1 ? m->rows : m->cols;
    Matrix *out = dim == 1 ? mat_new_uninit(1, outer) : mat_new_uninit(outer, 1);
    if (!out)
        return bi_error(I, a, "the result is too large (a matrix holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
    for (size_t k = 0; k < outer; k++)
        out->data[k] = dim == 1 ? f(m->data + k * m->rows, len, 1)
                                : f(m->data + k, len, m->rows);
    out->logical = logical;
    return val_mat(out);
}

/* f(A) or f(A, dim) / f(A, dim = d).
 * dim is read before A, so a bad dim leaves nothing to free. */
static Value reduce_args(Interp *I, const Args *a, int dim_arg, Reducer f,
                         bool logical)
{
    int dim = 0;
    if (arg_given(a, dim_arg) && !arg_dim(I, a, dim_arg, &dim))
        return val_error;
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return val_error;
    Value r = reduce(I, a, m, dim, f, logical);
    mat_unref(m);
    return r;
}

static Value bi_sum(Interp *I, const Args *a) { return reduce_args(I, a, 1, r_sum, false); }
static Value bi_mean(Interp *I, const Args *a) { return reduce_args(I, a, 1, r_mean, false); }
static Value bi_prod(Interp *I, const Args *a) { return reduce_args(I, a, 1, r_prod, false); }
static Value bi_sumsq(Interp *I, const Args *a) { return reduce_args(I, a, 1, r_sumsq, false); }
static Value bi_any(Interp *I, const Args *a) { return reduce_args(I, a, 1, r_any, true); }
static Value bi_all(Interp *I, const Args *a) { return reduce_args(I, a, 1, r_all, true); }

/* NaN in either operand wins: x NaN is kept, and with y NaN x > y fails
 * and y is returned. The same rule as r_max and r_min. */
static double e_max(double x, double y) { return isnan(x) || x > y ? x : y; }
static double e_min(double x, double y) { return isnan(x) || x < y ? x : y; }
/* C's pow: pow(0, 0) = 1, a negative base with a fractional power NaN. */
static double e_pow(double x, double y) { return pow(x, y); }

/* f(x, y) elementwise over arguments 1 and 2, with broadcasting.
 * ops_broadcast takes its operands, hence the val_ref of the borrowed
 * arguments. Two plain numbers skip it; they hold no reference to drop.
 * Booleans go through ops_broadcast like 1x1 matrices. */
static Value binary_map(Interp *I, const Args *a, ElemFn2 f)
{
    for (int i = 0; i < 2; i++)
        if (!ops_is_scalar(a->v[i]) && a->v[i].kind != VAL_MAT)
            return arg_type_error(I, a, i, "a number or matrix");
    Value x = val_ref(a->v[0]), y = val_ref(a->v[1]);
    if (x.kind == VAL_NUM && y.kind == VAL_NUM)
        return val_num(f(x.as.num, y.as.num));
    return ops_broadcast(&I->err, x, y, f, a->bi->name, NULL);
}

/* The position (0-based, in stride steps) of the element r_max or r_min
 * returns: the first largest (smallest), or the first NaN when there is
 * one, since a NaN is what they return then. n >= 1. */
static size_t index_of_extreme(const double *x, size_t n, size_t s, bool largest)
{
    size_t at = 0;
    for (size_t i = 1; i < n && !isnan(x[at * s]); i++) {
        double v = x[i * s];
        if (isnan(v) || (largest ? v > x[at * s] : v < x[at * s]))
            at = i;
    }
    return at;
}

/* The extreme values and their 1-based indices over all elements (dim
 * 0: numbers, the index linear and column-major) or along dim 1 or 2 (a
 * row or column of each). An empty input (or an empty run) has no
 * element to point at, so it is refused. */
static bool extremes_with_index(Interp *I, const Args *a, int dim, bool largest,
                                Value *value, Value *index)
{
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return false;
    size_t groups = dim == 0 ? 1 : dim == 1 ? m->cols : m->rows;
    size_t len = dim == 0 ? mat_numel(m) : dim == 1 ? m->rows : m->cols;
    size_t step = dim == 2 ? 1 : len, stride = dim == 2 ? m->rows : 1;
    if (len == 0 || groups == 0) {
        mat_unref(m);
        bi_error(I, a, "an empty matrix has no %s element to index",
                 largest ? "largest" : "smallest");
        return false;
    }
    Matrix *v = dim == 2 ? mat_new_uninit(groups, 1) : mat_new_uninit(1, groups);
    Matrix *k = dim == 2 ? mat_new_uninit(groups, 1) : mat_new_uninit(1, groups);
    for (size_t j = 0; j < groups; j++) {
        const double *x = m->data + j * step;
        size_t at = index_of_extreme(x, len, stride, largest);
        v->data[j] = x[at * stride];
        k->data[j] = (double)at + 1;
    }
    mat_unref(m);
    *value = dim == 0 ? val_num(v->data[0]) : val_mat(v);
    *index = dim == 0 ? val_num(k->data[0]) : val_mat(k);
    if (dim == 0) {
        mat_unref(v);
        mat_unref(k);
    }
    return true;
}

/* m, i = max(A) or max(A, dim = d): the values and their indices. */
static Value extreme_pair(Interp *I, const Args *a, int dim, bool largest)
{
    Value v, k;
    if (!extremes_with_index(I, a, dim, largest, &v, &k))
        return val_error;
    Value l = val_list_new(2);
    list_push(l.as.list, v);
    list_push(l.as.list, k);
    return l;
}

/* max(A): largest element; max(A, B): elementwise; max(A, dim = d);
 * m, i = max(A) adds the indices. A 0x0 second argument is always the
 * placeholder, so max(A, []) is max(A); comparing with an empty B
 * elementwise would mean nothing. */
static Value extreme(Interp *I, const Args *a, Reducer r, ElemFn2 e, bool largest)
{
    bool placeholder = arg_given(a, 1) && a->v[1].kind == VAL_MAT &&
                       a->v[1].as.mat->rows == 0 && a->v[1].as.mat->cols == 0;
    /* max(A, [], 2), the Octave spelling of max(A, dim = 2) */
    if (arg_given(a, 1) && arg_given(a, 2) && !placeholder)
        return bi_error(I, a, "give either a second operand or dim, not both");
    if (arg_given(a, 1) && !placeholder)
        return a->nargout > 1 ? bi_error(I, a, "the elementwise form %s(A, B) has one "
                                         "result", a->bi->name)
                              : binary_map(I, a, e);
    if (a->nargout > 2)
        return bi_error(I, a, "gives at most 2 results (values and indices), not %d",
                        a->nargout);
    if (a->nargout < 2)
        return reduce_args(I, a, 2, r, false);
    int dim = 0;
    if (arg_given(a, 2) && !arg_dim(I, a, 2, &dim))
        return val_error;
    return extreme_pair(I, a, dim, largest);
}

static Value bi_max(Interp *I, const Args *a) { return extreme(I, a, r_max, e_max, true); }
static Value bi_min(Interp *I, const Args *a) { return extreme(I, a, r_min, e_min, false); }

/* argmax(A, dim) and argmin: the indices of m, i = max(A, dim = dim). */
static Value arg_extreme(Interp *I, const Args *a, bool largest)
{
    int dim = 0;
    if (arg_given(a, 1) && !arg_dim(I, a, 1, &dim))
        return val_error;
    Value v, k;
    if (!extremes_with_index(I, a, dim, largest, &v, &k))
        return val_error;
    val_unref(v);
    return k;
}

static Value bi_argmax(Interp *I, const Args *a) { return arg_extreme(I, a, true); }
static Value bi_argmin(Interp *I, const Args *a) { return arg_extreme(I, a, false); }

static Value bi_pow(Interp *I, const Args *a) { return binary_map(I, a, e_pow); }

/* C's atan2: the angle of the point (x, y) in (-pi, pi], with the signs
 * of both arguments choosing the quadrant (atan2(0, -1) = pi). */
static double e_atan2(double y, double x) { return atan2(y, x); }
static Value bi_atan2(Interp *I, const Args *a) { return binary_map(I, a, e_atan2); }

/* factorial(n) = gamma(n + 1) for whole n >= 0, exact up to 22! (every
 * smaller factorial is a double exactly) and inf past 170!. Anything but
 * whole non-negative numbers is refused, as in Octave: the name promises
 * an integer function. */
static Value bi_factorial(Interp *I, const Args *a)
{
    Value x = a->v[0];
    if (x.kind != VAL_NUM && x.kind != VAL_BOOL && x.kind != VAL_MAT)
        return arg_type_error(I, a, 0, "a number or matrix");
    const double *d = x.kind == VAL_MAT ? x.as.mat->data : NULL;
    size_t n = x.kind == VAL_MAT ? mat_numel(x.as.mat) : 1;
    for (size_t i = 0; i < n; i++) {
        double v = d ? d[i] : ops_scalar(x);
        if (!(v >= 0 && v == floor(v)))
            return bi_error(I, a, "n must be whole numbers >= 0, got %.17g", v);
    }
    return map1(I, a, gamma_plus_one_each, false);
}

/* mod(x, 0) = x, the Octave convention, instead of a division by zero.
 * x - floor(x/y)*y takes the sign of y. The rounding of x/y can push the
 * result to y itself: mod(-1e-20, 1) is 1, not a number just below 1. */
static double e_mod(double x, double y) { return y == 0 ? x : x - floor(x / y) * y; }

static Value bi_mod(Interp *I, const Args *a) { return binary_map(I, a, e_mod); }

/* A total order for qsort: NaN after every number, NaNs equal among
 * themselves. -0 and 0 compare equal, so their relative order after the
 * (unstable) qsort is unspecified. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);   /* NaN sorts last */
    return (x > y) - (x < y);
}

/* Merges the sorted runs x[0..mid) and x[mid..n) through tmp, taking
 * the left element on ties (the merge is stable). Polls Ctrl-C every
 * INTERRUPT_STRIDE elements written; false when it came (x is then left
 * as it was before the merge). */
static bool merge_runs(double *x, size_t mid, size_t n, double *tmp)
{
    size_t i = 0, j = mid, k = 0;
    while (i < mid && j < n) {
        tmp[k++] = cmp_double(&x[j], &x[i]) < 0 ? x[j++] : x[i++];
        if ((k & (INTERRUPT_STRIDE - 1)) == 0 && interrupt_pending())
            return false;
    }
    while (i < mid)
        tmp[k++] = x[i++];
    while (j < n)
        tmp[k++] = x[j++];
    memcpy(x, tmp, n * sizeof *x);
    return true;
}

/* Sorts x[0..n) by cmp_double so that Ctrl-C is noticed (one qsort of
 * 1e8 elements ran for tens of seconds): qsort on runs of
 * INTERRUPT_STRIDE elements, polling after each, then bottom-up merges of
 * doubling width, which poll as they write. False when interrupted. */
static bool sort_interruptible(double *x, size_t n)
{
    const size_t run = INTERRUPT_STRIDE;
    for (size_t k = 0; k < n; k += run) {
        qsort(x + k, n - k < run ? n - k : run, sizeof *x, cmp_double);
        if (interrupt_pending())
            return false;
    }
    if (n <= run)
        return true;
    double *tmp = xmalloc(n * sizeof *tmp);
    bool ok = true;
    for (size_t width = run; width < n && ok; width *= 2)
        for (size_t lo = 0; lo + width < n && ok; lo += 2 * width) {
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            ok = merge_runs(x + lo, width, hi - lo, tmp);
        }
    free(tmp);
    return ok;
}

/* A copy of m with each column (or the whole vector) sorted ascending.
 * Column-major storage keeps each column contiguous, so the sort runs on
 * it in place. The result is not a mask even when m was: the positions
 * of a sorted mask mean nothing. NULL when interrupted (Ctrl-C). */
static Matrix *sorted(const Matrix *m)
{
    Matrix *s = mat_copy(m);
    s->logical = false;
    size_t len = mat_is_vector(m) ? mat_numel(m) : m->rows;
    size_t groups = mat_is_vector(m) ? 1 : m->cols;
    for (size_t j = 0; j < groups && len; j++)
        if (!sort_interruptible(s->data + j * len, len)) {
            mat_unref(s);
            return NULL;
        }
    return s;
}

/* The distinct values of A in ascending order: a row for a row, a column
 * otherwise. -0 and 0 are one value (given as 0), and every NaN is one
 * value, last, as NumPy's unique does by default. */
static Value bi_unique(Interp *I, const Args *a)
{
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return val_error;
    size_t n = mat_numel(m);
    double *c = xmalloc((n ? n : 1) * sizeof *c);
    memcpy(c, m->data, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double v = c[i] == 0 ? 0.0 : c[i];
        bool same = k > 0 && (v == c[k - 1] || (isnan(v) && isnan(c[k - 1])));
        if (!same)
            c[k++] = v;
    }
    Matrix *u = m->rows == 1 ? mat_from(1, k, c) : mat_from(k, 1, c);
    free(c);
    mat_unref(m);
    return bi_mat(I, a, u);
}

static Value bi_sort(Interp *I, const Args *a)
{
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return val_error;
    Matrix *s = sorted(m);
    mat_unref(m);
    return s ? val_mat(s) : rt_interrupted(&I->err, NULL);
}

/* The strided elements are copied and sorted: O(n log n), simpler than a
 * selection algorithm and exact. The middle pair is averaged as halves so
 * that two numbers near DBL_MAX do not overflow. */
static double r_median(const double *x, size_t n, size_t stride)
{
    if (n == 0)
        return NAN;
    double *c = xmalloc(n * sizeof *c);
    for (size_t i = 0; i < n; i++)
        c[i] = x[i * stride];
    qsort(c, n, sizeof *c, cmp_double);
    /* NaN sorts last, so any NaN shows at the end; halves avoid overflow */
    double med = isnan(c[n - 1]) ? NAN
                 : n % 2 ? c[n / 2] : c[n / 2 - 1] / 2 + c[n / 2] / 2;
    free(c);
    return med;
}

/* Sample variance (divides by n - 1; 0 for one element).
 * Two passes, the mean and then the squared deviations, which avoids the
 * cancellation of the one-pass sum(x^2) - n*mean^2. One element gives 0
 * when it is finite and NaN otherwise (inf - inf); none gives NaN. */
static double r_var(const double *x, size_t n, size_t s)
{
    if (n < 2)
        return n && !isnan(x[0]) && !isinf(x[0]) ? 0 : NAN;
    double m = r_mean(x, n, s), t = 0;
    for (size_t i = 0; i < n; i++)
        t += (x[i * s] - m) * (x[i * s] - m);
    return t / (double)(n - 1);
}

static double r_std(const double *x, size_t n, size_t s) { return sqrt(r_var(x, n, s)); }

static Value bi_median(Interp *I, const Args *a) { return reduce_args(I, a, 1, r_median, false); }

/* NumPy's default quantile ("linear", Hyndman and Fan's type 7) on the
 * sorted c[0..n): the virtual index h = (n - 1) q, written in NumPy's
 * order of operations, and the lerp between its neighbours taken from
 * the nearer end, so results match NumPy's bit for bit and equal
 * neighbours give themselves back. A NaN among the data gives NaN. */
static double quantile_sorted(const double *c, size_t n, double q)
{
    if (isnan(c[n - 1]))
        return NAN;
    double h = (double)n * q + (1 - q) - 1;
    double lo = floor(h);
    size_t i = lo < 0 ? 0 : (size_t)lo >= n - 1 ? n - 1 : (size_t)lo;
    size_t j = i + 1 < n ? i + 1 : n - 1;
    double t = h - lo, a = c[i], b = c[j], d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/* quantile(A, q): the q-quantile of all elements, for each element of q
 * (the result has q's shape; a number for a number); quantile(A, q, dim)
 * with one q: along dim 1 (a row) or 2 (a column), as median. */
static Value bi_quantile(Interp *I, const Args *a)
{
    int dim = 0;
    if (arg_given(a, 2) && !arg_dim(I, a, 2, &dim))
        return val_error;
    Matrix *q = arg_mat(I, a, 1);
    if (!q)
        return val_error;
    for (size_t k = 0; k < mat_numel(q); k++)
        if (!(q->data[k] >= 0 && q->data[k] <= 1)) {
            double bad = q->data[k];
            mat_unref(q);
            return bi_error(I, a, "q must be between 0 and 1, got %g", bad);
        }
    if (dim != 0 && mat_numel(q) != 1) {
        mat_unref(q);
        return bi_error(I, a, "along a dimension q must be one number");
    }
    Matrix *m = arg_mat(I, a, 0);
    if (!m) {
        mat_unref(q);
        return val_error;
    }
    if (mat_numel(m) == 0) {
        mat_unref(q), mat_unref(m);
        return bi_error(I, a, "the quantile of an empty matrix is undefined");
    }
    size_t groups = dim == 0 ? 1 : dim == 1 ? m->cols : m->rows;
    size_t len = dim == 0 ? mat_numel(m) : dim == 1 ? m->rows : m->cols;
    size_t step = dim == 2 ? 1 : len, stride = dim == 2 ? m->rows : 1;
    size_t nq = dim == 0 ? mat_numel(q) : groups;
    Matrix *out = dim == 2 ? mat_new_uninit(groups, 1)
                  : dim == 1 ? mat_new_uninit(1, groups) : mat_new_uninit(q->rows, q->cols);
    double *c = xmalloc(len * sizeof *c);
    for (size_t j = 0; j < groups; j++) {
        for (size_t i = 0; i < len; i++)
            c[i] = m->data[j * step + i * stride];
        qsort(c, len, sizeof *c, cmp_double);
        for (size_t k = 0; k < (dim == 0 ? nq : 1); k++)
            out->data[dim == 0 ? k : j] = quantile_sorted(c, len, q->data[dim == 0 ? k : 0]);
    }
    free(c);
    bool number = dim == 0 && q->rows == 1 && q->cols == 1 && a->v[1].kind != VAL_MAT;
    mat_unref(q), mat_unref(m);
    if (!number)
        return val_mat(out);
    double r = out->data[0];
    mat_unref(out);
    return val_num(r);
}
static Value bi_var(Interp *I, const Args *a) { return reduce_args(I, a, 1, r_var, false); }
static Value bi_std(Interp *I, const Args *a) { return reduce_args(I, a, 1, r_std, false); }

/* Running sums (or products) down a vector, or down each column of a
 * matrix. A vector of either orientation is one run; a matrix's columns
 * are contiguous, so run j is data[j*len .. j*len + len). The running
 * sum of a mask counts, so the result is not logical. */
static Value running(Interp *I, const Args *a, bool product)
{
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return val_error;
    Matrix *c = mat_copy(m);
    size_t len = mat_is_vector(m) ? mat_numel(m) : m->rows;
    size_t groups = mat_is_vector(m) ? 1 : m->cols;
    for (size_t j = 0; c && j < groups; j++)
        for (size_t i = 1; i < len; i++) {
            double *x = c->data + j * len + i;
            *x = product ? *x * x[-1] : *x + x[-1];
        }
    if (c)
        c->logical = false;
    mat_unref(m);
    return bi_mat(I, a, c);
}

static Value bi_cumsum(Interp *I, const Args *a) { return running(I, a, false); }
static Value bi_cumprod(Interp *I, const Args *a) { return running(I, a, true); }

/* Linear indices, 1-based and in column-major order, as A(find(A))
 * expects. A row input gives a row, anything else a column (Octave's
 * choice). Two passes size the result exactly. NaN counts as non-zero. */
static Value bi_find(Interp *I, const Args *a)
{
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return val_error;
    size_t n = mat_numel(m), count = 0;
    for (size_t i = 0; i < n; i++)
        count += m->data[i] != 0;
    Matrix *out = m->rows == 1 ? mat_new_uninit(1, count) : mat_new_uninit(count, 1);
    for (size_t i = 0, k = 0; out && i < n; i++)
        if (m->data[i] != 0)
            out->data[k++] = (double)(i + 1);
    mat_unref(m);
    return bi_mat(I, a, out);
}

/* ---- norms ------------------------------------------------------- */


/* sqrt(sum x^2) scaled by the largest |x|, so 1e200 and 1e-200 entries
 * neither overflow nor underflow.
 * The first pass also settles the special cases: any NaN gives NaN (it
 * sticks in big), otherwise any inf gives inf, and all zeros give 0. */
static double euclidean(const double *x, size_t n)
{
    double big = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > big || isnan(x[i]))
            big = fabs(x[i]);
    if (big == 0 || isnan(big) || isinf(big))
        return big;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (x[i] / big) * (x[i] / big);
    return big * sqrt(s);
}

/* The p-norm, scaled by the largest |x_i| so that neither x^p nor the
 * sum overflows or underflows: |x|_p = big (sum (|x_i|/big)^p)^(1/p).
 * p = 1 sums |x_i| directly (no power, and the sum overflows only when
 * the norm does); p = inf is big itself. An empty vector has norm 0. */
static double vector_pnorm(const Matrix *m, double p)
{
    size_t n = mat_numel(m);
    double big = 0;
    for (size_t i = 0; i < n; i++) {
        double x = fabs(m->data[i]);
        if (isnan(x))
            return x;
        big = x > big ? x : big;
    }
    if (isinf(p) || big == 0 || isinf(big))
        return big;
    double t = 0;
    for (size_t i = 0; i < n; i++)
        t += p == 1 ? fabs(m->data[i]) : pow(fabs(m->data[i]) / big, p);
    return p == 1 ? t : big * pow(t, 1 / p);
}

/* No p: the 2-norm of a vector or the Frobenius norm of a matrix, one and
 * the same sum of squares, hence one path. p < 1 is not a norm (the
 * triangle inequality fails), and the same test refuses NaN. A matrix
 * gets only "fro" or 2, the spectral norm (la_norm2, the largest singular
 * value); p = 1 or inf on a matrix is refused rather than silently taken
 * as a vector norm of its elements. */
static Value bi_norm(Interp *I, const Args *a)
{
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return val_error;
    double p = 2, r;
    bool fro = !arg_given(a, 1);
    if (arg_given(a, 1) && a->v[1].kind == VAL_STR) {
        fro = true;
        if (strcmp(a->v[1].as.str->s, "fro") != 0) {
            mat_unref(m);
            return bi_error(I, a, "unknown norm \"%s\" (use 1, 2, inf or \"fro\")",
                            a->v[1].as.str->s);
        }
    } else if (arg_given(a, 1) && !arg_num(I, a, 1, &p)) {
        mat_unref(m);
        return val_error;
    }
    if (!fro && !(p >= 1)) {
        mat_unref(m);
        return isnan(p) ? bi_error(I, a, "p must be at least 1, got NaN")
                        : bi_error(I, a, "p must be at least 1, got %g", p);
    }
    if (fro || (p == 2 && mat_is_vector(m)))
        r = euclidean(m->data, mat_numel(m));
    else if (mat_is_vector(m) || mat_numel(m) == 0)   /* every norm of nothing is 0 */
        r = vector_pnorm(m, p);
    else if (p == 2)
        r = la_norm2(m);
    else {
        mat_unref(m);
        return bi_error(I, a, "matrix norms are \"fro\" (default) and 2");
    }
    mat_unref(m);
    return val_num(r);
}

/* Second expansion: one table row per list entry, exactly one argument. */
#define REGISTER_MAP(name, how, fn, help) {#name, 1, 1, #name "(x)", help, bi_##name},

const Builtin builtins_math[] = {
    ELEMENTWISE_LIST(REGISTER_MAP)
    {"max", 1, 3, "max(A, B, dim)", "largest element of A; with B the elementwise maximum "
     "(broadcasting); with dim = 1 or 2 the maxima down columns or across rows; "
     "m, i = max(A) also gives the index of each (as argmax)", bi_max},
    {"min", 1, 3, "min(A, B, dim)", "smallest element of A; with B the elementwise minimum; "
     "with dim = 1 or 2 the minima down columns or across rows; m, i = min(A) also "
     "gives the index of each", bi_min},
    {"pow", 2, 2, "pow(x, p)", "x .^ p, elementwise with broadcasting", bi_pow},
    {"atan2", 2, 2, "atan2(y, x)", "angle of the point (x, y) in (-pi, pi], elementwise "
     "with broadcasting", bi_atan2},
    {"factorial", 1, 1, "factorial(n)", "n! for whole n >= 0, elementwise (exact to 22!, "
     "inf past 170!)", bi_factorial},
    {"sum", 1, 2, "sum(A, dim)", "sum of all elements; sum(A, 1) sums down columns (a row), "
     "sum(A, 2) across rows (a column)", bi_sum},
    {"mean", 1, 2, "mean(A, dim)", "mean of all elements, or along dim 1 or 2", bi_mean},
    {"prod", 1, 2, "prod(A, dim)", "product of all elements, or along dim 1 or 2", bi_prod},
    {"sumsq", 1, 2, "sumsq(A, dim)", "sum of squares of all elements, or along dim 1 or 2", bi_sumsq},
    {"any", 1, 2, "any(A, dim)", "true if any element is non-zero (or along dim)", bi_any},
    {"all", 1, 2, "all(A, dim)", "true if every element is non-zero (or along dim); "
     "all([]) is true", bi_all},
    {"mod", 2, 2, "mod(x, y)", "x - floor(x ./ y) .* y elementwise (the sign of y); "
     "mod(x, 0) is x", bi_mod},
    {"sort", 1, 1, "sort(A)", "the elements of a vector in ascending order (NaN "
     "last), or each column of a matrix sorted", bi_sort},
    {"median", 1, 2, "median(A, dim)", "median of all elements, or along dim 1 or 2", bi_median},
    {"quantile", 2, 3, "quantile(A, q, dim)", "q-quantiles of all elements for each q in "
     "[0, 1] (NumPy's default, linear interpolation; q = 0.5 is the median), or along "
     "dim 1 or 2 for one q", bi_quantile},
    {"unique", 1, 1, "unique(A)", "the distinct values in ascending order (a row for a "
     "row, else a column); all NaNs count as one, last", bi_unique},
    {"var", 1, 2, "var(A, dim)", "sample variance (divides by n - 1) of all elements, "
     "or along dim 1 or 2", bi_var},
    {"std", 1, 2, "std(A, dim)", "sample standard deviation, sqrt(var)", bi_std},
    {"cumsum", 1, 1, "cumsum(A)", "running sums down a vector or down each column", bi_cumsum},
    {"cumprod", 1, 1, "cumprod(A)", "running products down a vector or down each column",
     bi_cumprod},
    {"argmax", 1, 2, "argmax(A, dim)", "1-based index of the first largest element "
     "(linear, column-major), or of each column's (dim = 1) or row's (dim = 2); a NaN "
     "counts as the largest, as in max", bi_argmax},
    {"argmin", 1, 2, "argmin(A, dim)", "1-based index of the first smallest element, "
     "or along dim 1 or 2; as argmax", bi_argmin},
    {"find", 1, 1, "find(A)", "linear (column-major, 1-based) indices of the non-zero "
     "elements", bi_find},
    {"norm", 1, 2, "norm(A, p)", "2-norm of a vector, Frobenius norm of a matrix; "
     "norm(A, 2) is the spectral norm, norm(v, 1) and norm(v, inf) the vector p-norms, "
     "norm(A, \"fro\") Frobenius", bi_norm},
    BUILTIN_END,
};
