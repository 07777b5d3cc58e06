/* ops.c: operator semantics, keyed by operator and operand kinds.
 *
 * The entry points take their operands (ops.h): each path releases both
 * exactly once and returns a new reference, or val_error with the error
 * raised at loc. A temporary operand nobody else holds may lend its
 * storage to the result (result_storage), which saves an allocation per
 * operator in the expressions of a training loop.
 */
#include "value/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "numeric/linalg.h"
#include "base/vecmath.h"

/* A 1x1 matrix counts as a scalar, an empty matrix and a string do not.
 * A tracked value is judged by its primal. */
bool ops_is_scalar(Value v)
{
    v = val_primal(v);
    return v.kind == VAL_NUM || v.kind == VAL_BOOL ||
           (v.kind == VAL_MAT && v.as.mat->rows == 1 && v.as.mat->cols == 1);
}

/* Only for a value that ops_is_scalar accepts: for any other matrix it
 * reads the first element, and an empty one has none. */
double ops_scalar(Value v)
{
    v = val_primal(v);
    if (v.kind == VAL_NUM)
        return v.as.num;
    if (v.kind == VAL_BOOL)
        return v.as.b;
    return v.as.mat->data[0];
}

/* No val_primal: tracked operands were turned away before this is asked. */
static bool is_numeric(Value v)
{
    return v.kind == VAL_NUM || v.kind == VAL_BOOL || v.kind == VAL_MAT;
}

/* A view of a numeric operand as rows x cols doubles. A number or bool
 * has no storage to point at: data is then NULL and scalar holds it. */
typedef struct View {
    size_t rows, cols;
    const double *data;
    double scalar;
} View;

static View view_of(const Value *v)
{
    View w;
    if (v->kind == VAL_MAT) {
        w.rows = v->as.mat->rows;
        w.cols = v->as.mat->cols;
        w.data = v->as.mat->data;
    } else {
        w.scalar = ops_scalar(*v);
        w.rows = w.cols = 1;
        w.data = NULL;
    }
    return w;
}

/* Two extents agree when equal or when one is 1, which is then stretched
 * (the Octave and NumPy rule). 0 against 1 gives 0: an empty operand
 * gives an empty result, not an error. */
bool ops_broadcast_dim(size_t a, size_t b, size_t *out)
{
    if (a == b || b == 1)
        *out = a;
    else if (a == 1)
        *out = b;
    else
        return false;
    return true;
}

/* Reuses a temporary operand's storage when it has the result's shape.
 * A count of 1 means no variable can see the operand, and every kernel
 * here reads element k of a same-shaped operand before it writes element
 * k, so working in place is safe. x .* x holds two references to one
 * matrix and is never reused. The result is numeric until a comparison
 * marks it logical again. Returns a new reference (or NULL when a fresh
 * matrix cannot be allocated); the caller still releases the operand. */
static Matrix *result_storage(Value *a, Value *b, size_t r, size_t c)
{
    Value *cand[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        Value *v = cand[k];
        if (v->kind == VAL_MAT && v->as.mat->rc == 1 &&
            v->as.mat->rows == r && v->as.mat->cols == c) {
            v->as.mat->logical = false;
            return mat_ref(v->as.mat);
        }
    }
    return mat_new_uninit(r, c);
}

/* Both shapes go in the message: which one is wrong is the reader's call. */
static Value shape_error(RtError *E, const char *what, View x, View y,
                         const Loc *loc)
{
    return rt_raise(E, loc, "%s: shapes %zux%zu and %zux%zu do not "
                        "broadcast", what, x.rows, x.cols, y.rows, y.cols);
}

/* A result past MAT_MAX_ELEMS (the allocator's NULL; running out of
 * memory ends the run instead, alloc.h). */
static Value size_error(RtError *E, const Loc *loc, size_t r, size_t c)
{
    return rt_raise(E, loc, "a %zux%zu result is too large (a matrix holds at "
                    "most %zu elements)", r, c, (size_t)MAT_MAX_ELEMS);
}

