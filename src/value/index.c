/* index.c: subscripts. A subscript becomes a list of 0-based positions
 * (an IndexList) checked against the extent; reads gather, writes
 * scatter and grow.
 *
 * Every error is raised into the RtError given, at the location given,
 * and reported as a false or val_error return; nothing here knows the
 * interpreter. A tracked object is read through dispatch_index, which
 * sends it to its rule, and writes involving one are refused (index_set);
 * a tracked subscript is used by its primal, since positions have no
 * derivative. */
#include "value/index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "value/ops.h"

typedef struct IndexList {
    size_t n;         /* positions selected (repeats allowed) */
    size_t *pos;      /* 0-based */
    size_t max;       /* largest position + 1; 0 when none: the extent a
                         read needs and a write grows to */
    bool scalar;      /* a single number (drops the dimension) */
    bool all;         /* `:` */
    size_t rows, cols;/* shape of the subscript matrix, which a linear
                         read by a matrix subscript keeps */
} IndexList;

/* Safe on a list that il_make zeroed and then failed to fill. */
static void il_free(IndexList *il)
{
    free(il->pos);
}

/* malloc, not xmalloc: n comes from the program (a `:` over a huge
 * extent, a big index vector), so running out is the program's error to
 * report, not a reason to abort. At least one slot is allocated so that
 * an empty selection still has a non-NULL pos (NULL means failure). */
static bool il_alloc(RtError *E, IndexList *il, size_t n, const Loc *loc)
{
    il->n = n;
    il->max = 0;
    il->pos = malloc((n ? n : 1) * sizeof *il->pos);
    if (!il->pos)
        rt_raise(E, loc, "out of memory for a subscript of %zu elements", n);
    return il->pos != NULL;
}

/* Stores subscript value x (1-based) as position k. The upper bound lies
 * far above any extent (MAT_MAX_ELEMS); it keeps the conversion to size_t
 * defined and the position arithmetic (row + column * rows) from
 * overflowing. NaN is tested first because it fails every comparison; a
 * whole number below 1 gets a hint, since 0-based habits are the usual
 * cause, unless the extent is empty, where 0 usually came from `end`. */
static bool il_put(RtError *E, IndexList *il, size_t k, double x, size_t extent,
                   const Loc *loc)
{
    if (x != floor(x) || x < 1 || x > 4.0 * MAT_MAX_ELEMS) {
        if (isnan(x))
            rt_raise(E, loc, "subscript is NaN");
        else if (x == 0 && extent == 0)   /* typically x[end] on an empty x */
            rt_raise(E, loc, "subscript 0 is out of range: the extent is 0, "
                         "so there is nothing to index (end is 0 here)");
        else if (x == floor(x) && x < 1)
            rt_raise(E, loc, "subscript %.15g is out of range (subscripts "
                         "start at 1)", x + 0.0);   /* + 0.0: -0 prints as 0 */
        else if (x == floor(x))
            rt_raise(E, loc, "subscript %.17g is too large (a matrix holds at "
                         "most %zu elements)", x, (size_t)MAT_MAX_ELEMS);
        else   /* %.17g: 0.9999999999999999 must not print as 1 */
            rt_raise(E, loc, "subscript %.17g is not a whole number", x);
        return false;
    }
    il->pos[k] = (size_t)x - 1;
    if (il->pos[k] + 1 > il->max)
        il->max = il->pos[k] + 1;
    return true;
}

/* A logical mask selects the positions of its true elements, in
 * increasing order. It may be shorter than the extent (the rest counts as
 * false), and longer only if the extra elements are all false: any true
 * element in a mask longer than the extent is refused rather than
 * guessing which ones were meant. The positions form a column. */
static bool il_from_mask(RtError *E, IndexList *il, const Matrix *m,
                         size_t extent, const Loc *loc)
{
    size_t count = 0, n = mat_numel(m);
    for (size_t i = 0; i < n; i++) {
        if (m->data[i] != 0 && i >= extent) {
            rt_raise(E, loc, "logical mask has %zu elements but the extent "
                     "is %zu, and element %zu is true", n, extent, i + 1);
            return false;
        }
        count += m->data[i] != 0;
    }
    if (!il_alloc(E, il, count, loc))
        return false;
    for (size_t i = 0, k = 0; i < n; i++)
        if (m->data[i] != 0) {
            il->pos[k++] = i;
            il->max = i + 1;
        }
    il->rows = count;
    il->cols = 1;
    return true;
}

