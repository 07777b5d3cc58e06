/* ad.c: the tape, the reverse sweep and the table of derivative rules. */
#include "ad/ad.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "value/index.h"
#include "base/interrupt.h"
#include "numeric/linalg.h"
#include "value/ops.h"

/* ------------------------------------------------------------------ */
/* the tape                                                            */

/* Invariants of the tape.
 *
 * Order: nodes are appended as operations run, and a node's inputs
 * already existed when it was made, so every input id is smaller than the
 * node's own. The array is therefore a topological order: one pass from
 * the output's node down to 0 reaches each node after every node that
 * consumed it, when its adjoint is complete.
 *
 * Liveness: a tracked value (VAL_VAR) holds the id of the tape that made
 * it and its node index there; it is live only while that tape is the
 * active one (ad_live). Tape ids come from ad->serial, which only grows,
 * so a tracked value that outlived its tape (stored somewhere that
 * outlives the call) can never be taken for a node of a later tape. Such
 * a value is a constant: operations use its primal and record nothing.
 *
 * Ownership: a node holds one reference to each saved primal input, to
 * its output and to its adjoint. Adjoints start as VAL_NIL ("nothing
 * reached this node"), are set or summed during the reverse sweep
 * (accumulate), cleared by ad_zero_grads before another sweep on the same
 * tape (jacobian runs one per output), and freed with the nodes in
 * ad_end. Tracked values own their primal separately, so they stay valid
 * after ad_end.
 *
 * One tape at a time: differentiating inside a function that is being
 * differentiated is refused (ad_begin), not nested, so there are no
 * higher derivatives. */

/* Starts a tape with a fresh id from ad->serial. A tape is already
 * active only when grad (or jacobian, gd, ...) is called inside a function
 * being differentiated, which is what the message says. */
bool ad_begin(Ad *ad, const Loc *loc)
{
    if (ad->tape) {
        rt_raise(ad->err, loc, "differentiation inside a function being "
                     "differentiated is not supported");
        return false;
    }
    ad->tape = xcalloc(1, sizeof *ad->tape);
    ad->tape->id = ++ad->serial;
    return true;
}

/* Drops the node's references; the node itself lives in the tape's
 * array. */
static void node_free(AdNode *n)
{
    for (int k = 0; k < n->nin; k++)
        val_unref(n->saved[k]);
    free(n->in);
    free(n->saved);
    val_unref(n->out);
    val_unref(n->grad);
}

/* Safe with no active tape (interp_free calls it unconditionally). */
void ad_end(Ad *ad)
{
    Tape *t = ad->tape;
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        node_free(&t->nodes[i]);
    free(t->nodes);
    free(t);
    ad->tape = NULL;
}

bool ad_live(const Ad *ad, Value v)
{
    return v.kind == VAL_VAR && ad->tape && v.as.var->tape_id == ad->tape->id;
}

/* Lists and records are searched this deep for tracked values. The
 * searches recurse, so the bound keeps a pathologically nested value from
 * exhausting the C stack; values nested deeper are not looked at. */
#define TRACK_SEARCH_DEPTH AD_PARAM_DEPTH

static bool any_tracked_at(const Value *v, int n, int depth)
{
    for (int i = 0; i < n; i++) {
        if (v[i].kind == VAL_VAR)
            return true;
        if (depth >= TRACK_SEARCH_DEPTH)
            continue;
        if (v[i].kind == VAL_LIST &&
            any_tracked_at(v[i].as.list->items, (int)v[i].as.list->n, depth + 1))
            return true;
        if (v[i].kind == VAL_REC &&
            any_tracked_at(v[i].as.rec->vals, (int)v[i].as.rec->n, depth + 1))
            return true;
    }
    return false;
}

bool ad_any_tracked(const Value *v, int n)
{
    return any_tracked_at(v, n, 0);
}

/* Appends a node; inputs are the operands as given (tracked or not).
 * An input that is not live on this tape gets id -1, a constant the sweep
 * sends no adjoint. Every input's primal is saved, constants too, because
 * the rules need them (the other factor of a product, a dimension). out is
 * referenced, not taken. The returned id is the node's index, which is
 * what keeps the array in topological order.
 *
 * xrealloc may move the array: no AdNode pointer may be held across a
 * push. The reverse sweep holds such pointers; it is safe because the
 * rules compute on plain values (ops_*, linalg) and never record. */
static int push_node(Ad *ad, const AdRule *rule, int nin, const Value *inputs,
                     Value out, const Loc *loc)
{
    Tape *t = ad->tape;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->nodes = xrealloc(t->nodes, (size_t)t->cap * sizeof *t->nodes);
    }
    AdNode *n = &t->nodes[t->n];
    memset(n, 0, sizeof *n);
    n->rule = rule;
    n->nin = nin;
    n->in = xmalloc((size_t)(nin ? nin : 1) * sizeof *n->in);
    n->saved = xmalloc((size_t)(nin ? nin : 1) * sizeof *n->saved);
    for (int k = 0; k < nin; k++) {
        n->in[k] = ad_live(ad, inputs[k]) ? inputs[k].as.var->node : -1;
        n->saved[k] = val_ref(val_primal(inputs[k]));
    }
    n->out = val_ref(out);
    n->grad = val_nil;
    if (loc)
        n->loc = *loc;
    return t->n++;
}

/* A leaf has no rule and no inputs: the sweep stops there, and its
 * adjoint is what ad_grad_of reads. The node and the tracked value each
 * hold a reference to x. */
Value ad_leaf(Ad *ad, Value x)
{
    int id = push_node(ad, NULL, 0, NULL, x, NULL);
    return val_var(x, ad->tape->id, id);
}

/* Wraps a plain result as the output of a new node (takes out): the node
 * keeps a reference of its own and the tracked result takes the caller's.
 * An error result passes through unrecorded. */
static Value record(Ad *ad, const AdRule *rule, int nin, const Value *inputs,
                    Value out, const Loc *loc)
{
    if (VAL_IS_ERR(out))
        return out;
    int id = push_node(ad, rule, nin, inputs, out, loc);
    return val_var(out, ad->tape->id, id);
}

void ad_zero_grads(Ad *ad)
{
    for (int i = 0; ad->tape && i < ad->tape->n; i++) {
        val_unref(ad->tape->nodes[i].grad);
        ad->tape->nodes[i].grad = val_nil;
    }
}

/* ------------------------------------------------------------------ */
/* value helpers for the rules (all on plain values)                   */

/* a op b on borrowed operands (ops_binary takes its operands, hence the
 * references). */
static Value bin(Ad *ad, OpKind op, Value a, Value b)
{
    return ops_binary(ad->err, op, val_ref(a), val_ref(b), NULL);
}

/* Takes a and b (an error in either is passed on; val_unref ignores it). */
static Value bin_take(Ad *ad, OpKind op, Value a, Value b)
{
    if (VAL_IS_ERR(a) || VAL_IS_ERR(b)) {
        val_unref(a);
        val_unref(b);
        return val_error;
    }
    return ops_binary(ad->err, op, a, b, NULL);
}

/* f applied to every element of a number or matrix (borrowed). Returns
 * val_error, with no error raised, when memory runs out; filled_like
 * below does the same. */
static Value map1(Value x, double (*f)(double))
{
    if (x.kind != VAL_MAT)
        return val_num(f(ops_scalar(x)));
    Matrix *m = mat_new_uninit(x.as.mat->rows, x.as.mat->cols);
    if (!m)
        return val_error;
    size_t n = mat_numel(m);
    for (size_t i = 0; i < n; i++)
        m->data[i] = f(x.as.mat->data[i]);
    return val_mat(m);
}

/* The elements of a number or matrix, to read (data_of) or to fill (elems_of). */
static const double *data_of(const Value *v)
{
    return v->kind == VAL_MAT ? v->as.mat->data : &v->as.num;
}

static double *elems_of(Value *v)
{
    return v->kind == VAL_MAT ? v->as.mat->data : &v->as.num;
}

static size_t rows_of(Value v) { return v.kind == VAL_MAT ? v.as.mat->rows : 1; }
static size_t cols_of(Value v) { return v.kind == VAL_MAT ? v.as.mat->cols : 1; }

/* A matrix shaped like `like` filled with x. */
static Value filled_like(Value like, double x)
{
    if (like.kind != VAL_MAT)
        return val_num(x);
    Matrix *m = mat_new_uninit(like.as.mat->rows, like.as.mat->cols);
    if (!m)
        return val_error;
    for (size_t i = 0; i < mat_numel(m); i++)
        m->data[i] = x;
    return val_mat(m);
}

/* Sums g (taken) down to the shape of target: undoes broadcasting. A
 * dimension that is 1 in target but not in g was broadcast, so g is summed
 * along it. A number target gets a number back, not a 1x1 matrix. */
static Value unbroadcast(Ad *ad, Value g, Value target)
{
    (void)ad;
    if (VAL_IS_ERR(g))
        return g;
    size_t tr = rows_of(target), tc = cols_of(target);
    size_t gr = rows_of(g), gc = cols_of(g);
    if (gr == tr && gc == tc) {
        if (target.kind == VAL_MAT || g.kind != VAL_MAT)
            return g;
        double x = g.as.mat->data[0];
        val_unref(g);
        return val_num(x);
    }
    Matrix *m = mat_new(tr, tc);
    if (!m) {
        val_unref(g);
        return val_error;
    }
    for (size_t j = 0; j < gc; j++)
        for (size_t i = 0; i < gr; i++)
            MAT_AT(m, tr == 1 ? 0 : i, tc == 1 ? 0 : j) +=
                g.kind == VAL_MAT ? MAT_AT(g.as.mat, i, j) : ops_scalar(g);
    val_unref(g);
    if (target.kind != VAL_MAT) {
        double x = m->data[0];
        mat_unref(m);
        return val_num(x);
    }
    return val_mat(m);
}

