/* value.c: constructors, reference counting and copy-on-write.
 *
 * Every constructor returns a Value holding one reference (rc 1), which
 * the caller owns (the ownership rule of value.h). Numbers, booleans, nil
 * and errors carry no pointer; built-ins point at static table rows.
 * None of those is counted, so val_ref and val_unref pass them by.
 */
#include "value/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

/* val_error carries no message: the message is in the RtError the
 * failing operation was given (rterror.h). */
const Value val_nil = {.kind = VAL_NIL};
const Value val_error = {.kind = VAL_ERROR};

/* The bytes live inline after the header, so a string is one allocation.
 * s need not be NUL-terminated; the copy always is, because comparisons
 * and printing use the C string functions (a NUL inside would cut them
 * short, which is why the lexer refuses one in a literal). */
Value val_strn(const char *s, size_t n)
{
    Str *str = xmalloc(sizeof *str + n + 1);
    str->rc = 1;
    str->len = n;
    memcpy(str->s, s, n);
    str->s[n] = '\0';
    return (Value){.kind = VAL_STR, .as.str = str};
}

Value val_str(const char *s)
{
    return val_strn(s, strlen(s));
}

/* Copies rather than adopts s: a Str keeps its characters in the same
 * allocation as its header, so a foreign buffer cannot become one. */
Value val_str_take(char *s)
{
    Value v = val_str(s);
    free(s);
    return v;
}

/* A NULL m (a shape over the element limit) gives VAL_NIL, never a
 * VAL_MAT with a NULL pointer that the next reader would dereference.
 * Callers that can fail test m first and raise "too large" (bi_mat). */
Value val_mat(Matrix *m)
{
    if (!m)
        return val_nil;
    return (Value){.kind = VAL_MAT, .as.mat = m};
}

/* An empty list (n = 0) with room for cap items. A caller that fills
 * items directly sets n itself afterwards (eval_list does). */
Value val_list_new(size_t cap)
{
    List *l = xcalloc(1, sizeof *l);
    l->rc = 1;
    l->cap = cap;
    l->items = cap ? xmalloc(cap * sizeof *l->items) : NULL;
    return (Value){.kind = VAL_LIST, .as.list = l};
}

/* An empty record. Fields are kept in insertion order in two parallel
 * arrays and found by linear search: records are small, and printing and
 * `a, b = rec` rely on that order. */
Value val_rec_new(void)
{
    Record *r = xcalloc(1, sizeof *r);
    r->rc = 1;
    return (Value){.kind = VAL_REC, .as.rec = r};
}

/* No count: bi is a row of a family's static table, alive for the whole
 * process. */
Value val_builtin(const struct Builtin *bi)
{
    return (Value){.kind = VAL_BUILTIN, .as.bi = bi};
}

/* Takes bound; the partial drops it when its own count reaches zero. */
Value val_partial(const struct Builtin *bi, Value bound)
{
    Partial *p = xmalloc(sizeof *p);
    p->rc = 1;
    p->bi = bi;
    p->bound = bound;
    return (Value){.kind = VAL_PARTIAL, .as.partial = p};
}

/* Takes primal. tape_id records which tape made the value, so that a
 * tracked value kept past the end of its grad is not mistaken for one of
 * a later tape (ad_live compares it with the active tape's id). */
Value val_var(Value primal, unsigned long tape_id, int node)
{
    AdVar *v = xmalloc(sizeof *v);
    v->rc = 1;
    v->primal = primal;
    v->tape_id = tape_id;
    v->node = node;
    return (Value){.kind = VAL_VAR, .as.var = v};
}

/* Adds a reference to a boxed value and returns it. Built-ins, nil and
 * errors fall through the switch: nothing to count. */
