/* ad.h: reverse-mode automatic differentiation on a tape of matrix
 * primitives.
 *
 * While grad (or value_and_grad, jacobian, gd) runs a function, its inputs
 * are tracked values (VAL_VAR). Every operator or built-in applied to a
 * tracked value computes its ordinary result, records a node (the rule,
 * the inputs' nodes, the primal inputs and output) and returns a tracked
 * result. The reverse sweep then walks the nodes backwards, calling each
 * rule's vector-Jacobian product. Rules live in one table (ad.c), each
 * beside the expression that tests it against finite differences. */
#ifndef OVP_AD_H
#define OVP_AD_H

#include "base/diag.h"
#include "base/op.h"
#include "value/rterror.h"
#include "value/value.h"

struct Interp;
typedef struct Ad Ad;

typedef struct AdNode {
    const struct AdRule *rule;   /* NULL for an input leaf */
    int nin;
    int *in;          /* input node ids, -1 for constants */
    Value *saved;     /* primal inputs */
    Value out;        /* primal output */
    Value grad;       /* accumulated adjoint, VAL_NIL when none */
    double aux[4];    /* rule parameters (a dimension, block offsets, ...) */
    Loc loc;          /* the operation in the source (src NULL: unknown), so
                         a rule that fails in the reverse sweep points at it */
} AdNode;

/* The vector-Jacobian product of input k given the output adjoint g
 * (borrowed); returns a new reference shaped like input k's primal. */
typedef Value (*AdVjp)(Ad *ad, const AdNode *n, int k, Value g);

typedef struct AdRule {
    const char *name;        /* operator or built-in name */
    AdVjp vjp;
    const char *fd_expr;     /* an ovp expression in X and Y for the
                                finite-difference test of this rule */
    int ndiff;               /* inputs 1..ndiff are differentiable (0: all);
                                the rest (counts, dims) are constants */
} AdRule;

typedef struct Tape {
    unsigned long id;
    AdNode *nodes;
    int n, cap;
} Tape;

/* Calls a function value (closure or built-in) with positional arguments
 * (borrowed): how the tape reaches user code without knowing the
 * evaluator. The evaluator supplies interp_call. */
typedef Value (*AdCallFn)(struct Interp *host, Value fn, int argc,
                          const Value *argv, const Loc *loc);

/* The state of differentiation, owned by the interpreter object (I->ad)
 * and handed to every function here. The layer sees the interpreter only
 * as `host`, an opaque pointer it passes back to `call` and to built-in
 * functions (whose primal it computes); errors go to *err, the
 * interpreter's pending error. */
struct Ad {
    RtError *err;
    struct Interp *host;
    AdCallFn call;
    Tape *tape;               /* the active tape, or NULL */
    bool adjoint_spent;       /* while a rule runs: the adjoint it was
                                 given is dropped right after, so it may
                                 write its result over it (when unshared) */
    unsigned long serial;     /* ids of the tapes made so far: a tracked
                                 value of a finished tape is never live */
};

/* Parameters (of grad, gd, sgd, jacobian) may be lists and records nested
 * at most this deep; every walker over them stops here, so a deeper one
 * is an error, not a C stack overflow. */
#define AD_PARAM_DEPTH 1000

/* Every rule, NULL-terminated (for the table-driven derivative test). */
extern const AdRule ad_rules[];

/* Starts recording; false (with an error) when a tape is already active. */
bool ad_begin(Ad *ad, const Loc *loc);
/* Stops recording and frees the tape. */
void ad_end(Ad *ad);
/* A tracked input leaf with primal x (taken); numbers and matrices only. */
Value ad_leaf(Ad *ad, Value x);
/* True when v is tracked on the active tape. */
bool ad_live(const Ad *ad, Value v);
/* Clears every adjoint (before another reverse sweep). */
void ad_zero_grads(Ad *ad);
/* Runs the reverse sweep from `out` with adjoint `seed` (borrowed).
 * Afterwards only the leaves hold adjoints: an inner node's is dropped
 * once passed on. */
bool ad_backward(Ad *ad, Value out, Value seed, const Loc *loc);
/* Options of a sweep: keep[i] (one entry per node on the tape, or NULL)
 * keeps node i's adjoint and inputs after the sweep; last says the tape
 * will not be swept again, so each node's primals are let go as soon as
 * its rule has run (the tape stays valid to free, not to sweep). */
typedef struct AdSweep {
    const bool *keep;
    bool last;
} AdSweep;
/* ad_backward with options (NULL: none). */
bool ad_sweep(Ad *ad, Value out, Value seed, const Loc *loc, const AdSweep *opts);
/* The adjoint reached at a leaf: a new reference, zeros when none. */
Value ad_grad_of(Ad *ad, Value leaf);

/* Parameters as a structure of leaves: x (borrowed) is a number, a
 * matrix, or a list or record of them (nested at most AD_PARAM_DEPTH);
 * the result has x's structure with every number and matrix a tracked
 * leaf, or val_error (raised, naming `who`). */
Value ad_track(Ad *ad, Value x, const char *who);
/* The number of elements of a structure of leaves (as ad_track made). */
size_t ad_leaf_count(Value t);
/* The adjoints at the leaves of t, in order (list items and record fields
 * in order, each matrix column-major), into row[0 .. ad_leaf_count). */
void ad_flat_grads(Ad *ad, Value t, double *row);

/* The value and gradient of the scalar function f at x (a matrix, or a
 * list or record of them; the gradient has x's structure), with extra
 * arguments passed through. `who` names the caller in errors. Runs its
 * own tape; fails when one is already active. */
bool ad_value_and_grad(Ad *ad, Value f, Value x, int nextra, const Value *extra,
                       const char *who, Value *value, Value *grad);

/* Hooks: the operators and the built-in dispatcher call these when an
 * operand is tracked. They take their operands like ops_binary. */
Value ad_binary(Ad *ad, OpKind op, Value a, Value b, const Loc *loc);
Value ad_unary(Ad *ad, OpKind op, Value a, const Loc *loc);
/* obj[subs] for a tracked matrix (borrows obj and subs). */
Value ad_index(Ad *ad, Value obj, int nsubs, const Value *subs,
               const Loc *loc);
/* Concatenation with tracked blocks (borrows vals). */
Value ad_concat(Ad *ad, const Value *vals, int n, bool horizontal,
                const char *who, const Loc *loc);
/* A built-in called with tracked arguments: records its rule, treats it
 * as constant when it has a zero derivative, or refuses. */
Value ad_builtin(Ad *ad, const struct Builtin *bi, struct Args *a, const Loc *loc);
/* True when any of the n values is tracked. */
bool ad_any_tracked(const Value *v, int n);

#endif
