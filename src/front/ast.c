/* ast.c: node construction, freeing and the --dump-ast printer. */
#include "front/ast.h"

#include <stdlib.h>

#include "base/strbuf.h"


AstNode *ast_new(AstKind kind, Loc loc)
{
    AstNode *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->loc = loc;
    n->depth = 1;
    return n;
}

AstNode *ast_num(double v, Loc loc)
{
    AstNode *n = ast_new(AST_NUM, loc);
    n->num = v;
    return n;
}

AstNode *ast_str(AstKind kind, char *s, Loc loc)
{
    AstNode *n = ast_new(kind, loc);
    n->str = s;
    return n;
}

AstNode *ast_op(AstKind kind, OpKind op, Loc loc, AstNode *a, AstNode *b)
{
    AstNode *n = ast_new(kind, loc);
    n->op = op;
    ast_add(n, a);
    ast_add(n, b);
    return n;
}

AstNode *ast_add(AstNode *node, AstNode *kid)
{
    if (!kid)
        return node;
    if (node->nkids == node->capkids) {
        node->capkids = node->capkids ? node->capkids * 2 : 2;
        node->kids = xrealloc(node->kids, (size_t)node->capkids * sizeof *node->kids);
    }
    node->kids[node->nkids++] = kid;
    if (kid->depth + 1 > node->depth)
        node->depth = kid->depth + 1;
    return node;
}

void ast_free(AstNode *node)
{
    if (!node)
        return;
    for (int i = 0; i < node->nkids; i++)
        ast_free(node->kids[i]);
    free(node->kids);
    free(node->str);
    free(node);
}

static const char *const kind_names[AST__COUNT] = {
    "num", "str", "bool", "ident", "end", "colon", "matrix", "row", "list",
    "record", "fieldinit", "range", "binop", "unop", "call", "namedarg",
    "index", "field", "func", "params", "param", "block", "expr", "assign",
    "if", "for", "while", "break", "continue", "return", "fndef", "import",
};


const char *ast_kind_name(AstKind kind)
{
    return kind < AST__COUNT ? kind_names[kind] : "?";
}

static void dump_payload(FILE *out, const AstNode *n)
{
    if (n->kind == AST_NUM)
        fprintf(out, " %.17g", n->num);
    else if (n->kind == AST_BOOL)
        fprintf(out, " %s", n->num ? "true" : "false");
    else if (n->kind == AST_STR)
        fprintf(out, " \"%s\"", n->str);
    else if (n->str)
        fprintf(out, " %s", n->str);
    if (n->op != OP_NONE)
        fprintf(out, " %s", op_name(n->op));
}

void ast_dump(FILE *out, const AstNode *n, int indent)
{
    fprintf(out, "%*s%s", indent * 2, "", ast_kind_name(n->kind));
    dump_payload(out, n);
    fprintf(out, " @%d:%d\n", n->loc.line, n->loc.col);
    for (int i = 0; i < n->nkids; i++)
        ast_dump(out, n->kids[i], indent + 1);
}