Value val_ref_boxed(Value v)
{
    switch (v.kind) {
    case VAL_STR: v.as.str->rc++; break;
    case VAL_MAT: v.as.mat->rc++; break;
    case VAL_LIST: v.as.list->rc++; break;
    case VAL_REC: v.as.rec->rc++; break;
    case VAL_FUNC: v.as.fn->rc++; break;
    case VAL_PARTIAL: v.as.partial->rc++; break;
    case VAL_VAR: v.as.var->rc++; break;
    default: break;
    }
    return v;
}

/* The upvalues start as VAL_NIL (zeroed memory) until make_closure
 * fills them. The node and the name belong to the tree, which the
 * interpreter keeps until it is freed, so no closure outlives them. */
Closure *closure_new(struct AstNode *node, const char *name, int nupvals)
{
    Closure *c = xcalloc(1, sizeof *c);
    c->rc = 1;
    c->node = node;
    c->name = name;
    c->nupvals = nupvals;
    c->upvals = nupvals ? xcalloc((size_t)nupvals, sizeof(Value)) : NULL;
    return c;
}

const char *closure_name(const Closure *c)
{
    return c->name ? c->name : "anonymous fn";
}


/* Freeing without recursion and without allocating. A container whose
 * count reaches zero is not freed on the spot: it is put on a chain of
 * containers waiting to be freed, linked through their own dead_next
 * field, and the loop in val_unref_boxed takes them off one at a time,
 * dropping their children (which may add more to the chain) and then
 * freeing them. So a million nested lists, or a long chain of closures,
 * costs no C stack, and freeing needs no memory: it can run safely when
 * memory has run out. Strings and matrices hold no values and are freed
 * at once. */
static void release(Value v, Value *waiting)
{
    switch (v.kind) {
    case VAL_STR:
        if (--v.as.str->rc == 0)
            free(v.as.str);
        return;
    case VAL_MAT: mat_unref(v.as.mat); return;
    case VAL_LIST: if (--v.as.list->rc > 0) return; v.as.list->dead_next = *waiting; break;
    case VAL_REC: if (--v.as.rec->rc > 0) return; v.as.rec->dead_next = *waiting; break;
    case VAL_FUNC: if (--v.as.fn->rc > 0) return; v.as.fn->dead_next = *waiting; break;
    case VAL_PARTIAL:
        if (--v.as.partial->rc > 0) return;
        v.as.partial->dead_next = *waiting;
        break;
    case VAL_VAR: if (--v.as.var->rc > 0) return; v.as.var->dead_next = *waiting; break;
    default: return;   /* numbers, bools, nil, errors, built-ins: nothing held */
    }
    *waiting = v;
}

/* The container after v on the chain of those waiting to be freed. */
static Value dead_next(Value v)
{
    switch (v.kind) {
    case VAL_LIST: return v.as.list->dead_next;
    case VAL_REC: return v.as.rec->dead_next;
    case VAL_FUNC: return v.as.fn->dead_next;
    case VAL_PARTIAL: return v.as.partial->dead_next;
    case VAL_VAR: return v.as.var->dead_next;
    default: return val_nil;
    }
}

/* Frees container v (its count is zero, and it is off the chain),
 * releasing its children onto the chain. */
static void free_container(Value v, Value *waiting)
{
    switch (v.kind) {
    case VAL_LIST: {
        List *l = v.as.list;
        for (size_t i = 0; i < l->n; i++)
            release(l->items[i], waiting);
        free(l->items);
        free(l);
        break;
    }
    case VAL_REC: {
        Record *r = v.as.rec;
        for (size_t i = 0; i < r->n; i++) {
            free(r->keys[i]);
            release(r->vals[i], waiting);
        }
        free(r->keys);
        free(r->vals);
        names_free(&r->index);
        free(r);
        break;
    }
    case VAL_FUNC: {
        Closure *fn = v.as.fn;
        for (int i = 0; i < fn->nupvals; i++)
            release(fn->upvals[i], waiting);
        free(fn->upvals);
        free(fn);
        break;
    }
    case VAL_PARTIAL:
        release(v.as.partial->bound, waiting);
        free(v.as.partial);
        break;
    case VAL_VAR:
        release(v.as.var->primal, waiting);
        free(v.as.var);
        break;
    default:
        break;
    }
}

