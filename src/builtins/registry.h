/* registry.h: the list of built-in families, the one place that knows
 * them all. An application hands builtin_families to interp_new; the
 * reference (`ovp --reference`), the editor name lists and `help` read it
 * too. A new family is a table in a new builtins/bi_*.c and a line here
 * and in registry.c. */
#ifndef OVP_REGISTRY_H
#define OVP_REGISTRY_H

#include <stdio.h>

#include "value/value.h"

/* Every family's table, NULL-terminated, and the family titles in the
 * same order (for the reference and `help`). */
extern const Builtin *const builtin_families[];
extern const char *const builtin_family_names[];

/* The row of the built-in called name, or NULL. */
const Builtin *builtin_lookup(const char *name);
/* Writes the Markdown reference of every built-in (doc/builtins.md). */
void builtin_write_reference(FILE *out);
/* Writes every built-in's name, one per line (for editor syntax files). */
void builtin_write_names(FILE *out);

#endif
