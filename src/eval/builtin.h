/* builtin.h: the registry of built-in functions and the shared argument
 * helpers that give every built-in the same error messages.
 *
 * A family (core, math, linalg, random, io, ...) is a static table of
 * Builtin rows; the dispatcher checks arity and maps named arguments by
 * the parameter names in the signature before the C function runs. */
#ifndef OVP_BUILTIN_H
#define OVP_BUILTIN_H

#include "eval/interp.h"
#include "value/value.h"

#define BUILTIN_END {NULL, 0, 0, NULL, NULL, NULL}

/* Makes every row of the NULL-terminated list of family tables a global
 * name. The tables themselves live above the evaluator (the families in
 * builtins/, listed by builtins/registry.c); whoever makes an interpreter
 * hands them in (interp_new). */
void builtin_register_all(Interp *I, const Builtin *const *families);

/* Name of parameter i (0-based) from the signature into buf; "" if none. */
void builtin_param_name(const Builtin *bi, int i, char *buf, size_t n);
/* Index of the parameter called name, or -1. */
int builtin_param_index(const Builtin *bi, const char *name);

/* ---- argument helpers: on failure they raise the uniform error and
 * return false / NULL ---- */
bool arg_given(const Args *a, int i);
Value arg_type_error(Interp *I, const Args *a, int i, const char *expected);
bool arg_num(Interp *I, const Args *a, int i, double *out);
bool arg_num_or(Interp *I, const Args *a, int i, double dflt, double *out);
bool arg_int(Interp *I, const Args *a, int i, long *out);
bool arg_int_or(Interp *I, const Args *a, int i, long dflt, long *out);
/* A size or count: an integer >= 0. */
bool arg_count(Interp *I, const Args *a, int i, size_t *out);
bool arg_bool(Interp *I, const Args *a, int i, bool *out);
const char *arg_str(Interp *I, const Args *a, int i);
/* A matrix (numbers and booleans become 1x1). New reference. */
Matrix *arg_mat(Interp *I, const Args *a, int i);
Matrix *arg_square(Interp *I, const Args *a, int i);
Matrix *arg_vector(Interp *I, const Args *a, int i);
bool arg_callable(Interp *I, const Args *a, int i);
/* A dimension argument (1 or 2). */
bool arg_dim(Interp *I, const Args *a, int i, int *out);

/* A built-in's own error, located at its call site. */
Value bi_error(Interp *I, const Args *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Converts a matrix result to a value, reporting allocation failure. */
Value bi_mat(Interp *I, const Args *a, Matrix *m);

#endif
