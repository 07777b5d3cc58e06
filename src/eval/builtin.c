/* builtin.c: registration, the central dispatcher (arity, named
 * arguments) and the argument helpers shared by every family.
 *
 * Arity, named arguments and the location of a built-in's errors are
 * handled here once, so a family's function only checks types, through
 * the arg_* helpers, and every such message has one shape:
 * `name: argument i (param) must be ..., got ...`. The helpers raise
 * their errors unlocated; the dispatcher places them at the call. */
#include "eval/builtin.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "ad/ad.h"
#include "value/ops.h"

/* A built-in lives in its global symbol beside the symbol's value, which
 * wins once set: assigning the name as a global hides the built-in from
 * then on, a local of that name only inside its function. A later row
 * with the same name replaces an earlier one. */
void builtin_register_all(Interp *I, const Builtin *const *families)
{
    for (int f = 0; families[f]; f++)
        for (const Builtin *b = families[f]; b->name; b++)
            sym_intern(I, b->name)->builtin = b;
}

/* ---- parameters from the signature ------------------------------ */

/* The signature is the only record of the parameter names: parameter i
 * is the i-th comma-separated entry after '(', up to a space, '=', ','
 * or ')'. A default value in a signature therefore must not contain a
 * comma. Names longer than n - 1 are cut. */
void builtin_param_name(const Builtin *bi, int i, char *buf, size_t n)
{
    buf[0] = '\0';
    const char *p = strchr(bi->signature, '(');
    if (!p)
        return;
    p++;
    for (int k = 0; k < i; k++) {
        p = strchr(p, ',');
        if (!p)
            return;
        p++;
    }
    while (*p == ' ')
        p++;
    size_t len = strcspn(p, " =,)");
    if (len >= n)
        len = n - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
}

/* "..." (a variadic tail) is never a name that can be given. No built-in
 * has anywhere near 32 parameters; the bound only stops the scan. */
int builtin_param_index(const Builtin *bi, const char *name)
{
    char buf[64];
    for (int i = 0; i < 32; i++) {
        builtin_param_name(bi, i, buf, sizeof buf);
        if (!buf[0])
            return -1;
        if (strcmp(buf, name) == 0 && strcmp(buf, "...") != 0)
            return i;
    }
    return -1;
}

/* ---- dispatch ---------------------------------------------------- */

/* "expected 1 to 2 arguments, got 3 (usage: ...)": the noun agrees with
 * the last count named, and the usage line says how to call it. */
static Value arity_error(Interp *I, const Builtin *bi, int got, const Loc *loc)
{
    char want[48];
    if (bi->max_args < 0)
        snprintf(want, sizeof want, "at least %d", bi->min_args);
    else if (bi->min_args == bi->max_args)
        snprintf(want, sizeof want, "%d", bi->min_args);
    else
        snprintf(want, sizeof want, "%d to %d", bi->min_args, bi->max_args);
    int last = bi->max_args < 0 || bi->min_args == bi->max_args ? bi->min_args
                                                                : bi->max_args;
    bool one = last == 1;
    return interp_error(I, loc, "%s: expected %s argument%s, got %d (usage: %s)",
                        bi->name, want, one ? "" : "s", got, bi->signature);
}

/* Enough arguments, but a required one was left out (named ones given). */
static Value missing_error(Interp *I, const Builtin *bi, int i, const Loc *loc)
{
    char name[64];
    builtin_param_name(bi, i, name, sizeof name);
    return interp_error(I, loc, "%s: missing argument %d (%s) (usage: %s)", bi->name,
                        i + 1, name, bi->signature);
}

/* The position of "..." among a variadic built-in's parameters; the
 * parameters after it can only be named ("print(x, ..., full)"). -1 for
 * a built-in of fixed arity. */
static int dots_index(const Builtin *bi)
{
    if (bi->max_args >= 0)
        return -1;
    char buf[64];
    for (int i = 0; i < 32; i++) {
        builtin_param_name(bi, i, buf, sizeof buf);
        if (!buf[0] || strcmp(buf, "...") == 0)
            return buf[0] ? i : -1;
    }
    return -1;
}

