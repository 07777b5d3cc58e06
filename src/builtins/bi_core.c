/* bi_core.c: construction, shape and value inspection.
 *
 * The contract every family shares (see eval/builtin.c): a->v holds the
 * arguments, borrowed. The dispatcher has checked their number, so a slot
 * below min_args is never VAL_NIL and may be read directly; an optional
 * slot is VAL_NIL when it was not given (arg_given). A built-in returns a
 * new reference; val_nil for "no value" (the REPL echoes nothing and it
 * cannot be assigned); or val_error once an error is raised through
 * bi_error, arg_type_error, the arg_* helpers or an RtError of the value
 * layer. The dispatcher then places an unlocated error at the call site.
 * An argument tracked on the active tape reaches the C function as its
 * primal (ad_builtin), so no function here sees the tape. */
#include <math.h>
#include <string.h>

#include "eval/builtin.h"
#include "value/format.h"
#include "value/ops.h"

/* Reads (rows, cols) from arguments i, i+1: f() is 1x1... callers pass the
 * default; f(n) is n x n; f(r, c) is r x c.
 * Only the columns can be missing alone through a named argument
 * (zeros(cols = 3)), hence the first message. arg_count checks each count
 * (whole, >= 0, not absurdly large) but not their product: new_checked
 * does, so zeros(1e5) reports the size instead of a bad argument. */
static bool shape_args(Interp *I, const Args *a, int i, size_t *r, size_t *c)
{
    if (!arg_given(a, i) && arg_given(a, i + 1)) {
        bi_error(I, a, "the number of rows is missing (the columns are given)");
        return false;
    }
    if (!arg_given(a, i)) {
        *r = *c = 1;
        return true;
    }
    if (!arg_count(I, a, i, r))
        return false;
    if (!arg_given(a, i + 1)) {
        *c = *r;
        return true;
    }
    return arg_count(I, a, i + 1, c);
}

/* Checks the size before allocating, with a message naming it.
 * mat_new's bare NULL would only say that something failed; asking
 * mat_size_ok first lets the message give the shape and the limit.
 * Returns a zeroed matrix (one reference) or NULL with the error raised. */
static Matrix *new_checked(Interp *I, const Args *a, size_t r, size_t c)
{
    if (!mat_size_ok(r, c)) {
        bi_error(I, a, "a %zux%zu matrix is too large (limit %zu elements)", r, c,
                 (size_t)MAT_MAX_ELEMS);
        return NULL;
    }
    Matrix *m = mat_new(r, c);
    if (!m)
        bi_error(I, a, "a %zux%zu matrix is too large (a matrix holds at most %zu elements)", r, c, (size_t)MAT_MAX_ELEMS);
    return m;
}

/* The body of zeros, ones and eye: f(), f(n) or f(r, c) with every element
 * x. mat_new has zeroed the storage already; writing x once more for zeros
 * costs one pass and keeps a single body. */
static Value filled(Interp *I, const Args *a, double x)
{
    size_t r, c;
    if (!shape_args(I, a, 0, &r, &c))
        return val_error;
    Matrix *m = new_checked(I, a, r, c);
    if (!m)
        return val_error;
    for (size_t k = 0; k < r * c; k++)
        m->data[k] = x;
    return val_mat(m);
}

static Value bi_zeros(Interp *I, const Args *a) { return filled(I, a, 0); }
static Value bi_ones(Interp *I, const Args *a) { return filled(I, a, 1); }

/* A rectangular eye(r, c) has min(r, c) ones on the leading diagonal, as
 * in Octave; the rest stays zero from filled(). */
static Value bi_eye(Interp *I, const Args *a)
{
    Value v = filled(I, a, 0);
    if (VAL_IS_ERR(v))
        return v;
    Matrix *m = v.as.mat;
    for (size_t k = 0; k < m->rows && k < m->cols; k++)
        MAT_AT(m, k, k) = 1;
    return v;
}

/* linspace(a, b, n) into a new row, n from argument 2 (default dflt).
 * n = 1 gives hi alone (t = 1, Octave's choice) and n = 0 an empty 1x0
 * row. The last point is written as hi so that it is exact whatever lo
 * is: an infinite lo times t = 0 would otherwise leave NaN there. NULL
 * after an error. */