/* Ctrl-C found by a poll while m was being computed: m is dropped with
 * the operands (taken), and the error says "interrupted". */
static Value interrupted_op(RtError *E, Matrix *m, Value a, Value b, const Loc *loc)
{
    mat_unref(m);
    val_unref(a);
    val_unref(b);
    return rt_interrupted(E, loc);
}

/* Takes a and b, which must be numeric (numbers, bools or matrices). The
 * result is always a matrix, 1x1 included. A dimension of extent 1 is
 * read with stride 0, so its one row (or column) meets every row of the
 * other operand; the stride of a column is the operand's own row count. */
Value ops_broadcast(RtError *E, Value a, Value b, ElemFn2 f, const char *what,
                    const Loc *loc)
{
    View x = view_of(&a), y = view_of(&b);
    size_t r, c;
    if (!ops_broadcast_dim(x.rows, y.rows, &r) || !ops_broadcast_dim(x.cols, y.cols, &c)) {
        val_unref(a);
        val_unref(b);
        return shape_error(E, what, x, y, loc);
    }
    Matrix *m = result_storage(&a, &b, r, c);
    if (!m) {
        val_unref(a);
        val_unref(b);
        return size_error(E, loc, r, c);
    }
    size_t xr = x.rows == 1 ? 0 : 1, xc = x.cols == 1 ? 0 : x.rows;
    size_t yr = y.rows == 1 ? 0 : 1, yc = y.cols == 1 ? 0 : y.rows;
    size_t since_poll = 0;
    for (size_t j = 0; j < c; j++) {
        for (size_t i = 0; i < r; i++) {
            double u = x.data ? x.data[i * xr + j * xc] : x.scalar;
            double v = y.data ? y.data[i * yr + j * yc] : y.scalar;
            m->data[i + j * r] = f(u, v);
        }
        if ((since_poll += r) >= INTERRUPT_STRIDE) {
            since_poll = 0;
            if (interrupt_pending())
                return interrupted_op(E, m, a, b, loc);
        }
    }
    val_unref(a);
    val_unref(b);
    return val_mat(m);
}

static double f_add(double x, double y) { return x + y; }
static double f_sub(double x, double y) { return x - y; }
static double f_mul(double x, double y) { return x * y; }
static double f_div(double x, double y) { return x / y; }
static double f_ldiv(double x, double y) { return y / x; }
static double f_pow(double x, double y) { return pow(x, y); }
static double f_eq(double x, double y) { return x == y; }
static double f_ne(double x, double y) { return x != y; }
static double f_lt(double x, double y) { return x < y; }
static double f_le(double x, double y) { return x <= y; }
static double f_gt(double x, double y) { return x > y; }
static double f_ge(double x, double y) { return x >= y; }
static double f_and(double x, double y) { return x != 0 && y != 0; }
static double f_or(double x, double y) { return x != 0 || y != 0; }

/* The elementwise meaning of each operator (NULL: not elementwise).
 * Comparisons give 0 or 1, which elementwise() then marks as a mask. &&
 * and || treat any non-zero as true; NaN, which is non-zero, is refused
 * before they run on a matrix (ops_binary), and a scalar operand's truth
 * is tested by the evaluator (eval_logical). x \ y elementwise is y / x. */
static const ElemFn2 elem_fns[OP__COUNT] = {
    [OP_ADD] = f_add, [OP_SUB] = f_sub, [OP_EMUL] = f_mul, [OP_EDIV] = f_div,
    [OP_EPOW] = f_pow, [OP_EQ] = f_eq, [OP_NE] = f_ne, [OP_LT] = f_lt,
    [OP_LE] = f_le, [OP_GT] = f_gt, [OP_GE] = f_ge, [OP_AND] = f_and,
    [OP_OR] = f_or,
};

