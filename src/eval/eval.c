/* eval.c: the tree walker. Each node kind has one small function; the
 * two dispatchers at the bottom pick them. Runtime errors are returned as
 * val_error with the details in the interpreter (no longjmp), so every
 * temporary is released on every path.
 *
 * val_error carries two kinds of news, told apart by I->sig: a runtime
 * error (SIG_ERROR, message in I->err) and the control signals break,
 * continue and return (return's value waits in I->ret). A node function
 * passes val_error up untouched; only loops, calls and the top level
 * consume signals. Errors raised below the evaluator (ops, index, the
 * tape) fill I->err only, and eval() marks them SIG_ERROR on the way out.
 *
 * Every eval_* and exec_* returns a new reference, or val_error; a value
 * read from a variable is val_ref'd, never handed out borrowed. */
#include "eval/eval.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "eval/builtin.h"
#include "eval/fuse.h"
#include "eval/vm.h"
#include "eval/walk.h"
#include "ad/dispatch.h"
#include "value/format.h"
#include "value/index.h"
#include "value/ops.h"

static inline Value eval(Interp *I, AstNode *n);
static Value exec_block(Interp *I, AstNode *block);
static Value stack_full_error(Interp *I, const Loc *loc);

/* Ctrl-C found by a poll: the error "interrupted" at loc, exit status
 * 130. */
static Value interrupted_at(Interp *I, const Loc *loc)
{
    interp_error(I, loc, "interrupted");
    I->err.code = EXIT_INTERRUPT;
    return val_error;
}

/* ------------------------------------------------------------------ */
/* closures                                                            */

/* Captures the upvalues of a function from the current frame. Capture is
 * by value: the closure takes its own reference to each value as it is
 * now, and later assignments on either side are not seen by the other.
 * RES_SELF captures the running closure, which is how a nested function
 * calls the function it sits in by name. With no frame (the top level)
 * the upvalues are the globals an anonymous fn captures, read from their
 * symbols now; one still unassigned stays VAL_NIL and eval_ident falls
 * back to its symbol at call time. */
static Value make_closure(Interp *I, AstNode *fnode)
{
    FuncInfo *info = fnode->fn;
    Closure *c = closure_new(fnode, fnode->str, info->nupvals);
    Frame *f = I->frame;
    for (int i = 0; i < info->nupvals && f; i++) {
        const Upval *u = &info->upvals[i];
        if (u->from == RES_LOCAL)
            c->upvals[i] = val_ref(f->locals[u->index]);
        else if (u->from == RES_UPVAL)
            c->upvals[i] = val_ref(f->closure->upvals[u->index]);
        else
            c->upvals[i] = val_ref((Value){.kind = VAL_FUNC, .as.fn = f->closure});
    }
    for (int i = 0; i < info->nupvals && !f; i++)
        c->upvals[i] = val_ref(info->upvals[i].sym->value);
    return (Value){.kind = VAL_FUNC, .as.fn = c};
}

/* ------------------------------------------------------------------ */
/* names                                                               */

/* The storage of a resolved name: a local slot of the running frame, an
 * upvalue of the running closure or the global's symbol; NULL for
 * RES_SELF, which has no storage. VAL_NIL in it means unassigned. The
 * pointer is valid until the frame ends. Upvalues are only ever read:
 * assigning a name anywhere in a function makes it a local there. */
static Value *ident_slot(Interp *I, AstNode *n)
{
    switch (n->res.kind) {
    case RES_LOCAL: return &I->frame->locals[n->res.slot];
    case RES_UPVAL: return &I->frame->closure->upvals[n->res.slot];
    case RES_GLOBAL: return &n->res.sym->value;
    default: return NULL;
    }
}

/* The known name nearest to an undefined one: the running function's
 * locals and captures, then the globals with a value and the built-ins. */
static const char *undefined_hint(Interp *I, const char *name, char *buf, size_t n)
{
    Nearest nb;
    nearest_init(&nb, name);
    const Closure *c = I->frame ? I->frame->closure : NULL;
    if (c) {
        const FuncInfo *info = c->node->fn;
        for (int i = 0; i < info->nlocals; i++)
            nearest_offer(&nb, info->locals[i]);
        for (int i = 0; i < info->nupvals; i++)
            nearest_offer(&nb, info->upvals[i].name);
    }
    for (size_t b = 0; b < I->nbuckets; b++)
        for (const Sym *s = I->buckets[b]; s; s = s->next)
            if (s->value.kind != VAL_NIL || s->builtin)
                nearest_offer(&nb, s->name);
    return nearest_hint(&nb, buf, n);
}

/* A variable with a value wins, so a global assigned the name of a
 * built-in hides the built-in. Otherwise the symbol's built-in, if any.
 * The two error messages explain the rules that surprise people: capture
 * by value, and assignment making a name local to the whole function. */
static Value eval_ident(Interp *I, AstNode *n)
{
    if (n->res.kind == RES_SELF)
        return val_ref((Value){.kind = VAL_FUNC, .as.fn = I->frame->closure});
    Value *slot = ident_slot(I, n);
    if (slot && slot->kind != VAL_NIL)
        return val_ref(*slot);
    Sym *sym = n->res.kind == RES_GLOBAL ? n->res.sym : NULL;
    if (n->res.kind == RES_UPVAL) {
        const Upval *u = &I->frame->closure->node->fn->upvals[n->res.slot];
        if (!u->sym)
            return interp_error(I, &n->loc, "undefined variable '%s' (a closure "
                                "captures values when it is made, and '%s' had "
                                "none yet)", n->str, n->str);
        sym = u->sym;   /* a global unassigned at capture: read it now */
        if (sym->value.kind != VAL_NIL)
            return val_ref(sym->value);
    }
    if (sym && sym->builtin)
        return val_builtin(sym->builtin);
    if (n->res.kind == RES_LOCAL)
        return interp_error(I, &n->loc, "local variable '%s' is used before it is "
                            "assigned (assigning '%s' anywhere in this function makes "
                            "it local to the whole function)", n->str, n->str);
    char hint[NEAREST_MAX_LEN + 32];
    return interp_error(I, &n->loc, "undefined variable '%s'%s", n->str,
                        undefined_hint(I, n->str, hint, sizeof hint));
}

/* ------------------------------------------------------------------ */
/* literals                                                            */

/* A string literal makes a new Str each time it is evaluated: the tree's
 * text stays with the tree. */
static Value eval_num(Interp *I, AstNode *n) { (void)I; return val_num(n->num); }
static Value eval_bool(Interp *I, AstNode *n) { (void)I; return val_bool(n->num != 0); }
static Value eval_str(Interp *I, AstNode *n) { (void)I; return val_str(n->str); }

