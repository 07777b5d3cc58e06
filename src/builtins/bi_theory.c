/* bi_theory.c: the theory built-ins: Hermite coefficients, the network
 * covariance, initialisations, deep linear nets (balance, end-to-end
 * product, preconditioner, margin), label corruption and data models.
 * The numerics live in hermite.c and theory.c; this file reads arguments
 * and reports errors.
 *
 * An activation reaches the numerics in one of three forms: a built-in
 * activation of hermite.c (closed form, exact derivative, known kinks);
 * a user function of one number, called back through the evaluator for
 * every quadrature node; or, for the Monte-Carlo covariance and teacher,
 * any function applied to a whole matrix. Random draws come from I->rng
 * in the orders theory.h documents, so a seed fixes every data set. The
 * section tags (A12, B3...) refer to /work/shared/theory.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ad/ad.h"
#include "eval/builtin.h"
#include "builtins/registry.h"
#include "ad/dispatch.h"
#include "eval/eval.h"
#include "numeric/hermite.h"
#include "numeric/linalg.h"
#include "value/ops.h"
#include "numeric/theory.h"

/* Depth limit for balance, precond and balanced nets: each layer is a
 * matrix (and a term of the preconditioner). */
#define MAX_DEPTH 10000

/* ---- activations as functions of one variable -------------------- */

/* A user function called on one number; errors surface as NaN and a
 * pending error that the caller checks.
 * The quadratures call it thousands of times. Once it failed, later calls
 * return NaN without calling back, so the script's error is raised once;
 * hermite_coeffs also stops at the first NaN. Ctrl-C is noticed by
 * eval_call_value at the next call and fails it like any error. */
typedef struct UserFn {
    Interp *I;
    Value fn;
    bool failed;
} UserFn;

static double call_user(double z, void *ctx)
{
    UserFn *u = ctx;
    if (u->failed)
        return NAN;
    Value x = val_num(z);
    Value r = eval_call_value(u->I, u->fn, 1, 0, &x, NULL, 1, NULL);
    if (VAL_IS_ERR(r) || !ops_is_scalar(r)) {
        if (!VAL_IS_ERR(r)) {
            val_unref(r);
            interp_error(u->I, NULL, "the activation must return a number");
        }
        u->failed = true;
        return NAN;
    }
    double y = ops_scalar(r);
    val_unref(r);
    return y;
}

/* The Hermite description of act (a built-in activation or a user
 * function), with kinks for user functions from `kinks`.
 * A name or built-in value must be one of hermite.c's activations: other
 * built-ins such as sin have no HermiteFn and are refused here (wrap one
 * in a function to sample it). *out's ctx points at *u and its kinks at
 * the caller's matrix, so both must outlive the use of *out. */
static bool activation(Interp *I, const Args *a, int i, const Matrix *kinks,
                       HermiteFn *out, UserFn *u)
{
    Value act = a->v[i];
    if (act.kind == VAL_BUILTIN || act.kind == VAL_STR) {
        const char *name = act.kind == VAL_STR ? act.as.str->s : act.as.bi->name;
        const HermiteFn *h = hermite_builtin(name);
        if (!h) {
            bi_error(I, a, "unknown activation \"%s\" (relu, step, tanh, sigmoid, "
                     "softplus, quadratic, or a function)", name);
            return false;
        }
        *out = *h;
        return true;
    }
    if (act.kind != VAL_FUNC) {
        arg_type_error(I, a, i, "an activation (a function or its name)");
        return false;
    }
    *u = (UserFn){I, act, false};
    *out = (HermiteFn){call_user, u, kinks ? kinks->data : NULL,
                       kinks ? (int)mat_numel(kinks) : 0};
    return true;
}

/* mu[0..R] of the activation in argument act_arg. hermite_coeffs fails
 * only on bad arguments or memory, checked or rare here, hence the plain
 * message. A failed user function leaves its own error pending. */
static bool hermite_of(Interp *I, const Args *a, int act_arg, int R, const Matrix *kinks,
                       double *mu)
{
    HermiteFn h;
    UserFn u = {0};
    if (!activation(I, a, act_arg, kinks, &h, &u))
        return false;
    if (hermite_coeffs(&h, R, mu) != 0) {
        bi_error(I, a, "could not compute the coefficients");
        return false;
    }
    return !u.failed;
}

/* hermite_coeffs skips kinks out of ascending order, so a copy is sorted
 * here (insertion sort: a list of kinks is short), leaving the caller's
 * vector as it was. NULL when the argument is absent or not a vector. */
static Matrix *sorted_kinks(Interp *I, const Args *a, int i)
{
    if (!arg_given(a, i))
        return NULL;
    Matrix *k = arg_vector(I, a, i);
    if (!k)
        return NULL;
    Matrix *c = mat_copy(k);
    mat_unref(k);
    for (size_t p = 1; c && p < mat_numel(c); p++)
        for (size_t q = p; q > 0 && c->data[q - 1] > c->data[q]; q--) {
            double t = c->data[q];
            c->data[q] = c->data[q - 1];
            c->data[q - 1] = t;
        }
    return c;
}

/* R, the last coefficient index, within 0..HERMITE_MAX_R (2000): the
 * scaled recurrence of hermite.c is free of overflow up to there. */
static bool read_order(Interp *I, const Args *a, int i, long dflt, long *R)
{
    if (!arg_int_or(I, a, i, dflt, R))
        return false;
    if (*R < 0 || *R > HERMITE_MAX_R) {
        bi_error(I, a, "R must be between 0 and %d, got %ld", HERMITE_MAX_R, *R);
        return false;
    }
    return true;
}

/* Declaring kinks is optional: hermite_coeffs finds those of a user
 * function itself, and a declared one only saves the ~200 calls spent
 * locating it. A built-in activation carries its own kinks, and kinks is
 * then ignored. mu[1] of the result is mu_0. */