/* ------------------------------------------------------------------ */
/* rules of the operators                                              */

/* Every rule gets the node, the input k to differentiate and the output
 * adjoint g (borrowed), and returns a new reference shaped like input k's
 * primal, or val_error. The comment above each rule gives the derivation
 * where it is not the textbook one. */

/* c = a + b: both inputs get g, summed over what broadcasting repeated. */
static Value vjp_add(Ad *ad, const AdNode *n, int k, Value g)
{
    return unbroadcast(ad, val_ref(g), n->saved[k]);
}

/* c = a - b: a gets g, b gets -g. */
static Value vjp_sub(Ad *ad, const AdNode *n, int k, Value g)
{
    Value d = k == 0 ? val_ref(g) : ops_unary(ad->err, OP_NEG, val_ref(g), NULL);
    return unbroadcast(ad, d, n->saved[k]);
}

/* c = a .* b: da = g .* b, db = g .* a. */
static Value vjp_emul(Ad *ad, const AdNode *n, int k, Value g)
{
    return unbroadcast(ad, bin(ad, OP_EMUL, g, n->saved[1 - k]), n->saved[k]);
}

/* c = a ./ b: da = g ./ b, db = -g .* a ./ b.^2, formed as
 * -(c ./ b) .* g from the saved output. */
static Value vjp_ediv(Ad *ad, const AdNode *n, int k, Value g)
{
    Value a = n->saved[0], b = n->saved[1];
    if (k == 0)
        return unbroadcast(ad, bin(ad, OP_EDIV, g, b), a);
    Value q = bin(ad, OP_EDIV, n->out, b);            /* a ./ b.^2 */
    Value d = bin_take(ad, OP_EMUL, q, val_ref(g));
    return unbroadcast(ad, ops_unary(ad->err, OP_NEG, d, NULL), b);
}

/* c = a .^ p: da = g .* p .* a.^(p-1), dp = g .* c .* log(a). The
 * latter is NaN where a <= 0; it is only formed when p is tracked. */
static Value vjp_epow(Ad *ad, const AdNode *n, int k, Value g)
{
    Value a = n->saved[0], p = n->saved[1];
    if (k == 0) {   /* p .* a.^(p-1) */
        Value pm1 = bin(ad, OP_SUB, p, val_num(1));
        Value d = bin_take(ad, OP_EMUL, val_ref(p), bin_take(ad, OP_EPOW, val_ref(a), pm1));
        return unbroadcast(ad, bin_take(ad, OP_EMUL, val_ref(g), d), a);
    }
    Value d = bin_take(ad, OP_EMUL, val_ref(n->out), map1(a, log));
    return unbroadcast(ad, bin_take(ad, OP_EMUL, val_ref(g), d), p);
}

/* C = A * B for matrices: dA = G B', dB = A' G. With a scalar factor the
 * product is elementwise, and so is the rule. */
static Value vjp_matmul(Ad *ad, const AdNode *n, int k, Value g)
{
    if (ops_is_scalar(n->saved[0]) || ops_is_scalar(n->saved[1]))
        return vjp_emul(ad, n, k, g);
    Matrix *G = g.as.mat, *A = n->saved[0].as.mat, *B = n->saved[1].as.mat;
    Matrix *r = k == 0 ? mat_mul(G, B, false, true) : mat_mul(A, G, true, false);
    return r ? val_mat(r) : rt_raise(ad->err, NULL, "a derivative is too large (a matrix holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
}

/* X = A \ B (square A): dB = A' \ G, dA = -dB X'. A scalar a makes it
 * b ./ a, the elementwise rule with the operands swapped. A non-square A
 * is a least-squares solve, whose derivative is not implemented. */
static Value vjp_ldiv(Ad *ad, const AdNode *n, int k, Value g)
{
    if (ops_is_scalar(n->saved[0])) {   /* b ./ a */
        AdNode swapped = *n;
        Value s[2] = {n->saved[1], n->saved[0]};
        swapped.saved = s;
        return vjp_ediv(ad, &swapped, 1 - k, g);
    }
    if (!mat_is_square(n->saved[0].as.mat))
        return rt_raise(ad->err, NULL, "no derivative rule for a least-squares "
                            "solve (the matrix is not square)");
    Value At = ops_unary(ad->err, OP_TRANSPOSE, val_ref(n->saved[0]), NULL);
    Value dB = bin_take(ad, OP_LDIV, At, val_ref(g));
    if (k == 1 || VAL_IS_ERR(dB))
        return dB;
    Value Xt = ops_unary(ad->err, OP_TRANSPOSE, val_ref(n->out), NULL);
    return ops_unary(ad->err, OP_NEG, bin_take(ad, OP_MUL, dB, Xt), NULL);
}

/* X = A / B (square B): dA = G / B', dB = -X' dA. A scalar b is an
 * elementwise division. */
static Value vjp_rdiv(Ad *ad, const AdNode *n, int k, Value g)
{
    if (ops_is_scalar(n->saved[1]))
        return vjp_ediv(ad, n, k, g);
    if (!mat_is_square(n->saved[1].as.mat))
        return rt_raise(ad->err, NULL, "no derivative rule for a least-squares "
                            "solve (the matrix is not square)");
    Value Bt = ops_unary(ad->err, OP_TRANSPOSE, val_ref(n->saved[1]), NULL);
    Value dA = bin_take(ad, OP_DIV, val_ref(g), Bt);
    if (k == 0 || VAL_IS_ERR(dA))
        return dA;
    Value Xt = ops_unary(ad->err, OP_TRANSPOSE, val_ref(n->out), NULL);
    return ops_unary(ad->err, OP_NEG, bin_take(ad, OP_MUL, Xt, dA), NULL);
}

static Value vjp_neg(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)n, (void)k;
    return ops_unary(ad->err, OP_NEG, val_ref(g), NULL);
}

static Value vjp_plus(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)ad, (void)n, (void)k;
    return val_ref(g);
}

static Value vjp_transpose(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)n, (void)k;
    return ops_unary(ad->err, OP_TRANSPOSE, val_ref(g), NULL);
}

/* Scatter-adds the adjoint of a subscript back into the source's shape.
 * saved[1..nin-1] are the subscripts (ad_index records at most two).
 * Adding rather than storing makes a repeated subscript (X[[1, 1]])
 * collect the adjoint of each of its uses. */
static Value vjp_index(Ad *ad, const AdNode *n, int k, Value g)
{
    size_t *pos, count;
    Value src = n->saved[0];
    if (k > 0)
        return filled_like(n->saved[k], 0);   /* subscripts are constants */
    if (!index_positions(ad->err, src, n->nin - 1, n->saved + 1, &pos, &count, NULL))
        return val_error;
    Value d = filled_like(src, 0);
    double *out = elems_of(&d);
    for (size_t i = 0; i < count; i++)
        out[pos[i]] += g.kind == VAL_MAT ? g.as.mat->data[i] : ops_scalar(g);
    free(pos);
    return d;
}

/* The block of a concatenation's adjoint that came from input k. aux[0]
 * is nonzero for a horizontal concatenation; input k starts `off` columns
 * (or rows) into g. An empty block gets its own empty primal back. */
static Value vjp_concat(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)ad;
    bool horiz = n->aux[0] != 0;
    size_t off = 0;
    for (int i = 0; i < k; i++)
        off += horiz ? cols_of(n->saved[i]) : rows_of(n->saved[i]);
    if (rows_of(n->saved[k]) * cols_of(n->saved[k]) == 0 ||
        (n->saved[k].kind == VAL_MAT && n->saved[k].as.mat->rows == 0))
        return val_ref(n->saved[k]);
    Value d = filled_like(n->saved[k], 0);
    double *out = elems_of(&d);
    size_t r = rows_of(n->saved[k]), c = cols_of(n->saved[k]);
    for (size_t j = 0; j < c; j++)
        for (size_t i = 0; i < r; i++)
            out[i + j * r] = horiz ? MAT_AT(g.as.mat, i, off + j)
                                   : MAT_AT(g.as.mat, off + i, j);
    return d;
}

/* ------------------------------------------------------------------ */
/* rules of the elementwise built-ins                                  */

/* Derivatives of the elementwise built-ins at x. Where the function has
 * a kink (relu and abs at 0) the derivative is taken as 0, a subgradient.
 * softplus' is the logistic function, in the form that cannot overflow
 * for either sign of x. asin' and acos' are infinite at |x| = 1. */
static double d_relu(double x) { return x > 0 ? 1 : 0; }
static double d_softplus(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }
static double d_log(double x) { return 1 / x; }
static double d_sqrt(double x) { return 0.5 / sqrt(x); }
static double d_abs(double x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }
static double d_cos(double x) { return -sin(x); }
static double d_tan(double x) { double t = tan(x); return 1 + t * t; }
static double d_asin(double x) { return 1 / sqrt(1 - x * x); }
static double d_acos(double x) { return -1 / sqrt(1 - x * x); }
static double d_atan(double x) { return 1 / (1 + x * x); }
static double d_log10(double x) { return 1 / (x * M_LN10); }
static double d_log2(double x) { return 1 / (x * M_LN2); }
static double d_log1p(double x) { return 1 / (1 + x); }
static double d_erf(double x) { return M_2_SQRTPI * exp(-x * x); }
static double d_erfc(double x) { return -M_2_SQRTPI * exp(-x * x); }

/* The digamma function psi = (log gamma)'. Poles (0, -1, -2, ...) give
 * NaN; other x <= 0 use the reflection psi(1 - x) - pi / tan(pi x). For
 * x > 0 the recurrence psi(x) = psi(x + 1) - 1/x lifts x to 10 or more,
 * where the asymptotic series log x - 1/(2x) - sum B_2k / (2k x^2k),
 * cut after x^-10, is exact to about 1e-15 relative. */