static Matrix *spaced_points(Interp *I, const Args *a, size_t dflt)
{
    double lo, hi;
    size_t n = dflt;
    if (!arg_num(I, a, 0, &lo) || !arg_num(I, a, 1, &hi))
        return NULL;
    if (arg_given(a, 2) && !arg_count(I, a, 2, &n))
        return NULL;
    Matrix *m = new_checked(I, a, 1, n);
    for (size_t k = 0; m && k < n; k++) {
        double t = n == 1 ? 1 : (double)k / (double)(n - 1);
        m->data[k] = lo * (1 - t) + hi * t;   /* no overflow of hi - lo */
    }
    if (m && n > 1)
        m->data[n - 1] = hi;
    return m;
}

/* n defaults to 100, as in Octave and MATLAB. */
static Value bi_linspace(Interp *I, const Args *a)
{
    Matrix *m = spaced_points(I, a, 100);
    return m ? val_mat(m) : val_error;
}

/* logspace(a, b, n): 10 .^ linspace(a, b, n), n = 50 by default (as in
 * MATLAB and NumPy), so the ends are 10^a and 10^b exactly as pow gives
 * them. */
static Value bi_logspace(Interp *I, const Args *a)
{
    Matrix *m = spaced_points(I, a, 50);
    if (!m)
        return val_error;
    for (size_t k = 0; k < mat_numel(m); k++)
        m->data[k] = pow(10, m->data[k]);
    return val_mat(m);
}

/* Numbers and booleans are 1x1; a list is a row of its items and a string
 * a row of its bytes, so size agrees with numel and length on them.
 * size(A, d) is a plain number, not a 1x1 matrix, so it can be used as a
 * count directly. */
static Value bi_size(Interp *I, const Args *a)
{
    Value x = a->v[0];
    double r = 1, c = 1;
    if (x.kind == VAL_MAT)
        r = (double)x.as.mat->rows, c = (double)x.as.mat->cols;
    else if (x.kind == VAL_LIST)
        r = 1, c = (double)x.as.list->n;
    else if (x.kind == VAL_STR)
        r = 1, c = (double)x.as.str->len;
    else if (x.kind != VAL_NUM && x.kind != VAL_BOOL)
        return arg_type_error(I, a, 0, "a matrix, list or string");
    if (arg_given(a, 1)) {
        int d;
        if (!arg_dim(I, a, 1, &d))
            return val_error;
        return val_num(d == 1 ? r : c);
    }
    double rc[2] = {r, c};
    return bi_mat(I, a, mat_from(1, 2, rc));
}

/* which: 0 rows, 1 cols, 2 numel. Through arg_mat, so that a number or a
 * boolean counts as 1x1 and any other kind gets the uniform type error;
 * the reference arg_mat hands out is dropped before returning. */
static Value dim_of(Interp *I, const Args *a, int which)
{
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return val_error;
    double v = which == 0 ? (double)m->rows : which == 1 ? (double)m->cols
                                                          : (double)mat_numel(m);
    mat_unref(m);
    return val_num(v);
}

static Value bi_rows(Interp *I, const Args *a) { return dim_of(I, a, 0); }
static Value bi_cols(Interp *I, const Args *a) { return dim_of(I, a, 1); }

/* Lists and strings are answered here: dim_of's arg_mat would refuse
 * them. A string counts bytes, not characters. */
static Value bi_numel(Interp *I, const Args *a)
{
    if (a->v[0].kind == VAL_LIST)
        return val_num((double)a->v[0].as.list->n);
    if (a->v[0].kind == VAL_STR)
        return val_num((double)a->v[0].as.str->len);
    return dim_of(I, a, 2);
}

/* A number or boolean is never empty; a matrix is empty when either
 * dimension is 0 (0x3 too), a record when it has no fields. */
static Value bi_isempty(Interp *I, const Args *a)
{
    Value x = a->v[0];
    if (x.kind == VAL_LIST)
        return val_bool(x.as.list->n == 0);
    if (x.kind == VAL_STR)
        return val_bool(x.as.str->len == 0);
    if (x.kind == VAL_REC)
        return val_bool(x.as.rec->n == 0);
    if (x.kind == VAL_MAT)
        return val_bool(mat_is_empty(x.as.mat));
    if (x.kind == VAL_NUM || x.kind == VAL_BOOL)
        return val_bool(false);
    return arg_type_error(I, a, 0, "a matrix, list, record or string");
}

/* mat_size_ok runs first so that r * c cannot wrap around size_t and
 * happen to equal numel. Column-major storage makes reshape keep the
 * elements in memory order: element k of A is element k of the result.
 * The result is a new matrix (mat_reshape copies), so writing into it
 * never reaches A. */
