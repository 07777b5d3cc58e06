/* params.c: the command-line parameter table (see params.h). */
#include "base/params.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

/* s[0..len) is a letter or '_' followed by letters, digits or '_', the
 * rule params_add's message states. */
static bool is_identifier(const char *s, size_t len)
{
    if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return false;
    return true;
}

bool param_shaped(const char *arg)
{
    const char *eq = strchr(arg, '=');
    return eq && is_identifier(arg, (size_t)(eq - arg));
}

bool param_shaped_name(const char *name)
{
    return is_identifier(name, strlen(name));
}

/* The parameter named name[0..len) (not NUL-terminated there), or NULL.
 * A linear search: a command line holds a handful of parameters. */
static Param *find(const Params *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->n; i++)
        if (strlen(p->v[i].name) == len && memcmp(p->v[i].name, name, len) == 0)
            return &p->v[i];
    return NULL;
}

/* Copies name and value; p owns them until params_free. A repeated name
 * is refused rather than letting one of the values win silently. */
const char *params_add(Params *p, const char *arg)
{
    if (!param_shaped(arg))
        return "a parameter is NAME=VALUE, NAME a letter or '_' followed by "
               "letters, digits or '_'";
    size_t len = (size_t)(strchr(arg, '=') - arg);
    if (find(p, arg, len))
        return "this parameter is given twice";
    p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
    p->v[p->n++] = (Param){xstrndup(arg, len), xstrdup(arg + len + 1), false};
    return NULL;
}

/* Marking on lookup is what lets params_unread find the parameters a
 * script never asked for. */
Param *params_take(Params *p, const char *name)
{
    Param *q = find(p, name, strlen(name));
    if (q)
        q->read = true;
    return q;
}

const Param *params_unread(const Params *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (!p->v[i].read)
            return &p->v[i];
    return NULL;
}

void params_free(Params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].name);
        free(p->v[i].text);
    }
    free(p->v);
    p->v = NULL;
    p->n = 0;
}