static double digamma(double x)
{
    if (isnan(x) || (x <= 0 && x == floor(x)))
        return NAN;
    if (x <= 0)
        return digamma(1 - x) - M_PI / tan(M_PI * x);
    double r = 0;
    for (; x < 10; x += 1)
        r -= 1 / x;
    double f = 1 / (x * x);
    double tail = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 -
                  f * (1.0 / 132)))));
    return r + log(x) - 0.5 / x - tail;
}
static double d_gamma(double x) { return tgamma(x) * digamma(x); }

static bool same_shape_matrices(Value a, Value b)
{
    return a.kind == VAL_MAT && b.kind == VAL_MAT && a.as.mat->rows == b.as.mat->rows &&
           a.as.mat->cols == b.as.mat->cols;
}

/* out' = f'(x) elementwise, times g; in one pass when no broadcasting is
 * involved (the same products, without the temporary f'(x)). */
static Value chain(Ad *ad, Value x, double (*df)(double), Value g)
{
    if (!same_shape_matrices(x, g))
        return bin_take(ad, OP_EMUL, val_ref(g), map1(x, df));
    if (ad->adjoint_spent && g.as.mat->rc == 1) {
        /* nothing else holds g and the sweep drops it next: reuse it */
        size_t n = mat_numel(g.as.mat);
        for (size_t i = 0; i < n; i++)
            g.as.mat->data[i] *= df(x.as.mat->data[i]);
        return val_ref(g);
    }
    Matrix *m = mat_new_uninit(x.as.mat->rows, x.as.mat->cols);
    if (!m)
        return rt_raise(ad->err, NULL, "a derivative is too large (a matrix holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
    size_t n = mat_numel(m);
    for (size_t i = 0; i < n; i++)
        m->data[i] = g.as.mat->data[i] * df(x.as.mat->data[i]);
    return val_mat(m);
}

/* exp' = exp: the saved output is the derivative. */
static Value vjp_exp(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return bin(ad, OP_EMUL, g, n->out); }
static Value vjp_log(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_log, g); }
static Value vjp_sqrt(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_sqrt, g); }
static Value vjp_abs(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_abs, g); }
/* tanh' = 1 - tanh^2 and sigmoid' = s (1 - s), from the saved output. */
static double d_from_tanh(double t) { return 1 - t * t; }
static double d_from_sigmoid(double s) { return s * (1 - s); }
static Value vjp_tanh(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->out, d_from_tanh, g); }
static Value vjp_sigmoid(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->out, d_from_sigmoid, g); }
static Value vjp_relu(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_relu, g); }
static Value vjp_softplus(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_softplus, g); }
static Value vjp_sin(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], cos, g); }
static Value vjp_cos(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_cos, g); }
static Value vjp_tan(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_tan, g); }
static Value vjp_asin(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_asin, g); }
static Value vjp_acos(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_acos, g); }
static Value vjp_atan(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_atan, g); }
static Value vjp_sinh(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], cosh, g); }
static Value vjp_cosh(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], sinh, g); }
static Value vjp_log10(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_log10, g); }
static Value vjp_log2(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_log2, g); }
static Value vjp_log1p(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_log1p, g); }
/* expm1' = e^x, computed from x rather than as out + 1, which would lose
 * the digits expm1 exists to keep only in the value, not here. */
static Value vjp_expm1(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], exp, g); }
static Value vjp_erf(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_erf, g); }
static Value vjp_erfc(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_erfc, g); }
static Value vjp_gamma(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], d_gamma, g); }
static Value vjp_lgamma(Ad *ad, const AdNode *n, int k, Value g) { (void)k; return chain(ad, n->saved[0], digamma, g); }

/* ------------------------------------------------------------------ */
/* rules of reductions and shape built-ins                             */

/* The reduction dimension saved as the built-in's second argument; 0
 * (all elements, the built-in's default) when that slot is VAL_NIL,
 * which is how Args marks an argument that was not given. */
static int reduce_dim(const AdNode *n)
{
    return n->nin > 1 && n->saved[1].kind != VAL_NIL ? (int)ops_scalar(n->saved[1]) : 0;
}

/* g spread back over x's shape along the reduced dimension. g has the
 * reduced shape (a number, a row or a column), so broadcasting it over
 * ones(size(x)) puts each group's adjoint on every element of the
 * group, whichever dimension was reduced. */
static Value spread(Ad *ad, Value g, Value x)
{
    return bin_take(ad, OP_EMUL, filled_like(x, 1), val_ref(g));
}

/* d sum(x) / d x_i = 1 for each x_i of the group. */
static Value vjp_sum(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    return spread(ad, g, n->saved[0]);
}

/* mean = sum / count, count the size of the reduced group. */
static Value vjp_mean(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    int dim = reduce_dim(n);
    Value x = n->saved[0];
    double count = dim == 0 ? (double)(rows_of(x) * cols_of(x))
                 : dim == 1 ? (double)rows_of(x) : (double)cols_of(x);
    return bin_take(ad, OP_EDIV, spread(ad, g, x), val_num(count));
}

/* d sum(x.^2) = 2 x, times g broadcast over the groups. */
static Value vjp_sumsq(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    Value twice = bin(ad, OP_EMUL, n->saved[0], val_num(2));
    return bin_take(ad, OP_EMUL, twice, val_ref(g));
}

/* d prod / d x_i = the product of the other elements of x_i's group
 * (all of x, or its column or row), from prefix and suffix products so
 * that zeros in x are handled exactly. */
static void products_of_others(const double *x, double *out, size_t len, size_t stride)
{
    double prefix = 1;
    for (size_t i = 0; i < len; i++) {
        out[i * stride] = prefix;
        prefix *= x[i * stride];
    }
    double suffix = 1;
    for (size_t i = len; i-- > 0;) {
        out[i * stride] *= suffix;
        suffix *= x[i * stride];
    }
}

static Value vjp_prod(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    Value x = n->saved[0];
    Value d = filled_like(x, 0);
    const double *in = data_of(&x);
    double *out = elems_of(&d);
    size_t r = rows_of(x), c = cols_of(x);
    int dim = reduce_dim(n);
    if (dim == 0)
        products_of_others(in, out, r * c, 1);
    for (size_t j = 0; dim == 1 && j < c; j++)
        products_of_others(in + j * r, out + j * r, r, 1);
    for (size_t i = 0; dim == 2 && i < r; i++)
        products_of_others(in + i, out + i, c, r);
    return bin_take(ad, OP_EMUL, d, val_ref(g));
}

/* The p-norm of a vector: sign(x) |x|^(p-1) / |x|_p^(p-1); for p = inf
 * the sign at the (first) largest |x_i|. Zero at x = 0. */
static Value vector_pnorm_adjoint(Value x, double p, double nrm, double g)
{
    Value d = filled_like(x, 0);
    double *out = elems_of(&d);
    const double *in = data_of(&x);
    size_t count = rows_of(x) * cols_of(x);
    for (size_t i = 0; nrm > 0 && i < count; i++) {
        double sg = in[i] > 0 ? 1 : in[i] < 0 ? -1 : 0;
        if (isinf(p)) {
            if (fabs(in[i]) == nrm) {
                out[i] = sg * g;
                break;
            }
        } else
            out[i] = g * sg * pow(fabs(in[i]) / nrm, p - 1);
    }
    return d;
}

/* Vector 2-norm and Frobenius norm: x / |x|; spectral: u1 v1' (the top
 * singular vectors, assuming the largest singular value is simple). p is
 * 0 for the default and for a string argument ("fro"). Other p reach
 * here for vectors only: the built-in refuses matrix norms but "fro" and
 * 2. At x = 0 the vector and Frobenius adjoints are 0, a subgradient. */
static Value vjp_norm(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    Value x = n->saved[0];
    double p = n->nin > 1 && n->saved[1].kind != VAL_NIL && n->saved[1].kind != VAL_STR
                   ? ops_scalar(n->saved[1]) : 0;
    bool matrix = x.kind == VAL_MAT && !mat_is_vector(x.as.mat);
    if (p == 2 && matrix) {
        Matrix *U = NULL, *s = NULL, *V = NULL;
        if (la_svd(x.as.mat, &U, &s, &V) != LA_OK)
            return rt_raise(ad->err, NULL, "norm: the SVD failed in the derivative "
                            "(no convergence, or NaN/Inf in the input)");
        Matrix *d = mat_new(U->rows, V->rows);
        for (size_t j = 0; d && j < V->rows; j++)
            for (size_t i = 0; i < U->rows; i++)
                MAT_AT(d, i, j) = MAT_AT(U, i, 0) * MAT_AT(V, j, 0) * ops_scalar(g);
        mat_unref(U), mat_unref(s), mat_unref(V);
        return d ? val_mat(d) : val_error;
    }
    if (p != 0 && p != 2)
        return vector_pnorm_adjoint(x, p, ops_scalar(n->out), ops_scalar(g));
    double nrm = ops_scalar(n->out);
    if (nrm == 0)
        return filled_like(x, 0);
    return bin_take(ad, OP_EMUL, bin(ad, OP_EDIV, x, n->out), val_ref(g));
}

/* The groups a reduction runs over: along dim 1 (down each column), 2
 * (along each row) or 0 (all elements). Group j has len elements starting
 * at first(j), stride apart. */
typedef struct Groups {
    size_t count, len, stride, step;   /* group j starts at j * step */
} Groups;

static Groups groups_of(Value x, int dim)
{
    size_t r = rows_of(x), c = cols_of(x);
    bool vector = r == 1 || c == 1;
    if (dim == 0 && vector)
        dim = r == 1 ? 2 : 1;
    if (dim == 1)
        return (Groups){c, r, 1, r};
    if (dim == 2)
        return (Groups){r, c, r, 1};
    return (Groups){1, r * c, 1, 0};
}

/* max/min: the adjoint of each result goes to the (first) extreme element
 * of its group, or to the larger/smaller operand elementwise. */
