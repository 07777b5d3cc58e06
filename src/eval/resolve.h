/* resolve.h: the pass that decides, before a tree first runs, where each
 * name lives: a global symbol, a local slot of its function, a value
 * captured from an enclosing function (an upvalue), or the function
 * itself. Assignment inside a function makes a local; reads look outward. */
#ifndef OVP_RESOLVE_H
#define OVP_RESOLVE_H

#include "base/names.h"
#include "front/ast.h"
#include "eval/interp.h"

/* Where a captured value comes from in the enclosing function's frame. */
typedef struct Upval {
    ResKind from;   /* RES_LOCAL, RES_UPVAL or RES_SELF of the encloser, or
                       RES_GLOBAL for an anonymous fn at the top level */
    int index;
    char *name;
    struct Sym *sym;  /* the global captured, directly (RES_GLOBAL) or through
                         an enclosing function's upvalue; else NULL */
} Upval;

typedef struct FuncInfo {
    int nparams;     /* locals[0 .. nparams-1] are the parameters */
    int nlocals;
    char **locals;
    int nupvals;
    Upval *upvals;
    /* Positions in locals and upvals by name, once there are more than
     * NAMES_SCAN_MAX of them (a generated function may have thousands). */
    NameIndex local_index, upval_index;
} FuncInfo;

/* Resolves every name in a program tree (top level = global scope).
 * Rejects break/continue outside loops with a located error. */
bool resolve_program(Interp *I, AstNode *root);
/* Frees what resolution attached to the tree (each AST_FUNC's FuncInfo),
 * also after a failed resolution; call it before ast_free(root). */
void resolve_release(AstNode *root);

#endif