static Value bi_hermite(Interp *I, const Args *a)
{
    long R;
    if (!read_order(I, a, 1, 8, &R))
        return val_error;
    Matrix *kinks = NULL;
    if (arg_given(a, 2) && !(kinks = sorted_kinks(I, a, 2)))
        return val_error;
    Matrix *mu = mat_new(R + 1, 1);
    bool ok = mu && hermite_of(I, a, 0, (int)R, kinks, mu->data);
    mat_unref(kinks);
    if (!ok) {
        mat_unref(mu);
        return val_error;
    }
    return val_mat(mu);
}

/* The list {W1, ..., WN} of a deep linear net's layers (taken).
 * W[j-1] is W_j, of size d_j x d_{j-1}, as theory.h lays a net out. */
static Value layer_list(Matrix **W, int N)
{
    Value r = val_list_new((size_t)N);
    for (int j = 0; j < N; j++)
        list_push(r.as.list, val_mat(W[j]));
    return r;
}

/* ---- covariance --------------------------------------------------- */

/* relu by name, as a built-in value or a string: it has a closed form
 * (the arc-cosine kernel), exact for any rows. A user function that
 * equals relu takes the general path. */
static bool is_relu(Value act)
{
    const char *name = act.kind == VAL_BUILTIN ? act.as.bi->name
                       : act.kind == VAL_STR ? act.as.str->s : "";
    return strcmp(name, "relu") == 0;
}

/* The covariance_exact failure of st as an error.
 * COV_INVALID cannot reach here (X, act and R were checked), so the
 * default is memory. COV_TOO_WIDE suggests k = because the Monte-Carlo
 * estimate has no norm limit. */
static Value covariance_error(Interp *I, const Args *a, CovStatus st, double at)
{
    if (interrupt_pending())   /* the series and the pairs poll Ctrl-C */
        return rt_interrupted(&I->err, NULL);
    switch (st) {
    case COV_JUMP:
        return bi_error(I, a, "the activation jumps near z = %.3g, so its derivative "
                        "is not a function and Sigma(X) is undefined", at);
    case COV_NAN:
        return bi_error(I, a, "the activation or its derivative is NaN somewhere "
                        "the covariance needs it");
    case COV_TOO_WIDE:
        return bi_error(I, a, "a row of X has norm above 1000: the exact covariance "
                        "would take too long (scale X, or give k = for a Monte-Carlo "
                        "estimate)");
    default:   /* a work matrix over the element limit */
        return bi_mat(I, a, NULL);
    }
}

/* Sigma(X) by covariance_exact. act (from covariance_act) is a function
 * value or a built-in: a built-in activation's derivative is used
 * directly; any other function, built-ins such as sin or abs included, is
 * sampled on numbers and differentiated.
 * u lives on this frame for the whole covariance_exact call, which is all
 * phi's ctx needs. When the user function failed its error is the one
 * pending, and it wins over the status. */
static Value covariance_exact_of(Interp *I, const Args *a, Value act, const Matrix *X,
                                 long R)
{
    const char *name = act.kind == VAL_BUILTIN ? act.as.bi->name : NULL;
    const HermiteFn *known = name ? hermite_builtin(name) : NULL;
    UserFn u = {I, act, false};
    HermiteFn phi = known ? *known : (HermiteFn){call_user, &u, NULL, 0};
    const HermiteFn *dphi = name ? hermite_builtin_prime(name) : NULL;
    Matrix *S = NULL;
    double at = NAN;
    CovStatus st = covariance_exact(X, &phi, dphi, (int)R, &S, &at);
    if (u.failed) {
        mat_unref(S);
        return val_error;
    }
    return st == COV_OK ? bi_mat(I, a, S) : covariance_error(I, a, st, at);
}

/* phi'(Z) elementwise by central differences of phi applied to matrices.
 * h = 1e-5 is near the best step for arguments of order 1: the O(h^2)
 * truncation and the O(eps/h) rounding balance around eps^(1/3), leaving
 * about 1e-10, far below the 1/sqrt(k) sampling error this estimate
 * carries. For a piecewise linear act (relu) there is no truncation
 * error except within h of a kink. Z is borrowed (the val_refs are for
 * ops_binary, which takes its operands). act is called on whole
 * matrices, so it must act elementwise. */
static Value derivative_matrix(Interp *I, Value act, Value Z)
{
    const double h = 1e-5;
    Value zp = ops_binary(&I->err, OP_ADD, val_ref(Z), val_num(h), NULL);
    Value zm = ops_binary(&I->err, OP_SUB, val_ref(Z), val_num(h), NULL);
    Value fp = eval_call_value(I, act, 1, 0, &zp, NULL, 1, NULL);
    Value fm = VAL_IS_ERR(fp) ? val_error : eval_call_value(I, act, 1, 0, &zm, NULL, 1, NULL);
    val_unref(zp), val_unref(zm);
    if (VAL_IS_ERR(fm)) {
        if (!VAL_IS_ERR(fp))
            val_unref(fp);
        return val_error;
    }
    Value d = ops_binary(&I->err, OP_SUB, fp, fm, NULL);
    return ops_binary(&I->err, OP_EDIV, d, val_num(2 * h), NULL);
}

/* Draws per block of the Monte-Carlo estimate: bounds the n x block
 * pre-activation matrix whatever k is.
 * The blocking does not change the stream: W is filled column by column,
 * so k draws of w always consume the same d*k normals. */
#define MC_BLOCK 4096

/* S += D D' for the n x m activations' derivatives D of the block Z.
 * val_mat(Z) only wraps Z for the call: derivative_matrix borrows it, so
 * the reference stays the caller's. D D' goes through mat_mul's dsyrk
 * path (the same operand transposed). */
