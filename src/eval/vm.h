/* vm.h: loops compiled to register bytecode.
 *
 * A `for i in a:b` or `while` loop is compiled, the first time it runs,
 * into a short program over the values it touches: its variables (the
 * slots the resolver gave them), number constants and temporaries. The
 * program is kept on the loop's node and run each time the loop runs.
 *
 * What it compiles (arithmetic and comparisons, assignments to a
 * variable, if/elseif/else, nested counted and while loops, break and
 * continue) it runs itself, with two numbers combined in place and no
 * call; anything else (calls, indexing, literals of matrices, lists and
 * records, && and ||, returns, ...) is one instruction that hands the node
 * to the tree walker. Every instruction that is not a pair of numbers
 * goes through the walker's own functions (dispatch_binary, ops_truth,
 * the range and interrupt rules), so a compiled loop computes the same
 * bits, raises the same errors at the same places, in the same order, as
 * the walker: the golden outputs cannot tell them apart. Setting OVP_VM=0
 * in the environment turns the compiler off (interp_new reads it), to
 * compare the two.
 */
#ifndef OVP_VM_H
#define OVP_VM_H

#include <stdbool.h>

#include "eval/interp.h"
#include "front/ast.h"

/* Runs the loop node n (AST_FOR over a range, or AST_WHILE), compiling it
 * first if it has not been. Returns false, having done nothing, when n is
 * not a loop the compiler takes; otherwise true with the loop's value
 * (val_nil, or val_error with the signal set) in *out. */
bool vm_run_loop(Interp *I, AstNode *n, Value *out);

/* Frees the programs kept on the nodes of a tree (before ast_free). */
void vm_release(AstNode *root);

#endif