static Value vjp_extreme(Ad *ad, const AdNode *n, int k, Value g)
{
    bool elementwise = n->nin > 1 && n->saved[1].kind != VAL_NIL &&
                       !(n->saved[1].kind == VAL_MAT && mat_numel(n->saved[1].as.mat) == 0);
    if (elementwise) {   /* the operand equal to the output wins, a first */
        Value mask = bin(ad, OP_EQ, n->saved[k], n->out);
        if (k == 1) {
            Value other = bin(ad, OP_NE, n->saved[0], n->out);
            mask = bin_take(ad, OP_AND, mask, other);
        }
        return unbroadcast(ad, bin_take(ad, OP_EMUL, mask, val_ref(g)), n->saved[k]);
    }
    (void)ad, (void)k;
    int dim = n->nin > 2 && n->saved[2].kind != VAL_NIL ? (int)ops_scalar(n->saved[2]) : 0;
    Value x = n->saved[0];
    Groups gr = groups_of(x, dim);
    Value d = filled_like(x, 0);
    double *out = elems_of(&d);
    const double *in = data_of(&x), *best = data_of(&n->out), *gv = data_of(&g);
    for (size_t j = 0; j < gr.count; j++)
        for (size_t i = 0; i < gr.len; i++) {
            size_t at = j * gr.step + i * gr.stride;
            if (in[at] == best[j]) {
                out[at] = gv[j];
                break;
            }
        }
    return d;
}

/* The runs of cumsum and cumprod, which have no dim argument: the whole
 * of a vector, or each column of a matrix. */
static Groups running_groups(Value x)
{
    return rows_of(x) == 1 || cols_of(x) == 1 ? groups_of(x, 0) : groups_of(x, 1);
}

/* cumsum: the adjoint of x_i is the sum of g over the running sums that
 * contain it, a cumulative sum taken backwards. cumsum has no dim
 * argument: it runs down a vector, or down each column of a matrix. */
static Value vjp_cumsum(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)ad, (void)k;
    Value x = n->saved[0];
    Groups gr = running_groups(x);
    Value d = filled_like(x, 0);
    double *out = elems_of(&d);
    const double *gv = data_of(&g);
    for (size_t j = 0; j < gr.count; j++) {
        double acc = 0;
        for (size_t i = gr.len; i-- > 0;) {
            size_t at = j * gr.step + i * gr.stride;
            acc += gv[at];
            out[at] = acc;
        }
    }
    return d;
}

/* cumprod: out_j = x_1 ... x_j, so the adjoint of x_i is
 * sum_{j >= i} g_j prod_{k <= j, k != i} x_k = P_i S_i with P_i the
 * product of the x before i and S_i = g_i + x_{i+1} S_{i+1}, summed
 * backwards. No division, so zeros in x are exact. */
static Value vjp_cumprod(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)ad, (void)k;
    Value x = n->saved[0];
    Groups gr = running_groups(x);
    Value d = filled_like(x, 0);
    double *out = elems_of(&d);
    const double *gv = data_of(&g), *xv = data_of(&x);
    for (size_t j = 0; j < gr.count; j++) {
        double s = 0;
        for (size_t i = gr.len; i-- > 0;) {
            size_t at = j * gr.step + i * gr.stride;
            s = gv[at] + (i + 1 < gr.len ? xv[at + gr.stride] * s : 0);
            out[at] = s;
        }
        double p = 1;
        for (size_t i = 0; i < gr.len; i++) {
            size_t at = j * gr.step + i * gr.stride;
            out[at] *= p;
            p *= xv[at];
        }
    }
    return d;
}

/* var = sum((x - m)^2)/(len - 1) per group: adjoint 2 (x - m)/(len - 1)
 * (the terms through m sum to zero); std = sqrt(var): that divided by
 * 2 std. A group of one element gets a zero adjoint. */
static Value spread_deviation(Ad *ad, const AdNode *n, Value g, bool std)
{
    (void)ad;
    Value x = n->saved[0];
    Groups gr = groups_of(x, reduce_dim(n));
    Value d = filled_like(x, 0);
    double *out = elems_of(&d);
    const double *in = data_of(&x), *res = data_of(&n->out), *gv = data_of(&g);
    for (size_t j = 0; gr.len > 1 && j < gr.count; j++) {
        double m = 0;
        for (size_t i = 0; i < gr.len; i++)
            m += in[j * gr.step + i * gr.stride];
        m /= (double)gr.len;
        /* std of a constant group is 0, where it is not differentiable:
         * 0 is a subgradient (as for norm at 0) */
        if (std && res[j] == 0)
            continue;
        double scale = gv[j] * (std ? 1 / res[j] : 2) / (double)(gr.len - 1);
        for (size_t i = 0; i < gr.len; i++) {
            size_t at = j * gr.step + i * gr.stride;
            out[at] = scale * (in[at] - m);
        }
    }
    return d;
}

static Value vjp_var(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    return spread_deviation(ad, n, g, false);
}

static Value vjp_std(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    return spread_deviation(ad, n, g, true);
}

/* floor, with 0 for x/0 (mod(x, 0) = x does not depend on y). */
static double floor_finite(double q)
{
    return isfinite(q) ? floor(q) : 0;
}

/* mod(x, y) = x - floor(x/y) y: d/dx = 1, d/dy = -floor(x/y). */
static Value vjp_mod(Ad *ad, const AdNode *n, int k, Value g)
{
    if (k == 0)
        return unbroadcast(ad, val_ref(g), n->saved[0]);
    Value q = bin(ad, OP_EDIV, n->saved[0], n->saved[1]);
    Value fl = map1(q, floor_finite);
    val_unref(q);
    Value d = bin_take(ad, OP_EMUL, fl, val_ref(g));
    return unbroadcast(ad, ops_unary(ad->err, OP_NEG, d, NULL), n->saved[1]);
}

/* reshape keeps the column-major order of the elements, so the adjoint
 * is g's elements in x's shape. */
static Value vjp_reshape(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)ad, (void)k;
    Value x = n->saved[0];
    if (x.kind != VAL_MAT)
        return val_num(ops_scalar(g));
    return val_mat(mat_from(x.as.mat->rows, x.as.mat->cols, g.as.mat->data));
}

/* x(i, j) appears at (i mod r, j mod c) of every tile; its adjoint sums
 * g over those places. */
static Value vjp_repmat(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)ad, (void)k;
    Value x = n->saved[0];
    size_t r = rows_of(x), c = cols_of(x);
    Value d = filled_like(x, 0);
    double *out = elems_of(&d);
    for (size_t j = 0; j < g.as.mat->cols; j++)
        for (size_t i = 0; i < g.as.mat->rows; i++)
            out[(i % r) + (j % c) * r] += MAT_AT(g.as.mat, i, j);
    return d;
}

/* diag of a vector builds a matrix with it on the diagonal: the vector's
 * adjoint is g's diagonal. diag of a matrix extracts the diagonal: its
 * adjoint is g on the diagonal and 0 elsewhere. */
static Value vjp_diag(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)ad, (void)k;
    Value x = n->saved[0];
    Value d = filled_like(x, 0);
    double *out = elems_of(&d);
    if (x.kind != VAL_MAT || mat_is_vector(x.as.mat)) {
        for (size_t i = 0; i < rows_of(x) * cols_of(x); i++)
            out[i] = MAT_AT(g.as.mat, i, i);
    } else {
        for (size_t i = 0; i < rows_of(n->out); i++)
            out[i + i * rows_of(x)] = g.kind == VAL_MAT ? g.as.mat->data[i] : ops_scalar(g);
    }
    return d;
}

/* cat(dim, A, ...): input 0 is the dimension. */
static Value vjp_cat(Ad *ad, const AdNode *n, int k, Value g)
{
    if (k == 0)
        return val_num(0);
    AdNode blocks = *n;
    blocks.saved = n->saved + 1;
    blocks.nin = n->nin - 1;
    blocks.aux[0] = ops_scalar(n->saved[0]) == 2;
    return vjp_concat(ad, &blocks, k - 1, g);
}

/* X = inv(A): dX = -X dA X, so dA = -X' G X'. */
static Value vjp_inv(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;   /* -X' G X' */
    Value Xt = ops_unary(ad->err, OP_TRANSPOSE, val_ref(n->out), NULL);
    Value t = bin_take(ad, OP_MUL, val_ref(Xt), val_ref(g));
    return ops_unary(ad->err, OP_NEG, bin_take(ad, OP_MUL, t, Xt), NULL);
}

/* Jacobi's formula: d det(A) = det(A) trace(inv(A) dA), so the adjoint
 * is g det(A) inv(A)'. It needs inv(A), hence the refusal at a singular
 * A, although det itself is smooth there. */
static Value vjp_det(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;   /* g det(A) inv(A)' */
    if (n->saved[0].kind != VAL_MAT)
        return val_num(ops_scalar(g));   /* det of a number is the number */
    Matrix *X = NULL;
    if (la_inv(n->saved[0].as.mat, &X) != LA_OK)
        return rt_raise(ad->err, NULL, "det: the derivative needs a non-singular matrix");
    Value Xt = ops_unary(ad->err, OP_TRANSPOSE, val_mat(X), NULL);
    return bin_take(ad, OP_EMUL, Xt, val_num(ops_scalar(g) * ops_scalar(n->out)));
}

/* d trace(A) = trace(dA): the adjoint is g times the identity. */
static Value vjp_trace(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)ad, (void)k;
    if (n->saved[0].kind != VAL_MAT)
        return val_num(ops_scalar(g));
    Value d = filled_like(n->saved[0], 0);
    for (size_t i = 0; i < rows_of(n->saved[0]); i++)
        d.as.mat->data[i + i * rows_of(n->saved[0])] = ops_scalar(g);
    return d;
}

