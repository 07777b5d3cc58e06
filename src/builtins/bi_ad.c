/* bi_ad.c: grad, value_and_grad, jacobian and ntk on top of the tape. */
#include <stdlib.h>
#include <string.h>

#include "ad.h"
#include "builtin.h"
#include "eval.h"
#include "ops.h"

/* Replaces every number or matrix in x (a number, matrix, list or record
 * of them) by a tracked leaf. */
static Value track(Interp *I, const Args *a, Value x)
{
    if (x.kind == VAL_NUM || x.kind == VAL_BOOL)
        return ad_leaf(I, val_num(ops_scalar(x)));
    if (x.kind == VAL_MAT)
        return ad_leaf(I, val_ref(x));
    if (x.kind == VAL_LIST) {
        Value l = val_list_new(x.as.list->n);
        for (size_t i = 0; i < x.as.list->n; i++) {
            Value t = track(I, a, x.as.list->items[i]);
            if (VAL_IS_ERR(t)) {
                val_unref(l);
                return t;
            }
            list_push(l.as.list, t);
        }
        return l;
    }
    if (x.kind == VAL_REC) {
        Value r = val_rec_new();
        for (size_t i = 0; i < x.as.rec->n; i++) {
            Value t = track(I, a, x.as.rec->vals[i]);
            if (VAL_IS_ERR(t)) {
                val_unref(r);
                return t;
            }
            rec_set(r.as.rec, x.as.rec->keys[i], t);
        }
        return r;
    }
    return arg_type_error(I, a, 1, "a matrix, or a list or record of matrices");
}

/* The adjoints at the leaves, in the structure of the tracked input. */
static Value collect(Interp *I, Value t)
{
    if (t.kind == VAL_LIST) {
        Value l = val_list_new(t.as.list->n);
        for (size_t i = 0; i < t.as.list->n; i++)
            list_push(l.as.list, collect(I, t.as.list->items[i]));
        return l;
    }
    if (t.kind == VAL_REC) {
        Value r = val_rec_new();
        for (size_t i = 0; i < t.as.rec->n; i++)
            rec_set(r.as.rec, t.as.rec->keys[i], collect(I, t.as.rec->vals[i]));
        return r;
    }
    return ad_grad_of(I, t);
}

/* Calls f(x, extra...) where the extra arguments are a->v[2..]. */
static Value call_with(Interp *I, const Args *a, Value f, Value x)
{
    int n = a->n - 1;
    Value *args = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *args);
    args[0] = x;
    for (int i = 1; i < n; i++)
        args[i] = a->v[i + 1];
    Value r = eval_call_value(I, f, n, 0, args, NULL, 1, NULL);
    free(args);
    return r;
}

static bool scalar_result(Interp *I, const Args *a, Value r)
{
    Value p = val_primal(r);
    if (p.kind == VAL_NUM || p.kind == VAL_BOOL ||
        (p.kind == VAL_MAT && mat_numel(p.as.mat) == 1))
        return true;
    char d[48];
    describe_value(p, d, sizeof d);
    bi_error(I, a, "the function must return a scalar, got %s", d);
    return false;
}

/* The shared core: value (plain) and gradient of f at x. */
static bool value_and_gradient(Interp *I, const Args *a, Value *value, Value *grad)
{
    if (!ad_begin(I, NULL))
        return false;
    Value xt = track(I, a, a->v[1]);
    Value r = VAL_IS_ERR(xt) ? val_error : call_with(I, a, a->v[0], xt);
    bool ok = !VAL_IS_ERR(r) && scalar_result(I, a, r) &&
              ad_backward(I, r, val_num(1), NULL);
    if (ok) {
        *value = val_num(ops_scalar(r));
        *grad = collect(I, xt);
    }
    if (!VAL_IS_ERR(r))
        val_unref(r);
    if (!VAL_IS_ERR(xt))
        val_unref(xt);
    ad_end(I);
    return ok;
}

static Value bi_grad(Interp *I, const Args *a)
{
    if (!arg_callable(I, a, 0))
        return val_error;
    if (a->n < 2)
        return val_partial(a->bi, val_ref(a->v[0]));
    Value v, g;
    return value_and_gradient(I, a, &v, &g) ? g : val_error;
}

static Value bi_value_and_grad(Interp *I, const Args *a)
{
    if (!arg_callable(I, a, 0))
        return val_error;
    if (a->n < 2)
        return val_partial(a->bi, val_ref(a->v[0]));
    Value v, g;
    if (!value_and_gradient(I, a, &v, &g))
        return val_error;
    Value l = val_list_new(2);
    list_push(l.as.list, v);
    list_push(l.as.list, g);
    return l;
}

