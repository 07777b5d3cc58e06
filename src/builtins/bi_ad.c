/* bi_ad.c: grad, value_and_grad, jacobian and ntk on top of the tape.
 *
 * Each call records its own tape: ad_begin refuses when one is already
 * active, so these built-ins cannot be nested (grad of a function that
 * calls grad is an error, not a second-order derivative). The function is
 * called through the evaluator with tracked arguments; everything it
 * computes on them is recorded, and one reverse sweep per output reads the
 * adjoints back at the leaves. */
#include <stdlib.h>
#include <string.h>

#include "ad/ad.h"
#include "ad/structure.h"
#include "eval/builtin.h"
#include "eval/eval.h"
#include "value/ops.h"

/* grad and value_and_grad: f alone gives the bound function; f and x the
 * gradient, with the value too when asked.
 * grad(f) is a Partial holding a reference to f: calling it later puts f
 * back as the first argument and lands here with a->n >= 2 (a variadic
 * built-in has one slot per argument passed). Arguments after x go to f
 * unchanged and untracked. f must return a scalar; the gradient has x's
 * structure (a matrix, or a list or record of them), and the value is a
 * plain number. Both are new references that the list takes. */
static Value gradient(Interp *I, const Args *a, bool with_value)
{
    if (!arg_callable(I, a, 0))
        return val_error;
    if (a->n < 2)
        return val_partial(a->bi, val_ref(a->v[0]));
    Value v, g;
    if (!ad_value_and_grad(&I->ad, a->v[0], a->v[1], a->n - 2, a->v + 2, a->bi->name, &v, &g))
        return val_error;
    if (!with_value)
        return g;
    Value l = val_list_new(2);
    list_push(l.as.list, v);
    list_push(l.as.list, g);
    return l;
}

static Value bi_grad(Interp *I, const Args *a) { return gradient(I, a, false); }
static Value bi_value_and_grad(Interp *I, const Args *a) { return gradient(I, a, true); }

/* ---- jacobian ----------------------------------------------------- */

/* A Jacobian with respect to a whole network's parameters easily exceeds
 * memory. The limit turns that into an error naming the size before J is
 * allocated and the n sweeps run; maxmem raises it. */
#define JACOBIAN_DEFAULT_LIMIT 2e9   /* bytes */

/* The byte count is computed in double so that n * p * 8 cannot wrap;
 * mat_size_ok adds the element limit every matrix obeys. !(limit > 0)
 * refuses NaN as well. */
static bool jacobian_fits(Interp *I, const Args *a, size_t n, size_t p)
{
    double limit;
    if (!arg_num_or(I, a, 2, JACOBIAN_DEFAULT_LIMIT, &limit))
        return false;
    if (!(limit > 0)) {
        bi_error(I, a, "maxmem must be a positive number of bytes, got %g", limit);
        return false;
    }
    double bytes = (double)n * (double)p * 8;
    if (bytes <= limit && mat_size_ok(n, p))
        return true;
    bi_error(I, a, "the Jacobian would be %zux%zu (%.3g MB), above the limit of "
             "%.3g MB (raise it with maxmem = bytes)", n, p, bytes / 1e6, limit / 1e6);
    return false;
}

/* Row i of J is the gradient of output i: one reverse sweep per output.
 * f ran once and its tape is swept n times, each from the unit seed e_i
 * shaped like y (i its column-major linear index). Adjoints accumulate,
 * so they are cleared before every sweep. The adjoints at the leaves are
 * laid out in row (J->cols of them), in the parameters' order. */
static bool fill_jacobian(Interp *I, Value y, Value xt, Matrix *J, double *row)
{
    Value yp = val_primal(y);
    for (size_t i = 0; i < J->rows; i++) {
        ad_zero_grads(&I->ad);
        Matrix *seed = mat_new(yp.kind == VAL_MAT ? yp.as.mat->rows : 1,
                               yp.kind == VAL_MAT ? yp.as.mat->cols : 1);
        seed->data[i] = 1;
        Value s = yp.kind == VAL_MAT ? val_mat(seed) : (mat_unref(seed), val_num(1));
        bool ok = ad_backward(&I->ad, y, s, NULL);
        val_unref(s);
        if (!ok)
            return false;
        ad_flat_grads(&I->ad, xt, row);
        for (size_t j = 0; j < J->cols; j++)
            MAT_AT(J, i, j) = row[j];
    }
    return true;
}

/* J for y = f(x) just recorded, within the memory limit (n, the number
 * of outputs, is known only after f has run, so the check comes here):
 * from one sweep where the tape shows a batch through dense layers
 * (structure.c), else from one sweep per output. */
