/* ast.h: the syntax tree the parser builds and the evaluator walks.
 *
 * Every node has a kind, a location and a list of children whose meaning
 * depends on the kind (documented beside each kind). The resolver fills in
 * the `res` fields once, before a tree is first run.
 */
#ifndef OVP_AST_H
#define OVP_AST_H

#include <stdbool.h>
#include <stdio.h>

#include "base/diag.h"
#include "base/op.h"

typedef enum AstKind {
    /* expressions */
    AST_NUM,       /* num */
    AST_STR,       /* str */
    AST_BOOL,      /* num is 0 or 1 */
    AST_IDENT,     /* str = name; res says where it lives */
    AST_END,       /* `end` inside an index */
    AST_COLON,     /* bare `:` inside an index */
    AST_MATRIX,    /* kids = AST_ROW */
    AST_ROW,       /* kids = elements */
    AST_LIST,      /* kids = items */
    AST_RECORD,    /* kids = AST_FIELDINIT */
    AST_FIELDINIT, /* str = name, kids[0] = value */
    AST_RANGE,     /* kids = [from, to] or [from, step, to] */
    AST_BINOP,     /* op, kids = [lhs, rhs] */
    AST_UNOP,      /* op, kids = [operand] */
    AST_CALL,      /* kids[0] = callee, kids[1..] = args (AST_NAMEDARG for named) */
    AST_NAMEDARG,  /* str = name, kids[0] = value */
    AST_INDEX,     /* kids[0] = object, kids[1..] = subscripts */
    AST_FIELD,     /* str = name, kids[0] = object */
    AST_FUNC,      /* str = name or NULL, kids = [AST_PARAMS, AST_BLOCK] */
    AST_PARAMS,    /* kids = AST_PARAM */
    AST_PARAM,     /* str = name, kids[0] = default (optional) */
    /* statements */
    AST_BLOCK,     /* kids = statements */
    AST_EXPR,      /* kids[0] = expression */
    AST_ASSIGN,    /* kids = targets..., value (last); op = compound op or 0 */
    AST_IF,        /* kids = cond, block, cond, block, ..., [else block] */
    AST_FOR,       /* kids = [AST_IDENT var, iterable, body] */
    AST_WHILE,     /* kids = [cond, body] */
    AST_BREAK,
    AST_CONTINUE,
    AST_RETURN,    /* kids = [] or [value] */
    AST_FNDEF,     /* kids = [AST_IDENT name, AST_FUNC] */
    AST_IMPORT,    /* str = module name or path */
    AST_CHAIN,     /* kids = first operand, then AST_LINK: a long run of
                      left-associative operators (a + b - c * d ...) kept
                      flat, so its length is not depth (AST_CHAIN_FROM) */
    AST_LINK,      /* op, kids[0] = right operand; loc spans the chain so
                      far, as the binop it replaces did */
    AST__COUNT
} AstKind;


/* Where a resolved identifier lives. */
typedef enum ResKind { RES_UNRESOLVED, RES_GLOBAL, RES_LOCAL, RES_UPVAL,
                       RES_SELF } ResKind;

struct Sym;
struct FuncInfo;
struct VmCode;

typedef struct AstNode {
    AstKind kind;
    OpKind op;
    Loc loc;
    int depth;           /* 1 + deepest child: bounds recursion */
    double num;
    char *str;
    struct AstNode **kids;
    int nkids, capkids;
    struct {
        ResKind kind;
        int slot;              /* local slot or upvalue index */
        struct Sym *sym;       /* global symbol */
    } res;
    struct FuncInfo *fn;      /* AST_FUNC: filled and freed by the resolver
                                 (resolve_release before ast_free) */
    struct VmCode *code;      /* AST_FOR, AST_WHILE: the loop's bytecode,
                                 made and freed by the evaluator (vm.h) */
    signed char fuse;         /* operators: whether the node heads an
                                 elementwise expression (the evaluator's
                                 note, fuse.h); 0 until it is known */
} AstNode;

/* Deepest tree the parser accepts; deeper input is a syntax error. */
#define AST_MAX_DEPTH 2000
/* A left-leaning run of binary operators becomes an AST_CHAIN once it is
 * this deep: 1 + 2 + ... + 100000 is not nesting the user wrote, and
 * every walk over the tree recurses on depth. Shorter runs stay binops. */
#define AST_CHAIN_FROM 64

AstNode *ast_new(AstKind kind, Loc loc);
AstNode *ast_num(double v, Loc loc);
AstNode *ast_str(AstKind kind, char *s, Loc loc);   /* takes s */
AstNode *ast_op(AstKind kind, OpKind op, Loc loc, AstNode *a, AstNode *b);
/* Appends a child (NULL is ignored) and updates depth; returns node. */
AstNode *ast_add(AstNode *node, AstNode *kid);
void ast_free(AstNode *node);

const char *ast_kind_name(AstKind kind);
/* The --dump-ast printer: one node per line, indented by depth. */
void ast_dump(FILE *out, const AstNode *node, int indent);

#endif