/* Drops one reference to v, then frees whatever that released: the chain
 * is a stack, so a container's children are freed before the containers
 * that were already waiting. */
void val_unref_boxed(Value v)
{
    Value waiting = val_nil;
    release(v, &waiting);
    while (waiting.kind != VAL_NIL) {
        Value c = waiting;
        waiting = dead_next(c);
        free_container(c, &waiting);
    }
}

/* Copy-on-write for lists. A shared list is replaced by a shallow copy:
 * the new list holds one more reference to each item rather than copies
 * of them, so a nested container is copied only when it is itself
 * written (its own val_unique_* call). *v must hold a VAL_LIST. */
void val_unique_list(Value *v)
{
    List *l = v->as.list;
    if (l->rc == 1)
        return;
    Value c = val_list_new(l->n);
    for (size_t i = 0; i < l->n; i++)
        c.as.list->items[i] = val_ref(l->items[i]);
    c.as.list->n = l->n;
    val_unref(*v);
    *v = c;
}

/* The same for records: a shallow copy that keeps the field order. */
void val_unique_rec(Value *v)
{
    Record *r = v->as.rec;
    if (r->rc == 1)
        return;
    Value c = val_rec_new();
    for (size_t i = 0; i < r->n; i++)
        rec_set(c.as.rec, r->keys[i], val_ref(r->vals[i]));
    val_unref(*v);
    *v = c;
}

/* Appends item (taken), doubling the capacity as needed. l must be
 * uniquely owned (val_unique_list) unless it was just made. */
void list_push(List *l, Value item)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = item;
}

/* The slot is borrowed and valid only until the record grows (rec_set
 * may move the arrays). */
Value *rec_get(const Record *r, const char *key)
{
    if (r->n > NAMES_SCAN_MAX) {
        int i = names_get(&r->index, key);
        return i >= 0 ? &r->vals[i] : NULL;
    }
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->keys[i], key) == 0)
            return &r->vals[i];
    return NULL;
}

/* Takes val; replaces the field's old value, or appends the field at the
 * end (a copy of key). r must be uniquely owned. */
void rec_set(Record *r, const char *key, Value val)
{
    Value *slot = rec_get(r, key);
    if (slot) {
        val_unref(*slot);
        *slot = val;
        return;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4;
        r->keys = xrealloc(r->keys, r->cap * sizeof *r->keys);
        r->vals = xrealloc(r->vals, r->cap * sizeof *r->vals);
    }
    r->keys[r->n] = xstrdup(key);
    r->vals[r->n++] = val;
    names_appended(&r->index, r->keys, r->n);
}

/* The names follow the order of ValKind. A partial is called like a
 * function and is named as one; VAL_NIL is "nothing" because that is how
 * a missing value reads in a message. */
const char *val_kind_name(ValKind k)
{
    static const char *const names[] = {"nothing", "number", "bool", "string",
                                        "matrix", "list", "record",
                                        "function", "builtin", "function",
                                        "tracked", "error"};
    return names[k];
}

const char *val_type_name(Value v)
{
    return val_kind_name(val_primal(v).kind);
}

/* Same shape and elements. A NaN element is unequal to everything, as
 * in IEEE comparison, so a matrix holding one equals nothing, not even
 * itself (a shared list does, see below). */
static bool mat_equal(const Matrix *a, const Matrix *b)
{
    if (a->rows != b->rows || a->cols != b->cols)
        return false;
    for (size_t i = 0; i < mat_numel(a); i++)
        if (a->data[i] != b->data[i])
            return false;
    return true;
}

/* Pairs of values still to compare. Equality walks nested lists and
 * records with this explicit stack, not the C stack, so values nested a
 * million deep compare exactly (they used to compare by identity past a
 * fixed depth, which called equal structures unequal). The buffer is
 * kept between calls and reached from here, so an allocation failure
 * that unwinds out of val_equal leaks nothing. */
