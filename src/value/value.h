/* value.h: the tagged values of the language.
 *
 * Ownership rule (one rule, everywhere): a function that returns a Value
 * gives the caller one reference; a function that takes `Value` or
 * `const Value *` arguments only borrows them unless its comment says it
 * "takes" one. val_ref() is the only way to keep a borrowed value.
 *
 * Numbers and booleans live unboxed in the Value. Strings, matrices, lists,
 * records and closures are reference counted; matrices, lists and records
 * are copy-on-write (val_unique_* before writing), which gives value
 * semantics: assigning or passing never aliases.
 */
#ifndef OVP_VALUE_H
#define OVP_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/matrix.h"
#include "base/names.h"

typedef enum ValKind {
    VAL_NIL,      /* "no value": what print() returns; never stored */
    VAL_NUM,
    VAL_BOOL,     /* the kinds up to here hold no reference (val_ref) */
    VAL_STR,
    VAL_MAT,
    VAL_LIST,
    VAL_REC,
    VAL_FUNC,
    VAL_BUILTIN,
    VAL_PARTIAL,  /* a built-in with its first argument bound: grad(f) */
    VAL_VAR,      /* a number or matrix being differentiated (ad.h) */
    VAL_ERROR     /* an error is pending in the interpreter */
} ValKind;

struct Str;
struct List;
struct Record;
struct Closure;
struct Builtin;
struct Partial;
struct AdVar;

typedef struct Value {
    ValKind kind;
    union {
        double num;
        bool b;
        struct Str *str;
        Matrix *mat;
        struct List *list;
        struct Record *rec;
        struct Closure *fn;
        const struct Builtin *bi;
        struct Partial *partial;
        struct AdVar *var;
    } as;
} Value;

typedef struct Str {
    int rc;
    size_t len;
    char s[];      /* NUL-terminated */
} Str;

typedef struct List {
    int rc;
    size_t n, cap;
    Value *items;
    Value dead_next;   /* only while being freed: the next container
                          waiting to be freed (value.c) */
} List;

/* Fields in the order they were first set (printing and destructuring
 * follow it); index finds a key's position once there are more than
 * NAMES_SCAN_MAX fields, so building or reading a record of n fields
 * takes time linear in n. */
typedef struct Record {
    int rc;
    size_t n, cap;
    char **keys;
    Value *vals;
    NameIndex index;
    Value dead_next;   /* only while being freed: the next container
                          waiting to be freed (value.c) */
} Record;

/* A function value. The value layer keeps its reference count, its name
 * and its captured values; what the code means (the AST_FUNC) belongs to
 * the evaluator, so the node is an opaque pointer here. */
typedef struct Closure {
    int rc;
    struct AstNode *node;   /* the AST_FUNC (owned by the interpreter) */
    const char *name;       /* NULL for an anonymous function (owned by the AST) */
    Value *upvals;          /* captured by value when the closure is made */
    int nupvals;
    Value dead_next;   /* only while being freed: the next container
                          waiting to be freed (value.c) */
} Closure;

/* A closure with rc 1 and nupvals nil upvalues, to be filled by the caller. */
Closure *closure_new(struct AstNode *node, const char *name, int nupvals);
/* The name a function value prints as: its own, or "anonymous fn". */
const char *closure_name(const Closure *c);

/* A built-in function value: a row of one of the families' tables
 * (builtin.h). The value layer only names it; the dispatcher above checks
 * the arguments and calls fn. */
struct Interp;

/* The arguments of one built-in call, after the dispatcher has mapped the
 * named ones to their parameters' slots. */
typedef struct Args {
    int n;                       /* slots (positional + named, in order) */
    Value *v;                    /* VAL_NIL in a slot means "not given" */
    const struct Builtin *bi;
    int nargout;                 /* targets of `a, b = f()`; 1 otherwise */
    /* The caller releases its references to v right after the call (the
     * evaluator's own calls), so a matrix in v whose count is 1 is a
     * temporary nothing else can see: the built-in may write its result
     * into it and return it. False for calls from C, which may still
     * read what they passed. */
    bool temps;
    /* Slots given by position: all n for a built-in of fixed arity; for a
     * variadic one the arguments of "...", followed in v[npos..n) by its
     * keyword-only parameters (named after "..." in the signature). */
    int npos;
} Args;