/* Parameters named after a variadic's "...". */
static int keyword_only_count(const Builtin *bi)
{
    int d = dots_index(bi);
    if (d < 0)
        return 0;
    char buf[64];
    int n = 0;
    for (builtin_param_name(bi, d + 1, buf, sizeof buf); buf[0];
         builtin_param_name(bi, d + 1 + ++n, buf, sizeof buf))
        ;
    return n;
}

/* The slot of parameter k: its position, or for a variadic's keyword-only
 * parameter, its place after the npos positional arguments. */
static int param_slot(const Builtin *bi, int k, int npos)
{
    int d = dots_index(bi);
    return d >= 0 && k > d ? npos + (k - d - 1) : k;
}

/* Puts a named argument (borrowed) in its parameter's slot. The name must
 * be a parameter within the fixed slots, or a variadic's parameter after
 * "..." (which itself cannot be named), and not one already given, by
 * position or by name. */
static bool place_named(Interp *I, const Builtin *bi, Value *slots, int nslots,
                        int npos, const char *name, Value v, const Loc *loc)
{
    int k = builtin_param_index(bi, name);
    if (k >= 0)
        k = param_slot(bi, k, npos);
    if (k < 0 || k >= nslots) {
        Nearest nb;
        nearest_init(&nb, name);
        char param[64], hint[NEAREST_MAX_LEN + 32];
        for (int i = 0; i < 32; i++) {
            builtin_param_name(bi, i, param, sizeof param);
            if (!param[0])
                break;
            if (strcmp(param, "...") != 0)
                nearest_offer(&nb, param);
        }
        interp_error(I, loc, "%s: unknown named argument '%s'%s (usage: %s)",
                     bi->name, name, nearest_hint(&nb, hint, sizeof hint), bi->signature);
        return false;
    }
    if (k < npos || slots[k].kind != VAL_NIL) {
        interp_error(I, loc, "%s: argument '%s' given twice", bi->name, name);
        return false;
    }
    slots[k] = v;
    return true;
}

static bool same_place(const Loc *a, const Loc *b)
{
    return b && a->src == b->src && a->line == b->line && a->col == b->col;
}

/* Borrows args (positional, then named as listed in names); the built-in
 * gets Args whose slots are borrowed too. A built-in with a fixed arity
 * always sees max_args slots, VAL_NIL for those not given; a variadic one
 * sees exactly its positional arguments. Required arguments are counted
 * after the named ones are placed, so one may come by name. I->site is
 * the call site while the built-in runs (restored after, for nested
 * calls), which functions it calls back use as their location. temps
 * becomes Args.temps. */
Value builtin_dispatch(Interp *I, const Builtin *bi, int npos, int nnamed,
                       Value *args, const char **names, int nargout, bool temps,
                       const Loc *loc)
{
    if (bi->max_args >= 0 && npos > bi->max_args)
        return arity_error(I, bi, npos, loc);
    int nslots = bi->max_args >= 0 ? bi->max_args : npos + keyword_only_count(bi);
    Value slots[nslots > 0 ? nslots : 1];
    for (int i = 0; i < nslots; i++)
        slots[i] = i < npos ? args[i] : val_nil;
    for (int i = 0; i < nnamed; i++)
        if (!place_named(I, bi, slots, nslots, npos, names[i], args[npos + i], loc))
            return val_error;
    int given = npos;
    for (int i = npos; i < nslots; i++)
        given += slots[i].kind != VAL_NIL;
    for (int i = 0; i < bi->min_args; i++)
        if (i >= nslots || slots[i].kind == VAL_NIL)
            return given < bi->min_args ? arity_error(I, bi, given, loc)
                                        : missing_error(I, bi, i, loc);
    Args a = {nslots, slots, bi, nargout, temps, bi->max_args >= 0 ? nslots : npos};
    const Loc *saved_site = I->site;
    unsigned long frames = I->unwind.frames;
    I->site = loc;
    /* tracked values exist only while a tape records (inside grad, gd...) */
    bool tracked = I->ad.tape && ad_any_tracked(slots, nslots);
    Value r = tracked ? ad_builtin(&I->ad, bi, &a, loc) : bi->fn(I, &a);
    I->site = saved_site;
    if (VAL_IS_ERR(r) && I->err.located && I->unwind.frames == frames &&
        !same_place(&I->err.loc, loc))
        /* located inside, with no call traced (an operation that grad's
         * reverse sweep could not differentiate): show the way in */
        interp_trace(I, bi->name, loc);
    if (VAL_IS_ERR(r))
        rt_locate(&I->err, loc);
    return r;
}