/* Turns subscript `s` over an extent into positions. s is borrowed. On
 * failure the error is raised; the caller calls il_free either way.
 * `:` (VAL_NIL) is expanded to every position, so the readers and
 * writers need no special case for it. A bool acts as a one-element
 * mask: true selects the first element, false none. */
static bool il_make(RtError *E, IndexList *il, Value s, size_t extent,
                    const Loc *loc)
{
    memset(il, 0, sizeof *il);
    s = val_primal(s);
    if (s.kind == VAL_NIL) {
        il->all = true;
        il->rows = extent;
        il->cols = 1;
        if (!il_alloc(E, il, extent, loc))
            return false;
        for (size_t i = 0; i < extent; i++)
            il->pos[i] = i;
        il->max = extent;
        return true;
    }
    if (s.kind == VAL_BOOL) {
        il->rows = il->cols = 1;
        if (!il_alloc(E, il, s.as.b ? 1 : 0, loc))
            return false;
        if (s.as.b)
            il->pos[0] = 0, il->max = 1;
        return true;
    }
    if (s.kind == VAL_NUM) {
        il->scalar = true;
        il->rows = il->cols = 1;
        return il_alloc(E, il, 1, loc) && il_put(E, il, 0, s.as.num, extent, loc);
    }
    if (s.kind != VAL_MAT) {
        char d[48];
        describe_value(s, d, sizeof d);
        rt_raise(E, loc, "subscript must be a number, vector or logical "
                     "mask, got %s", d);
        return false;
    }
    const Matrix *m = s.as.mat;
    if (m->logical)
        return il_from_mask(E, il, m, extent, loc);
    il->rows = m->rows;
    il->cols = m->cols;
    if (!il_alloc(E, il, mat_numel(m), loc))
        return false;
    for (size_t i = 0; i < il->n; i++)
        if (!il_put(E, il, i, m->data[i], extent, loc))
            return false;
    return true;
}

/* Reads need every position inside the extent; writes skip this check
 * and grow instead. The message names the largest (1-based) index, the
 * one that is out of range. */
static bool il_check(RtError *E, const IndexList *il, size_t extent,
                     const char *what, const Loc *loc)
{
    if (il->max <= extent)
        return true;
    rt_raise(E, loc, "index %zu out of range: %s is %zu", il->max, what, extent);
    return false;
}

/* With one subscript `end` counts every element (a linear index), with
 * two the rows or the columns. An unset variable (VAL_NIL) has end 0, so
 * that `x[end + 1] = v` starts it at 1. Records have no order to count. */
bool index_end(RtError *E, Value obj, int dim, int nsubs, double *out,
               const Loc *loc)
{
    obj = val_primal(obj);
    switch (obj.kind) {
    case VAL_MAT:
        *out = nsubs == 1 ? (double)mat_numel(obj.as.mat)
               : dim == 0 ? (double)obj.as.mat->rows
               : dim == 1 ? (double)obj.as.mat->cols : 1;
        return true;
    case VAL_NUM: case VAL_BOOL: *out = 1; return true;
    case VAL_LIST: *out = (double)obj.as.list->n; return true;
    case VAL_STR: *out = (double)obj.as.str->len; return true;
    case VAL_NIL: *out = 0; return true;
    default: {
        char d[48];
        describe_value(obj, d, sizeof d);
        rt_raise(E, loc, "'end' has no meaning for %s", d);
        return false;
    }
    }
}

/* ---- reading ---------------------------------------------------- */

/* A number or bool read as a 1x1 matrix, so that x[1], x[1, 1] and
 * x[end] work on scalars. *tmp is the temporary to release afterwards
 * (NULL when obj already is a matrix; mat_unref ignores NULL). */
static Value numeric_view(Value obj, Matrix **tmp)
{
    *tmp = NULL;
    if (obj.kind == VAL_MAT)
        return obj;
    *tmp = mat_scalar(ops_scalar(obj));
    return val_mat(*tmp);
}

/* m[s] with one subscript, as in Octave: a single number gives a number;
 * `:` gives a column of every element; a vector indexed by a vector keeps
 * the orientation of m (a row stays a row, a 1x1 source counts as a row);
 * otherwise the result takes the subscript's shape (a mask gives a
 * column). The positions are column-major. */
