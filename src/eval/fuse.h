/* fuse.h: elementwise expressions computed in one pass.
 *
 * An expression such as (1 - A .* A) .* (r * v') builds, when the walker
 * takes it an operator at a time, a matrix for every operator: here
 * three of A's size alive at once. When its operators are elementwise
 * (+ - .* ./, * and / by a scalar, unary minus, and the rank-one product
 * of a column and a row) and its leaves are numbers, variables and
 * transposed variables, it is computed instead in one pass over the
 * result, a few hundred elements at a time, into the one matrix it
 * returns.
 *
 * Each element goes through the same operations, in the same order, as
 * it would one operator at a time, so the result is the same to the bit
 * (the rank-one product forms x*y + 0, as mat_mul does). Anything else
 * (a leaf that is not a number or a plain matrix, shapes that do not
 * broadcast, a real matrix product, a result too small to gain) is left
 * to the walker, which then computes and reports as always; reading
 * variables has no effect, so nothing runs twice.
 */
#ifndef OVP_FUSE_H
#define OVP_FUSE_H

#include <stdbool.h>

#include "eval/interp.h"
#include "front/ast.h"

/* Whether n heads such an expression by its shape alone (what it holds
 * at run time decides the rest). */
bool fuse_heads(AstNode *n);

/* Computes the binary or unary node n in one pass when it heads such an
 * expression: true with the value (or val_error after an interrupt) in
 * *out. False, having done nothing, otherwise. */
bool fuse_try(Interp *I, AstNode *n, Value *out);

#endif
