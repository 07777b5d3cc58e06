/* walk.h: the tree walker's rules that the loop compiler (vm.c) runs
 * itself, shared so that both follow one definition. Internal to the
 * evaluator: nothing outside src/eval includes it. */
#ifndef OVP_WALK_H
#define OVP_WALK_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "eval/interp.h"
#include "front/ast.h"

/* Evaluates any node as the walker does (stack check, dispatch, the
 * error signal). */
Value walk_eval(Interp *I, AstNode *n);

/* The storage of a resolved identifier (NULL for RES_SELF); VAL_NIL in
 * it means unassigned. */
Value *walk_ident_slot(Interp *I, AstNode *n);

/* The bounds {from, step, to} and the element count of a range node,
 * evaluated and checked; false with the error raised. */
bool walk_range(Interp *I, AstNode *range, double p[3], size_t *count);
/* Element i of from:step:to; the last one snaps to `to` when rounding left
 * it a hair away, so (0:0.1:0.3)[end] is exactly 0.3. Inline: a counted
 * loop computes one per iteration. */
static inline double walk_range_element(const double p[3], size_t i, size_t count)
{
    double x = p[0] + (double)i * p[1];
    if (i + 1 == count && fabs(x - p[2]) <= 1e-10 * fabs(p[1]))
        x = p[2];
    return x;
}

/* A binary node the walker evaluates its own way: && and || (which may
 * skip their right side) and products with a transposed operand (one
 * BLAS call). */
bool walk_binop_is_special(const AstNode *n);

/* The error "interrupted" at loc, exit status 130. */
Value walk_interrupted_at(Interp *I, const Loc *loc);

/* An identifier with storage of its own: a local, a global or a capture
 * (not the running function's own name). */
static inline bool walk_is_variable(const AstNode *n)
{
    return n->kind == AST_IDENT && (n->res.kind == RES_LOCAL ||
                                    n->res.kind == RES_GLOBAL ||
                                    n->res.kind == RES_UPVAL);
}

/* The end of a loop iteration that ran to its end or continued: Ctrl-C
 * stops the loop here ("interrupted" at loc), and the fuzzers' step
 * budget is spent. False with the error raised. Inline: a counted loop
 * of the compiler calls it every iteration. */
static inline bool walk_iteration_end(Interp *I, const Loc *loc)
{
    if (interrupt_pending()) {
        walk_interrupted_at(I, loc);
        return false;
    }
    if (I->step_budget && --I->step_budget == 0) {
        interp_error(I, loc, "step budget exhausted");
        return false;
    }
    return true;
}

#endif