/* Operators whose result is a truth value: a bool for scalars, a mask for
 * matrices. && and || count, as their results are truths too. */
static bool is_comparison(OpKind op)
{
    return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE ||
           op == OP_GT || op == OP_GE || op == OP_AND || op == OP_OR;
}

/* Both operands plain numbers or booleans: no allocation at all. */
static Value scalar_binary(OpKind op, double x, double y)
{
    switch (op) {
    case OP_MUL: return val_num(x * y);
    case OP_DIV: return val_num(x / y);
    case OP_LDIV: return val_num(y / x);
    case OP_POW: return val_num(pow(x, y));
    default: break;
    }
    double r = elem_fns[op](x, y);
    return is_comparison(op) ? val_bool(r != 0) : val_num(r);
}

/* The four arithmetic operators on equal shapes or a scalar operand, as
 * vectorised loops (the common case in training). */
static bool arithmetic_fast(OpKind op, View x, View y, double *out, size_t n)
{
    static const struct { OpKind op; VmArith vm; } table[] = {
        {OP_ADD, VM_ADD}, {OP_SUB, VM_SUB}, {OP_EMUL, VM_MUL}, {OP_EDIV, VM_DIV},
    };
    if (!x.data && !y.data)
        return false;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (table[i].op == op) {
            /* in strides, polling Ctrl-C between them (the caller looks) */
            double s = x.data ? y.scalar : x.scalar;
            for (size_t k = 0; k < n && !interrupt_pending(); k += INTERRUPT_STRIDE) {
                size_t len = n - k < INTERRUPT_STRIDE ? n - k : INTERRUPT_STRIDE;
                vm_arith(table[i].vm, out + k, x.data ? x.data + k : NULL,
                         y.data ? y.data + k : NULL, s, len);
            }
            return true;
        }
    return false;
}

/* Same shapes, or one side a scalar: no broadcasting arithmetic needed. */
/* *done says whether a result (or an error) came back: then a and b were
 * taken. When false the operands are untouched and still the caller's,
 * who goes on to the general broadcasting kernel. */
static Value elementwise_fast(RtError *E, OpKind op, Value a, Value b, const Loc *loc,
                              bool *done)
{
    View x = view_of(&a), y = view_of(&b);
    bool same = x.rows == y.rows && x.cols == y.cols && x.data && y.data;
    bool scalar = (!x.data && y.data) || (x.data && !y.data);
    *done = false;
    if (!same && !scalar)
        return val_nil;
    size_t r = x.data ? x.rows : y.rows, c = x.data ? x.cols : y.cols;
    Matrix *m = result_storage(&a, &b, r, c);
    if (!m) {
        val_unref(a);
        val_unref(b);
        *done = true;
        return size_error(E, loc, r, c);
    }
    x = view_of(&a), y = view_of(&b);   /* storage may be shared with m */
    *done = arithmetic_fast(op, x, y, m->data, r * c);
    if (!*done) {
        mat_unref(m);
        return val_nil;
    }
    if (interrupt_pending())
        return interrupted_op(E, m, a, b, loc);
    val_unref(a);
    val_unref(b);
    return val_mat(m);
}

/* The exponent of X .^ p when it is an integer from 3 to 8, else 0. */
static int small_integer_power(Value b)
{
    double p = ops_is_scalar(b) ? ops_scalar(b) : 0;
    return p >= 3 && p <= 8 && p == floor(p) ? (int)p : 0;
}

/* X .^ p for a small integer p through vm_powi: several times faster than
 * pow and correctly rounded (glibc's pow is an ulp off in about 0.08% of
 * cases). Takes a. */