static Value explicit_jacobian(Interp *I, const Args *a, Value y, Value xt)
{
    Value yp = val_primal(y);
    size_t n = yp.kind == VAL_MAT ? mat_numel(yp.as.mat) : 1;
    size_t p = ad_leaf_count(xt);
    if (!jacobian_fits(I, a, n, p))
        return val_error;
    Matrix *J = mat_new(n, p);
    StructResult s = ad_jacobian_structured(&I->ad, y, xt, J, I->site);
    if (s != STRUCT_NONE)
        return s == STRUCT_DONE ? val_mat(J) : (mat_unref(J), val_error);
    double *row = xmalloc((p ? p : 1) * sizeof *row);
    Value r = fill_jacobian(I, y, xt, J, row) ? val_mat(J) : (mat_unref(J), val_error);
    free(row);
    return r;
}

/* K = J J'. mat_mul sees the same operand once transposed and uses dsyrk
 * (half the work of dgemm, and K exactly symmetric). */
static Value kernel_of_jacobian(Interp *I, const Args *a, Value J)
{
    if (VAL_IS_ERR(J))
        return J;
    Matrix *K = mat_mul(J.as.mat, J.as.mat, false, true);
    val_unref(J);
    return bi_mat(I, a, K);
}

/* The kernel without J when the tape shows a batch through dense layers
 * (structure.c), else through J. */
static Value kernel(Interp *I, const Args *a, Value y, Value xt)
{
    Matrix *K = NULL;
    switch (ad_ntk_structured(&I->ad, y, xt, &K, I->site)) {
    case STRUCT_DONE: return val_mat(K);
    case STRUCT_FAILED: return val_error;
    default: return kernel_of_jacobian(I, a, explicit_jacobian(I, a, y, xt));
    }
}

/* The shared body of jacobian and ntk. x is a number, a matrix, or a
 * list or record of them (a whole network's parameters): J's columns
 * follow the parameters in order (list items and record fields in order,
 * each matrix in column-major vec order), so J J' sums the kernels of all
 * of them. Once ad_begin succeeded every path reaches ad_end, so no tape
 * stays active after an error. */
static Value jacobian_of(Interp *I, const Args *a, bool want_kernel)
{
    Value x = a->v[1];
    if (!arg_callable(I, a, 0) || !ad_begin(&I->ad, NULL))
        return val_error;
    Value xt = ad_track(&I->ad, x, a->bi->name);
    Value y = val_error, r = val_error;
    if (!VAL_IS_ERR(xt)) {
        Value args1[1] = {xt};
        y = eval_call_value(I, a->v[0], 1, 0, args1, NULL, 1, NULL);
    }
    if (!VAL_IS_ERR(y)) {
        Value yp = val_primal(y);
        if (yp.kind != VAL_MAT && yp.kind != VAL_NUM)
            bi_error(I, a, "the function must return a number or matrix");
        else
            r = want_kernel ? kernel(I, a, y, xt) : explicit_jacobian(I, a, y, xt);
        val_unref(y);
    }
    if (!VAL_IS_ERR(xt))
        val_unref(xt);
    ad_end(&I->ad);
    return r;
}

static Value bi_jacobian(Interp *I, const Args *a)
{
    return jacobian_of(I, a, false);
}

/* J J' without forming J where the structure allows (structure.c): a
 * batch of rows through dense layers, each parameter entering once. */
static Value bi_ntk(Interp *I, const Args *a)
{
    return jacobian_of(I, a, true);
}

const Builtin builtins_ad[] = {
    {"grad", 1, -1, "grad(f, x, ...)", "gradient of the scalar function f at x (a "
     "matrix, or a list or record of matrices; the gradient has the same "
     "structure); further arguments are passed to f unchanged; grad(f) returns "
     "the gradient function", bi_grad},
    {"value_and_grad", 1, -1, "value_and_grad(f, x, ...)", "{f(x), grad(f, x)} "
     "from one evaluation", bi_value_and_grad},
    {"jacobian", 2, 3, "jacobian(f, x, maxmem)", "the n x p Jacobian of f at x, "
     "where x is a matrix or a list or record of them (p elements in all, in order, "
     "each matrix column-major); one reverse sweep for a batch through dense layers, "
     "else one per output; refuses (naming the size) when it would exceed maxmem "
     "bytes (default 2e9)", bi_jacobian},
    {"ntk", 2, 3, "ntk(f, x, maxmem)", "the neural tangent kernel J J' of f at x, "
     "summed over all the parameters when x is a list or record; for a batch through "
     "dense layers (each weight once, as X * W, H * W' or a bias) J is never formed; "
     "otherwise J is, within maxmem bytes (default 2e9)", bi_ntk},
    BUILTIN_END,
};