static bool add_block(Interp *I, Value act, Matrix *Z, Matrix *S)
{
    Value D = derivative_matrix(I, act, val_mat(Z));
    if (VAL_IS_ERR(D))
        return false;
    Matrix *Dm = D.kind == VAL_MAT ? D.as.mat : NULL;
    bool ok = Dm && Dm->rows == Z->rows && Dm->cols == Z->cols;
    if (ok) {
        Matrix *P = mat_mul(Dm, Dm, false, true);
        for (size_t i = 0; P && i < mat_numel(S); i++)
            S->data[i] += P->data[i];
        ok = P != NULL;
        mat_unref(P);
    }
    val_unref(D);
    if (!ok)
        interp_error(I, NULL, "covariance: the activation must map a matrix to one of "
                     "the same size");
    return ok;
}

/* Monte-Carlo estimate with k Gaussian draws of w, in blocks.
 * Sigma = E[phi'(Xw) phi'(Xw)'] .* (X X'): the expectation is summed over
 * the draws, then divided by k and multiplied by X X' once at the end.
 * Unlike the exact path it takes any X (no norm limit, no finiteness
 * check) and any elementwise function of matrices. */
static Value covariance_mc(Interp *I, const Args *a, Value act, const Matrix *X, size_t k)
{
    Matrix *S = mat_new(X->rows, X->rows);
    if (!S)
        return bi_mat(I, a, NULL);
    for (size_t done = 0; done < k;) {
        size_t m = k - done < MC_BLOCK ? k - done : MC_BLOCK;
        Matrix *W = mat_new_uninit(X->cols, m);
        if (!W) {
            mat_unref(S);
            return bi_mat(I, a, NULL);
        }
        rng_fill_normal(&I->rng, W->data, mat_numel(W));
        Matrix *Z = mat_mul(X, W, false, false);
        mat_unref(W);
        bool ok = Z && add_block(I, act, Z, S);
        mat_unref(Z);
        if (!ok) {
            mat_unref(S);
            return Z ? val_error : bi_mat(I, a, NULL);
        }
        done += m;
    }
    Matrix *G = mat_mul(X, X, false, true);
    for (size_t i = 0; G && i < mat_numel(S); i++)
        S->data[i] *= G->data[i] / (double)k;
    mat_unref(G);
    return bi_mat(I, a, S);
}

/* The activation argument i: a function value, or the name of a built-in
 * activation (default relu). Sets *fn (borrowed or a builtin value).
 * A name may be any built-in, not only hermite.c's activations: the
 * callers apply it to numbers or matrices. A built-in value holds no
 * reference, so *fn never needs releasing. */
static bool activation_value(Interp *I, const Args *a, int i, Value *fn)
{
    if (!arg_given(a, i)) {
        *fn = val_builtin(builtin_lookup("relu"));
        return true;
    }
    Value act = a->v[i];
    if (act.kind == VAL_STR) {
        const Builtin *bi = builtin_lookup(act.as.str->s);
        if (!bi) {
            bi_error(I, a, "unknown activation \"%s\" (a built-in name or a function)",
                     act.as.str->s);
            return false;
        }
        act = val_builtin(bi);
    } else if (act.kind != VAL_FUNC && act.kind != VAL_BUILTIN) {
        arg_type_error(I, a, i, "an activation (a function or its name)");
        return false;
    }
    *fn = act;
    return true;
}

/* covariance's activation: as activation_value, but one that jumps has no
 * derivative to build Sigma from. */
static bool covariance_act(Interp *I, const Args *a, Value *act)
{
    if (!activation_value(I, a, 1, act))
        return false;
    /* Sigma needs act' as a function; these jump, so act' is a delta. */
    if (act->kind == VAL_BUILTIN && (strcmp(act->as.bi->name, "step") == 0 ||
                                     strcmp(act->as.bi->name, "sign") == 0)) {
        bi_error(I, a, "%s jumps, so its derivative is not a function and Sigma(X) "
                 "is undefined (relu has derivative step)", act->as.bi->name);
        return false;
    }
    return true;
}

/* Slots: 0 X, 1 act (default relu), 2 k, 3 R. R defaults to the largest
 * allowed, HERMITE_MAX_R: it only trades series terms for quadrature and
 * never costs accuracy. k given means Monte-Carlo; k = 0 is refused
 * rather than read as "exact", since it was given. Only the exact paths
 * need a finite X. */
static Value bi_covariance(Interp *I, const Args *a)
{
    long R;
    size_t k = 0;
    Value act;
    Matrix *X = arg_mat(I, a, 0);
    if (!X || !covariance_act(I, a, &act) ||
        (arg_given(a, 2) && !arg_count(I, a, 2, &k)) ||
        !read_order(I, a, 3, HERMITE_MAX_R, &R)) {
        mat_unref(X);
        return val_error;
    }
    Value r;
    if (arg_given(a, 2) && k == 0)
        r = bi_error(I, a, "k (the number of Monte-Carlo draws) must be at least 1");
    else if (k > 0)
        r = covariance_mc(I, a, act, X, k);
    else if (!mat_all_finite(X))
        r = bi_error(I, a, "X must be finite");
    else if (is_relu(act))
        r = bi_mat(I, a, covariance_relu(X));
    else
        r = covariance_exact_of(I, a, act, X, R);
    mat_unref(X);
    return r;
}

/* ---- initialisation ----------------------------------------------- */

/* N(0, std^2) entries, r*c normals drawn in column-major order. */
static Matrix *gaussian(Interp *I, size_t r, size_t c, double std)
{
    Matrix *m = mat_new_uninit(r, c);
    if (!m)
        return NULL;
    rng_fill_normal(&I->rng, m->data, r * c);
    for (size_t i = 0; i < r * c; i++)
        m->data[i] *= std;
    return m;
}