static Value bi_reshape(Interp *I, const Args *a)
{
    size_t r, c;
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return val_error;
    if (!arg_count(I, a, 1, &r) || !arg_count(I, a, 2, &c)) {
        mat_unref(m);
        return val_error;
    }
    Value out;
    if (!mat_size_ok(r, c) || r * c != mat_numel(m))
        out = bi_error(I, a, "cannot reshape %zux%zu (%zu elements) into %zux%zu",
                       m->rows, m->cols, mat_numel(m), r, c);
    else
        out = bi_mat(I, a, mat_reshape(m, r, c));
    mat_unref(m);
    return out;
}

/* A vector of either orientation (a 1x1 included) becomes a square
 * diagonal matrix; anything else gives its main diagonal as a column. So
 * diag(diag(v)) is v as a column, and a 0x0 matrix gives a 0x1 column.
 * n x n can pass the element limit; mat_new's NULL then reaches bi_mat,
 * which reports it. */
static Value bi_diag(Interp *I, const Args *a)
{
    Matrix *m = arg_mat(I, a, 0), *out;
    if (!m)
        return val_error;
    if (mat_is_vector(m)) {
        size_t n = mat_numel(m);
        out = mat_new(n, n);
        for (size_t k = 0; out && k < n; k++)
            MAT_AT(out, k, k) = m->data[k];
    } else {
        size_t n = m->rows < m->cols ? m->rows : m->cols;
        out = mat_new_uninit(n, 1);
        for (size_t k = 0; out && k < n; k++)
            out->data[k] = MAT_AT(m, k, k);
    }
    mat_unref(m);
    return bi_mat(I, a, out);
}

/* repmat(A, m) tiles m x m (shape_args). rows*p, cols*q and their product
 * are checked one by one because each of them could wrap size_t; with p
 * or q zero the result is empty whatever A is, and new_checked suffices.
 * The result is empty whenever A is, so the modulo never divides by 0. */
static Value bi_repmat(Interp *I, const Args *a)
{
    size_t p, q;
    Matrix *m = arg_mat(I, a, 0);
    if (!m)
        return val_error;
    if (!shape_args(I, a, 1, &p, &q)) {
        mat_unref(m);
        return val_error;
    }
    Value out = val_error;
    if (p && q && (!mat_size_ok(m->rows, p) || !mat_size_ok(m->cols, q) ||
                   !mat_size_ok(m->rows * p, m->cols * q)))
        bi_error(I, a, "result of %zu x %zu copies of %zux%zu is too large", p, q,
                 m->rows, m->cols);
    else {
        Matrix *o = new_checked(I, a, m->rows * p, m->cols * q);
        for (size_t j = 0; o && j < o->cols; j++)
            for (size_t i = 0; i < o->rows; i++)
                MAT_AT(o, i, j) = MAT_AT(m, i % m->rows, j % m->cols);
        out = o ? val_mat(o) : val_error;
    }
    mat_unref(m);
    return out;
}

/* A variadic built-in gets exactly one slot per argument passed, so a->n
 * counts the blocks plus dim. The kinds are checked here so the message
 * names the argument; ops_concat, the code of matrix literals, checks the
 * shapes, drops 0x0 blocks and only borrows the values. */
static Value bi_cat(Interp *I, const Args *a)
{
    int dim;
    if (!arg_dim(I, a, 0, &dim))
        return val_error;
    for (int i = 1; i < a->n; i++)
        if (!ops_is_scalar(a->v[i]) && a->v[i].kind != VAL_MAT)
            return arg_type_error(I, a, i, "a matrix");
    return ops_concat(&I->err, a->v + 1, a->n - 1, dim == 2, "cat", NULL);
}

static Value bi_type(Interp *I, const Args *a)
{
    (void)I;
    return val_str(val_type_name(a->v[0]));
}

/* Octave's definition: the largest dimension, except that any empty
 * matrix has length 0 (a 0x3 too, not 3). */
static Value bi_length(Interp *I, const Args *a)
{
    Value x = a->v[0];
    if (x.kind == VAL_LIST)
        return val_num((double)x.as.list->n);
    if (x.kind == VAL_STR)
        return val_num((double)x.as.str->len);
    if (x.kind == VAL_MAT)
        return val_num(mat_is_empty(x.as.mat) ? 0 :
                       (double)(x.as.mat->rows > x.as.mat->cols ? x.as.mat->rows
                                                                : x.as.mat->cols));
    if (x.kind == VAL_NUM || x.kind == VAL_BOOL)
        return val_num(1);
    return arg_type_error(I, a, 0, "a matrix, list or string");
}

