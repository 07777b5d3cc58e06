/* complete.h: what the REPL's Tab and the Jupyter kernel offer to
 * complete, and whether an input is whole, on one interpreter's state. */
#ifndef OVP_COMPLETE_H
#define OVP_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "eval/interp.h"

/* The completions of the word that ends at byte `cursor` of line (*start
 * receives where it begins): after a dot, the fields of the record the
 * names before it reach (`run.dist.<Tab>`); otherwise the globals and
 * built-ins starting with the word and, inside a built-in's call, its
 * parameters as "name = ". A NULL-terminated array of malloc'd strings
 * (free with complete_free), in that order, without duplicates. */
char **complete_at(Interp *I, const char *line, size_t cursor, size_t *start);
void complete_free(char **matches);

/* True unless the input ends inside an open construct (a block, a
 * bracket, a string): what the REPL's continuation prompt and the
 * kernel's is_complete answer. Other syntax errors count as whole, to be
 * reported when run. */
bool complete_input(const char *text, size_t len);

#endif