/* atan2(y, x): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2). */
static Value vjp_atan2(Ad *ad, const AdNode *n, int k, Value g)
{
    Value y = n->saved[0], x = n->saved[1];
    Value r2 = bin_take(ad, OP_ADD, bin(ad, OP_EMUL, y, y), bin(ad, OP_EMUL, x, x));
    Value d = bin_take(ad, OP_EDIV, bin(ad, OP_EMUL, g, k == 0 ? x : y), r2);
    if (k == 1 && !VAL_IS_ERR(d))
        d = ops_unary(ad->err, OP_NEG, d, NULL);
    return unbroadcast(ad, d, n->saved[k]);
}

/* triu and tril keep some elements and zero the rest: the adjoint is g
 * with the same elements kept (the built-in applied to g). The diagonal
 * offset k is saved as the second argument (VAL_NIL: 0). */
static Value vjp_triangle(Ad *ad, const AdNode *n, int k, Value g, bool upper)
{
    (void)ad, (void)k;
    Value x = n->saved[0];
    long off = n->nin > 1 && n->saved[1].kind != VAL_NIL ? (long)ops_scalar(n->saved[1]) : 0;
    Value d = filled_like(x, 0);
    double *out = elems_of(&d);
    const double *gv = data_of(&g);
    size_t r = rows_of(x), c = cols_of(x);
    for (size_t j = 0; j < c; j++)
        for (size_t i = 0; i < r; i++) {
            long diag = (long)j - (long)i;
            if (upper ? diag >= off : diag <= off)
                out[i + j * r] = gv[i + j * r];
        }
    return d;
}
static Value vjp_triu(Ad *ad, const AdNode *n, int k, Value g) { return vjp_triangle(ad, n, k, g, true); }
static Value vjp_tril(Ad *ad, const AdNode *n, int k, Value g) { return vjp_triangle(ad, n, k, g, false); }

/* dot(a, b) = sum(a .* b): the adjoint of a is g b, in a's shape. */
static Value vjp_dot(Ad *ad, const AdNode *n, int k, Value g)
{
    Value other = n->saved[1 - k], self = n->saved[k];
    Value d = bin(ad, OP_EMUL, other, g);
    if (VAL_IS_ERR(d) || d.kind != VAL_MAT || self.kind != VAL_MAT)
        return d;
    Matrix *m = mat_from(rows_of(self), cols_of(self), d.as.mat->data);
    val_unref(d);
    return val_mat(m);
}

/* pow(a, p) is a .^ p, and solve(A, B) is A \ B. */
static Value vjp_pow_builtin(Ad *ad, const AdNode *n, int k, Value g)
{
    return vjp_epow(ad, n, k, g);
}

static Value vjp_solve(Ad *ad, const AdNode *n, int k, Value g)
{
    return vjp_ldiv(ad, n, k, g);
}

/* ------------------------------------------------------------------ */
/* rules of linear algebra built-ins                                   */

/* kron(A, B)[(i-1)p + k, (j-1)q + l] = A[i, j] B[k, l]: the adjoint of
 * A[i, j] is <block (i, j) of G, B>, that of B[k, l] sums G A over blocks. */
static Value vjp_kron(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)ad;
    Value A = n->saved[0], B = n->saved[1];
    size_t ra = rows_of(A), ca = cols_of(A), rb = rows_of(B), cb = cols_of(B);
    const double *a = data_of(&A), *b = data_of(&B), *gv = data_of(&g);
    size_t gr = ra * rb;
    Value d = filled_like(k == 0 ? A : B, 0);
    double *out = elems_of(&d);
    for (size_t j = 0; j < ca; j++)
        for (size_t i = 0; i < ra; i++)
            for (size_t l = 0; l < cb; l++)
                for (size_t kk = 0; kk < rb; kk++) {
                    double gij = gv[(i * rb + kk) + (j * cb + l) * gr];
                    if (k == 0)
                        out[i + j * ra] += gij * b[kk + l * rb];
                    else
                        out[kk + l * rb] += gij * a[i + j * ra];
                }
    return d;
}

/* V diag(f) W': V with column j scaled by f[j], times W'. NULL when
 * memory runs out. */
static Matrix *scale_cols_mul_t(const Matrix *V, const double *f, const Matrix *W)
{
    Matrix *S = mat_copy(V);
    for (size_t j = 0; S && j < S->cols; j++)
        for (size_t i = 0; i < S->rows; i++)
            MAT_AT(S, i, j) *= f[j];
    Matrix *r = S ? mat_mul(S, W, false, true) : NULL;
    mat_unref(S);
    return r;
}

/* Eigenvalues of a symmetric S (ascending): d lambda_i = v_i' dS v_i, so
 * the adjoint is V diag(g) V'. This holds for distinct eigenvalues; at a
 * repeated one the eigenvalues are not differentiable. */
static Value vjp_eigvals(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    Value S = n->saved[0];
    if (S.kind != VAL_MAT)
        return val_num(ops_scalar(g));
    Matrix *w = NULL, *V = NULL;
    if (la_eigsym(S.as.mat, &w, &V) != LA_OK)
        return rt_raise(ad->err, NULL, "eigenvalues: the eigen-decomposition failed in the derivative");
    Matrix *d = scale_cols_mul_t(V, data_of(&g), V);
    mat_unref(w), mat_unref(V);
    return d ? val_mat(d) : val_error;
}

/* Singular values: d sigma_i = u_i' dA v_i (distinct, non-zero), so the
 * adjoint is U diag(g) V' over the thin factors. */
static Value vjp_svd(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    Value A = n->saved[0];
    if (A.kind != VAL_MAT)
        return val_num(ops_scalar(A) < 0 ? -ops_scalar(g) : ops_scalar(g));
    Matrix *U = NULL, *sv = NULL, *V = NULL;
    if (la_svd(A.as.mat, &U, &sv, &V) != LA_OK)
        return rt_raise(ad->err, NULL, "svd: the SVD failed in the derivative");
    size_t r = mat_numel(sv);
    Matrix *Ur = mat_new(U->rows, r), *Vr = mat_new(V->rows, r);
    for (size_t j = 0; Ur && Vr && j < r; j++) {
        for (size_t i = 0; i < U->rows; i++)
            MAT_AT(Ur, i, j) = MAT_AT(U, i, j);
        for (size_t i = 0; i < V->rows; i++)
            MAT_AT(Vr, i, j) = MAT_AT(V, i, j);
    }
    Matrix *d = Ur && Vr ? scale_cols_mul_t(Ur, data_of(&g), Vr) : NULL;
    mat_unref(U), mat_unref(sv), mat_unref(V), mat_unref(Ur), mat_unref(Vr);
    return d ? val_mat(d) : val_error;
}

/* f(l) = l^p on eigenvalues treated as mpow does (within rounding of 0
 * they are 0), and its divided differences L_ij = (f(l_i) - f(l_j)) /
 * (l_i - l_j), f'(l_i) on the diagonal and for equal eigenvalues. */
static double power_slope(double li, double lj, double p, double tol)
{
    double l = 0.5 * (li + lj);
    if (fabs(li - lj) <= tol) {
        if (fabs(l) <= tol)
            return p == 1 ? 1 : p > 1 || p == 0 ? 0 : INFINITY;
        return p * pow(l, p - 1);
    }
    /* close positive eigenvalues: with d = lj/li - 1, the quotient is
     * li^(p-1) (exp(p log1p(d)) - 1)/d, which keeps its digits as d -> 0 */
    if (li > tol && lj > tol && fabs(lj - li) < 0.5 * li) {
        double d = (lj - li) / li;
        return pow(li, p - 1) * expm1(p * log1p(d)) / d;
    }
    return (pow(li, p) - pow(lj, p)) / (li - lj);
}

/* mpow(S, p) = V f(L) V' for symmetric S (Daleckii-Krein): the adjoint is
 * V (L_ij .* (V' sym(G) V)) V'. Only the symmetric part of G matters, as
 * S only varies symmetrically. tol is the threshold la_mpow_psd uses
 * (n eps max|l|), so the derivative sees the eigenvalues the primal
 * used. */
static Value mpow_adjoint(Ad *ad, const Matrix *S, double p, Value g)
{
    Matrix *w = NULL, *V = NULL;
    if (la_eigsym(S, &w, &V) != LA_OK)
        return rt_raise(ad->err, NULL, "mpow: the eigen-decomposition failed in the derivative");
    size_t m = w->rows;
    double lmax = 0;
    for (size_t i = 0; i < m; i++)
        lmax = fmax(lmax, fabs(w->data[i]));
    double tol = (double)m * DBL_EPSILON * lmax;
    for (size_t i = 0; i < m; i++)
        if (fabs(w->data[i]) <= tol)
            w->data[i] = 0;
    Matrix *Gs = mat_new(m, m);
    for (size_t j = 0; Gs && j < m; j++)
        for (size_t i = 0; i < m; i++)
            MAT_AT(Gs, i, j) = 0.5 * (MAT_AT(g.as.mat, i, j) + MAT_AT(g.as.mat, j, i));
    Matrix *t = Gs ? mat_mul(V, Gs, true, false) : NULL;
    Matrix *M = t ? mat_mul(t, V, false, false) : NULL;
    for (size_t j = 0; M && j < m; j++)
        for (size_t i = 0; i < m; i++)
            MAT_AT(M, i, j) *= power_slope(w->data[i], w->data[j], p, tol);
    mat_unref(t);
    t = M ? mat_mul(V, M, false, false) : NULL;
    Matrix *d = t ? mat_mul(t, V, false, true) : NULL;
    mat_unref(w), mat_unref(V), mat_unref(Gs), mat_unref(M), mat_unref(t);
    return d ? val_mat(d) : val_error;
}

/* A number s gives the scalar rule p s^(p-1), 0 for p = 0. */
static Value vjp_mpow(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    Value S = n->saved[0];
    double p = ops_scalar(n->saved[1]);
    if (S.kind != VAL_MAT)
        return val_num(ops_scalar(g) * (p == 0 ? 0 : p * pow(ops_scalar(S), p - 1)));
    return mpow_adjoint(ad, S.as.mat, p, g);
}

