/* params.h: the script parameters given on the command line
 * (`ovp script.ovp seed=3`, `--param seed=3`) and read by `param(name,
 * default)`. Plain strings here; the built-in converts them to values.
 *
 * Every parameter must be read: one the script never asks for is a typo or
 * a wrong script, and the command line reports it after the run. */
#ifndef OVP_PARAMS_H
#define OVP_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Param {
    char *name;
    char *text;       /* the value exactly as given */
    bool read;        /* asked for by param() */
} Param;

typedef struct Params {
    Param *v;
    size_t n;
} Params;

/* True when arg has the shape NAME=VALUE with NAME an identifier. */
bool param_shaped(const char *arg);
/* True when name is an identifier (a parameter's possible name). */
bool param_shaped_name(const char *name);
/* Adds NAME=VALUE. Returns NULL, or a message (static storage) saying why
 * arg is not a parameter: not NAME=VALUE, or NAME given twice. */
const char *params_add(Params *p, const char *arg);
/* The parameter called name, marked as read; NULL when not given. */
Param *params_take(Params *p, const char *name);
/* The first parameter never read, or NULL. */
const Param *params_unread(const Params *p);
void params_free(Params *p);

#endif