static Value integer_power(RtError *E, Value a, int p, const Loc *loc)
{
    Value exponent = val_num(p);
    size_t r = a.as.mat->rows, c = a.as.mat->cols;
    Matrix *m = result_storage(&a, &exponent, r, c);
    if (!m) {
        val_unref(a);
        return size_error(E, loc, r, c);
    }
    size_t n = r * c;
    for (size_t k = 0; k < n && !interrupt_pending(); k += INTERRUPT_STRIDE)
        vm_powi(m->data + k, a.as.mat->data + k, n - k < INTERRUPT_STRIDE ? n - k
                                                                     : INTERRUPT_STRIDE, p);
    if (interrupt_pending())
        return interrupted_op(E, m, a, val_nil, loc);
    val_unref(a);
    return val_mat(m);
}

/* Any elementwise operator, with broadcasting; takes a and b. A matrix
 * to the power 2 or another small integer, and + - .* ./ on equal
 * shapes or with a scalar, take the faster kernels; the rest goes
 * through elem_fns. */
static Value elementwise(RtError *E, OpKind op, Value a, Value b, const Loc *loc)
{
    if (op == OP_EPOW && a.kind == VAL_MAT && ops_is_scalar(b) && ops_scalar(b) == 2) {
        val_unref(b);   /* x .^ 2 as x .* x: exact and much faster than pow */
        return elementwise(E, OP_EMUL, val_ref(a), a, loc);
    }
    if (op == OP_EPOW && a.kind == VAL_MAT && small_integer_power(b)) {
        int p = small_integer_power(b);
        val_unref(b);
        return integer_power(E, a, p, loc);
    }
    if (op == OP_ADD || op == OP_SUB || op == OP_EMUL || op == OP_EDIV) {
        bool done;
        Value r = elementwise_fast(E, op, a, b, loc, &done);
        if (done)
            return r;
    }
    char what[32];
    snprintf(what, sizeof what, "operator %s", op_name(op));
    Value r = ops_broadcast(E, a, b, elem_fns[op], what, loc);
    if (!VAL_IS_ERR(r) && is_comparison(op))
        r.as.mat->logical = true;
    return r;
}

/* The operator, then the linear algebra's reason ("matrix is singular"). */
static Value la_fail(RtError *E, const Loc *loc, const char *what, LaStatus s)
{
    return rt_raise(E, loc, "%s: %s", what, la_status_str(s));
}

/* A * B through dgemm (mat_mul); takes a and b. The shapes are checked
 * here because mat_mul only returns NULL, which cannot say why, and the
 * result's size is checked before BLAS is called. */
static Value matrix_product(RtError *E, Value a, Value b, const Loc *loc)
{
    const Matrix *x = a.as.mat, *y = b.as.mat;
    Value r;
    if (x->cols != y->rows)
        r = rt_raise(E, loc, "operator *: inner dimensions differ "
                         "(%zux%zu * %zux%zu)", x->rows, x->cols, y->rows, y->cols);
    else if (!mat_size_ok(x->rows, y->cols))
        r = size_error(E, loc, x->rows, y->cols);
    else {
        /* BLAS cannot be stopped inside: the poll comes after the call,
         * so a chain of products stops at the next one */
        Matrix *m = mat_mul(x, y, false, false);
        if (m && interrupt_pending())
            return interrupted_op(E, m, a, b, loc);
        r = m ? val_mat(m) : size_error(E, loc, x->rows, y->cols);
    }
    val_unref(a);
    val_unref(b);
    return r;
}

/* A number as a 1x1 matrix value (takes v). */
static Value as_matrix(Value v)
{
    if (v.kind == VAL_MAT)
        return v;
    return val_mat(mat_scalar(ops_scalar(v)));
}

/* A \ B solves A X = B and B / A solves X A = B (la_solve, la_rdivide):
 * LU for square A, refused when singular or too badly conditioned to
 * trust, minimum-norm least squares otherwise; never an explicit inverse.
 * NaN or Inf in either operand is refused, as LAPACK cannot be trusted
 * with them. Takes a and b. A scalar numerator is a system too: 2 / A
 * with A a column solves X A = 2 by least squares; ./ divides
 * elementwise. */