/* A matrix with orthonormal rows or columns (whichever fit), times gain.
 * The Q of a Gaussian matrix, with each column's sign set by R's diagonal
 * so that Q is Haar-distributed (QR's own sign convention would bias it).
 * A wide matrix is made as the transpose of a tall one, so its rows are
 * orthonormal. NULL on failure (too large, or a failed QR). */
static Matrix *orthogonal(Interp *I, size_t r, size_t c, double gain)
{
    bool tall = r >= c;
    Matrix *G = gaussian(I, tall ? r : c, tall ? c : r, 1), *Q = NULL, *R = NULL;
    if (!G || la_qr(G, &Q, &R) != LA_OK) {
        mat_unref(G);
        return NULL;
    }
    for (size_t j = 0; j < Q->cols; j++) {   /* signs from R's diagonal: Haar */
        double s = MAT_AT(R, j, j) < 0 ? -gain : gain;
        for (size_t i = 0; i < Q->rows; i++)
            MAT_AT(Q, i, j) *= s;
    }
    mat_unref(G);
    mat_unref(R);
    if (tall)
        return Q;
    Matrix *T = mat_transpose(Q);
    mat_unref(Q);
    return T;
}

/* True when the layers of dims hold at most 2^31 numbers in all.
 * Summed in double, so the products d_i d_{i+1} cannot wrap. */
static bool dims_fit(const size_t *d, size_t nd)
{
    double total = 0;
    for (size_t i = 0; i + 1 < nd; i++)
        total += (double)d[i] * (double)d[i + 1];
    return total <= (double)MAT_MAX_ELEMS;
}

typedef enum { DIMS_OK, DIMS_NOT_WHOLE, DIMS_TOO_LARGE } DimsRead;

/* Layer widths from a vector into d (which has room for all of them).
 * Each must be whole and >= 1, and at most the element limit, which is
 * checked before the conversion: a width of 1e300 or inf has no size_t
 * (converting it is undefined) and no net could have it anyway. A width
 * that fails leaves 0 in its place. */
static DimsRead read_dims(const Matrix *m, size_t *d)
{
    DimsRead got = DIMS_OK;
    for (size_t i = 0; i < mat_numel(m); i++) {
        double x = m->data[i];
        d[i] = 0;
        if (!(x >= 1 && x == floor(x)))
            return DIMS_NOT_WHOLE;
        if (x > (double)MAT_MAX_ELEMS)
            got = DIMS_TOO_LARGE;
        else
            d[i] = (size_t)x;
    }
    return got;
}

/* init("balanced", dims = [d0, ..., dN], target = A): Procedure 1 of
 * theory.md B8. Without a target, A ~ N(0, std^2) of size dN x d0 is
 * drawn by th_balanced_init (read_dims checks the widths). The empty branch: arg_mat
 * has already raised the target's type error. The layers W are taken by
 * layer_list; the array itself is freed here. */
static Value init_balanced(Interp *I, const Args *a, double std)
{
    Matrix *dims = arg_given(a, 4) ? arg_vector(I, a, 4) : NULL;
    if (!dims)
        return arg_given(a, 4) ? val_error
               : bi_error(I, a, "\"balanced\" needs dims = [d0, d1, ..., dN]");
    size_t nd = mat_numel(dims);
    Value r = val_error;
    size_t *d = xmalloc((nd ? nd : 1) * sizeof *d);
    DimsRead got = read_dims(dims, d);
    Matrix *target = arg_given(a, 5) ? arg_mat(I, a, 5) : NULL;
    if (nd < 2)
        bi_error(I, a, "dims must have at least two entries, got %zu", nd);
    else if (got == DIMS_NOT_WHOLE)
        bi_error(I, a, "dims must be positive integers");
    else if (got == DIMS_TOO_LARGE || nd > MAX_DEPTH + 1 || !dims_fit(d, nd))
        bi_error(I, a, "dims describe a net too large to build");
    else if (arg_given(a, 5) && !target)
        ;
    else if (target && !mat_all_finite(target))
        bi_error(I, a, "target has NaN or Inf entries");
    else {
        int N = (int)nd - 1;
        Matrix **W = xcalloc((size_t)N, sizeof *W);
        if (th_balanced_init(d, (int)nd, std, target, &I->rng, W) != 0)
            bi_error(I, a, "cannot build a balanced net with these dims (the "
                     "target must be d%zu x d0 = %zux%zu, hidden widths >= min(d0, dN))",
                     nd - 1, d[nd - 1], d[0]);
        else
            r = layer_list(W, N);
        free(W);
    }
    free(d);
    mat_unref(dims);
    mat_unref(target);
    return r;
}

/* Slots: 0 kind, 1 rows, 2 cols (default rows), 3 std (default 1), 4 dims,
 * 5 target. A layer W maps R^cols to R^rows (y = W x), so fan-in is cols:
 * xavier has variance 2/(rows + cols) (Glorot and Bengio) and he 2/cols
 * (He et al., for relu); both ignore std. uniform draws on [-sqrt(3) std,
 * sqrt(3) std), whose standard deviation is std. The guards on r + c and
 * c keep an empty matrix from computing 2/0. */
static const char *const init_kinds[] = {"gaussian", "uniform", "orthogonal", "identity",
                                         "zero", "xavier", "he", "balanced", NULL};

/* The kind is checked first, so a misspelt one is named (with the
 * nearest kind) rather than reported as a missing size. */
