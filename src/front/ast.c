/* ast.c: node construction, freeing and the --dump-ast printer.
 *
 * A node owns its children and its string. What the resolver attaches
 * (FuncInfo) and points at (symbols) is not the tree's: resolve_release
 * frees the one, the interpreter the other. The recursive walks here are
 * safe because the front end bounds the depth of a tree.
 */
#include "front/ast.h"

#include <stdlib.h>

#include "base/strbuf.h"


/* A zeroed node: no children, op OP_NONE, res RES_UNRESOLVED; depth 1. */
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

/* Takes s (malloc'd); ast_free frees it with the node. */
AstNode *ast_str(AstKind kind, char *s, Loc loc)
{
    AstNode *n = ast_new(kind, loc);
    n->str = s;
    return n;
}

/* b is NULL for a unary operator: ast_add ignores it. */
AstNode *ast_op(AstKind kind, OpKind op, Loc loc, AstNode *a, AstNode *b)
{
    AstNode *n = ast_new(kind, loc);
    n->op = op;
    ast_add(n, a);
    ast_add(n, b);
    return n;
}

/* Keeps depth as 1 + the deepest child while children are added, so the
 * parser can refuse a tree nested too deeply (bounded() in parser.y)
 * without walking it. Takes kid. */
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

/* Frees the node and everything under it; NULL is accepted. Call
 * resolve_release first on a resolved tree. */
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

/* In the order of AstKind. The AST dumps of the tests and the "cannot
 * evaluate" message use these names. */
static const char *const kind_names[AST__COUNT] = {
    "num", "str", "bool", "ident", "end", "colon", "matrix", "row", "list",
    "record", "fieldinit", "range", "binop", "unop", "call", "namedarg",
    "index", "field", "func", "params", "param", "block", "expr", "assign",
    "if", "for", "while", "break", "continue", "return", "fndef", "import",
    "chain", "link",
};


const char *ast_kind_name(AstKind kind)
{
    return kind < AST__COUNT ? kind_names[kind] : "?";
}

/* Numbers with %.17g: the exact double the lexer produced, so a test can
 * see how a literal was read. Strings are printed between quotes as they
 * are, without escapes. */
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

/* One node per line: two spaces per level, the kind, its payload and
 * @line:col. The tree is dumped as parsed, before resolution. */
void ast_dump(FILE *out, const AstNode *n, int indent)
{
    fprintf(out, "%*s%s", indent * 2, "", ast_kind_name(n->kind));
    dump_payload(out, n);
    fprintf(out, " @%d:%d\n", n->loc.line, n->loc.col);
    for (int i = 0; i < n->nkids; i++)
        ast_dump(out, n->kids[i], indent + 1);
}