/* `end` means the extent of the innermost subscript being evaluated,
 * which eval_subs has put in I->end. */
static Value eval_end(Interp *I, AstNode *n)
{
    if (!I->end.on)
        return interp_error(I, &n->loc, "'end' used outside a subscript");
    double v;
    if (!index_end(&I->err, I->end.obj, I->end.dim, I->end.nsubs, &v, &n->loc))
        return val_error;
    return val_num(v);
}

/* A whole-subscript `:` is taken by eval_subs without evaluating it; one
 * that reaches here sits inside an expression (A[1 + :], x = :). */
static Value eval_colon(Interp *I, AstNode *n)
{
    return interp_error(I, &n->loc, "':' is only allowed as a whole subscript");
}

/* Evaluates kids[from..] into vals; on error releases what it made. */
static bool eval_all(Interp *I, AstNode *n, int from, Value *vals)
{
    for (int i = from; i < n->nkids; i++) {
        vals[i - from] = eval(I, n->kids[i]);
        if (VAL_IS_ERR(vals[i - from])) {
            for (int j = from; j < i; j++)
                val_unref(vals[j - from]);
            return false;
        }
    }
    return true;
}

/* Releases vals[0..n-1]; val_unref ignores an error value, so one may be
 * among them. */
static void unref_all(Value *vals, int n)
{
    for (int i = 0; i < n; i++)
        val_unref(vals[i]);
}

/* An item of a list or record must be a value ("nothing" is not): what
 * print() returns, or a function whose last statement is an assignment,
 * would read as a missing item later. */
static bool has_value(Interp *I, Value v, const AstNode *n)
{
    if (v.kind != VAL_NIL)
        return true;
    interp_error(I, &n->loc, "this item has no value");
    return false;
}

/* The items are evaluated straight into the list's storage. On failure
 * n stays 0, because eval_all has already released what it made. */
static Value eval_list(Interp *I, AstNode *n)
{
    Value l = val_list_new((size_t)n->nkids);
    if (!eval_all(I, n, 0, l.as.list->items)) {
        l.as.list->n = 0;
        val_unref(l);
        return val_error;
    }
    l.as.list->n = (size_t)n->nkids;
    for (int i = 0; i < n->nkids; i++)
        if (!has_value(I, l.as.list->items[i], n->kids[i])) {
            val_unref(l);
            return val_error;
        }
    return l;
}

/* Fields in the order written; a repeated name keeps the last value
 * ({a: 1, a: 2} has a = 2), as rec_set replaces. */
static Value eval_record(Interp *I, AstNode *n)
{
    Value r = val_rec_new();
    for (int i = 0; i < n->nkids; i++) {
        Value v = eval(I, n->kids[i]->kids[0]);
        if (VAL_IS_ERR(v) || !has_value(I, v, n->kids[i]->kids[0])) {
            val_unref(r);
            return val_error;
        }
        rec_set(r.as.rec, n->kids[i]->str, v);
    }
    return r;
}

/* Concatenates one row of blocks side by side. Through the dispatcher, so
 * that a tracked block is recorded on the tape. */
static Value concat_row(Interp *I, AstNode *row)
{
    int n = row->nkids;
    Value *vals = xcalloc((size_t)n, sizeof *vals);
    Value r = val_error;
    if (eval_all(I, row, 0, vals)) {
        r = dispatch_concat(&I->ad, vals, n, true, "matrix literal", &row->loc);
        unref_all(vals, n);
    }
    free(vals);
    return r;
}

/* [a, b; c, d]: each row joined horizontally, then the rows stacked.
 * [] is the 0x0 matrix, which vanishes when joined to anything. */
static Value eval_matrix(Interp *I, AstNode *n)
{
    if (n->nkids == 0)
        return val_mat(mat_new(0, 0));
    Value *rows = xcalloc((size_t)n->nkids, sizeof *rows);
    Value r = val_nil;
    int done = 0;
    for (; done < n->nkids; done++) {
        rows[done] = concat_row(I, n->kids[done]);
        if (VAL_IS_ERR(rows[done])) {
            r = val_error;
            break;
        }
    }
    if (!VAL_IS_ERR(r))
        r = dispatch_concat(&I->ad, rows, n->nkids, false, "matrix literal", &n->loc);
    unref_all(rows, done);
    free(rows);
    return r;
}

/* from:step:to as a row vector; the count is robust to rounding. The
 * nudges (relative 1e-15, absolute 1e-10) give 0:0.1:0.3 its 4 elements
 * although (0.3 - 0) / 0.1 is 2.9999999999999996 in doubles. A range that
 * runs the wrong way has count 0 (an empty 1x0). */
static bool range_count(Interp *I, double a, double s, double b, size_t *count,
                        const Loc *loc)
{
    if (isnan(a) || isnan(s) || isnan(b) || isinf(a) || isinf(b)) {
        interp_error(I, loc, "range bounds must be finite numbers");
        return false;
    }
    if (s == 0 || isinf(s)) {
        interp_error(I, loc, "range step must be finite and non-zero, got %g", s);
        return false;
    }
    double n = floor((b - a) / s * (1 + 1e-15) + 1e-10) + 1;
    if (n > (double)MAT_MAX_ELEMS) {
        interp_error(I, loc, "range %g:%g:%g has too many elements", a, s, b);
        return false;
    }
    *count = n > 0 ? (size_t)n : 0;
    return true;
}

/* Evaluates the bounds into part[] = {from, step, to}; a:b gets step 1.
 * A tracked bound is read by its primal, so a range is a constant to the
 * tape. */
static bool range_parts(Interp *I, AstNode *n, double part[3])
{
    Value v[3];
    if (!eval_all(I, n, 0, v))
        return false;
    bool ok = true;
    for (int i = 0; i < n->nkids && ok; i++) {
        if (!ops_is_scalar(v[i]) || v[i].kind == VAL_STR) {
            char d[48];
            describe_value(v[i], d, sizeof d);
            interp_error(I, &n->kids[i]->loc, "range bounds must be numbers, got %s", d);
            ok = false;
        } else {
            part[i] = ops_scalar(v[i]);
        }
    }
    unref_all(v, n->nkids);
    if (ok && n->nkids == 2) {
        part[2] = part[1];
        part[1] = 1;
    }
    return ok;
}

static Value eval_range(Interp *I, AstNode *n)
{
    double p[3];
    size_t count;
    if (!range_parts(I, n, p) || !range_count(I, p[0], p[1], p[2], &count, &n->loc))
        return val_error;
    Matrix *m = mat_new_uninit(1, count);
    if (!m)
        return interp_error(I, &n->loc, "a range of %zu elements is too large (a matrix holds at most %zu elements)", count, (size_t)MAT_MAX_ELEMS);
    for (size_t i = 0; i < count; i++)
        m->data[i] = walk_range_element(p, i, count);
    return val_mat(m);
}