/* ---- messages ---------------------------------------------------- */

/* Prefixes the built-in's name; unlocated, like every helper here. The
 * message is cut at 511 bytes, far above any real one. */
Value bi_error(Interp *I, const Args *a, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return interp_error(I, NULL, "%s: %s", a->bi->name, msg);
}

/* Takes m; a NULL m (allocation failed, or past MAT_MAX_ELEMS) becomes the
 * error, so a built-in can return bi_mat(I, a, mat_new(...)) directly. */
Value bi_mat(Interp *I, const Args *a, Matrix *m)
{
    return m ? val_mat(m) : bi_error(I, a, "the result is too large (a matrix holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
}

/* The one message shape for a wrong argument: numbered from 1 as in the
 * usage, named from the signature, and describing what came instead
 * ("nothing" for an argument not given). Returns val_error. */
Value arg_type_error(Interp *I, const Args *a, int i, const char *expected)
{
    char name[64], got[64];
    if (i < a->n && a->v[i].kind != VAL_NIL)
        describe_value(a->v[i], got, sizeof got);
    else
        snprintf(got, sizeof got, "nothing");
    if (i >= a->npos && a->npos < a->n) {   /* a keyword-only parameter */
        builtin_param_name(a->bi, dots_index(a->bi) + 1 + (i - a->npos), name, sizeof name);
        return interp_error(I, NULL, "%s: %s must be %s, got %s", a->bi->name, name,
                            expected, got);
    }
    builtin_param_name(a->bi, i, name, sizeof name);
    return interp_error(I, NULL, "%s: argument %d (%s) must be %s, got %s",
                        a->bi->name, i + 1, name, expected, got);
}

/* ---- argument helpers --------------------------------------------- */

/* VAL_NIL in a slot, or a slot past the end, means "not given". */
bool arg_given(const Args *a, int i)
{
    return i < a->n && a->v[i].kind != VAL_NIL;
}

/* A number, a bool or a 1x1 matrix (ops_is_scalar). */
bool arg_num(Interp *I, const Args *a, int i, double *out)
{
    if (arg_given(a, i) && ops_is_scalar(a->v[i])) {
        *out = ops_scalar(a->v[i]);
        return true;
    }
    arg_type_error(I, a, i, "a number");
    return false;
}

bool arg_num_or(Interp *I, const Args *a, int i, double dflt, double *out)
{
    if (!arg_given(a, i)) {
        *out = dflt;
        return true;
    }
    return arg_num(I, a, i, out);
}

/* A whole number below 9e15 in magnitude: under 2^53, where doubles hold
 * every integer exactly, and within a long. */
bool arg_int(Interp *I, const Args *a, int i, long *out)
{
    double x;
    if (arg_given(a, i) && ops_is_scalar(a->v[i])) {
        x = ops_scalar(a->v[i]);
        if (x == floor(x) && fabs(x) < 9e15) {
            *out = (long)x;
            return true;
        }
    }
    arg_type_error(I, a, i, "an integer");
    return false;
}

bool arg_int_or(Interp *I, const Args *a, int i, long dflt, long *out)
{
    if (!arg_given(a, i)) {
        *out = dflt;
        return true;
    }
    return arg_int(I, a, i, out);
}

/* Up to 4 * MAT_MAX_ELEMS, far past any size that could be allocated. A
 * larger whole number gets its own "too large" message, since "must be a
 * non-negative integer" would mislead. */
bool arg_count(Interp *I, const Args *a, int i, size_t *out)
{
    double x;
    if (arg_given(a, i) && ops_is_scalar(a->v[i])) {
        x = ops_scalar(a->v[i]);
        if (x == floor(x) && x >= 0 && x <= 4.0 * MAT_MAX_ELEMS) {
            *out = (size_t)x;
            return true;
        }
        if (x == floor(x) && x > 0) {
            char name[64];
            builtin_param_name(a->bi, i, name, sizeof name);
            interp_error(I, NULL, "%s: argument %d (%s) is too large: %g",
                         a->bi->name, i + 1, name, x);
            return false;
        }
    }
    arg_type_error(I, a, i, "a non-negative integer");
    return false;
}

bool arg_bool(Interp *I, const Args *a, int i, bool *out)
{
    /* true/false, or the numbers 1 and 0 (anything else is likely a slip) */
    if (arg_given(a, i) && (a->v[i].kind == VAL_BOOL ||
                            (a->v[i].kind == VAL_NUM && (a->v[i].as.num == 0 ||
                                                         a->v[i].as.num == 1)))) {
        *out = ops_scalar(a->v[i]) != 0;
        return true;
    }
    arg_type_error(I, a, i, "a bool (true, false, 1 or 0)");
    return false;
}

/* Borrowed: valid while the argument is, that is, during the call. */
const char *arg_str(Interp *I, const Args *a, int i)
{
    if (arg_given(a, i) && a->v[i].kind == VAL_STR)
        return a->v[i].as.str->s;
    arg_type_error(I, a, i, "a string");
    return NULL;
}

/* The caller owns the returned reference (mat_unref). A shared matrix
 * comes back shared: call mat_unique before writing into it. */
Matrix *arg_mat(Interp *I, const Args *a, int i)
{
    if (arg_given(a, i)) {
        Value v = a->v[i];
        if (v.kind == VAL_MAT)
            return mat_ref(v.as.mat);
        if (v.kind == VAL_NUM || v.kind == VAL_BOOL)
            return mat_scalar(ops_scalar(v));
    }
    arg_type_error(I, a, i, "a matrix");
    return NULL;
}

/* arg_mat, then the shape; a wrong one gets the generic message ("must
 * be a square matrix"). */
Matrix *arg_square(Interp *I, const Args *a, int i)
{
    Matrix *m = arg_mat(I, a, i);
    if (m && !mat_is_square(m)) {
        mat_unref(m);
        arg_type_error(I, a, i, "a square matrix");
        return NULL;
    }
    return m;
}

Matrix *arg_vector(Interp *I, const Args *a, int i)
{
    Matrix *m = arg_mat(I, a, i);
    if (m && !mat_is_vector(m)) {
        mat_unref(m);
        arg_type_error(I, a, i, "a vector");
        return NULL;
    }
    return m;
}

/* Anything eval_call_value can call: a closure, a built-in, a partial. */
bool arg_callable(Interp *I, const Args *a, int i)
{
    if (arg_given(a, i) && (a->v[i].kind == VAL_FUNC || a->v[i].kind == VAL_BUILTIN ||
                            a->v[i].kind == VAL_PARTIAL))
        return true;
    arg_type_error(I, a, i, "a function");
    return false;
}

/* 1 for rows, 2 for columns: matrices have no other dimensions. */
bool arg_dim(Interp *I, const Args *a, int i, int *out)
{
    if (arg_given(a, i) && ops_is_scalar(a->v[i])) {
        double x = ops_scalar(a->v[i]);
        if (x == 1 || x == 2) {
            *out = (int)x;
            return true;
        }
    }
    arg_type_error(I, a, i, "a dimension (1 or 2)");
    return false;
}