typedef struct {
    Value a, b;
} ValuePair;

static ValuePair *pending_pairs;
static size_t pending_cap;

static void push_pair(size_t *n, Value a, Value b)
{
    if (*n == pending_cap) {
        pending_cap = pending_cap ? 2 * pending_cap : 64;
        pending_pairs = xrealloc(pending_pairs, pending_cap * sizeof *pending_pairs);
    }
    pending_pairs[(*n)++] = (ValuePair){a, b};
}

/* Compares what can be compared without looking inside: false when a
 * and b differ at this level, true when they are equal here and their
 * items (pushed onto the pending stack) remain to be compared. A tracked
 * value compares by its primal. Kinds must match exactly: the number 1
 * and true are not equal here, nor a number and a 1x1 matrix (== on two
 * numeric operands is elementwise, in ops.c, and never comes here). A
 * shared list or record is equal to itself without a look at its items,
 * even when one of them is NaN. */
static bool equal_here(Value a, Value b, size_t *n)
{
    a = val_primal(a);
    b = val_primal(b);
    if (a.kind == VAL_LIST && b.kind == VAL_LIST && a.as.list == b.as.list)
        return true;   /* the same shared list */
    if (a.kind == VAL_REC && b.kind == VAL_REC && a.as.rec == b.as.rec)
        return true;
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case VAL_NUM: return a.as.num == b.as.num;
    case VAL_BOOL: return a.as.b == b.as.b;
    case VAL_STR: return strcmp(a.as.str->s, b.as.str->s) == 0;
    case VAL_MAT: return mat_equal(a.as.mat, b.as.mat);
    case VAL_LIST:
        if (a.as.list->n != b.as.list->n)
            return false;
        for (size_t i = 0; i < a.as.list->n; i++)
            push_pair(n, a.as.list->items[i], b.as.list->items[i]);
        return true;
    case VAL_REC:
        if (a.as.rec->n != b.as.rec->n)
            return false;
        for (size_t i = 0; i < a.as.rec->n; i++) {
            const Value *f = rec_get(b.as.rec, a.as.rec->keys[i]);
            if (!f)
                return false;
            push_pair(n, a.as.rec->vals[i], *f);
        }
        return true;
    case VAL_FUNC: return a.as.fn == b.as.fn;
    case VAL_BUILTIN: return a.as.bi == b.as.bi;
    default: return a.kind == VAL_NIL;
    }
}

bool val_equal(Value a, Value b)
{
    size_t n = 0;
    push_pair(&n, a, b);
    while (n > 0) {
        ValuePair top = pending_pairs[--n];
        if (!equal_here(top.a, top.b, &n))
            return false;
    }
    return true;
}

/* NaN is spelt out rather than left to %g, which prints "-nan" for a NaN
 * with its sign bit set (glibc) and would make messages depend on how
 * the NaN was made. buf is always NUL-terminated (snprintf). */
void describe_value(Value v, char *buf, size_t n)
{
    v = val_primal(v);
    if (v.kind == VAL_MAT)
        snprintf(buf, n, "%zux%zu %s", v.as.mat->rows, v.as.mat->cols,
                 v.as.mat->logical ? "logical" : "matrix");
    else if (v.kind == VAL_NUM && isnan(v.as.num))
        snprintf(buf, n, "number nan");
    else if (v.kind == VAL_NUM)
        snprintf(buf, n, "number %g", v.as.num);
    else
        snprintf(buf, n, "%s", val_type_name(v));
}

const char *rec_field_hint(const Record *rec, const char *name, char *buf, size_t n)
{
    Nearest nb;
    nearest_init(&nb, name);
    for (size_t i = 0; i < rec->n; i++)
        nearest_offer(&nb, rec->keys[i]);
    return nearest_hint(&nb, buf, n);
}