/* ------------------------------------------------------------------ */
/* operators                                                           */

/* && and || short-circuit when the left side is a number or bool: the
 * right side runs only when needed, and the result is a bool (0 || 5 is
 * true, not 5); NaN is an error, not false. When the left side is a
 * matrix, or the right side turns out to be one, the operator is
 * elementwise and the result a mask; a matrix on the left evaluates both
 * sides. a needs no release on the scalar path: a number or bool holds no
 * reference. */
static Value eval_logical(Interp *I, AstNode *n)
{
    Value a = eval(I, n->kids[0]);
    if (VAL_IS_ERR(a))
        return a;
    if (a.kind == VAL_NUM || a.kind == VAL_BOOL) {
        bool t;
        if (!ops_truth(&I->err, a, &n->kids[0]->loc, &t))   /* NaN is neither */
            return val_error;
        if ((n->op == OP_AND && !t) || (n->op == OP_OR && t))
            return val_bool(t);
        Value b = eval(I, n->kids[1]);
        if (VAL_IS_ERR(b) || b.kind == VAL_MAT)
            return VAL_IS_ERR(b) ? b : dispatch_binary(&I->ad, n->op, a, b, &n->loc);
        bool u;
        bool ok = ops_truth(&I->err, b, &n->kids[1]->loc, &u);
        val_unref(b);
        return ok ? val_bool(u) : val_error;
    }
    Value b = eval(I, n->kids[1]);
    if (VAL_IS_ERR(b)) {
        val_unref(a);
        return b;
    }
    return dispatch_binary(&I->ad, n->op, a, b, &n->loc);
}

/* A' * B and A * B': the product with a transposed operand, without
 * building the transpose. Only plain matrices of agreeing shapes take the
 * single dgemm call; a scalar, a tracked operand or a shape error builds
 * the transpose and goes the ordinary way, so errors and derivatives are
 * the usual ones. */
static bool is_transposed(const AstNode *n)
{
    return n->kind == AST_UNOP && n->op == OP_TRANSPOSE;
}