typedef Value (*BuiltinFn)(struct Interp *I, const Args *a);

typedef struct Builtin {
    const char *name;
    int min_args, max_args;      /* max_args < 0: variadic */
    const char *signature;       /* "norm(A, p = 2)": names parameters */
    const char *help;
    BuiltinFn fn;
} Builtin;

typedef struct Partial {
    int rc;
    const struct Builtin *bi;
    Value bound;   /* passed as the first argument */
    Value dead_next;   /* only while being freed: the next container
                          waiting to be freed (value.c) */
} Partial;

/* A tracked value: its primal (a number or matrix) and its node on the
 * differentiation tape that was active when it was made. */
typedef struct AdVar {
    int rc;
    Value primal;
    unsigned long tape_id;
    int node;
    Value dead_next;   /* only while being freed: the next container
                          waiting to be freed (value.c) */
} AdVar;

#define VAL_IS_ERR(v) ((v).kind == VAL_ERROR)

/* The plain value inside a tracked one (borrowed); other values as is. */
static inline Value val_primal(Value v)
{
    return v.kind == VAL_VAR ? v.as.var->primal : v;
}

extern const Value val_nil;
extern const Value val_error;

static inline Value val_num(double x)
{
    return (Value){.kind = VAL_NUM, .as.num = x};
}

static inline Value val_bool(bool b)
{
    return (Value){.kind = VAL_BOOL, .as.b = b};
}

/* Strings hold at most as many characters as a matrix holds elements;
 * joining past that is an error, not a run into all of memory. */
#define VAL_STR_MAX MAT_MAX_ELEMS

Value val_str(const char *s);                 /* copies s */
Value val_strn(const char *s, size_t n);
Value val_str_take(char *s);                  /* takes a malloc'd string */
Value val_mat(Matrix *m);                     /* takes m; NULL gives VAL_NIL */
Value val_list_new(size_t cap);
Value val_rec_new(void);
Value val_builtin(const struct Builtin *bi);
/* bi with its first argument bound to `bound` (taken). */
Value val_partial(const struct Builtin *bi, Value bound);
/* A tracked value for tape node `node`; takes primal. */
Value val_var(Value primal, unsigned long tape_id, int node);

/* The reference counting of boxed values; val_ref and val_unref answer
 * numbers, booleans and nil inline, as the scalar loops need. */
Value val_ref_boxed(Value v);
void val_unref_boxed(Value v);

static inline Value val_ref(Value v)
{
    return v.kind > VAL_BOOL ? val_ref_boxed(v) : v;
}

static inline void val_unref(Value v)
{
    if (v.kind > VAL_BOOL)
        val_unref_boxed(v);
}

/* Copy-on-write: make the container exclusively owned before writing. */
void val_unique_list(Value *v);
void val_unique_rec(Value *v);

/* List and record editing (the value must be uniquely owned). Both take
 * item/val. */
void list_push(List *l, Value item);
/* Returns a borrowed pointer to the field's value, or NULL. */
Value *rec_get(const Record *r, const char *key);
void rec_set(Record *r, const char *key, Value val);

const char *val_kind_name(ValKind k);
/* The user-visible type of a value, as type() reports it. */
const char *val_type_name(Value v);
/* "2x3 matrix", "number 0.5", "string", ... for error messages (a tracked
 * value is described by its primal). */
void describe_value(Value v, char *buf, size_t n);
/* " (did you mean 'f'?)" for the field of rec nearest to name, or "". */
const char *rec_field_hint(const Record *rec, const char *name, char *buf, size_t n);
/* Deep equality (same kind and contents). */
bool val_equal(Value a, Value b);

#endif