/* Powers of a matrix differentiated through their products at most this
 * high (each costs a few matrix products). */
#define MAX_DIFF_POWER 100000

/* B^m with B square, m >= 1: the adjoint sum_j (B')^j G (B')^(m-1-j), by
 * T_0 = G, T_k = B' T_(k-1) + G (B')^k. */
static Matrix *int_power_adjoint(const Matrix *B, long m, const Matrix *G)
{
    Matrix *T = mat_copy(G), *Pk = NULL;   /* Pk = (B')^k */
    for (long k = 1; T && k < m; k++) {
        Matrix *np = Pk ? mat_mul(Pk, B, false, true) : mat_transpose(B);
        mat_unref(Pk);
        Pk = np;
        Matrix *a = np ? mat_mul(B, T, true, false) : NULL;
        Matrix *b = a ? mat_mul(G, Pk, false, false) : NULL;
        for (size_t i = 0; b && i < mat_numel(a); i++)
            a->data[i] += b->data[i];
        mat_unref(T), mat_unref(b);
        T = b ? a : (mat_unref(a), NULL);
    }
    mat_unref(Pk);
    return T;
}

/* A ^ p for a square matrix: integer p by products (through inv(A) when
 * p < 0), fractional p as mpow. */
static Value vjp_matrix_power(Ad *ad, const AdNode *n, int k, Value g)
{
    (void)k;
    const Matrix *A = n->saved[0].as.mat;
    double p = ops_scalar(n->saved[1]);
    if (p != floor(p))
        return mpow_adjoint(ad, A, p, g);
    if (p == 0)
        return filled_like(n->saved[0], 0);
    if (fabs(p) > MAX_DIFF_POWER)
        return rt_raise(ad->err, NULL, "operator ^: powers above %d are not differentiated",
                            MAX_DIFF_POWER);
    Matrix *B = NULL;
    if (p < 0 && la_inv(A, &B) != LA_OK)
        return rt_raise(ad->err, NULL, "operator ^: the derivative needs a non-singular matrix");
    Matrix *gB = int_power_adjoint(B ? B : A, (long)fabs(p), g.as.mat);
    if (B && gB) {   /* through B = inv(A): gA = -B' gB B' */
        Matrix *t = mat_mul(B, gB, true, false);
        mat_unref(gB);
        gB = t ? mat_mul(t, B, false, true) : NULL;
        mat_unref(t);
        for (size_t i = 0; gB && i < mat_numel(gB); i++)
            gB->data[i] = -gB->data[i];
    }
    mat_unref(B);
    return gB ? val_mat(gB) : val_error;
}

/* ------------------------------------------------------------------ */
/* the table                                                           */

/* One row per rule. name is how a rule is found: the operator as written,
 * "neg" and "plus" for the unary signs, "index" and "concat" for
 * subscripts and brackets, "^m" for a matrix to a scalar power, or the
 * built-in's name (ad_builtin looks bi->name up here, so a built-in with
 * a row is differentiable). fd_expr is the body of a function of X and Y,
 * two fixed 3x2 matrices with entries in [0.6, 1.45] (tests/unit/test_ad.c
 * compares the gradient of a weighted sum of it with central
 * differences); the shifts and scalings keep each expression smooth
 * there (abs(X - 1) has no zero, X / 2 is inside asin's domain). */
const AdRule ad_rules[] = {
    {"+", vjp_add, "X + Y[1, :] + 2", 0},
    {"-", vjp_sub, "X - Y[:, 2]", 0},
    {".*", vjp_emul, "X .* Y", 0},
    {"./", vjp_ediv, "X ./ Y", 0},
    {".^", vjp_epow, "X .^ Y", 0},
    {"*", vjp_matmul, "X * Y' * X", 0},
    {"\\", vjp_ldiv, "[X, [1; 0.5; 2]] \\ Y", 0},
    {"/", vjp_rdiv, "Y' / [X, [1; 0.5; 2]]'", 0},
    {"^", vjp_epow, "X[1, 1] ^ Y[2, 2]", 0},
    {"neg", vjp_neg, "-X", 0},
    {"plus", vjp_plus, "+X", 0},
    {"'", vjp_transpose, "X'", 0},
    {"index", vjp_index, "[X[2, :]'; X[[1, 1, 3]]'; X[end]; X[X > 1]; X[:, 1]]", 0},
    {"concat", vjp_concat, "[X, Y; Y, 2 * X]", 0},
    {"exp", vjp_exp, "exp(X)", 0},
    {"log", vjp_log, "log(X)", 0},
    {"sqrt", vjp_sqrt, "sqrt(X)", 0},
    {"abs", vjp_abs, "abs(X - 1)", 0},
    {"tanh", vjp_tanh, "tanh(X)", 0},
    {"sigmoid", vjp_sigmoid, "sigmoid(X)", 0},
    {"relu", vjp_relu, "relu(X - 1)", 0},
    {"softplus", vjp_softplus, "softplus(X)", 0},
    {"sin", vjp_sin, "sin(X)", 0},
    {"cos", vjp_cos, "cos(X)", 0},
    {"tan", vjp_tan, "tan(X)", 0},
    {"asin", vjp_asin, "asin(X / 2)", 0},
    {"acos", vjp_acos, "acos(X / 2)", 0},
    {"atan", vjp_atan, "atan(X)", 0},
    {"sinh", vjp_sinh, "sinh(X - 1)", 0},
    {"cosh", vjp_cosh, "cosh(X - 1)", 0},
    {"log10", vjp_log10, "log10(X)", 0},
    {"log2", vjp_log2, "log2(X)", 0},
    {"log1p", vjp_log1p, "log1p(X - 0.5)", 0},
    {"expm1", vjp_expm1, "expm1(X - 1)", 0},
    {"erf", vjp_erf, "erf(X - 1)", 0},
    {"erfc", vjp_erfc, "erfc(X - 1)", 0},
    {"gamma", vjp_gamma, "[gamma(X), gamma(Y - 1.5)]", 0},
    {"lgamma", vjp_lgamma, "[lgamma(X), lgamma(Y + 12), lgamma(X - 1.5)]", 0},
    {"sum", vjp_sum, "[sum(X), sum(sum(X, 1)), sum(sum(X, 2))]", 1},
    {"mean", vjp_mean, "[mean(X), mean(mean(X, 1)), mean(mean(X, 2))]", 1},
    {"sumsq", vjp_sumsq, "[sumsq(X), sum(sumsq(X, 1))]", 1},
    {"prod", vjp_prod, "[prod(X), sum(prod(X, 1)), sum(prod(X, 2))]", 1},
    {"norm", vjp_norm, "[norm(X), norm(X[:, 1]), norm(X, 2), norm(X[:, 2] - 1, 1), norm(Y[:, 1], inf), norm(X[2, :], 3)]", 1},
    {"max", vjp_extreme, "[max(X), sum(sum(max(X, Y))), sum(max(X, [], 1)), sum(max(X, dim = 2)), max(X[:, 1])]", 2},
    {"min", vjp_extreme, "[min(X), sum(sum(min(X, Y))), sum(min(X, [], 1)), sum(min(X, dim = 2)), min(X[2, :])]", 2},
    {"cumsum", vjp_cumsum, "[cumsum(X), cumsum(Y[:, 2]), [cumsum(X[1, :]), 0]']", 1},
    {"cumprod", vjp_cumprod, "[cumprod(X), cumprod(Y[:, 2]), [cumprod(X[1, :] - 0.7), 0]']", 1},
    {"var", vjp_var, "[var(X), sum(var(X, 1)), sum(var(X, 2)), var(Y[:, 1])]", 1},
    {"std", vjp_std, "[std(X), sum(std(X, 1)), sum(std(X, 2)), std(Y[:, 1])]", 1},
    {"mod", vjp_mod, "mod(X, Y) + mod(X, 0.4)", 0},
    {"pow", vjp_pow_builtin, "pow(X, Y)", 0},
    {"atan2", vjp_atan2, "atan2(X - 1, Y) + atan2(Y, -X) + atan2(X, 0.5)", 0},
    {"reshape", vjp_reshape, "reshape(X, 2, 3)", 1},
    {"repmat", vjp_repmat, "repmat(X, 2, 3)", 1},
    {"diag", vjp_diag, "[diag(X[:, 1]), diag(X * Y')]", 1},
    {"cat", vjp_cat, "cat(1, X, Y)", 0},
    {"inv", vjp_inv, "inv([X, [1; 0.5; 2]])", 1},
    {"det", vjp_det, "det([X, [1; 0.5; 2]])", 1},
    {"trace", vjp_trace, "trace(X * Y')", 1},
    {"triu", vjp_triu, "[triu(X), triu(X, 1), triu(X * Y', -1)]", 1},
    {"tril", vjp_tril, "[tril(X), tril(X, -1), tril(X * Y', 1)]", 1},
    {"dot", vjp_dot, "[dot(X[:, 1], Y[:, 2]), dot(X[1:2, 1]', Y[2, :]), dot(X[:], Y[:])]", 0},
    {"solve", vjp_solve, "solve([X, [1; 0.5; 2]], Y)", 0},
    {"kron", vjp_kron, "kron(X, Y')", 0},
    {"svd", vjp_svd, "[svd(X); svd(Y')]", 1},
    {"eigvals", vjp_eigvals, "eigvals(X' * Y + Y' * X + [3, 1; 1, 0])", 1},
    {"eigsym", vjp_eigvals, "eigsym(X' * X + [1, 0.2; 0.2, 3])", 1},
    {"mpow", vjp_mpow, "[mpow(X' * X + 0.5 * eye(2), 0.5), mpow(Y' * Y, -1.5), mpow(X' * Y + Y' * X, 3)]", 1},
    {"^m", vjp_matrix_power, "[X' * Y] ^ 3 + [X' * Y] ^ -2 + (X' * X) ^ 0.5", 1},
    {NULL, NULL, NULL, 0},
};

