/* registry.c: the families of built-ins, their titles, lookup by name and
 * the generated reference. */
#include "builtins/registry.h"

#include <string.h>

extern const Builtin builtins_core[], builtins_math[], builtins_linalg[],
    builtins_random[], builtins_io[], builtins_ad[], builtins_train[], builtins_theory[],
    builtins_plot[], builtins_data[];

/* The order is the order of the reference and of help(); the titles below
 * are matched by index, so the two lists change together. */
const Builtin *const builtin_families[] = {
    builtins_core, builtins_math, builtins_linalg, builtins_random,
    builtins_io, builtins_ad, builtins_train, builtins_theory, builtins_plot,
    builtins_data, NULL,
};

const char *const builtin_family_names[] = {
    "Construction, shape and values", "Elementwise maths and reductions",
    "Linear algebra", "Random numbers", "Output, checks and errors",
    "Differentiation", "Training", "Theory", "Figures", "Files", NULL,
};

/* A linear scan over every row. It serves help, activation names given
 * as strings and the tools, never a hot path: the evaluator finds
 * built-ins through its symbol table, filled once by interp_new. If two
 * families ever named the same built-in, the first would win here while
 * the symbol table keeps the last registered. */
const Builtin *builtin_lookup(const char *name)
{
    for (int f = 0; builtin_families[f]; f++)
        for (const Builtin *b = builtin_families[f]; b->name; b++)
            if (strcmp(b->name, name) == 0)
                return b;
    return NULL;
}

/* The help strings of the tables are the single source of the reference:
 * doc/builtins.md is this output, and `help` prints the same words. */
void builtin_write_reference(FILE *out)
{
    fputs("# ovp built-in reference\n\n"
          "Generated from the built-in tables by `ovp --reference`; do not edit.\n"
          "Arguments may be given by position or by the parameter names shown.\n", out);
    for (int f = 0; builtin_families[f]; f++) {
        fprintf(out, "\n## %s\n\n", builtin_family_names[f]);
        for (const Builtin *b = builtin_families[f]; b->name; b++)
            fprintf(out, "- `%s`: %s\n", b->signature, b->help);
    }
}

void builtin_write_names(FILE *out)
{
    for (int f = 0; builtin_families[f]; f++)
        for (const Builtin *b = builtin_families[f]; b->name; b++)
            fprintf(out, "%s\n", b->name);
}