static Value solve_op(RtError *E, OpKind op, Value a, Value b, const Loc *loc)
{
    a = as_matrix(a);
    b = as_matrix(b);
    Matrix *x = NULL;
    LaStatus s = op == OP_LDIV ? la_solve(a.as.mat, b.as.mat, &x)
                               : la_rdivide(a.as.mat, b.as.mat, &x);
    Value r;
    if (s == LA_SHAPE)
        r = rt_raise(E, loc, "operator %s: dimensions do not agree "
                         "(%zux%zu %s %zux%zu)", op_name(op), a.as.mat->rows,
                         a.as.mat->cols, op_name(op), b.as.mat->rows,
                         b.as.mat->cols);
    else
        r = s == LA_OK ? val_mat(x) : la_fail(E, loc, op == OP_LDIV ?
                                             "operator \\" : "operator /", s);
    val_unref(a);
    val_unref(b);
    return r;
}

/* Square matrix to an integer power by repeated squaring: about 2 log2(p)
 * products instead of p - 1. p = 0 gives the identity, also for a
 * singular matrix. NULL when a product cannot be allocated. */
static Matrix *int_power(const Matrix *a, long p)
{
    Matrix *result = mat_new(a->rows, a->rows), *base = mat_copy(a);
    if (!result || !base) {
        mat_unref(result);
        mat_unref(base);
        return NULL;
    }
    for (size_t i = 0; i < a->rows; i++)
        MAT_AT(result, i, i) = 1;
    while (p > 0 && result && base) {
        if (p & 1) {
            Matrix *t = mat_mul(result, base, false, false);
            mat_unref(result);
            result = t;
        }
        p >>= 1;
        if (p) {
            Matrix *t = mat_mul(base, base, false, false);
            mat_unref(base);
            base = t;
        }
    }
    mat_unref(base);
    return result;
}

/* A ^ p for square A and scalar p; takes a and b. A whole p (that fits a
 * long) uses repeated squaring, of the inverse when p < 0 (refused when
 * A is singular). A fractional p is defined here only for symmetric
 * positive semi-definite A, through its eigendecomposition
 * (la_mpow_psd); a general matrix would need a Schur-based method. The
 * non-square message points at .^, the usual intent. */
static Value matrix_power(RtError *E, Value a, Value b, const Loc *loc)
{
    const Matrix *m = a.as.mat;
    double p = ops_scalar(b);
    Value r;
    Matrix *x = NULL;
    if (!mat_is_square(m))
        r = rt_raise(E, loc, "operator ^: matrix must be square, got "
                         "%zux%zu (use .^ for elementwise powers)", m->rows, m->cols);
    else if (p == floor(p) && fabs(p) < 0x1p62) {   /* fits a long */
        Matrix *base = NULL;
        LaStatus s = p < 0 ? la_inv(m, &base) : LA_OK;
        if (s != LA_OK)
            r = la_fail(E, loc, "operator ^", s);
        else {
            x = int_power(base ? base : m, (long)fabs(p));
            r = x ? val_mat(x) : size_error(E, loc, m->rows, m->cols);
        }
        mat_unref(base);
    } else {
        LaStatus s = la_mpow_psd(m, p, &x);
        r = s == LA_OK ? val_mat(x) : la_fail(E, loc, "operator ^ (fractional "
                                              "power needs a symmetric PSD matrix)", s);
    }
    val_unref(a);
    val_unref(b);
    return r;
}

/* + joins two strings; == and != compare their contents. Strings have no
 * order and no arithmetic, so every other operator is an error. Takes a
 * and b. */