/* The row called name, or NULL; a linear search of a few dozen rows. */
static const AdRule *rule_named(const char *name)
{
    for (const AdRule *r = ad_rules; r->name; r++)
        if (strcmp(r->name, name) == 0)
            return r;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* the reverse sweep                                                   */

/* Adds d (taken) to node's adjoint. The first contribution is stored as
 * it is; later ones are summed by ops_binary, which takes both operands.
 * A failed rule (d is val_error) returns false. */
static bool accumulate(Ad *ad, AdNode *node, Value d)
{
    if (VAL_IS_ERR(d))
        return false;
    if (node->grad.kind == VAL_NIL) {
        node->grad = d;
        return true;
    }
    node->grad = ops_binary(ad->err, OP_ADD, node->grad, d, NULL);
    return !VAL_IS_ERR(node->grad);
}

/* Only nodes at or below out's index can have contributed to it, so the
 * sweep starts there. The output's adjoint is set, not summed: adjoints
 * must be clear (a fresh tape, or ad_zero_grads) before each sweep. A node
 * without an adjoint did not influence out and is skipped; a leaf has no
 * rule. Constant inputs (id -1) and inputs past the rule's ndiff get
 * nothing. On failure the error is located at the failing node's
 * operation (or at loc, for a node without one), false is returned and
 * the adjoints are left partial. */
bool ad_backward(Ad *ad, Value out, Value seed, const Loc *loc)
{
    return ad_sweep(ad, out, seed, loc, NULL);
}

/* The inputs of node n that receive an adjoint. */
static int differentiable_inputs(const AdNode *n)
{
    int count = 0;
    for (int k = 0; k < n->nin; k++)
        count += n->in[k] >= 0 && !(n->rule->ndiff && k >= n->rule->ndiff);
    return count;
}

/* A node whose rule has run, on a tape that will not be swept again:
 * its primals go, so the activations of a layer are freed as soon as the
 * sweep has passed it. A kept node keeps its inputs (ntk's factor A). */
static void let_go(AdNode *n, bool keep_inputs)
{
    for (int k = 0; !keep_inputs && k < n->nin; k++) {
        val_unref(n->saved[k]);
        n->saved[k] = val_nil;
    }
    val_unref(n->out);
    n->out = val_nil;
}

/* Passes node n's adjoint on to its inputs. When n has one input to
 * serve and its adjoint is dropped after, the rule may write over the
 * adjoint (adjoint_spent, see chain). */
static bool pass_on(Ad *ad, AdNode *n, bool dropped, const Loc *loc)
{
    ad->adjoint_spent = dropped && differentiable_inputs(n) == 1;
    for (int k = 0; k < n->nin; k++) {
        if (n->in[k] < 0 || (n->rule->ndiff && k >= n->rule->ndiff))
            continue;
        Value d = n->rule->vjp(ad, n, k, n->grad);
        if (!accumulate(ad, &ad->tape->nodes[n->in[k]], d)) {
            ad->adjoint_spent = false;
            /* at the operation whose rule failed, when it is known */
            rt_locate(ad->err, n->loc.src ? &n->loc : loc);
            return false;
        }
    }
    ad->adjoint_spent = false;
    return true;
}

/* An inner node's adjoint is complete when the sweep reaches it (its
 * users all come later on the tape) and is dropped once passed on, so the
 * sweep holds the adjoints of a few layers at a time, not of the whole
 * tape. Leaves keep theirs for the caller to read, and so do the nodes
 * marked in opts->keep. */
bool ad_sweep(Ad *ad, Value out, Value seed, const Loc *loc, const AdSweep *opts)
{
    if (!ad_live(ad, out))
        return true;   /* the output does not depend on the inputs */
    Tape *t = ad->tape;
    AdNode *top = &t->nodes[out.as.var->node];
    /* the adjoint always has the output's kind: a 1x1 matrix stays one */
    top->grad = top->out.kind == VAL_MAT && seed.kind != VAL_MAT
                    ? filled_like(top->out, ops_scalar(seed)) : val_ref(seed);
    for (int i = out.as.var->node; i >= 0; i--) {
        if (interrupt_pending()) {   /* between nodes: a sweep can be long */
            rt_interrupted(ad->err, loc);
            return false;
        }
        AdNode *n = &t->nodes[i];
        if (!n->rule || n->grad.kind == VAL_NIL)
            continue;
        bool kept = opts && opts->keep && opts->keep[i];
        if (!pass_on(ad, n, !kept, loc))
            return false;
        if (!kept) {
            val_unref(n->grad);
            n->grad = val_nil;
        }
        if (opts && opts->last)
            let_go(n, kept);
    }
    return true;
}

/* A leaf that is not live, or that out did not depend on, has a zero
 * gradient of its primal's shape. */
Value ad_grad_of(Ad *ad, Value leaf)
{
    if (!ad_live(ad, leaf))
        return filled_like(val_primal(leaf), 0);
    AdNode *n = &ad->tape->nodes[leaf.as.var->node];
    if (n->grad.kind == VAL_NIL)
        return filled_like(n->out, 0);
    return val_ref(n->grad);
}

/* ------------------------------------------------------------------ */
/* gradients of functions                                              */

/* Replaces every number or matrix in x (a number, matrix, list or record
 * of them) by a tracked leaf; NULL-equivalent val_error for other kinds.
 * A boolean becomes a number leaf. Borrows x; the result is new. */
static Value track_at(Ad *ad, Value x, const char *who, int depth)
{
    if (depth > TRACK_SEARCH_DEPTH && (x.kind == VAL_LIST || x.kind == VAL_REC))
        return rt_raise(ad->err, NULL, "%s: the parameters are nested more than %d "
                            "lists or records deep", who, TRACK_SEARCH_DEPTH);
    if (x.kind == VAL_NUM || x.kind == VAL_BOOL)
        return ad_leaf(ad, val_num(ops_scalar(x)));
    if (x.kind == VAL_MAT)
        return ad_leaf(ad, val_ref(x));
    if (x.kind == VAL_LIST) {
        Value l = val_list_new(x.as.list->n);
        for (size_t i = 0; i < x.as.list->n; i++) {
            Value t = track_at(ad, x.as.list->items[i], who, depth + 1);
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
            Value t = track_at(ad, x.as.rec->vals[i], who, depth + 1);
            if (VAL_IS_ERR(t)) {
                val_unref(r);
                return t;
            }
            rec_set(r.as.rec, x.as.rec->keys[i], t);
        }
        return r;
    }
    char d[48];
    describe_value(x, d, sizeof d);
    return rt_raise(ad->err, NULL, "%s: the parameters must be matrices, or lists or "
                        "records of them, got %s", who, d);
}

static Value track(Ad *ad, Value x, const char *who)
{
    return track_at(ad, x, who, 0);
}

Value ad_track(Ad *ad, Value x, const char *who)
{
    return track(ad, x, who);
}

/* ad_track bounded the depth, so these walks recurse safely. */
size_t ad_leaf_count(Value t)
{
    size_t n = 0;
    if (t.kind == VAL_LIST)
        for (size_t i = 0; i < t.as.list->n; i++)
            n += ad_leaf_count(t.as.list->items[i]);
    else if (t.kind == VAL_REC)
        for (size_t i = 0; i < t.as.rec->n; i++)
            n += ad_leaf_count(t.as.rec->vals[i]);
    else {
        Value p = val_primal(t);
        n = p.kind == VAL_MAT ? mat_numel(p.as.mat) : 1;
    }
    return n;
}

static double *flat_grads_at(Ad *ad, Value t, double *row)
{
    if (t.kind == VAL_LIST) {
        for (size_t i = 0; i < t.as.list->n; i++)
            row = flat_grads_at(ad, t.as.list->items[i], row);
        return row;
    }
    if (t.kind == VAL_REC) {
        for (size_t i = 0; i < t.as.rec->n; i++)
            row = flat_grads_at(ad, t.as.rec->vals[i], row);
        return row;
    }
    Value g = ad_grad_of(ad, t);
    size_t n = g.kind == VAL_MAT ? mat_numel(g.as.mat) : 1;
    memcpy(row, g.kind == VAL_MAT ? g.as.mat->data : &g.as.num, n * sizeof *row);
    val_unref(g);
    return row + n;
}

void ad_flat_grads(Ad *ad, Value t, double *row)
{
    flat_grads_at(ad, t, row);
}

/* The adjoints at the leaves, in the structure of the tracked input
 * (whose depth track bounded). */
static Value collect(Ad *ad, Value t)
{
    if (t.kind == VAL_LIST) {
        Value l = val_list_new(t.as.list->n);
        for (size_t i = 0; i < t.as.list->n; i++)
            list_push(l.as.list, collect(ad, t.as.list->items[i]));
        return l;
    }
    if (t.kind == VAL_REC) {
        Value r = val_rec_new();
        for (size_t i = 0; i < t.as.rec->n; i++)
            rec_set(r.as.rec, t.as.rec->keys[i], collect(ad, t.as.rec->vals[i]));
        return r;
    }
    return ad_grad_of(ad, t);
}

/* True when r is a number, a boolean or a 1x1 matrix. The message calls
 * f "the loss" for the training built-ins, whose users think of it so. */
static bool scalar_result(Ad *ad, Value r, const char *who)
{
    Value p = val_primal(r);
    if (p.kind == VAL_NUM || p.kind == VAL_BOOL ||
        (p.kind == VAL_MAT && mat_numel(p.as.mat) == 1))
        return true;
    char d[48];
    describe_value(p, d, sizeof d);
    bool training = strcmp(who, "gd") == 0 || strcmp(who, "sgd") == 0;
    rt_raise(ad->err, NULL, "%s: the %s must return a scalar, got %s", who,
                 training ? "loss" : "function", d);
    return false;
}

/* Calls f(xt, extra...). The arguments are borrowed: ad->call does not
 * take them, and xt stays the caller's. */
static Value call_tracked(Ad *ad, Value f, Value xt, int nextra, const Value *extra)
{
    Value *args = xmalloc((size_t)(nextra + 1) * sizeof *args);
    args[0] = xt;
    for (int i = 0; i < nextra; i++)
        args[i + 1] = extra[i];
    Value r = ad->call(ad->host, f, nextra + 1, args, NULL);
    free(args);
    return r;
}

/* The tape is ended on every path, so no tracked value made here stays
 * live. *value and *grad are written only on success. */
bool ad_value_and_grad(Ad *ad, Value f, Value x, int nextra, const Value *extra,
                       const char *who, Value *value, Value *grad)
{
    if (!ad_begin(ad, NULL))
        return false;
    Value xt = track(ad, x, who);
    Value r = VAL_IS_ERR(xt) ? val_error : call_tracked(ad, f, xt, nextra, extra);
    bool ok = !VAL_IS_ERR(r) && scalar_result(ad, r, who) &&
              ad_backward(ad, r, val_num(1), NULL);
    if (ok) {
        *value = val_num(ops_scalar(r));
        *grad = collect(ad, xt);
    }
    if (!VAL_IS_ERR(r))
        val_unref(r);
    if (!VAL_IS_ERR(xt))
        val_unref(xt);
    ad_end(ad);
    return ok;
}

/* ------------------------------------------------------------------ */
/* hooks                                                               */

/* The rule of a binary operator on primals a and b, or NULL. * with a
 * scalar operand and / by a scalar are elementwise and use those rules.
 * ^ of two scalars is the elementwise power; a matrix to a scalar power
 * is "^m"; a scalar or matrix to a matrix power has no rule. Comparisons
 * and && || have none either (see differentiable_op). */
static const char *op_rule_name(OpKind op, Value a, Value b)
{
    switch (op) {
    case OP_ADD: return "+";
    case OP_SUB: return "-";
    case OP_EMUL: return ".*";
    case OP_EDIV: return "./";
    case OP_EPOW: return ".^";
    case OP_MUL: return ops_is_scalar(a) || ops_is_scalar(b) ? ".*" : "*";
    case OP_DIV: return ops_is_scalar(b) ? "./" : "/";
    case OP_LDIV: return "\\";
    case OP_POW: return ops_is_scalar(a) && ops_is_scalar(b) ? "^"
                        : ops_is_scalar(b) ? "^m" : NULL;
    default: return NULL;
    }
}

/* Comparisons and logic have a zero derivative: with a tracked operand
 * their result is a constant, recorded nowhere, rather than an error. */
static bool differentiable_op(OpKind op)
{
    return op != OP_EQ && op != OP_NE && op != OP_LT && op != OP_LE &&
           op != OP_GT && op != OP_GE && op != OP_AND && op != OP_OR;
}

/* Takes a and b. The primal result is computed on plain values; a node is
 * recorded only when an operand is live on this tape and the operator has
 * a rule. The primals are referenced first because ops_binary takes its
 * operands while a and b still own theirs. */
Value ad_binary(Ad *ad, OpKind op, Value a, Value b, const Loc *loc)
{
    Value pa = val_ref(val_primal(a)), pb = val_ref(val_primal(b));
    Value inputs[2] = {a, b};
    bool live = ad_live(ad, a) || ad_live(ad, b);
    const char *name = op_rule_name(op, pa, pb);
    Value r;
    if (live && differentiable_op(op) && !name) {
        val_unref(pa);
        val_unref(pb);
        r = rt_raise(ad->err, loc, "operator %s: no derivative rule for a "
                         "matrix power (use .^ or repeated products)", op_name(op));
    } else
        r = ops_binary(ad->err, op, pa, pb, loc);
    if (live && name && !VAL_IS_ERR(r))
        r = record(ad, rule_named(name), 2, inputs, r, loc);
    val_unref(a);
    val_unref(b);
    return r;
}

/* Takes a. ! has no rule: its result is a constant. */
Value ad_unary(Ad *ad, OpKind op, Value a, const Loc *loc)
{
    Value pa = val_ref(val_primal(a));
    bool live = ad_live(ad, a);
    Value r = ops_unary(ad->err, op, pa, loc);
    const char *name = op == OP_NEG ? "neg" : op == OP_PLUS ? "plus"
                       : op == OP_TRANSPOSE ? "'" : NULL;
    if (live && name && !VAL_IS_ERR(r))
        r = record(ad, rule_named(name), 1, &a, r, loc);
    val_unref(a);
    return r;
}

/* Borrows obj and subs. A subscript with more than two parts is not
 * recorded: its result is a constant. */
Value ad_index(Ad *ad, Value obj, int nsubs, const Value *subs,
               const Loc *loc)
{
    Value inputs[3] = {obj, val_nil, val_nil};
    for (int i = 0; i < nsubs && i < 2; i++)
        inputs[i + 1] = subs[i];
    Value r = index_get(ad->err, val_primal(obj), nsubs, subs, loc);
    if (!ad_live(ad, obj) || VAL_IS_ERR(r) || nsubs > 2)
        return r;
    return record(ad, rule_named("index"), nsubs + 1, inputs, r, loc);
}

/* Borrows vals. The direction goes into aux[0] for vjp_concat. */
Value ad_concat(Ad *ad, const Value *vals, int n, bool horizontal,
                const char *who, const Loc *loc)
{
    Value *plain = xmalloc((size_t)(n ? n : 1) * sizeof *plain);
    bool live = false;
    for (int i = 0; i < n; i++) {
        plain[i] = val_primal(vals[i]);
        live = live || ad_live(ad, vals[i]);
    }
    Value r = ops_concat(ad->err, plain, n, horizontal, who, loc);
    free(plain);
    if (!live || VAL_IS_ERR(r))
        return r;
    r = record(ad, rule_named("concat"), n, vals, r, loc);
    ad->tape->nodes[r.as.var->node].aux[0] = horizontal;
    return r;
}

/* Built-ins whose result does not depend smoothly on a tracked argument
 * (shapes, signs, tests, output): they see the plain value. */
static const char *const constant_builtins[] = {
    "size", "rows", "cols", "numel", "length", "isempty", "sign", "step",
    "floor", "ceil", "round", "isnan", "isinf", "find", "any", "all", "type",
    "print", "disp", "printf", "sprintf", "check", "error", "help", "num2str",
    "zeros", "ones", "eye", "rand", "randn", "linspace", "logspace", "rank", "cond",
    "append", "keys", "isfield", "factorial", "argmax", "argmin", NULL,
};

static bool is_constant_builtin(const char *name)
{
    for (int i = 0; constant_builtins[i]; i++)
        if (strcmp(constant_builtins[i], name) == 0)
            return true;
    return false;
}

/* Built-ins that differentiate themselves by composing recorded
 * operations (e2e multiplies its tracked layers with the * operator). */
static const char *const composite_builtins[] = {"e2e", NULL};

static bool listed(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* True when a tracked value of the active tape sits inside v. */
static bool holds_live(const Ad *ad, Value v, int depth)
{
    if ((v.kind == VAL_LIST || v.kind == VAL_REC) && depth < TRACK_SEARCH_DEPTH) {
        size_t n = v.kind == VAL_LIST ? v.as.list->n : v.as.rec->n;
        Value *items = v.kind == VAL_LIST ? v.as.list->items : v.as.rec->vals;
        for (size_t i = 0; i < n; i++)
            if (holds_live(ad, items[i], depth + 1))
                return true;
        return false;
    }
    return ad_live(ad, v);
}

/* Reached, while a tape is active, when some argument holds a tracked
 * value at any depth. A composite built-in runs as it is. Any other runs
 * on primals: the tracked arguments are swapped out of a for the call and
 * put back, so the caller's Args still own them (and Args.temps is off
 * meanwhile). Refused, unless the
 * built-in is listed as constant: a tracked value of this tape inside a
 * list or record (a rule sees top-level arguments only), and a live
 * argument to a built-in without a rule. A list of results is refused
 * too, since a node has one output. */
Value ad_builtin(Ad *ad, const Builtin *bi, Args *a, const Loc *loc)
{
    if (listed(composite_builtins, bi->name))
        return bi->fn(ad->host, a);
    const AdRule *rule = rule_named(bi->name);
    bool live = false, nested = false;
    for (int i = 0; i < a->n; i++) {
        live = live || ad_live(ad, a->v[i]);
        nested = nested || (a->v[i].kind != VAL_VAR && holds_live(ad, a->v[i], 0));
    }
    if (nested && !is_constant_builtin(bi->name))
        return rt_raise(ad->err, NULL, "%s: no derivative rule for values being "
                            "differentiated inside a list or record", bi->name);
    if (live && !rule && !is_constant_builtin(bi->name))
        return rt_raise(ad->err, NULL, "%s: no derivative rule; it cannot be used "
                            "on a value being differentiated", bi->name);
    Value *tracked = xmalloc((size_t)(a->n ? a->n : 1) * sizeof *tracked);
    for (int i = 0; i < a->n; i++) {
        tracked[i] = a->v[i];
        a->v[i] = val_primal(a->v[i]);
    }
    /* a primal's only reference is its AdVar's, and the tape may keep it:
     * it is no temporary to overwrite */
    bool temps = a->temps;
    a->temps = false;
    Value r = bi->fn(ad->host, a);
    a->temps = temps;
    if (live && rule && r.kind == VAL_LIST) {
        /* several results (U, S, V = svd(A)): the rules cover one result */
        val_unref(r);
        r = rt_raise(ad->err, NULL, "%s: only the single-result form can be differentiated",
                         bi->name);
    } else if (live && rule && !VAL_IS_ERR(r))
        r = record(ad, rule, a->n, tracked, r, loc);
    for (int i = 0; i < a->n; i++)
        a->v[i] = tracked[i];
    free(tracked);
    return r;
}