static bool known_init_kind(Interp *I, const Args *a, const char *kind)
{
    Nearest nb;
    nearest_init(&nb, kind);
    for (int i = 0; init_kinds[i]; i++) {
        if (strcmp(kind, init_kinds[i]) == 0)
            return true;
        nearest_offer(&nb, init_kinds[i]);
    }
    char hint[NEAREST_MAX_LEN + 32];
    bi_error(I, a, "unknown kind \"%s\"%s; the kinds are gaussian, uniform, orthogonal, "
             "identity, zero, xavier, he and balanced", kind, nearest_hint(&nb, hint, sizeof hint));
    return false;
}

static Value bi_init(Interp *I, const Args *a)
{
    const char *kind = arg_str(I, a, 0);
    double std;
    if (!kind || !known_init_kind(I, a, kind) || !arg_num_or(I, a, 3, 1, &std))
        return val_error;
    if (!(std >= 0) || isinf(std))
        return bi_error(I, a, "std must be a finite non-negative number, got %g", std);
    if (strcmp(kind, "balanced") == 0)
        return init_balanced(I, a, std);
    size_t r, c;
    if (!arg_count(I, a, 1, &r))
        return val_error;
    c = r;
    if (arg_given(a, 2) && !arg_count(I, a, 2, &c))
        return val_error;
    if (!mat_size_ok(r, c))
        return bi_error(I, a, "a %zux%zu matrix is too large", r, c);
    Matrix *m = NULL;
    if (strcmp(kind, "gaussian") == 0)
        m = gaussian(I, r, c, std);
    else if (strcmp(kind, "xavier") == 0)
        m = gaussian(I, r, c, r + c ? sqrt(2.0 / (double)(r + c)) : 0);
    else if (strcmp(kind, "he") == 0)
        m = gaussian(I, r, c, c ? sqrt(2.0 / (double)c) : 0);
    else if (strcmp(kind, "orthogonal") == 0)
        m = orthogonal(I, r, c, std);
    else if (strcmp(kind, "uniform") == 0) {
        m = mat_new_uninit(r, c);
        for (size_t i = 0; m && i < r * c; i++)
            m->data[i] = std * sqrt(3.0) * (2 * rng_uniform(&I->rng) - 1);
    } else {   /* "identity" or "zero": known_init_kind let nothing else through */
        m = mat_new(r, c);
        for (size_t i = 0; m && kind[0] == 'i' && i < r && i < c; i++)
            MAT_AT(m, i, i) = 1;
    }
    return bi_mat(I, a, m);
}

/* A vector argument of positive integer sizes, as size_t (malloc'd),
 * read by read_dims. *out is freed on failure; the caller bounds the
 * product of the sizes (dims_fit). */
static bool size_list(Interp *I, const Args *a, int i, size_t **out, size_t *n)
{
    Matrix *m = arg_vector(I, a, i);
    if (!m)
        return false;
    *n = mat_numel(m);
    *out = xmalloc((*n ? *n : 1) * sizeof **out);
    DimsRead got = read_dims(m, *out);
    mat_unref(m);
    if (got != DIMS_OK) {
        free(*out);
        bi_error(I, a, got == DIMS_NOT_WHOLE ? "dims must be positive integers"
                                             : "dims describe a net too large to build");
    }
    return got == DIMS_OK;
}

/* ---- deep linear networks ------------------------------------------ */

/* The matrices of a list argument (new references in *W).
 * A number item is a 1x1 layer. On a bad item *W is left partly filled
 * and the caller's free_list releases it: xcalloc made the unfilled
 * entries NULL, which mat_unref ignores. */
static bool matrix_list(Interp *I, const Args *a, int i, Matrix ***W, int *N)
{
    Value l = a->v[i];
    if (l.kind != VAL_LIST || l.as.list->n == 0) {
        arg_type_error(I, a, i, "a non-empty list of matrices");
        return false;
    }
    *N = (int)l.as.list->n;
    *W = xcalloc((size_t)*N, sizeof **W);
    for (int j = 0; j < *N; j++) {
        Value v = val_primal(l.as.list->items[j]);
        if (v.kind != VAL_MAT && v.kind != VAL_NUM) {
            bi_error(I, a, "item %d of the list is not a matrix", j + 1);
            return false;
        }
        (*W)[j] = v.kind == VAL_MAT ? mat_ref(v.as.mat) : mat_scalar(v.as.num);
    }
    return true;
}

/* Safe on a partly filled or NULL array (matrix_list's failure paths). */
static void free_list(Matrix **W, int N)
{
    for (int j = 0; j < N && W; j++)
        mat_unref(W[j]);
    free(W);
}

/* Called once th_e2e or th_balance_delta failed: a pair of layers that
 * does not chain gets a message with the sizes; otherwise a layer with
 * NaN or Inf (balance's delta is then NaN), or else a product over the
 * element limit. */
static Value shape_chain_error(Interp *I, const Args *a, Matrix **W, int N)
{
    for (int j = 0; j + 1 < N; j++)
        if (W[j + 1]->cols != W[j]->rows)
            return bi_error(I, a, "W%d is %zux%zu but W%d is %zux%zu: W%d must have "
                            "%zu columns", j + 1, W[j]->rows, W[j]->cols, j + 2,
                            W[j + 1]->rows, W[j + 1]->cols, j + 2, W[j]->rows);
    for (int j = 0; j < N; j++)
        if (!mat_all_finite(W[j]))
            return bi_error(I, a, "W%d has NaN or Inf entries", j + 1);
    return bi_mat(I, a, NULL);   /* a product over the element limit */
}

/* W_N ... W_1 through the * operator, so tracked layers are differentiated
 * like any product.
 * e2e is ad.c's one composite built-in: the dispatcher calls it with its
 * tracked arguments as they are, and dispatch_binary records each * on
 * the tape. Errors are placed at the built-in's call site, I->site. */
static Value e2e_tracked(Interp *I, Value l)
{
    Value p = val_ref(l.as.list->items[0]);
    for (size_t j = 1; j < l.as.list->n && !VAL_IS_ERR(p); j++)
        p = dispatch_binary(&I->ad, OP_MUL, val_ref(l.as.list->items[j]), p, I->site);
    return p;
}

