/* complete.c: completion candidates and input completeness, shared by
 * the REPL (readline) and the Jupyter kernel (kernel.c). */
#include "app/complete.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "builtins/registry.h"
#include "eval/builtin.h"
#include "front/parse.h"

typedef struct {
    char **v;
    size_t n;
} Matches;

static void add(Matches *m, const char *s)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i], s) == 0)
            return;
    m->v = xrealloc(m->v, (m->n + 2) * sizeof *m->v);
    m->v[m->n++] = xstrdup(s);
    m->v[m->n] = NULL;
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The global and built-in names starting with prefix. A symbol with
 * neither a value nor a built-in is only a name the interpreter has seen
 * (the resolver interns every global name a program mentions, assigned
 * or not) and is not offered. */
static void names_with(Interp *I, const char *prefix, size_t n, Matches *m)
{
    for (size_t b = 0; b < I->nbuckets; b++)
        for (const Sym *s = I->buckets[b]; s; s = s->next)
            if ((s->value.kind != VAL_NIL || s->builtin) && strncmp(s->name, prefix, n) == 0)
                add(m, s->name);
}

/* `run.dist.lo`: the record that the chain of names before the dot at
 * `dot` reaches (a global, then fields); its fields starting with the
 * prefix. */
static void fields_before(Interp *I, const char *line, size_t dot, const char *prefix,
                          size_t n, Matches *m)
{
    const char *names[16];
    size_t lens[16];
    int depth = 0;
    size_t p = dot;
    while (depth < 16 && p > 0 && line[p] == '.') {
        size_t end = p;
        while (p > 0 && is_name_char(line[p - 1]))
            p--;
        if (p == end)
            return;
        names[depth] = line + p;
        lens[depth++] = end - p;
        if (p == 0)
            break;
        p--;
    }
    if (depth == 0 || (p > 0 && line[p] == '.'))
        return;
    char first[64];
    snprintf(first, sizeof first, "%.*s", (int)lens[depth - 1], names[depth - 1]);
    Sym *s = sym_find(I, first);
    Value v = s ? s->value : val_nil;
    for (int d = depth - 2; d >= 0 && v.kind == VAL_REC; d--) {
        char field[64];
        snprintf(field, sizeof field, "%.*s", (int)lens[d], names[d]);
        Value *f = rec_get(v.as.rec, field);
        v = f ? *f : val_nil;
    }
    for (size_t i = 0; v.kind == VAL_REC && i < v.as.rec->n; i++)
        if (strncmp(v.as.rec->keys[i], prefix, n) == 0)
            add(m, v.as.rec->keys[i]);
}

/* `gd(f, x, l`: the parameters of the built-in whose call is open before
 * start, as "name = ". */
static void parameters_before(const char *line, size_t start, const char *prefix, size_t n,
                              Matches *m)
{
    int depth = 0;
    size_t p = start;
    while (p-- > 0) {
        if (line[p] == ')' || line[p] == ']' || line[p] == '}')
            depth++;
        else if (line[p] == '(' || line[p] == '[' || line[p] == '{') {
            if (depth == 0)
                break;
            depth--;
        }
    }
    if (p == (size_t)-1 || p == 0 || line[p] != '(')
        return;
    size_t end = p;
    while (p > 0 && is_name_char(line[p - 1]))
        p--;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(end - p), line + p);
    const Builtin *bi = builtin_lookup(name);
    char param[64], entry[72];
    for (int i = 0; bi && i < 32; i++) {
        builtin_param_name(bi, i, param, sizeof param);
        if (!param[0])
            break;
        snprintf(entry, sizeof entry, "%s = ", param);
        if (strcmp(param, "...") != 0 && strncmp(param, prefix, n) == 0)
            add(m, entry);
    }
}

char **complete_at(Interp *I, const char *line, size_t cursor, size_t *start)
{
    size_t len = strlen(line);
    if (cursor > len)
        cursor = len;
    size_t s = cursor;
    while (s > 0 && is_name_char(line[s - 1]))
        s--;
    *start = s;
    char *prefix = xstrndup(line + s, cursor - s);
    size_t n = cursor - s;
    Matches m = {xcalloc(1, sizeof *m.v), 0};
    if (s > 0 && line[s - 1] == '.') {
        fields_before(I, line, s - 1, prefix, n, &m);
    } else {
        names_with(I, prefix, n, &m);
        parameters_before(line, s, prefix, n, &m);
    }
    free(prefix);
    return m.v;
}

void complete_free(char **matches)
{
    for (size_t i = 0; matches && matches[i]; i++)
        free(matches[i]);
    free(matches);
}

/* The parser marks an error found at the end of the input as incomplete.
 * The input is parsed again when it runs: inputs are short, and this
 * keeps the REPL and the kernel on the same path as files. */
bool complete_input(const char *text, size_t len)
{
    Source src = {.name = "<input>", .text = (char *)text, .len = len};
    ParseError err = {0};
    AstNode *tree = parse_source(&src, &err);
    bool incomplete = !tree && err.incomplete;
    ast_free(tree);
    parse_error_clear(&err);
    return !incomplete;
}