static Value string_binary(RtError *E, OpKind op, Value a, Value b,
                           const Loc *loc)
{
    Value r;
    if (op == OP_ADD && a.as.str->len + b.as.str->len > VAL_STR_MAX) {
        r = rt_raise(E, loc, "the joined string would have %zu characters, more "
                     "than the limit of %zu", a.as.str->len + b.as.str->len,
                     (size_t)VAL_STR_MAX);
    } else if (op == OP_ADD) {
        size_t n = a.as.str->len + b.as.str->len;
        char *s = xmalloc(n + 1);
        memcpy(s, a.as.str->s, a.as.str->len);
        memcpy(s + a.as.str->len, b.as.str->s, b.as.str->len + 1);
        r = val_strn(s, n);
        free(s);
    } else if (op == OP_EQ || op == OP_NE) {
        bool eq = strcmp(a.as.str->s, b.as.str->s) == 0;
        r = val_bool(op == OP_EQ ? eq : !eq);
    } else {
        r = rt_raise(E, loc, "operator %s is not defined for strings",
                         op_name(op));
    }
    val_unref(a);
    val_unref(b);
    return r;
}

/* Operands of kinds no operator combines (a list, a function, a string
 * with a number). == and != still answer, by deep equality, so that
 * x == "a" is false, not an error, when x is a number or a list; any
 * other operator is an error naming both operands. Takes a and b. */
static Value type_error(RtError *E, OpKind op, Value a, Value b, const Loc *loc)
{
    Value r;
    if (op == OP_EQ || op == OP_NE) {
        bool eq = val_equal(a, b);
        r = val_bool(op == OP_EQ ? eq : !eq);
    } else {
        char x[48], y[48];
        describe_value(a, x, sizeof x);
        describe_value(b, y, sizeof y);
        r = rt_raise(E, loc, "operator %s: cannot combine %s and %s",
                         op_name(op), x, y);
    }
    val_unref(a);
    val_unref(b);
    return r;
}

/* A number or bool, not a 1x1 matrix: two of them need no allocation,
 * while a 1x1 matrix takes the matrix path so that its result stays a
 * matrix. */
static bool is_true_scalar(Value v)
{
    return v.kind == VAL_NUM || v.kind == VAL_BOOL;
}

/* Booleans cannot be NaN; other kinds hold no numbers to test. */
static bool holds_nan(Value v)
{
    const double *d = v.kind == VAL_MAT ? v.as.mat->data : v.kind == VAL_NUM ? &v.as.num : NULL;
    size_t n = v.kind == VAL_MAT ? mat_numel(v.as.mat) : v.kind == VAL_NUM ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        if (isnan(d[i]))
            return true;
    return false;
}

/* NaN is neither true nor false: a logical operator on it is an error, as
 * a NaN condition of if or while is. Takes a and b. */
static Value nan_truth_error(RtError *E, const char *what, Value a, Value b, const Loc *loc)
{
    val_unref(a);
    val_unref(b);
    return rt_raise(E, loc, "%s: NaN is neither true nor false", what);
}

/* The plain operators never see a value being differentiated: dispatch.c
 * sends those to their rules. Reaching this is a caller that skipped the
 * dispatcher, reported rather than computed without its derivative. */
static Value tracked_operand(RtError *E, Value a, Value b, const Loc *loc)
{
    val_unref(a);
    val_unref(b);
    return rt_raise(E, loc, "internal error: a value being differentiated reached "
                        "the plain operators (please report this script)");
}

/* The order of the tests is the order of cost: two numbers, then two
 * scalars, are answered without allocating. Then, by operator: * is the
 * matrix product unless a side is a scalar; / and \ solve a linear
 * system unless the divisor is a scalar; ^ is the matrix power, and needs
 * a scalar exponent (scalar ^ matrix is refused); everything else is
 * elementwise with broadcasting. */
