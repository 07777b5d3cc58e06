/* alloc.h: the checked allocators and what happens when memory runs out.
 *
 * Running out of memory ends the run: every allocation of ovp goes through
 * these functions (or, for matrices, through mat_new, which calls
 * alloc_failed), so none of them returns NULL and no caller checks. The
 * run stops with exit status 1 and an "out of memory" error that names
 * what was being allocated and, once a script runs, the statement that
 * asked for it (the evaluator installs a handler that knows it). Recovering
 * instead would mean unwinding every one of hundreds of allocation sites
 * with a half-built value in hand; on Linux, where memory is overcommitted,
 * the failure such unwinding could catch is rare anyway (a `ulimit -v`,
 * a huge matrix), and what a user needs then is a clear message and the
 * output printed so far, which this gives. */
#ifndef OVP_ALLOC_H
#define OVP_ALLOC_H

#include <stddef.h>

/* Prints the out-of-memory error for `bytes` bytes of `what` (a phrase
 * such as "a 1000x1000 matrix", or NULL). It must not allocate: the heap
 * has just failed. It returns, and the run then ends. */
typedef void (*AllocFailHandler)(void *ctx, size_t bytes, const char *what);

/* Installs the handler (NULL: the default, which prints an unlocated
 * "ovp: error: out of memory ..." line). The last one installed wins. */
void alloc_set_failure_handler(AllocFailHandler h, void *ctx);

/* Reports the failure through the handler, flushes what the script
 * printed, and exits with status 1. Never returns. */
_Noreturn void alloc_failed(size_t bytes, const char *what);

/* A request for 0 bytes asks for 1, so that a NULL from malloc always
 * means failure. */
void *xmalloc(size_t n);
/* calloc checks n * size for overflow itself. */
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Copies exactly n bytes, unlike POSIX strndup, which stops at a NUL:
 * s must have n readable bytes. */
char *xstrndup(const char *s, size_t n);

#endif