static Value eval_product_transposed(Interp *I, AstNode *n)
{
    bool ta = is_transposed(n->kids[0]), tb = is_transposed(n->kids[1]);
    Value a = eval(I, ta ? n->kids[0]->kids[0] : n->kids[0]);
    if (VAL_IS_ERR(a))
        return a;
    Value b = eval(I, tb ? n->kids[1]->kids[0] : n->kids[1]);
    if (VAL_IS_ERR(b)) {
        val_unref(a);
        return b;
    }
    bool plain = a.kind == VAL_MAT && b.kind == VAL_MAT && !ops_is_scalar(a) &&
                 !ops_is_scalar(b);
    size_t ka = plain ? (ta ? a.as.mat->rows : a.as.mat->cols) : 0;
    size_t kb = plain ? (tb ? b.as.mat->cols : b.as.mat->rows) : 1;
    if (plain && ka == kb) {
        Matrix *m = mat_mul(a.as.mat, b.as.mat, ta, tb);
        val_unref(a);
        val_unref(b);
        return m ? val_mat(m) : interp_error(I, &n->loc, "the product is too large (a matrix holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
    }
    if (ta)
        a = dispatch_unary(&I->ad, OP_TRANSPOSE, a, &n->kids[0]->loc);
    if (tb)   /* ops_unary takes b; val_unref ignores an error value */
        b = VAL_IS_ERR(a) ? (val_unref(b), val_error)
                          : dispatch_unary(&I->ad, OP_TRANSPOSE, b, &n->kids[1]->loc);
    if (VAL_IS_ERR(a) || VAL_IS_ERR(b)) {
        val_unref(a);
        val_unref(b);
        return val_error;
    }
    return dispatch_binary(&I->ad, OP_MUL, a, b, &n->loc);
}

/* An operand: a number literal or an assigned variable is read here,
 * without the dispatcher (the leaves of scalar loops); anything else is
 * evaluated as usual. */
static inline Value eval_operand(Interp *I, AstNode *n)
{
    if (n->kind == AST_NUM)
        return val_num(n->num);
    if (n->kind == AST_IDENT && n->res.kind != RES_SELF) {
        Value *slot = ident_slot(I, n);
        if (slot && slot->kind != VAL_NIL)
            return val_ref(*slot);
    }
    return eval(I, n);
}

/* && and || may not evaluate their right side, so they have their own
 * path. Two numbers are combined here without the dispatcher, which
 * would otherwise look for tracked operands on every scalar step. */
static Value eval_binop(Interp *I, AstNode *n)
{
    if (n->op == OP_AND || n->op == OP_OR)
        return eval_logical(I, n);
    Value fused;
    if (fuse_try(I, n, &fused))
        return fused;
    if (n->op == OP_MUL && (is_transposed(n->kids[0]) || is_transposed(n->kids[1])))
        return eval_product_transposed(I, n);
    Value a = eval_operand(I, n->kids[0]);
    if (VAL_IS_ERR(a))
        return a;
    Value b = eval_operand(I, n->kids[1]);
    if (VAL_IS_ERR(b)) {
        val_unref(a);
        return b;
    }
    Value r;
    if (ops_number_binary(n->op, a, b, &r))
        return r;
    return dispatch_binary(&I->ad, n->op, a, b, &n->loc);
}

/* A long left-associative run, folded left to right without recursion
 * (the parser's AST_CHAIN): the same operations, in the same order, as
 * the nested binops it stands for. */
static Value eval_chain(Interp *I, AstNode *n)
{
    Value a = eval_operand(I, n->kids[0]);
    for (int i = 1; i < n->nkids && !VAL_IS_ERR(a); i++) {
        AstNode *link = n->kids[i];
        Value b = eval_operand(I, link->kids[0]);
        if (VAL_IS_ERR(b)) {
            val_unref(a);
            return b;
        }
        Value r;
        a = ops_number_binary(link->op, a, b, &r)
                ? r : dispatch_binary(&I->ad, link->op, a, b, &link->loc);
    }
    return a;
}

static Value eval_unop(Interp *I, AstNode *n)
{
    Value fused;
    if (n->op == OP_NEG && fuse_try(I, n, &fused))
        return fused;
    Value a = eval(I, n->kids[0]);
    if (VAL_IS_ERR(a))
        return a;
    return dispatch_unary(&I->ad, n->op, a, &n->loc);
}

/* ------------------------------------------------------------------ */
/* subscripts and fields                                               */

/* Evaluates subscripts with `end` bound to obj; `:` becomes VAL_NIL.
 * obj is borrowed. The end context is saved and restored around it, so
 * nested subscripts (A[B[end]]) each see their own object. A subscript
 * with no value is refused (VAL_NIL would read as `:`). On failure what
 * was evaluated is released and subs holds nothing. */
static bool eval_subs(Interp *I, AstNode *n, Value obj, Value *subs)
{
    int nsubs = n->nkids - 1;
    EndCtx saved = I->end;
    bool ok = true;
    int i = 0;
    for (; i < nsubs && ok; i++) {
        AstNode *k = n->kids[i + 1];
        I->end.on = true;
        I->end.obj = obj;
        I->end.dim = i;
        I->end.nsubs = nsubs;
        subs[i] = k->kind == AST_COLON ? val_nil : eval(I, k);
        if (VAL_IS_ERR(subs[i]))
            ok = false;
        else if (k->kind != AST_COLON && subs[i].kind == VAL_NIL) {
            interp_error(I, &k->loc, "subscript has no value");
            ok = false;
        }
    }
    I->end = saved;
    if (!ok)
        unref_all(subs, i - 1);
    return ok;
}

/* obj is held until the read is done; the result holds references of
 * its own. */
static Value eval_index(Interp *I, AstNode *n)
{
    Value obj = eval(I, n->kids[0]);
    if (VAL_IS_ERR(obj))
        return obj;
    int nsubs = n->nkids - 1;
    Value subs[nsubs > 0 ? nsubs : 1];
    Value r = val_error;
    if (eval_subs(I, n, obj, subs)) {
        r = dispatch_index(&I->ad, obj, nsubs, subs, &n->loc);
        unref_all(subs, nsubs);
    }
    val_unref(obj);
    return r;
}

/* R.name: only records have fields; the message names what R was. */
static Value eval_field(Interp *I, AstNode *n)
{
    Value obj = eval(I, n->kids[0]);
    if (VAL_IS_ERR(obj))
        return obj;
    Value r;
    if (obj.kind != VAL_REC) {
        char d[48];
        describe_value(obj, d, sizeof d);
        r = interp_error(I, &n->loc, "cannot read field '%s' of %s", n->str, d);
    } else {
        Value *f = rec_get(obj.as.rec, n->str);
        char hint[NEAREST_MAX_LEN + 32];
        r = f ? val_ref(*f)
              : interp_error(I, &n->loc, "record has no field '%s'%s", n->str,
                             rec_field_hint(obj.as.rec, n->str, hint, sizeof hint));
    }
    val_unref(obj);
    return r;
}

/* ------------------------------------------------------------------ */
/* calls                                                               */

/* Two limits on recursion: the call depth (INTERP_MAX_CALL_DEPTH), which
 * gives runaway recursion a predictable message, and the real C stack,
 * which the depth cannot vouch for since frame sizes vary with the build
 * and with the expressions inside each call. */
static Value call_depth_error(Interp *I, const Loc *loc)
{
    return interp_error(I, loc, "recursion too deep (more than %d nested calls)",
                        INTERP_MAX_CALL_DEPTH);
}


static Value stack_full_error(Interp *I, const Loc *loc)
{
    return interp_error(I, loc, "recursion too deep (the C stack is nearly full, %d "
                        "calls deep; raise it with ulimit -s)", I->depth);
}

/* Named arguments go to the parameter of that name; an unknown name, or a
 * parameter already bound (by position or by name), is an error at the
 * call. The locals take their own references. */
static bool bind_named(Interp *I, Closure *c, Value *locals, int nnamed,
                       Value *named, const char **names, const Loc *loc)
{
    FuncInfo *info = c->node->fn;
    for (int i = 0; i < nnamed; i++) {
        int k = -1;
        for (int p = 0; p < info->nparams; p++)
            if (strcmp(info->locals[p], names[i]) == 0)
                k = p;
        if (k < 0) {
            Nearest nb;
            nearest_init(&nb, names[i]);
            for (int p = 0; p < info->nparams; p++)
                nearest_offer(&nb, info->locals[p]);
            char hint[NEAREST_MAX_LEN + 32];
            interp_error(I, loc, "%s: unknown named argument '%s'%s", closure_name(c),
                         names[i], nearest_hint(&nb, hint, sizeof hint));
            return false;
        }
        if (locals[k].kind != VAL_NIL) {
            interp_error(I, loc, "%s: argument '%s' given twice", closure_name(c), names[i]);
            return false;
        }
        locals[k] = val_ref(named[i]);
    }
    return true;
}

/* Fills missing parameters from their defaults, evaluated in the callee.
 * They run at each call, in the callee's frame and in order, so a default
 * may use an earlier parameter (fn f(n, m = n)). */
static bool bind_defaults(Interp *I, Closure *c, Value *locals, const Loc *loc)
{
    AstNode *params = c->node->kids[0];
    for (int p = 0; p < params->nkids; p++) {
        if (locals[p].kind != VAL_NIL)
            continue;
        AstNode *param = params->kids[p];
        if (param->nkids == 0) {
            interp_error(I, loc, "%s: missing argument '%s'", closure_name(c), param->str);
            return false;
        }
        locals[p] = eval(I, param->kids[0]);
        if (VAL_IS_ERR(locals[p])) {
            locals[p] = val_nil;
            return false;
        }
    }
    return true;
}

/* Adds "in f, called at ..." while an error unwinds through a call. The
 * first INTERP_TRACE_SHOWN calls are kept; past them only the latest
 * (finally the outermost) is, so deep recursion costs a count, not
 * memory. Break, continue and return leave no trace. */
static void trace_call(Interp *I, Closure *c, const Loc *loc)
{
    if (I->err.msg && I->sig == SIG_ERROR)
        interp_trace(I, closure_name(c), loc);
}

/* The body's value: `return`'s, else the last expression statement's.
 * The returned value moves from I->ret to the caller. Break and continue
 * cannot leave a function (the resolver refuses them outside a loop of
 * their own function); clearing them is a guard. */
static Value run_body(Interp *I, Closure *c)
{
    Value r = exec_block(I, c->node->kids[1]);
    if (I->sig == SIG_RETURN) {
        I->sig = SIG_NONE;
        r = I->ret;
        I->ret = val_nil;
    } else if (I->sig == SIG_BREAK || I->sig == SIG_CONTINUE) {
        I->sig = SIG_NONE;
        r = val_nil;
    }
    return r;
}

/* Borrows args. More positional arguments than parameters is an error;
 * fewer are completed by named ones and defaults. The locals array holds
 * the parameters first, then the other locals, all VAL_NIL (unassigned)
 * at the start. The frame lives on the C stack and I->frame is restored
 * on every path. An error while binding is located at the call itself,
 * so it gets no "in f" trace line, which would repeat that site. */
static Value call_closure(Interp *I, Closure *c, int npos, int nnamed,
                          Value *args, const char **names, const Loc *loc)
{
    FuncInfo *info = c->node->fn;
    if (npos > info->nparams)
        return interp_error(I, loc, "%s: expected at most %d argument%s, got %d",
                            closure_name(c), info->nparams,
                            info->nparams == 1 ? "" : "s", npos);
    if (I->depth >= INTERP_MAX_CALL_DEPTH)
        return call_depth_error(I, loc);
    if (interp_stack_nearly_full(I))
        return stack_full_error(I, loc);
    Value *locals = xcalloc((size_t)(info->nlocals ? info->nlocals : 1), sizeof(Value));
    for (int i = 0; i < npos; i++)
        locals[i] = val_ref(args[i]);
    Frame frame = {locals, c, I->frame};
    Frame *saved = I->frame;
    I->frame = &frame;
    I->depth++;
    Value r = val_error;
    bool bound = bind_named(I, c, locals, nnamed, args + npos, names, loc) &&
                 bind_defaults(I, c, locals, loc);
    if (bound)
        r = run_body(I, c);
    I->depth--;
    I->frame = saved;
    if (VAL_IS_ERR(r) && bound)
        trace_call(I, c, loc);
    unref_all(locals, info->nlocals);
    free(locals);
    return r;
}

/* In builtin.c. Only the evaluator calls it, so it is declared here and
 * not in builtin.h, which every family includes. */
Value builtin_dispatch(Interp *I, const Builtin *bi, int npos, int nnamed,
                       Value *args, const char **names, int nargout, bool temps,
                       const Loc *loc);

/* A bound built-in: its bound value goes first. The array is a shallow
 * copy with no references added: the dispatcher only borrows, and the
 * partial (held by the caller) keeps the bound value alive. */
static Value call_partial(Interp *I, Partial *p, int npos, int nnamed, Value *args,
                          const char **names, int nargout, const Loc *loc)
{
    int n = npos + nnamed + 1;
    Value *all = xmalloc((size_t)n * sizeof *all);
    all[0] = p->bound;
    memcpy(all + 1, args, (size_t)(n - 1) * sizeof *all);
    Value r = builtin_dispatch(I, p->bi, npos + 1, nnamed, all, names, nargout,
                               false, loc);
    free(all);
    return r;
}

/* Every call goes through here: the evaluator's, a built-in calling back
 * (interp_call) and the tape. Interrupts and the step budget are polled
 * here as well as in loops, so that recursion without a loop can be
 * stopped too. temps: see Args.temps. */
static Value call_value(Interp *I, Value fn, int npos, int nnamed, Value *args,
                        const char **names, int nargout, bool temps, const Loc *loc)
{
    if (!loc)
        loc = I->site;   /* a call back from a built-in: its call site */
    if (ovp_interrupted) {
        interp_error(I, loc, "interrupted");
        I->err.code = EXIT_INTERRUPT;
        return val_error;
    }
    if (I->step_budget && --I->step_budget == 0)
        return interp_error(I, loc, "step budget exhausted");
    if (fn.kind == VAL_FUNC)
        return call_closure(I, fn.as.fn, npos, nnamed, args, names, loc);
    if (fn.kind == VAL_BUILTIN)
        return builtin_dispatch(I, fn.as.bi, npos, nnamed, args, names, nargout,
                                temps, loc);
    if (fn.kind == VAL_PARTIAL)
        return call_partial(I, fn.as.partial, npos, nnamed, args, names, nargout, loc);
    char d[48];
    describe_value(fn, d, sizeof d);
    /* A(1, 1) is the usual slip from Octave: ovp subscripts with [ ] */
    const char *hint = fn.kind == VAL_MAT || fn.kind == VAL_LIST ||
                       fn.kind == VAL_STR ? " (subscripts use brackets: A[i, j])" : "";
    return interp_error(I, loc, "cannot call %s: it is not a function%s", d, hint);
}

Value eval_call_value(Interp *I, Value fn, int npos, int nnamed, Value *args,
                      const char **names, int nargout, const Loc *loc)
{
    return call_value(I, fn, npos, nnamed, args, names, nargout, false, loc);
}

/* Positional arguments first, then named ones, in args. nargout is the
 * number of targets the result feeds (a, b = f(x)); built-ins may return
 * more when asked, closures ignore it. Arguments are evaluated left to
 * right; an argument with no value is refused with a hint at the usual
 * cause. */
static Value eval_call_nargout(Interp *I, AstNode *n, int nargout)
{
    Value fn = eval(I, n->kids[0]);
    if (VAL_IS_ERR(fn))
        return fn;
    int nargs = n->nkids - 1, npos = 0, nnamed = 0;
    Value args[nargs > 0 ? nargs : 1];
    const char *names[nargs > 0 ? nargs : 1];
    for (int i = 0; i < nargs; i++)
        if (n->kids[i + 1]->kind != AST_NAMEDARG)
            npos++;
    Value r = val_nil;
    for (int i = 0; i < nargs; i++) {
        AstNode *k = n->kids[i + 1];
        bool named = k->kind == AST_NAMEDARG;
        if (!named && nnamed > 0) {
            /* Drop what was evaluated: the positional arguments before the
             * first named one (slots 0..) and the named ones (slots npos..). */
            unref_all(args, i - nnamed);
            unref_all(args + npos, nnamed);
            r = interp_error(I, &k->loc, "positional argument after a named one");
            break;
        }
        int slot = named ? npos + nnamed : i;
        if (named)
            names[nnamed++] = k->str;
        args[slot] = eval(I, named ? k->kids[0] : k);
        if (VAL_IS_ERR(args[slot]) || args[slot].kind == VAL_NIL) {
            if (!VAL_IS_ERR(args[slot]))
                interp_error(I, &k->loc, "argument has no value (a function whose "
                             "last statement is an assignment returns nothing)");
            /* Drop what was evaluated before this argument: the positional
             * ones (slots 0..) and the named ones (slots npos..); the slots
             * between them were never written. */
            int named_before = nnamed - (named ? 1 : 0);
            unref_all(args, i - named_before);
            unref_all(args + npos, named_before);
            r = val_error;
            break;
        }
    }
    if (!VAL_IS_ERR(r)) {
        /* the arguments are dropped right after: temporaries among them
         * may be reused (Args.temps) */
        r = call_value(I, fn, npos, nnamed, args, names, nargout, true, &n->loc);
        unref_all(args, nargs);
    }
    val_unref(fn);
    return r;
}

static Value eval_call(Interp *I, AstNode *n)
{
    return eval_call_nargout(I, n, 1);
}

/* An fn expression makes a new closure each time it is evaluated, with
 * the values its captured names have at that moment. */
static Value eval_func(Interp *I, AstNode *n)
{
    return make_closure(I, n);
}

/* ------------------------------------------------------------------ */
/* assignment                                                          */

static Value *lvalue_slot(Interp *I, AstNode *t);

/* A field of the record in *parent, created when missing. An unset
 * parent becomes a new record (R.x = 1 on an unset R). The record is
 * unshared before a pointer into it is handed out, and a new field starts
 * as VAL_NIL for the caller to fill. */
static Value *field_slot(Interp *I, Value *parent, AstNode *t)
{
    if (parent->kind == VAL_NIL)
        *parent = val_rec_new();
    if (parent->kind != VAL_REC) {
        char d[48];
        describe_value(*parent, d, sizeof d);
        interp_error(I, &t->loc, "cannot set field '%s' of %s", t->str, d);
        return NULL;
    }
    val_unique_rec(parent);
    Value *f = rec_get(parent->as.rec, t->str);
    if (!f) {
        rec_set(parent->as.rec, t->str, val_nil);
        f = rec_get(parent->as.rec, t->str);
    }
    return f;
}

/* A list item as an intermediate target: L[2].x = 1 or L[1][2] = 0.
 * Only a list can be written through (a matrix element is a number with
 * no parts), with one subscript naming an existing item: unlike the last
 * step of a target, this one does not append. The list is unshared
 * before the pointer is returned. */
static Value *item_slot(Interp *I, Value *parent, AstNode *t)
{
    if (parent->kind != VAL_LIST || t->nkids != 2) {
        interp_error(I, &t->loc, "only a list item can be assigned through "
                     "(use a single subscript on a list)");
        return NULL;
    }
    Value sub;
    if (!eval_subs(I, t, *parent, &sub))
        return NULL;
    double k = ops_is_scalar(sub) ? ops_scalar(sub) : -1;
    val_unref(sub);
    if (k != floor(k) || k < 1 || k > (double)parent->as.list->n) {
        interp_error(I, &t->loc, "list index out of range (the list has %zu item%s)",
                     parent->as.list->n, parent->as.list->n == 1 ? "" : "s");
        return NULL;
    }
    val_unique_list(parent);
    return &parent->as.list->items[(size_t)k - 1];
}

/* The slot a target writes to, found from its root variable down
 * (A[1].x[2]), unsharing each container on the way: the copy-on-write
 * path of a nested write, which touches only this variable's copy. NULL
 * with an error raised when a step cannot be written through. */
static Value *lvalue_slot(Interp *I, AstNode *t)
{
    if (t->kind == AST_IDENT)
        return ident_slot(I, t);
    Value *parent = lvalue_slot(I, t->kids[0]);
    if (!parent)
        return NULL;
    return t->kind == AST_FIELD ? field_slot(I, parent, t) : item_slot(I, parent, t);
}

/* Stores v (taken) into a variable. A resolved target always has a slot;
 * the NULL test only keeps v from leaking. */
static bool store_variable(Interp *I, AstNode *t, Value v)
{
    Value *slot = ident_slot(I, t);
    if (!slot) {
        val_unref(v);
        return false;
    }
    val_unref(*slot);
    *slot = v;
    return true;
}

/* Stores v (taken) into one target. For an indexed target, the subscripts
 * see `end` of the container's current value and index_set unshares the
 * container itself. */
static bool assign_to(Interp *I, AstNode *t, Value v)
{
    if (t->kind == AST_INDEX) {
        Value *parent = lvalue_slot(I, t->kids[0]);
        int nsubs = t->nkids - 1;
        Value subs[nsubs > 0 ? nsubs : 1];
        if (!parent || !eval_subs(I, t, *parent, subs)) {
            val_unref(v);
            return false;
        }
        bool ok = index_set(&I->err, parent, nsubs, subs, v, &t->loc);
        unref_all(subs, nsubs);
        return ok;
    }
    Value *slot = lvalue_slot(I, t);
    if (!slot) {
        val_unref(v);
        return false;
    }
    val_unref(*slot);
    *slot = v;
    return true;
}

/* a, b = v: the items of a list, or the fields of a record in order
 * (y, mask = corrupt(y, rho)). The count must match exactly. Each target
 * gets its own reference; the first failure stops, and the targets before
 * it keep what they were given. Takes v. */
static bool destructure(Interp *I, AstNode *n, int ntargets, Value v)
{
    bool is_list = v.kind == VAL_LIST, is_rec = v.kind == VAL_REC;
    size_t have = is_list ? v.as.list->n : is_rec ? v.as.rec->n : 0;
    if ((!is_list && !is_rec) || have != (size_t)ntargets) {
        char d[48];
        describe_value(v, d, sizeof d);
        interp_error(I, &n->loc, "cannot unpack %s into %d targets (need a "
                     "list of %d, or a record with %d fields)", d, ntargets, ntargets,
                     ntargets);
        val_unref(v);
        return false;
    }
    Value *items = is_list ? v.as.list->items : v.as.rec->vals;
    bool ok = true;
    for (int i = 0; i < ntargets && ok; i++)
        ok = assign_to(I, n->kids[i], val_ref(items[i]));
    val_unref(v);
    return ok;
}

/* A call on the right learns how many targets it feeds. x op= v reads
 * the target as an expression and then assigns as usual, so the
 * subscripts of A[f()] += 1 are evaluated twice. An assignment has no
 * value (VAL_NIL): a function whose last statement is one returns
 * nothing. */
static Value exec_assign(Interp *I, AstNode *n)
{
    int ntargets = n->nkids - 1;
    AstNode *rhs = n->kids[ntargets];
    Value v = rhs->kind == AST_CALL ? eval_call_nargout(I, rhs, ntargets)
                                    : eval(I, rhs);
    if (VAL_IS_ERR(v))
        return v;
    if (v.kind == VAL_NIL)
        return interp_error(I, &rhs->loc, "the right-hand side has no value");
    if (n->op != OP_NONE) {
        Value old = eval(I, n->kids[0]);
        if (VAL_IS_ERR(old)) {
            val_unref(v);
            return old;
        }
        v = dispatch_binary(&I->ad, n->op, old, v, &n->loc);
        if (VAL_IS_ERR(v))
            return v;
    }
    /* Ctrl-C while the value was computed (in a built-in that does not
     * poll): the statement stops before it stores, so the variables stay
     * as they were (R13) */
    if (interrupt_pending()) {
        val_unref(v);
        return interrupted_at(I, &n->loc);
    }
    AstNode *t = n->kids[0];
    bool ok = ntargets > 1 ? destructure(I, n, ntargets, v)
              : t->kind == AST_IDENT ? store_variable(I, t, v)   /* the common case */
              : assign_to(I, t, v);
    return ok ? val_nil : val_error;
}

/* ------------------------------------------------------------------ */
/* statements                                                          */

/* break, continue and return travel up as val_error with I->sig set. */
static Value raise_signal(Interp *I, Signal s)
{
    I->sig = s;
    return val_error;
}

static Value exec_expr(Interp *I, AstNode *n)
{
    return eval(I, n->kids[0]);
}

/* Conditions in order, by ops_truth (an empty matrix is false, NaN an
 * error). The statement's value is the chosen block's, so an if as the
 * last statement gives a function its result. */
static Value exec_if(Interp *I, AstNode *n)
{
    int i = 0;
    for (; i + 1 < n->nkids; i += 2) {
        Value c = eval(I, n->kids[i]);
        if (VAL_IS_ERR(c))
            return c;
        bool t;
        bool ok = ops_truth(&I->err, c, &n->kids[i]->loc, &t);
        val_unref(c);
        if (!ok)
            return val_error;
        if (t)
            return exec_block(I, n->kids[i + 1]);
    }
    return i < n->nkids ? exec_block(I, n->kids[i]) : val_nil;
}

/* After a loop body: consumes break/continue; true to keep looping.
 * Takes the body's value. Also polls the interrupt flag and spends one
 * step of the budget. A pending return or error ends the loop and stays
 * pending for the caller. */
static bool loop_continues(Interp *I, Value body, const Loc *loc)
{
    if (!VAL_IS_ERR(body))
        val_unref(body);
    if (I->sig == SIG_CONTINUE)
        I->sig = SIG_NONE;
    if (I->sig == SIG_BREAK) {
        I->sig = SIG_NONE;
        return false;
    }
    return I->sig == SIG_NONE && walk_iteration_end(I, loc);
}

/* After a break the signal is clear and the loop's value is nil; with a
 * return or an error pending, val_error passes it on. */
static Value exec_while(Interp *I, AstNode *n)
{
    Value compiled;
    if (vm_run_loop(I, n, &compiled))
        return compiled;
    for (;;) {
        Value c = eval(I, n->kids[0]);
        if (VAL_IS_ERR(c))
            return c;
        bool t;
        bool ok = ops_truth(&I->err, c, &n->kids[0]->loc, &t);
        val_unref(c);
        if (!ok)
            return val_error;
        if (!t)
            return val_nil;
        if (!loop_continues(I, exec_block(I, n->kids[1]), &n->loc))
            return I->sig ? val_error : val_nil;
    }
}

/* `for i in a:b` counts without building the range, so `for i in 1:1e8`
 * needs no 800 MB vector. The bounds are evaluated once; assigning to i
 * in the body does not change the next value, and i keeps its last value
 * after the loop. */
static Value exec_for_range(Interp *I, AstNode *n, AstNode *range)
{
    Value compiled;
    if (vm_run_loop(I, n, &compiled))
        return compiled;
    double p[3];
    size_t count;
    if (!range_parts(I, range, p) || !range_count(I, p[0], p[1], p[2], &count, &range->loc))
        return val_error;
    for (size_t i = 0; i < count; i++) {
        store_variable(I, n->kids[0], val_num(walk_range_element(p, i, count)));
        if (!loop_continues(I, exec_block(I, n->kids[2]), &n->loc))
            return I->sig ? val_error : val_nil;
    }
    return val_nil;
}

/* The k-th item a for loop visits: elements of vectors, columns of
 * matrices, items of lists. A number or bool is visited once, as itself.
 * A 0x0 matrix visits nothing, but a 0x3 one visits three empty columns. */
static size_t iter_count(Value v)
{
    if (v.kind == VAL_LIST)
        return v.as.list->n;
    if (v.kind == VAL_MAT)
        return mat_is_vector(v.as.mat) ? mat_numel(v.as.mat) : v.as.mat->cols;
    return 1;
}

static Value iter_item(Value v, size_t k)
{
    if (v.kind == VAL_LIST)
        return val_ref(v.as.list->items[k]);
    if (v.kind == VAL_MAT && mat_is_vector(v.as.mat))
        return val_num(v.as.mat->data[k]);
    if (v.kind == VAL_MAT) {
        const Matrix *m = v.as.mat;
        return val_mat(mat_from(m->rows, 1, m->data + k * m->rows));
    }
    return val_ref(v);
}

/* The sequence is evaluated once and held for the whole loop, so
 * assigning to its variable inside the body does not change what is
 * visited (copy-on-write keeps the held value intact). A tracked sequence
 * is refused: the items it would hand out are not on the tape. */
static Value exec_for(Interp *I, AstNode *n)
{
    if (n->kids[1]->kind == AST_RANGE)
        return exec_for_range(I, n, n->kids[1]);
    Value seq = eval(I, n->kids[1]);
    if (VAL_IS_ERR(seq))
        return seq;
    if (seq.kind == VAL_VAR) {
        val_unref(seq);
        return interp_error(I, &n->kids[1]->loc, "cannot loop over a value being "
                            "differentiated; index it instead");
    }
    if (seq.kind != VAL_LIST && seq.kind != VAL_MAT && seq.kind != VAL_NUM &&
        seq.kind != VAL_BOOL) {
        char d[48];
        describe_value(seq, d, sizeof d);
        val_unref(seq);
        return interp_error(I, &n->kids[1]->loc, "cannot iterate over %s", d);
    }
    Value r = val_nil;
    size_t count = iter_count(seq);
    for (size_t k = 0; k < count; k++) {
        store_variable(I, n->kids[0], iter_item(seq, k));
        if (!loop_continues(I, exec_block(I, n->kids[2]), &n->loc)) {
            r = I->sig ? val_error : val_nil;
            break;
        }
    }
    val_unref(seq);
    return r;
}

/* The value (VAL_NIL for a bare return) waits in I->ret, owned there,
 * until run_body takes it. The resolver already refuses return outside a
 * function; the frame test is a guard. */
static Value exec_return(Interp *I, AstNode *n)
{
    if (!I->frame)
        return interp_error(I, &n->loc, "'return' outside a function");
    Value v = n->nkids ? eval(I, n->kids[0]) : val_nil;
    if (VAL_IS_ERR(v))
        return v;
    val_unref(I->ret);
    I->ret = v;
    return raise_signal(I, SIG_RETURN);
}

static Value exec_break(Interp *I, AstNode *n)
{
    (void)n;
    return raise_signal(I, SIG_BREAK);
}

static Value exec_continue(Interp *I, AstNode *n)
{
    (void)n;
    return raise_signal(I, SIG_CONTINUE);
}

/* fn name(...) ... end is an assignment of a closure to name: a local in
 * a function, a global at the top level. */
static Value exec_fndef(Interp *I, AstNode *n)
{
    Value f = make_closure(I, n->kids[1]);
    return assign_to(I, n->kids[0], f) ? val_nil : val_error;
}

/* In interp.c, which keeps the list of imported files. */
Value interp_import(Interp *I, AstNode *n);

static Value exec_import(Interp *I, AstNode *n)
{
    return interp_import(I, n);
}

/* Runs statements; the block's value is its last statement's value.
 * Earlier values are released as the next statement starts. */
/* I->running follows the statements for the out-of-memory report, and
 * is put back when the block ends, so that after a call returns it names
 * the caller's statement again. */
static Value exec_block(Interp *I, AstNode *block)
{
    const AstNode *outer = I->running;
    Value last = val_nil;
    for (int i = 0; i < block->nkids; i++) {
        val_unref(last);
        I->running = block->kids[i];
        last = eval(I, block->kids[i]);
        if (VAL_IS_ERR(last))
            break;
        if (interrupt_pending()) {   /* noticed where it ran, not at the next */
            val_unref(last);
            last = interrupted_at(I, &block->kids[i]->loc);
            break;
        }
    }
    I->running = outer;
    return last;
}

/* ------------------------------------------------------------------ */
/* dispatch                                                            */

/* Kinds without an entry (row, named argument, field initialiser,
 * parameters) are handled by their parent node; eval() reports one that
 * is reached on its own as an internal error. */
typedef Value (*EvalFn)(Interp *I, AstNode *n);

static const EvalFn eval_table[AST__COUNT] = {
    [AST_NUM] = eval_num,       [AST_STR] = eval_str,
    [AST_BOOL] = eval_bool,     [AST_IDENT] = eval_ident,
    [AST_END] = eval_end,       [AST_COLON] = eval_colon,
    [AST_MATRIX] = eval_matrix, [AST_LIST] = eval_list,
    [AST_RECORD] = eval_record, [AST_RANGE] = eval_range,
    [AST_BINOP] = eval_binop,   [AST_UNOP] = eval_unop,
    [AST_CHAIN] = eval_chain,
    [AST_CALL] = eval_call,     [AST_INDEX] = eval_index,
    [AST_FIELD] = eval_field,   [AST_FUNC] = eval_func,
    [AST_BLOCK] = exec_block,   [AST_EXPR] = exec_expr,
    [AST_ASSIGN] = exec_assign, [AST_IF] = exec_if,
    [AST_FOR] = exec_for,       [AST_WHILE] = exec_while,
    [AST_BREAK] = exec_break,   [AST_CONTINUE] = exec_continue,
    [AST_RETURN] = exec_return, [AST_FNDEF] = exec_fndef,
    [AST_IMPORT] = exec_import,
};

/* Every node goes through here: the stack check, the dispatch, and the
 * marking of an error raised below the evaluator (which only fills
 * I->err) as SIG_ERROR, so the statements above unwind. */
static inline Value eval(Interp *I, AstNode *n)
{
    /* deep expressions are bounded by the parser (2000 levels), but a small
     * C stack (ulimit -s) may not hold even that */
    if (interp_stack_nearly_full(I))
        return stack_full_error(I, &n->loc);
    EvalFn f = eval_table[n->kind];
    if (!f)
        return interp_error(I, &n->loc, "internal error: cannot evaluate %s",
                            ast_kind_name(n->kind));
    Value v = f(I, n);
    if (VAL_IS_ERR(v) && I->sig == SIG_NONE)
        I->sig = SIG_ERROR;
    return v;
}

/* In the REPL the value of an expression typed alone is kept in the
 * global `ans`, as in Octave, so the last result can be used without
 * retyping it. Scripts do not set it. */
static void remember_answer(Interp *I, Value v)
{
    Sym *s = sym_intern(I, "ans");
    val_unref(s->value);
    s->value = val_ref(v);
}

/* A top-level statement: echoes expression values in the REPL, and in a
 * notebook (display.echo) the value of the cell's last statement only, as
 * Jupyter's kernels do. The value is still returned: it becomes the
 * program's value. */
static Value exec_top(Interp *I, AstNode *stmt, bool last)
{
    I->running = stmt;
    Value v = eval(I, stmt);
    I->running = NULL;
    if (!VAL_IS_ERR(v) && interrupt_pending()) {
        val_unref(v);
        return interrupted_at(I, &stmt->loc);
    }
    if (VAL_IS_ERR(v) || !I->repl || stmt->kind != AST_EXPR || v.kind == VAL_NIL)
        return v;
    remember_answer(I, v);
    if (I->display.echo) {
        if (last)
            I->display.echo(I->display.ctx, v);
        return v;
    }
    StrBuf b;
    sb_init(&b);
    format_display_opts(&b, v, I->print_opts);
    fputs(b.s, I->out);
    sb_free(&b);
    return v;
}

/* Stray break or continue are refused by the resolver; the test after
 * the loop is a guard that turns one into an error, not a silent stop. */
Value eval_program(Interp *I, AstNode *root)
{
    Value last = val_nil;
    for (int i = 0; i < root->nkids; i++) {
        val_unref(last);
        last = exec_top(I, root->kids[i], i == root->nkids - 1);
        if (VAL_IS_ERR(last))
            break;
    }
    if (I->sig == SIG_BREAK || I->sig == SIG_CONTINUE) {
        I->sig = SIG_NONE;
        return interp_error(I, NULL, "'break' or 'continue' outside a loop");
    }
    return last;
}

/* ------------------------------------------------------------------ */
/* the rules the loop compiler shares (walk.h)                         */

Value walk_eval(Interp *I, AstNode *n)
{
    return eval(I, n);
}

Value *walk_ident_slot(Interp *I, AstNode *n)
{
    return ident_slot(I, n);
}

bool walk_range(Interp *I, AstNode *range, double p[3], size_t *count)
{
    return range_parts(I, range, p) &&
           range_count(I, p[0], p[1], p[2], count, &range->loc);
}

bool walk_binop_is_special(const AstNode *n)
{
    return n->op == OP_AND || n->op == OP_OR ||
           (n->op == OP_MUL && (is_transposed(n->kids[0]) || is_transposed(n->kids[1])));
}

Value walk_interrupted_at(Interp *I, const Loc *loc)
{
    return interrupted_at(I, loc);
}