Value ops_binary(RtError *E, OpKind op, Value a, Value b, const Loc *loc)
{
    Value r;
    if (ops_number_binary(op, a, b, &r))
        return r;
    if (a.kind == VAL_VAR || b.kind == VAL_VAR)
        return tracked_operand(E, a, b, loc);
    if (is_true_scalar(a) && is_true_scalar(b))
        return scalar_binary(op, ops_scalar(a), ops_scalar(b));
    if (a.kind == VAL_STR && b.kind == VAL_STR)
        return string_binary(E, op, a, b, loc);
    if (!is_numeric(a) || !is_numeric(b))
        return type_error(E, op, a, b, loc);
    if ((op == OP_AND || op == OP_OR) && (holds_nan(a) || holds_nan(b)))
        return nan_truth_error(E, op == OP_AND ? "&&" : "||", a, b, loc);
    bool sa = ops_is_scalar(a), sb = ops_is_scalar(b);
    switch (op) {
    case OP_MUL:
        return sa || sb ? elementwise(E, OP_EMUL, a, b, loc)
                        : matrix_product(E, a, b, loc);
    case OP_DIV:
        return sb ? elementwise(E, OP_EDIV, a, b, loc)
                  : solve_op(E, op, a, b, loc);
    case OP_LDIV:
        return sa ? elementwise(E, OP_EDIV, b, a, loc)
                  : solve_op(E, op, a, b, loc);
    case OP_POW:
        if (sa && sb)
            return elementwise(E, OP_EPOW, a, b, loc);
        if (!sb)
            return type_error(E, op, a, b, loc);
        return matrix_power(E, a, b, loc);
    default:
        return elementwise(E, op, a, b, loc);
    }
}

/* Unary operators reuse the binary kernel, with the number 0 as an
 * ignored second operand: it broadcasts over anything and, having no
 * storage, is never reused for the result. */
static double f_neg(double x, double y) { (void)y; return -x; }
static double f_not(double x, double y) { (void)y; return x == 0; }

/* Takes a; unary + hands it back as it is. The shape is read before a
 * is released, for the message when the transpose cannot be allocated. */
static Value unary_matrix(RtError *E, OpKind op, Value a, const Loc *loc)
{
    if (op == OP_PLUS)
        return a;
    if (op == OP_TRANSPOSE) {
        Matrix *t = mat_transpose(a.as.mat);
        if (t)
            t->logical = a.as.mat->logical;   /* a transposed mask is a mask */
        size_t r = a.as.mat->cols, c = a.as.mat->rows;
        val_unref(a);
        return t ? val_mat(t) : size_error(E, loc, r, c);
    }
    Value r = ops_broadcast(E, a, val_num(0), op == OP_NEG ? f_neg : f_not,
                            "operator", loc);
    if (!VAL_IS_ERR(r) && op == OP_NOT)
        r.as.mat->logical = true;
    return r;
}

/* On a number or bool: -true is -1 and +true is 1 (numbers), ! gives a
 * bool, and the transpose of a scalar is the scalar. */
Value ops_unary(RtError *E, OpKind op, Value a, const Loc *loc)
{
    if (a.kind == VAL_VAR)
        return tracked_operand(E, a, val_nil, loc);
    if (is_true_scalar(a)) {
        double x = ops_scalar(a);
        switch (op) {
        case OP_NEG: return val_num(-x);
        case OP_PLUS: return val_num(x);
        case OP_NOT:
            if (isnan(x))
                return rt_raise(E, loc, "!: NaN is neither true nor false");
            return val_bool(x == 0);
        default: return a;
        }
    }
    if (a.kind == VAL_MAT && op == OP_NOT && holds_nan(a))
        return nan_truth_error(E, "!", a, val_nil, loc);
    if (a.kind == VAL_MAT)
        return unary_matrix(E, op, a, loc);
    char x[48];
    describe_value(a, x, sizeof x);
    val_unref(a);
    return rt_raise(E, loc, "operator %s is not defined for %s",
                        op_name(op), x);
}

/* Borrows v. An empty matrix is false (as in Octave); otherwise every
 * element must be non-zero. The scan goes on after a zero, so a NaN is an
 * error wherever it sits: a NaN condition is nearly always a bug upstream,
 * which a quiet false would hide. Strings, lists and the other kinds have
 * no truth, rather than a guessed one. */