/* ---- jacobian ----------------------------------------------------- */

#define JACOBIAN_DEFAULT_LIMIT 2e9   /* bytes */

static bool jacobian_fits(Interp *I, const Args *a, size_t n, size_t p)
{
    double limit;
    if (!arg_num_or(I, a, 2, JACOBIAN_DEFAULT_LIMIT, &limit))
        return false;
    double bytes = (double)n * (double)p * 8;
    if (bytes <= limit && mat_size_ok(n, p))
        return true;
    bi_error(I, a, "the Jacobian would be %zux%zu (%.3g MB), above the limit of "
             "%.3g MB (raise it with maxmem = bytes)", n, p, bytes / 1e6, limit / 1e6);
    return false;
}

/* Row i of J is the gradient of output i: one reverse sweep per output. */
static bool fill_jacobian(Interp *I, Value y, Value xt, Matrix *J)
{
    Value yp = val_primal(y);
    for (size_t i = 0; i < J->rows; i++) {
        ad_zero_grads(I);
        Matrix *seed = mat_new(yp.kind == VAL_MAT ? yp.as.mat->rows : 1,
                               yp.kind == VAL_MAT ? yp.as.mat->cols : 1);
        seed->data[i] = 1;
        Value s = yp.kind == VAL_MAT ? val_mat(seed) : (mat_unref(seed), val_num(1));
        bool ok = ad_backward(I, y, s, NULL);
        val_unref(s);
        if (!ok)
            return false;
        Value g = ad_grad_of(I, xt);
        const double *d = g.kind == VAL_MAT ? g.as.mat->data : &g.as.num;
        for (size_t j = 0; j < J->cols; j++)
            MAT_AT(J, i, j) = d[j];
        val_unref(g);
    }
    return true;
}

static Value jacobian_of(Interp *I, const Args *a)
{
    Value x = a->v[1];
    if (x.kind != VAL_MAT && x.kind != VAL_NUM)
        return arg_type_error(I, a, 1, "a matrix");
    if (!arg_callable(I, a, 0) || !ad_begin(I, NULL))
        return val_error;
    Value xt = ad_leaf(I, val_ref(x));
    Value args1[1] = {xt};
    Value y = eval_call_value(I, a->v[0], 1, 0, args1, NULL, 1, NULL);
    Value r = val_error;
    if (!VAL_IS_ERR(y)) {
        Value yp = val_primal(y);
        size_t n = yp.kind == VAL_MAT ? mat_numel(yp.as.mat) : 1;
        size_t p = x.kind == VAL_MAT ? mat_numel(x.as.mat) : 1;
        if (yp.kind != VAL_MAT && yp.kind != VAL_NUM)
            bi_error(I, a, "the function must return a number or matrix");
        else if (jacobian_fits(I, a, n, p)) {
            Matrix *J = mat_new(n, p);
            r = J && fill_jacobian(I, y, xt, J) ? val_mat(J)
                : (mat_unref(J), val_error);
        }
        val_unref(y);
    }
    val_unref(xt);
    ad_end(I);
    return r;
}

static Value bi_jacobian(Interp *I, const Args *a)
{
    return jacobian_of(I, a);
}

static Value bi_ntk(Interp *I, const Args *a)
{
    Value J = jacobian_of(I, a);
    if (VAL_IS_ERR(J))
        return J;
    Matrix *K = mat_mul(J.as.mat, J.as.mat, false, true);
    val_unref(J);
    return bi_mat(I, a, K);
}

const Builtin builtins_ad[] = {
    {"grad", 1, -1, "grad(f, x, ...)", "gradient of the scalar function f at x (a "
     "matrix, or a list or record of matrices; the gradient has the same "
     "structure); further arguments are passed to f unchanged; grad(f) returns "
     "the gradient function", bi_grad},
    {"value_and_grad", 1, -1, "value_and_grad(f, x, ...)", "{f(x), grad(f, x)} "
     "from one evaluation", bi_value_and_grad},
    {"jacobian", 2, 3, "jacobian(f, x, maxmem)", "the n x numel(x) Jacobian of f "
     "at x, in column-major vec order of both; refuses (naming the size) when it "
     "would exceed maxmem bytes (default 2e9)", bi_jacobian},
    {"ntk", 2, 3, "ntk(f, x, maxmem)", "the neural tangent kernel J J' of f at x; "
     "for one-hidden-layer nets the stdlib's ntk_shallow avoids forming J", bi_ntk},
    BUILTIN_END,
};