/* Plain layers go to th_e2e, which checks every shape before the first
 * product. */
static Value bi_e2e(Interp *I, const Args *a)
{
    if (a->v[0].kind == VAL_LIST && a->v[0].as.list->n > 0 &&
        ad_any_tracked(a->v[0].as.list->items, (int)a->v[0].as.list->n))
        return e2e_tracked(I, a->v[0]);
    Matrix **W = NULL;
    int N = 0;
    Value r = val_error;
    if (matrix_list(I, a, 0, &W, &N)) {
        Matrix *P = th_e2e(W, N);
        r = P ? val_mat(P) : shape_chain_error(I, a, W, N);
    }
    free_list(W, N);
    return r;
}

/* The depth argument N of balance and precond.
 * Bounded by MAX_DEPTH: N layers are N matrices, and precond sums N
 * terms, each with two fractional matrix powers. */
static bool read_depth(Interp *I, const Args *a, int i, long *N)
{
    if (!arg_int(I, a, i, N))
        return false;
    if (*N >= 1 && *N <= MAX_DEPTH)
        return true;
    bi_error(I, a, "N must be between 1 and %d, got %ld", MAX_DEPTH, *N);
    return false;
}

/* Hidden widths dims[1..N-1] at least min(d_0, d_N), as Procedure 1 needs. */
static bool widths_cover(const size_t *dims, int N)
{
    size_t m = dims[0] < dims[N] ? dims[0] : dims[N];
    for (int j = 1; j < N; j++)
        if (dims[j] < m)
            return false;
    return true;
}

/* balance(W, N) and balance(W, N, dims): N exactly balanced factors of W
 * by the thin SVD (theory.md B8). Without dims the hidden widths are
 * min(rows, cols); with dims the factors are zero-padded to them, which
 * keeps both the product and the balance exact. */
static Value balance_split(Interp *I, const Args *a)
{
    long N;
    if (!read_depth(I, a, 1, &N))
        return val_error;
    Matrix *A = arg_mat(I, a, 0);
    if (!A)
        return val_error;
    size_t *dims = NULL, nd = 0;
    if (arg_given(a, 2) && !size_list(I, a, 2, &dims, &nd)) {
        mat_unref(A);
        return val_error;
    }
    Matrix **W = xcalloc((size_t)N, sizeof *W);
    Value r = val_error;
    if (dims && !dims_fit(dims, nd))
        bi_error(I, a, "dims describe a net too large to build");
    else if (dims && (nd != (size_t)N + 1 || dims[0] != A->cols || dims[N] != A->rows))
        bi_error(I, a, "dims must have N + 1 = %ld entries from cols(W) = %zu to "
                 "rows(W) = %zu", N + 1, A->cols, A->rows);
    else if (dims && !widths_cover(dims, (int)N))
        bi_error(I, a, "hidden widths in dims must be at least min(rows(W), cols(W)) = %zu",
                 A->rows < A->cols ? A->rows : A->cols);
    else if (!mat_all_finite(A))
        bi_error(I, a, "W has NaN or Inf entries");
    else if ((dims ? th_balanced_split_dims(A, (int)N, dims, W)
                   : th_balanced_split(A, (int)N, W)) != 0)
        bi_error(I, a, "could not split the matrix: the SVD did not converge");
    else
        r = layer_list(W, (int)N);
    free(W);
    free(dims);
    mat_unref(A);
    return r;
}

/* The second argument chooses the form: balance(Ws) measures delta of a
 * list of layers (theory.md B2), balance(W, N) splits a matrix.
 * th_balance_delta's NaN means bad shapes or no memory, which
 * shape_chain_error tells apart. */
static Value bi_balance(Interp *I, const Args *a)
{
    if (arg_given(a, 1))
        return balance_split(I, a);
    Matrix **W = NULL;
    int N = 0;
    Value r = val_error;
    if (matrix_list(I, a, 0, &W, &N)) {
        double delta = th_balance_delta(W, N);
        r = isnan(delta) ? shape_chain_error(I, a, W, N) : val_num(delta);
    }
    free_list(W, N);
    return r;
}

/* The end-to-end preconditioner of depth N applied to G (theory.md B3):
 * vec of the result is P_W vec(G). th_precond takes the powers from the
 * SVD of W, with singular values at rounding level set to 0, so that
 * their noise is not raised to a fractional power (theory.h). */
static Value bi_precond(Interp *I, const Args *a)
{
    long N;
    if (!read_depth(I, a, 1, &N))
        return val_error;
    Matrix *W = arg_mat(I, a, 0), *G = W ? arg_mat(I, a, 2) : NULL;
    Value r = val_error;
    if (G && (G->rows != W->rows || G->cols != W->cols))
        bi_error(I, a, "G is %zux%zu but W is %zux%zu", G->rows, G->cols, W->rows, W->cols);
    else if (G)
        r = bi_mat(I, a, th_precond(W, (int)N, G));
    mat_unref(W);
    mat_unref(G);
    return r;
}

/* Deficiency margin (theory.md B5): W has margin c > 0 when the result is
 * >= c. By Weyl's inequality it is also a lower bound on sigma_min(W).
 * An empty or non-finite Phi gives NaN, returned as the number it is. */
static Value bi_margin(Interp *I, const Args *a)
{
    Matrix *W = arg_mat(I, a, 0), *P = W ? arg_mat(I, a, 1) : NULL;
    Value r = val_error;
    if (P && (P->rows != W->rows || P->cols != W->cols))
        bi_error(I, a, "W is %zux%zu but Phi is %zux%zu", W->rows, W->cols, P->rows, P->cols);
    else if (P)
        r = val_num(th_margin(W, P));
    mat_unref(W);
    mat_unref(P);
    return r;
}