bool ops_truth(RtError *E, Value v, const Loc *loc, bool *out)
{
    v = val_primal(v);
    if (v.kind == VAL_BOOL) {
        *out = v.as.b;
        return true;
    }
    if (v.kind == VAL_NUM || v.kind == VAL_MAT) {
        const double *d = v.kind == VAL_NUM ? &v.as.num : v.as.mat->data;
        size_t n = v.kind == VAL_NUM ? 1 : mat_numel(v.as.mat);
        *out = n > 0;
        for (size_t i = 0; i < n; i++) {
            if (isnan(d[i])) {
                rt_raise(E, loc, "condition is NaN");
                return false;
            }
            if (d[i] == 0)
                *out = false;
        }
        return true;
    }
    char x[48];
    describe_value(v, x, sizeof x);
    rt_raise(E, loc, "condition must be a bool, number or matrix, got %s", x);
    return false;
}

/* The shape of the concatenation, or an error. Only 0x0 blocks vanish,
 * so that [] can start a matrix built in a loop; another empty block
 * (0x3) must still agree in the fixed dimension. A mismatch names the
 * first block that set the dimension and the one that broke it, 1-based
 * as the user counts them. Only numbers, bools and matrices join. */
static bool concat_check(RtError *E, const Value *vals, int n, bool horiz,
                         size_t *rows, size_t *cols, const char *who,
                         const Loc *loc)
{
    *rows = *cols = 0;
    int first = -1;
    for (int i = 0; i < n; i++) {
        if (!is_numeric(vals[i])) {
            char d[48];
            describe_value(vals[i], d, sizeof d);
            rt_raise(E, loc, "%s: cannot concatenate %s", who, d);
            return false;
        }
        View v = view_of(&vals[i]);
        if (v.rows == 0 && v.cols == 0)
            continue;
        size_t along = horiz ? v.rows : v.cols, across = horiz ? v.cols : v.rows;
        size_t *fixed = horiz ? rows : cols, *sum = horiz ? cols : rows;
        if (first >= 0 && along != *fixed) {
            View f = view_of(&vals[first]);
            rt_raise(E, loc, "%s: %s concatenation needs equal %s: block %d "
                         "is %zux%zu, block %d is %zux%zu", who,
                         horiz ? "horizontal" : "vertical", horiz ? "rows" : "columns",
                         first + 1, f.rows, f.cols, i + 1, v.rows, v.cols);
            return false;
        }
        *fixed = along;
        *sum += across;
        if (first < 0)
            first = i;
    }
    return true;
}

/* Borrows vals. The result is a mask only when every block is a bool or a
 * mask: [true, false] indexes as a mask, [true, 1] does not. Blocks with
 * no elements are skipped: they have nothing to write, and when the
 * result has elements such a block is 0 wide along the join, so the
 * offset needs no update either. */
Value ops_concat(RtError *E, const Value *vals, int n, bool horiz,
                 const char *who, const Loc *loc)
{
    size_t rows, cols;
    if (!concat_check(E, vals, n, horiz, &rows, &cols, who, loc))
        return val_error;
    Matrix *m = mat_new_uninit(rows, cols);
    if (!m)
        return size_error(E, loc, rows, cols);
    m->logical = n > 0;   /* masks and booleans joined stay a mask */
    for (int i = 0; i < n; i++)
        if (vals[i].kind != VAL_BOOL && !(vals[i].kind == VAL_MAT && vals[i].as.mat->logical))
            m->logical = false;
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        View v = view_of(&vals[i]);
        if (v.rows * v.cols == 0)
            continue;
        for (size_t j = 0; j < v.cols; j++)
            for (size_t r = 0; r < v.rows; r++) {
                double x = v.data ? v.data[r + j * v.rows] : v.scalar;
                if (horiz)
                    MAT_AT(m, r, off + j) = x;
                else
                    MAT_AT(m, off + r, j) = x;
            }
        off += horiz ? v.cols : v.rows;
    }
    return val_mat(m);
}
