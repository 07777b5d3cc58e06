/* resolve.c: slot resolution of names (see resolve.h).
 *
 * The answers are stored in the tree (each identifier's res, each
 * AST_FUNC's FuncInfo), so the evaluator never looks a name up by its
 * string. Errors go through interp_error; the first one stops the pass. */
#include "eval/resolve.h"

#include <stdlib.h>
#include <string.h>

/* One function being resolved, linked outwards to the global scope; the
 * chain lives on the C stack while the pass walks the tree. */
typedef struct Scope {
    struct Scope *parent;
    AstNode *fn;          /* the AST_FUNC, NULL for the global scope */
} Scope;

/* Position of name among the n names of the array (through ix when the
 * array is longer than NAMES_SCAN_MAX), or -1. */
static int find_name(char *const *names, int n, const NameIndex *ix, const char *name)
{
    if (n > NAMES_SCAN_MAX)
        return names_get(ix, name);
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

static int find_local(const FuncInfo *info, const char *name)
{
    return find_name(info->locals, info->nlocals, &info->local_index, name);
}

/* Each name once; its position is its slot in the frame's locals. */
static void add_local(FuncInfo *info, const char *name)
{
    if (find_local(info, name) >= 0)
        return;
    info->locals = xrealloc(info->locals,
                            (size_t)(info->nlocals + 1) * sizeof(char *));
    info->locals[info->nlocals++] = xstrdup(name);
    names_appended(&info->local_index, info->locals, (size_t)info->nlocals);
}

/* The name an assignment target finally writes to: A in A[1].x = ... */
static AstNode *target_root(AstNode *t)
{
    while (t->kind == AST_INDEX || t->kind == AST_FIELD)
        t = t->kids[0];
    return t;
}

/* Collects the names a function body assigns, not entering nested fns.
 * A name assigned anywhere in a function is local to all of it, also
 * before the assignment runs (the rule eval_ident's message explains).
 * A for variable and a nested `fn name` count as assignments. */
static void collect_locals(FuncInfo *info, AstNode *n)
{
    switch (n->kind) {
    case AST_FUNC:
        return;
    case AST_ASSIGN:
        for (int i = 0; i + 1 < n->nkids; i++)
            add_local(info, target_root(n->kids[i])->str);
        break;
    case AST_FOR:
    case AST_FNDEF:
        add_local(info, n->kids[0]->str);
        break;
    default:
        break;
    }
    for (int i = 0; i < n->nkids; i++)
        collect_locals(info, n->kids[i]);
}

typedef struct Where {
    ResKind kind;
    int slot;
} Where;

/* Adds name to info's upvalues (once per name), captured from `from` in
 * the enclosing function (outer, NULL at the top). A capture of a global
 * keeps its symbol, also through an enclosing function's upvalue, so
 * that a name with no value when the closure is made (a built-in) is
 * found later. */
static int add_upval(Interp *I, FuncInfo *info, const FuncInfo *outer, const char *name,
                     Where from)
{
    int known = info->nupvals > NAMES_SCAN_MAX ? names_get(&info->upval_index, name) : -1;
    for (int i = 0; i < info->nupvals && info->nupvals <= NAMES_SCAN_MAX; i++)
        if (strcmp(info->upvals[i].name, name) == 0)
            known = i;
    if (known >= 0)
        return known;
    info->upvals = xrealloc(info->upvals,
                            (size_t)(info->nupvals + 1) * sizeof(Upval));
    Sym *sym = from.kind == RES_GLOBAL ? sym_intern(I, name)
             : from.kind == RES_UPVAL && outer ? outer->upvals[from.slot].sym : NULL;
    info->upvals[info->nupvals] = (Upval){from.kind, from.slot, xstrdup(name), sym};
    int slot = info->nupvals++;
    if (info->nupvals == NAMES_SCAN_MAX + 1)
        for (int i = 0; i < info->nupvals; i++)
            names_put(&info->upval_index, info->upvals[i].name, i);
    else if (info->nupvals > NAMES_SCAN_MAX + 1)
        names_put(&info->upval_index, info->upvals[slot].name, slot);
    return slot;
}

/* An anonymous fn written at the top level captures the globals it reads
 * when it is created (closures capture values); named top-level functions
 * read globals when they run, so they may call each other in any order. */
static bool captures_globals(const Scope *s)
{
    return s->fn && !s->fn->str && !s->parent->fn;
}

/* Where name lives as seen from scope s: a local of s, s itself (its own
 * name, for recursion), else whatever the enclosing scope says. A global
 * stays a global (read when the code runs) except in an anonymous
 * top-level fn; anything found in an enclosing function becomes an
 * upvalue, and the recursion adds it to every function in between. */
static Where lookup(Interp *I, Scope *s, const char *name)
{
    if (!s->fn)
        return (Where){RES_GLOBAL, -1};
    FuncInfo *info = s->fn->fn;
    int i = find_local(info, name);
    if (i >= 0)
        return (Where){RES_LOCAL, i};
    if (s->fn->str && strcmp(s->fn->str, name) == 0)
        return (Where){RES_SELF, -1};
    Where outer = lookup(I, s->parent, name);
    if (outer.kind == RES_GLOBAL && !captures_globals(s))
        return outer;
    const FuncInfo *outer_info = s->parent->fn ? s->parent->fn->fn : NULL;
    return (Where){RES_UPVAL, add_upval(I, info, outer_info, name, outer)};
}

static void resolve_node(Interp *I, Scope *s, AstNode *n);

/* A global is interned now, so the evaluator holds its Sym directly. */
static void resolve_ident(Interp *I, Scope *s, AstNode *n)
{
    Where w = lookup(I, s, n->str);
    n->res.kind = w.kind;
    n->res.slot = w.slot;
    if (w.kind == RES_GLOBAL)
        n->res.sym = sym_intern(I, n->str);
}

/* Parameters take the first slots, then the body's assigned names. The
 * defaults are resolved inside the function, where they run. f->fn is
 * attached before the body is walked, so resolve_release frees it even
 * when the pass stops inside. */
static void resolve_func(Interp *I, Scope *s, AstNode *f)
{
    if (I->sig == SIG_ERROR)
        return;
    if (interp_stack_nearly_full(I)) {   /* functions nested deep, small stack */
        interp_error(I, &f->loc, "functions nested too deeply for the C stack "
                     "(raise it with ulimit -s)");
        return;
    }
    FuncInfo *info = xcalloc(1, sizeof *info);
    f->fn = info;
    AstNode *params = f->kids[0], *body = f->kids[1];
    for (int i = 0; i < params->nkids; i++)
        add_local(info, params->kids[i]->str);
    info->nparams = info->nlocals;
    collect_locals(info, body);
    Scope inner = {s, f};
    resolve_node(I, &inner, params);
    resolve_node(I, &inner, body);
}

/* A function is resolved once (a set f->fn marks it done). The walk
 * recurses once per level of the tree, which the parser bounds (1000
 * brackets, 2000 expression levels); a small C stack may still not hold
 * that, and then the walk stops with an error instead of overflowing. */
static void resolve_node(Interp *I, Scope *s, AstNode *n)
{
    if (I->sig == SIG_ERROR)
        return;
    if (interp_stack_nearly_full(I)) {
        interp_error(I, &n->loc, "program nested too deeply for the C stack "
                     "(raise it with ulimit -s)");
        return;
    }
    if (n->kind == AST_IDENT) {
        resolve_ident(I, s, n);
        return;
    }
    if (n->kind == AST_FUNC) {
        if (!n->fn)
            resolve_func(I, s, n);
        return;
    }
    for (int i = 0; i < n->nkids; i++)
        resolve_node(I, s, n->kids[i]);
}

/* The first break/continue outside a loop of its own function, or
 * return outside any function. Only a loop's body counts as inside it
 * (kids[2] of a for, kids[1] of a while), and entering a function starts
 * afresh: a break in a fn cannot leave a loop around the fn. A stack too
 * small for the tree's depth answers with the node where it ran out
 * (*deep set), reported like resolve_node's. */
static AstNode *stray_jump(Interp *I, AstNode *n, bool in_loop, bool in_fn, bool *deep)
{
    if (interp_stack_nearly_full(I)) {
        *deep = true;
        return n;
    }
    if (n->kind == AST_BREAK || n->kind == AST_CONTINUE)
        return in_loop ? NULL : n;
    if (n->kind == AST_RETURN && !in_fn)
        return n;
    if (n->kind == AST_FUNC)
        in_loop = false, in_fn = true;
    for (int i = 0; i < n->nkids; i++) {
        bool body = (n->kind == AST_FOR && i == 2) || (n->kind == AST_WHILE && i == 1);
        AstNode *bad = stray_jump(I, n->kids[i], in_loop || body, in_fn, deep);
        if (bad)
            return bad;
    }
    return NULL;
}

/* The jump check runs first, over the whole tree, so such a mistake is
 * reported before anything runs, like a syntax error. Expects no error
 * pending on entry: the result is read from I->sig. */
bool resolve_program(Interp *I, AstNode *root)
{
    bool deep = false;
    AstNode *bad = stray_jump(I, root, false, false, &deep);
    if (bad && deep) {
        interp_error(I, &bad->loc, "program nested too deeply for the C stack "
                     "(raise it with ulimit -s)");
        return false;
    }
    if (bad) {
        interp_error(I, &bad->loc, "'%s' outside a %s",
                     bad->kind == AST_BREAK ? "break" :
                     bad->kind == AST_CONTINUE ? "continue" : "return",
                     bad->kind == AST_RETURN ? "function" : "loop");
        return false;
    }
    Scope global = {NULL, NULL};
    resolve_node(I, &global, root);
    return I->sig != SIG_ERROR;
}

static void free_funcinfo(FuncInfo *info)
{
    for (int i = 0; i < info->nlocals; i++)
        free(info->locals[i]);
    for (int i = 0; i < info->nupvals; i++)
        free(info->upvals[i].name);
    free(info->locals);
    free(info->upvals);
    names_free(&info->local_index);
    names_free(&info->upval_index);
    free(info);
}

/* Recurses over the tree, whose depth the front end bounds (AST_MAX_DEPTH
 * for expressions, PARSE_MAX_NEST for brackets and blocks).
 * Functions the pass never reached have no FuncInfo to free. */
void resolve_release(AstNode *root)
{
    if (!root)
        return;
    for (int i = 0; i < root->nkids; i++)
        resolve_release(root->kids[i]);
    if (root->fn)
        free_funcinfo(root->fn);
    root->fn = NULL;
}