/* ---- labels and data ------------------------------------------------ */

/* A record of two matrices (taken). Records unpack in field order, so
 * `y, mask = corrupt(y, rho)` gets them in the order given here. */
static Value pair(const char *k1, Matrix *v1, const char *k2, Matrix *v2)
{
    Value r = val_rec_new();
    rec_set(r.as.rec, k1, val_mat(v1));
    rec_set(r.as.rec, k2, val_mat(v2));
    return r;
}

/* Exactly round(rho n) labels change, each to a different label drawn
 * uniformly (theory.md A12). labels fixes the label set when y does not
 * show every class; without it the set is the distinct values of y.
 * th_corrupt's draw order is documented in theory.h. */
static Value bi_corrupt(Interp *I, const Args *a)
{
    double rho;
    if (!arg_num(I, a, 1, &rho))
        return val_error;
    if (!(rho >= 0 && rho <= 1))
        return bi_error(I, a, "rho must be in [0, 1], got %g", rho);
    Matrix *y = arg_vector(I, a, 0), *labels = NULL;
    if (!y || (arg_given(a, 2) && !(labels = arg_vector(I, a, 2)))) {
        mat_unref(y);
        return val_error;
    }
    Matrix *yc = NULL, *mask = NULL;
    Value r = val_error;
    if (th_corrupt(y, rho, labels, &I->rng, &yc, &mask) != 0)
        bi_error(I, a, "needs at least two labels, and every y in the label set");
    else
        r = pair("y", yc, "mask", mask);
    mat_unref(y);
    mat_unref(labels);
    return r;
}

/* The conditions repeat th_clusters's own, checked here so the message
 * lists them. eps0 <= 2 because unit vectors are at most 2 apart. The
 * centres are drawn by rejection with a bounded number of tries, so a
 * delta too large for L centres in R^d fails instead of looping. y starts
 * as a copy of ybar: the labels corrupt() may replace, beside the clean
 * ones; labels holds the K class labels, for corrupt's third argument. */
static Value bi_clusters(Interp *I, const Args *a)
{
    size_t n, d, L, K;
    double eps0, delta;
    if (!arg_count(I, a, 0, &n) || !arg_count(I, a, 1, &d) || !arg_count(I, a, 2, &L) ||
        !arg_count(I, a, 3, &K) || !arg_num(I, a, 4, &eps0) || !arg_num(I, a, 5, &delta))
        return val_error;
    if (d < 1 || L < 1 || K < 2 || !(eps0 >= 0 && eps0 <= 2) || !(delta >= 0))
        return bi_error(I, a, "need d >= 1, L >= 1 clusters, K >= 2 classes, eps0 in "
                        "[0, 2] and delta >= 0");
    if (!mat_size_ok(n, d))
        return bi_error(I, a, "a %zux%zu data matrix is too large", n, d);
    if (!mat_size_ok(L, d))
        return bi_error(I, a, "%zu centres in R^%zu are too large a matrix", L, d);
    Matrix *X = NULL, *ybar = NULL, *C = NULL, *cl = NULL;
    if (th_clusters(n, d, L, K, eps0, delta, &I->rng, &X, &ybar, &C, &cl) != 0)
        return interrupt_pending() ? rt_interrupted(&I->err, NULL)
               : bi_error(I, a, "could not place %zu unit-norm centres at least %g apart "
                          "in R^%zu", L, delta, d);
    Value r = val_rec_new();
    rec_set(r.as.rec, "X", val_mat(X));
    rec_set(r.as.rec, "y", val_mat(mat_copy(ybar)));
    rec_set(r.as.rec, "ybar", val_mat(ybar));
    rec_set(r.as.rec, "centers", val_mat(C));
    rec_set(r.as.rec, "cluster", val_mat(cl));
    rec_set(r.as.rec, "labels", val_mat(th_class_labels(K)));
    return r;
}

/* y = A v + noise e for the n x k activations A. */
static Matrix *teacher_labels(const Matrix *A, const Matrix *v, double noise,
                              const Matrix *e)
{
    Matrix *y = mat_mul(A, v, false, false);
    for (size_t i = 0; y && i < y->rows; i++)
        y->data[i] += noise * e->data[i];
    return y;
}

/* Slots: 0 n, 1 d, 2 k (default 1), 3 act (default relu), 4 noise
 * (default 0). th_teacher_draw draws everything random first, in its
 * documented order; act is then applied to the whole n x k matrix X W',
 * so any function of matrices works, a built-in name included. A scalar
 * result is accepted only when n = k = 1. X, W and v move into the
 * record (the locals are cleared so the shared cleanup skips them). */