/* Value semantics: the caller's list is never changed. The argument slot
 * still holds a reference, so the list is always shared here and
 * val_unique_list always makes a shallow copy (the items themselves are
 * shared by reference): growing a list of n items with append costs
 * O(n^2) item copies. */
static Value bi_append(Interp *I, const Args *a)
{
    if (a->v[0].kind != VAL_LIST)
        return arg_type_error(I, a, 0, "a list");
    Value l = val_ref(a->v[0]);
    val_unique_list(&l);
    list_push(l.as.list, val_ref(a->v[1]));
    return l;
}

/* Field names in the record's own order (records keep insertion order),
 * each copied into a new string of the list. */
static Value bi_keys(Interp *I, const Args *a)
{
    if (a->v[0].kind != VAL_REC)
        return arg_type_error(I, a, 0, "a record");
    const Record *r = a->v[0].as.rec;
    Value l = val_list_new(r->n);
    for (size_t i = 0; i < r->n; i++)
        list_push(l.as.list, val_str(r->keys[i]));
    return l;
}

/* A value that is not a record has no fields: false rather than an
 * error, so isfield can probe a value of unknown type. */
static Value bi_isfield(Interp *I, const Args *a)
{
    const char *k = arg_str(I, a, 1);
    if (!k)
        return val_error;
    return val_bool(a->v[0].kind == VAL_REC && rec_get(a->v[0].as.rec, k));
}

/* A string comes back as itself: format_compact would quote it, as it
 * does inside a list. Everything else takes that one-line form: a number
 * as print shows it (%.10g), a small matrix as [1, 2; 3, 4], and one of
 * more than 12 elements only as "<rxc matrix>". */
static Value bi_num2str(Interp *I, const Args *a)
{
    (void)I;
    StrBuf b;
    sb_init(&b);
    if (a->v[0].kind == VAL_STR)
        sb_puts(&b, a->v[0].as.str->s);
    else
        format_compact(&b, a->v[0]);
    Value s = val_str(b.s);
    sb_free(&b);
    return s;
}

const Builtin builtins_core[] = {
    {"zeros", 0, 2, "zeros(rows, cols)", "matrix of zeros; zeros(n) is n x n", bi_zeros},
    {"ones", 0, 2, "ones(rows, cols)", "matrix of ones; ones(n) is n x n", bi_ones},
    {"eye", 0, 2, "eye(rows, cols)", "identity matrix; eye(n) is n x n", bi_eye},
    {"logspace", 2, 3, "logspace(a, b, n)", "row of n (default 50) points from 10^a to "
     "10^b, equally spaced in log10", bi_logspace},
    {"linspace", 2, 3, "linspace(a, b, n)", "row of n (default 100) equally spaced "
     "points from a to b inclusive", bi_linspace},
    {"size", 1, 2, "size(A, dim)", "[rows, cols] of A; size(A, 1) rows, size(A, 2) cols", bi_size},
    {"rows", 1, 1, "rows(A)", "number of rows", bi_rows},
    {"cols", 1, 1, "cols(A)", "number of columns", bi_cols},
    {"numel", 1, 1, "numel(A)", "number of elements (items of a list, bytes of a string)", bi_numel},
    {"length", 1, 1, "length(x)", "largest dimension of a matrix, items of a list, "
     "length of a string", bi_length},
    {"isempty", 1, 1, "isempty(x)", "true for a matrix with no elements, an empty "
     "list, record or string", bi_isempty},
    {"reshape", 3, 3, "reshape(A, rows, cols)", "the same elements in column-major "
     "order, in a new shape", bi_reshape},
    {"diag", 1, 1, "diag(x)", "diagonal matrix from a vector, or the diagonal of a "
     "matrix as a column", bi_diag},
    {"repmat", 2, 3, "repmat(A, m, n)", "A tiled m times down and n times across", bi_repmat},
    {"cat", 1, -1, "cat(dim, A, ...)", "concatenation along dim 1 (stack) or 2 (side by "
     "side)", bi_cat},
    {"type", 1, 1, "type(x)", "the type name: number, bool, string, matrix, list, "
     "record, function, builtin", bi_type},
    {"append", 2, 2, "append(list, x)", "a copy of list with x added at the end", bi_append},
    {"keys", 1, 1, "keys(r)", "the field names of a record, as a list of strings", bi_keys},
    {"isfield", 2, 2, "isfield(r, name)", "true when record r has the named field", bi_isfield},
    {"num2str", 1, 1, "num2str(x)", "a value as a string, in the form print shows", bi_num2str},
    BUILTIN_END,
};
