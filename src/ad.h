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

#include "ast.h"
#include "interp.h"
#include "value.h"

struct Builtin;
struct Args;

typedef struct AdNode {
    const struct AdRule *rule;   /* NULL for an input leaf */
    int nin;
    int *in;          /* input node ids, -1 for constants */
    Value *saved;     /* primal inputs */
    Value out;        /* primal output */
    Value grad;       /* accumulated adjoint, VAL_NIL when none */
    double aux[4];    /* rule parameters (a dimension, block offsets, ...) */
} AdNode;

/* The vector-Jacobian product of input k given the output adjoint g
 * (borrowed); returns a new reference shaped like input k's primal. */
typedef Value (*AdVjp)(Interp *I, const AdNode *n, int k, Value g);

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

/* Every rule, NULL-terminated (for the table-driven derivative test). */
extern const AdRule ad_rules[];

/* Starts recording; false (with an error) when a tape is already active. */
bool ad_begin(Interp *I, const Loc *loc);
/* Stops recording and frees the tape. */
void ad_end(Interp *I);
/* A tracked input leaf with primal x (taken); numbers and matrices only. */
Value ad_leaf(Interp *I, Value x);
/* True when v is tracked on the active tape. */
bool ad_live(const Interp *I, Value v);
/* Clears every adjoint (before another reverse sweep). */
void ad_zero_grads(Interp *I);
/* Runs the reverse sweep from `out` with adjoint `seed` (borrowed). */
bool ad_backward(Interp *I, Value out, Value seed, const Loc *loc);
/* The adjoint reached at a leaf: a new reference, zeros when none. */
Value ad_grad_of(Interp *I, Value leaf);

/* The value and gradient of the scalar function f at x (a matrix, or a
 * list or record of them; the gradient has x's structure), with extra
 * arguments passed through. `who` names the caller in errors. Runs its
 * own tape; fails when one is already active. */
bool ad_value_and_grad(Interp *I, Value f, Value x, int nextra, const Value *extra,
                       const char *who, Value *value, Value *grad);

/* Hooks: the operators and the built-in dispatcher call these when an
 * operand is tracked. They take their operands like ops_binary. */
Value ad_binary(Interp *I, OpKind op, Value a, Value b, const Loc *loc);
Value ad_unary(Interp *I, OpKind op, Value a, const Loc *loc);
/* obj[subs] for a tracked matrix (borrows obj and subs). */
Value ad_index(Interp *I, Value obj, int nsubs, const Value *subs,
               const Loc *loc);
/* Concatenation with tracked blocks (borrows vals). */
Value ad_concat(Interp *I, const Value *vals, int n, bool horizontal,
                const char *who, const Loc *loc);
/* A built-in called with tracked arguments: records its rule, treats it
 * as constant when it has a zero derivative, or refuses. */
Value ad_builtin(Interp *I, const struct Builtin *bi, struct Args *a);
/* True when any of the n values is tracked. */
bool ad_any_tracked(const Value *v, int n);

#endif