static Value get_linear(RtError *E, const Matrix *m, Value s, const Loc *loc)
{
    IndexList il;
    Value r = val_error;
    if (il_make(E, &il, s, mat_numel(m), loc) &&
        il_check(E, &il, mat_numel(m), "number of elements", loc)) {
        if (il.scalar) {
            r = val_num(m->data[il.pos[0]]);
        } else {
            size_t rows = il.rows, cols = il.cols;
            if (il.all || (mat_is_vector(m) && (rows == 1 || cols == 1)))
                rows = m->rows == 1 && !il.all ? 1 : il.n, cols = m->rows == 1 && !il.all ? il.n : 1;
            Matrix *o = mat_new_uninit(rows, cols);
            if (!o)
                r = rt_raise(E, loc, "the selection is too large (a matrix "
                             "holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
            else {
                for (size_t k = 0; k < il.n; k++)
                    o->data[k] = m->data[il.pos[k]];
                r = val_mat(o);
            }
        }
    }
    il_free(&il);
    return r;
}

/* m[si, sj]: the block of the selected rows and columns, in the order
 * given (repeats allowed); a number when both subscripts are numbers.
 * b is zeroed first so il_free is safe when si already failed. */
static Value get_2d(RtError *E, const Matrix *m, Value si, Value sj, const Loc *loc)
{
    IndexList a, b;
    memset(&b, 0, sizeof b);
    Value r = val_error;
    if (il_make(E, &a, si, m->rows, loc) && il_check(E, &a, m->rows, "number of rows", loc) &&
        il_make(E, &b, sj, m->cols, loc) && il_check(E, &b, m->cols, "number of columns", loc)) {
        if (a.scalar && b.scalar) {
            r = val_num(MAT_AT(m, a.pos[0], b.pos[0]));
        } else {
            Matrix *o = mat_new_uninit(a.n, b.n);
            if (!o)
                r = rt_raise(E, loc, "the selection is too large (a matrix "
                             "holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
            else {
                for (size_t j = 0; j < b.n; j++)
                    for (size_t i = 0; i < a.n; i++)
                        MAT_AT(o, i, j) = MAT_AT(m, a.pos[i], b.pos[j]);
                r = val_mat(o);
            }
        }
    }
    il_free(&a);
    il_free(&b);
    return r;
}

/* A number gives the item itself (a new reference); a vector, `:` or a
 * mask gives a new list sharing the selected items. */
static Value get_list(RtError *E, const List *l, Value s, const Loc *loc)
{
    IndexList il;
    Value r = val_error;
    if (il_make(E, &il, s, l->n, loc) && il_check(E, &il, l->n, "list length", loc)) {
        if (il.scalar)
            r = val_ref(l->items[il.pos[0]]);
        else {
            r = val_list_new(il.n);
            for (size_t k = 0; k < il.n; k++)
                list_push(r.as.list, val_ref(l->items[il.pos[k]]));
        }
    }
    il_free(&il);
    return r;
}

/* Always a string, even of one character: there is no character type.
 * Positions count bytes, not UTF-8 characters. */
static Value get_string(RtError *E, const Str *str, Value s, const Loc *loc)
{
    IndexList il;
    Value r = val_error;
    if (il_make(E, &il, s, str->len, loc) && il_check(E, &il, str->len, "string length", loc)) {
        char *buf = xmalloc(il.n + 1);
        for (size_t k = 0; k < il.n; k++)
            buf[k] = str->s[il.pos[k]];
        r = val_strn(buf, il.n);
        free(buf);
    }
    il_free(&il);
    return r;
}

/* R["name"] reads the field R.name; it lets a program pick a field by a
 * computed name. */
static Value get_record(RtError *E, const Record *rec, Value s, const Loc *loc)
{
    if (s.kind != VAL_STR)
        return rt_raise(E, loc, "a record is indexed by a field name string");
    Value *f = rec_get(rec, s.as.str->s);
    char hint[NEAREST_MAX_LEN + 32];
    return f ? val_ref(*f) : rt_raise(E, loc, "record has no field '%s'%s", s.as.str->s,
                                      rec_field_hint(rec, s.as.str->s, hint, sizeof hint));
}

static Value subs_count_error(RtError *E, int nsubs, const char *what, const Loc *loc)
{
    return rt_raise(E, loc, "%s takes one subscript, got %d", what, nsubs);
}

/* Borrows obj and subs; returns a new reference or val_error. Matrices
 * take one or two subscripts (there are no higher dimensions); lists,
 * strings and records exactly one. */
Value index_get(RtError *E, Value obj, int nsubs, const Value *subs,
                const Loc *loc)
{
    switch (obj.kind) {
    case VAL_NUM: case VAL_BOOL: case VAL_MAT: {
        if (nsubs < 1 || nsubs > 2)
            return rt_raise(E, loc, "a matrix takes one or two subscripts, got %d", nsubs);
        Matrix *tmp;
        Value m = numeric_view(obj, &tmp);
        Value r = nsubs == 1 ? get_linear(E, m.as.mat, subs[0], loc)
                             : get_2d(E, m.as.mat, subs[0], subs[1], loc);
        mat_unref(tmp);
        return r;
    }
    case VAL_LIST:
        return nsubs == 1 ? get_list(E, obj.as.list, subs[0], loc)
                          : subs_count_error(E, nsubs, "a list", loc);
    case VAL_STR:
        return nsubs == 1 ? get_string(E, obj.as.str, subs[0], loc)
                          : subs_count_error(E, nsubs, "a string", loc);
    case VAL_REC:
        return nsubs == 1 ? get_record(E, obj.as.rec, subs[0], loc)
                          : subs_count_error(E, nsubs, "a record", loc);
    default: {
        char d[48];
        describe_value(obj, d, sizeof d);
        return rt_raise(E, loc, "cannot index %s", d);
    }
    }
}

/* ---- writing ---------------------------------------------------- */

/* The right-hand side as a matrix of count elements (or a scalar). A
 * scalar (number, bool or 1x1 matrix) goes to every selected element;
 * otherwise the element count must match, but not the shape: the values
 * are taken in column-major order, so A[1:4] = [1, 2; 3, 4] is allowed.
 * *data borrows rhs's storage, which index_set keeps alive until the
 * write is done. When rhs is the very matrix written (A[:] = A) it holds
 * a reference of its own, so mat_unique has already copied the target
 * and *data still reads the old elements. */
static bool rhs_values(RtError *E, Value rhs, size_t count, const double **data,
                       double *scalar, const Loc *loc)
{
    if (ops_is_scalar(rhs) && rhs.kind != VAL_STR) {
        *scalar = ops_scalar(rhs);
        *data = NULL;
        return true;
    }
    if (rhs.kind != VAL_MAT) {
        char d[48];
        describe_value(rhs, d, sizeof d);
        rt_raise(E, loc, "cannot store %s in a matrix", d);
        return false;
    }
    if (mat_numel(rhs.as.mat) != count) {
        rt_raise(E, loc, "cannot assign %zux%zu values to %zu selected elements",
                     rhs.as.mat->rows, rhs.as.mat->cols, count);
        return false;
    }
    *data = rhs.as.mat->data;
    return true;
}

/* Resizes m (uniquely owned) to rows x cols, new elements 0. Fails past
 * MAT_MAX_ELEMS or when memory runs out. */
static bool grow(RtError *E, Matrix *m, size_t rows, size_t cols, const Loc *loc)
{
    if (rows == m->rows && cols == m->cols)
        return true;
    if (mat_resize(m, rows, cols))
        return true;
    rt_raise(E, loc, "cannot grow the matrix to %zux%zu", rows, cols);
    return false;
}

/* m[s] = rhs. A linear subscript may grow only a vector or an empty
 * matrix: a column grows downwards, anything else (a row, 1x1, 0x0) along
 * its row. A 2-D matrix has no obvious shape to grow to, so it asks for
 * two subscripts. The rhs is checked before anything is resized, so a
 * failed assignment leaves the elements as they were. */
static bool set_linear(RtError *E, Matrix *m, Value s, Value rhs, const Loc *loc)
{
    IndexList il;
    const double *data;
    double x;
    bool ok = il_make(E, &il, s, mat_numel(m), loc) &&
              rhs_values(E, rhs, il.n, &data, &x, loc);
    if (ok && il.max > mat_numel(m)) {
        if (!mat_is_vector(m) && !mat_is_empty(m)) {
            rt_raise(E, loc, "index %zu out of range: a %zux%zu matrix only "
                         "grows through two subscripts", il.max, m->rows, m->cols);
            ok = false;
        } else {
            bool column = m->cols == 1 && m->rows > 1;
            ok = grow(E, m, column ? il.max : 1, column ? 1 : il.max, loc);
        }
    }
    for (size_t k = 0; ok && k < il.n; k++)
        m->data[il.pos[k]] = data ? data[k] : x;
    il_free(&il);
    return ok;
}

/* The extent a subscript ranges over when writing: the dimension's own,
 * except that `:` over an empty dimension takes the right-hand side's
 * (1 for a scalar), as in Octave: x = []; x[:, 2] = [1; 2] gives a 2x2
 * matrix, where `:` over no rows would write nothing. */
static size_t write_extent(Value s, size_t own, Value rhs, bool rows)
{
    if (s.kind != VAL_NIL || own != 0)
        return own;
    if (rhs.kind != VAL_MAT)
        return 1;
    return rows ? rhs.as.mat->rows : rhs.as.mat->cols;
}

/* m[si, sj] = rhs: grows to cover the largest row and column named (new
 * elements 0), then scatters the values column-major over the block. */
static bool set_2d(RtError *E, Matrix *m, Value si, Value sj, Value rhs, const Loc *loc)
{
    IndexList a, b;
    memset(&b, 0, sizeof b);
    const double *data;
    double x;
    bool ok = il_make(E, &a, si, write_extent(si, m->rows, rhs, true), loc) &&
              il_make(E, &b, sj, write_extent(sj, m->cols, rhs, false), loc) &&
              rhs_values(E, rhs, a.n * b.n, &data, &x, loc);
    if (ok)
        ok = grow(E, m, a.max > m->rows ? a.max : m->rows,
                  b.max > m->cols ? b.max : m->cols, loc);
    for (size_t j = 0; ok && j < b.n; j++)
        for (size_t i = 0; i < a.n; i++)
            MAT_AT(m, a.pos[i], b.pos[j]) = data ? data[i + j * a.n] : x;
    il_free(&a);
    il_free(&b);
    return ok;
}

/* Writes into a numeric target: an unset variable becomes an empty
 * matrix (x[3] = 1 gives [0, 0, 1]) and a number or bool a 1x1 one; then
 * the matrix is unshared (copy-on-write). The result is no longer a mask:
 * the values written need not be 0 or 1, and a mask holding a 2 would
 * still index as one. */
static bool set_matrix(RtError *E, Value *target, int nsubs, const Value *subs,
                       Value rhs, const Loc *loc)
{
    if (nsubs < 1 || nsubs > 2) {
        rt_raise(E, loc, "a matrix takes one or two subscripts, got %d", nsubs);
        return false;
    }
    if (target->kind != VAL_MAT) {
        Matrix *m = target->kind == VAL_NIL ? mat_new(0, 0) : mat_scalar(ops_scalar(*target));
        *target = val_mat(m);
    }
    if (!mat_unique(&target->as.mat)) {
        rt_raise(E, loc, "the selection is too large (a matrix holds at "
                 "most %zu elements)", (size_t)MAT_MAX_ELEMS);
        return false;
    }
    target->as.mat->logical = false;
    return nsubs == 1 ? set_linear(E, target->as.mat, subs[0], rhs, loc)
                      : set_2d(E, target->as.mat, subs[0], subs[1], rhs, loc);
}

/* L[k] = v for one whole number k from 1 to n + 1; n + 1 appends, so
 * L[end + 1] = v grows a list. A list cannot grow further than that:
 * unlike a matrix it has no zero to fill a gap with. No masks or ranges. */
static bool set_list(RtError *E, Value *target, int nsubs, const Value *subs,
                     Value rhs, const Loc *loc)
{
    if (nsubs != 1) {
        subs_count_error(E, nsubs, "a list", loc);
        return false;
    }
    double k = ops_is_scalar(subs[0]) && subs[0].kind != VAL_STR ? ops_scalar(subs[0]) : -1;
    size_t n = target->as.list->n;
    if (k != floor(k) || k < 1 || k > (double)n + 1) {
        rt_raise(E, loc, "list subscript must be an integer from 1 to %zu "
                     "(one past the end appends)", n + 1);
        return false;
    }
    val_unique_list(target);
    List *l = target->as.list;
    if ((size_t)k == n + 1)
        list_push(l, val_ref(rhs));
    else {
        val_unref(l->items[(size_t)k - 1]);
        l->items[(size_t)k - 1] = val_ref(rhs);
    }
    return true;
}

/* R["f"] = v, the same as R.f = v: replaces the field or adds it. */
static bool set_record(RtError *E, Value *target, int nsubs, const Value *subs,
                       Value rhs, const Loc *loc)
{
    if (nsubs != 1) {
        subs_count_error(E, nsubs, "a record", loc);
        return false;
    }
    if (subs[0].kind != VAL_STR) {
        rt_raise(E, loc, "a record is indexed by a field name string");
        return false;
    }
    val_unique_rec(target);
    rec_set(target->as.rec, subs[0].as.str->s, val_ref(rhs));
    return true;
}

/* Takes rhs on every path. The tape records operations on whole values
 * and keeps their inputs; a write in place into a tracked matrix would
 * change a primal the tape saved, and a tracked value stored into a plain
 * matrix (which holds doubles) would lose its derivative, so both are
 * refused with a hint at what works. A list or record holds values as
 * they are, so a tracked item may go there. On failure the target holds
 * its old elements, though it may have been converted (unset to empty,
 * number to 1x1) or unshared on the way. */
bool index_set(RtError *E, Value *target, int nsubs, const Value *subs,
               Value rhs, const Loc *loc)
{
    bool ok;
    if (target->kind == VAL_VAR || (rhs.kind == VAL_VAR && target->kind != VAL_LIST &&
                                    target->kind != VAL_REC)) {
        rt_raise(E, loc, "cannot assign into part of a matrix being "
                     "differentiated; build it with [ ... ] or masks instead");
        val_unref(rhs);
        return false;
    }
    switch (target->kind) {
    case VAL_LIST: ok = set_list(E, target, nsubs, subs, rhs, loc); break;
    case VAL_REC: ok = set_record(E, target, nsubs, subs, rhs, loc); break;
    case VAL_NIL: case VAL_NUM: case VAL_BOOL: case VAL_MAT:
        ok = set_matrix(E, target, nsubs, subs, rhs, loc);
        break;
    default: {
        char d[48];
        describe_value(*target, d, sizeof d);
        rt_raise(E, loc, "cannot assign into %s by subscript", d);
        ok = false;
    }
    }
    val_unref(rhs);
    return ok;
}

/* ---- positions (for the derivative of a subscript) --------------- */

/* The rule of obj[subs] adds the adjoint of the result back into these
 * positions, so they must be exactly the ones the read gathered, in the
 * same order, repeats included (a repeated position accumulates). */

/* The block's positions as linear indices into a rows x cols matrix,
 * column-major like the result of get_2d. */
static bool positions_2d(RtError *E, size_t rows, size_t cols, Value si, Value sj,
                         size_t **pos, size_t *n, const Loc *loc)
{
    IndexList a, b;
    memset(&b, 0, sizeof b);
    bool ok = il_make(E, &a, si, rows, loc) && il_check(E, &a, rows, "number of rows", loc) &&
              il_make(E, &b, sj, cols, loc) && il_check(E, &b, cols, "number of columns", loc);
    if (ok) {
        *n = a.n * b.n;
        *pos = xmalloc((*n ? *n : 1) * sizeof **pos);
        for (size_t j = 0; j < b.n; j++)
            for (size_t i = 0; i < a.n; i++)
                (*pos)[i + j * a.n] = a.pos[i] + b.pos[j] * rows;
    }
    il_free(&a);
    il_free(&b);
    return ok;
}

/* With one subscript the IndexList's own array is handed over as *pos
 * (not freed here); the caller frees it. A number counts as 1x1. */
bool index_positions(RtError *E, Value obj, int nsubs, const Value *subs,
                     size_t **pos, size_t *n, const Loc *loc)
{
    size_t rows = obj.kind == VAL_MAT ? obj.as.mat->rows : 1;
    size_t cols = obj.kind == VAL_MAT ? obj.as.mat->cols : 1;
    if (nsubs == 2)
        return positions_2d(E, rows, cols, subs[0], subs[1], pos, n, loc);
    IndexList il;
    bool ok = il_make(E, &il, subs[0], rows * cols, loc) &&
              il_check(E, &il, rows * cols, "number of elements", loc);
    if (ok) {
        *pos = il.pos;
        *n = il.n;
        return true;
    }
    il_free(&il);
    return false;
}