static Value bi_teacher(Interp *I, const Args *a)
{
    size_t n, d, k = 1;
    double noise;
    Value act;
    if (!arg_count(I, a, 0, &n) || !arg_count(I, a, 1, &d) ||
        (arg_given(a, 2) && !arg_count(I, a, 2, &k)) || !activation_value(I, a, 3, &act) ||
        !arg_num_or(I, a, 4, 0.0, &noise))
        return val_error;
    if (d < 1 || k < 1 || !(noise >= 0) || isinf(noise))
        return bi_error(I, a, "need d >= 1, k >= 1 and a finite noise >= 0");
    if (!mat_size_ok(n, d) || !mat_size_ok(k, d) || !mat_size_ok(n, k))
        return bi_error(I, a, "a teacher with n = %zu, d = %zu, k = %zu is too large", n, d, k);
    Matrix *X, *W, *v, *e;
    if (th_teacher_draw(n, d, k, &I->rng, &X, &W, &v, &e) != 0)
        return bi_mat(I, a, NULL);
    Value Z = val_mat(mat_mul(X, W, false, true));
    Value A = VAL_IS_ERR(Z) ? val_error : eval_call_value(I, act, 1, 0, &Z, NULL, 1, NULL);
    val_unref(Z);
    Matrix *Am = NULL;
    bool ok = false;
    if (!VAL_IS_ERR(A)) {
        Am = ops_is_scalar(A) ? mat_scalar(ops_scalar(A)) : A.kind == VAL_MAT ? mat_ref(A.as.mat) : NULL;
        ok = Am && Am->rows == n && Am->cols == k;
        if (!ok)
            bi_error(I, a, "the activation must map the %zux%zu pre-activations to a "
                     "matrix of the same size", n, k);
    }
    val_unref(A);
    Value r = val_error;
    if (ok) {
        r = val_rec_new();
        rec_set(r.as.rec, "X", val_mat(X));
        rec_set(r.as.rec, "y", val_mat(teacher_labels(Am, v, noise, e)));
        rec_set(r.as.rec, "ybar", val_mat(teacher_labels(Am, v, 0.0, e)));
        rec_set(r.as.rec, "W", val_mat(W));
        rec_set(r.as.rec, "v", val_mat(v));
        X = W = v = NULL;
    }
    mat_unref(Am);
    mat_unref(X), mat_unref(W), mat_unref(v), mat_unref(e);
    return r;
}

const Builtin builtins_theory[] = {
    {"hermite", 2, 3, "hermite(act, R, kinks)", "coefficients mu_0..mu_R (an "
     "(R+1) x 1 column: mu[1] is mu_0) of act in the normalised probabilists' "
     "Hermite basis, E[act(g) He_r(g)]/sqrt(r!); act is a built-in activation "
     "(relu, step, tanh, sigmoid, softplus) or a function of one number; the "
     "kinks and jumps of a function are found automatically (listing them in "
     "kinks saves a few hundred evaluations each)",
     bi_hermite},
    {"covariance", 2, 4, "covariance(X, act, k, R)", "the network covariance "
     "Sigma(X) = E_w[act'(Xw) act'(Xw)'] .* (X X'), w ~ N(0, I), for any rows (any "
     "norms and angles; a zero row gives zeros), computed without randomness to "
     "within 1e-13 sqrt(Sigma_ii Sigma_jj): relu by the arc-cosine kernel, other "
     "activations per pair by Mehler's Hermite series of act' with a certified "
     "tail bound, or by 2-D quadrature where that would converge too slowly (|rho| "
     "near 1 with kinks or large norms). tanh, sigmoid and softplus use their exact "
     "derivatives; any other function of one number is sampled and differentiated "
     "(adding the rounding of its values), its kinks found automatically within "
     "12 max|x_i| of 0 (features narrower than about 0.01 can be missed). R "
     "(default 2000) caps the series terms: it changes the speed, not the "
     "accuracy. Only when k is given is the result a Monte-Carlo estimate, over k "
     "draws of w from the random stream. Row norms above 1000 are refused. An "
     "activation that jumps (step, sign) is an error: act' is not a function",
     bi_covariance},
    {"init", 1, 6, "init(kind, rows, cols, std, dims, target)", "an initial "
     "weight matrix: \"gaussian\" (N(0, std^2)), \"uniform\" (same std), "
     "\"orthogonal\" (orthonormal rows or columns times std), \"identity\", "
     "\"zero\", \"xavier\", \"he\"; \"balanced\" with dims = [d0, ..., dN] returns "
     "the list {W1, ..., WN} of an exactly balanced deep linear net whose product "
     "is a sampled N(0, std^2) matrix (or target =)", bi_init},
    {"e2e", 1, 1, "e2e(Ws)", "the end-to-end matrix WN * ... * W1 of a list {W1, "
     "..., WN}", bi_e2e},
    {"balance", 1, 3, "balance(Ws, N, dims)", "delta = max_j |W_{j+1}' W_{j+1} - W_j "
     "W_j'|_F of a list of layers; balance(W, N) splits a matrix into N balanced "
     "factors {W1, ..., WN} with WN * ... * W1 = W (hidden widths min(rows, cols), "
     "or dims = [d0, ..., dN])", bi_balance},
    {"precond", 3, 3, "precond(W, N, G)", "the end-to-end preconditioner "
     "sum_j (W W')^((j-1)/N) G (W' W)^((N-j)/N) of depth N", bi_precond},
    {"margin", 2, 2, "margin(W, Phi)", "the deficiency margin sigma_min(Phi) - "
     "|W - Phi|_F", bi_margin},
    {"corrupt", 2, 3, "corrupt(y, rho, labels)", "{y, mask}: exactly round(rho n) "
     "labels replaced by a different label drawn uniformly from the others "
     "(labels, default the distinct values of y); mask marks them", bi_corrupt},
    {"clusters", 6, 6, "clusters(n, d, L, K, eps0, delta)", "(eps0, delta)-"
     "clusterable data: n unit-norm points in R^d around L unit centres at least "
     "delta apart, each within eps0 of its centre; cluster l has class ((l-1) mod "
     "K) + 1 with label -1 + 2(class-1)/(K-1). Returns {X, y, ybar, centers, "
     "cluster, labels} (y = ybar, the clean labels; corrupt(y, rho) makes noise)",
     bi_clusters},
    {"teacher", 2, 5, "teacher(n, d, k, act, noise)", "data labelled by a random "
     "teacher network: X (n x d, rows uniform on the unit sphere), W (k x d, "
     "N(0, 1)), v (k x 1, +-1/sqrt(k) with random signs), ybar = act(X W') v and "
     "y = ybar + noise * N(0, 1) (defaults k = 1, act = relu, noise = 0). Returns "
     "{X, y, ybar, W, v}", bi_teacher},
    BUILTIN_END,
};
