/* eval.h: the tree-walking evaluator: statements, expressions, calls,
 * closures and scopes. Operator semantics live in ops.c, indexing in
 * index.c; this file only walks the tree and moves values between them. */
#ifndef OVP_EVAL_H
#define OVP_EVAL_H

#include "front/ast.h"
#include "eval/interp.h"
#include "eval/resolve.h"
#include "value/value.h"

typedef struct Frame {
    Value *locals;
    Closure *closure;
    struct Frame *parent;
} Frame;

/* Runs a resolved program at the top level. Returns the value of the last
 * expression statement (or val_nil); val_error when a signal is pending. */
Value eval_program(Interp *I, AstNode *root);

/* Calls fn with positional arguments args[0..argc-1] (borrowed) and named
 * ones (names[i] for args[npos+i]); nargout is the number of targets. */
Value eval_call_value(Interp *I, Value fn, int npos, int nnamed,
                      Value *args, const char **names, int nargout,
                      const Loc *loc);

#endif
