/* alloc.c: the checked allocators and the out-of-memory exit. */
#include "base/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static AllocFailHandler fail_handler;
static void *fail_ctx;

void alloc_set_failure_handler(AllocFailHandler h, void *ctx)
{
    fail_handler = h;
    fail_ctx = ctx;
}

_Noreturn void alloc_failed(size_t bytes, const char *what)
{
    static volatile int failing;
    /* A handler that fails again (it must not allocate, but a library it
     * calls might) gets the plain message instead of a loop. */
    if (fail_handler && !failing++)
        fail_handler(fail_ctx, bytes, what);
    else
        fprintf(stderr, "ovp: error: out of memory (allocating %zu bytes%s%s)\n",
                bytes, what ? " for " : "", what ? what : "");
    /* Keep what the script printed: stdout's buffer already exists, so
     * flushing it needs no memory. _exit then skips atexit handlers and
     * the freeing of every live value, which would only touch the heap
     * that just failed. */
    fflush(stdout);
    fflush(stderr);
#ifdef OVP_COVERAGE
    {   /* make coverage: _exit skips gcov's writer, so the counts of this
         * run (the paths that led here) would be lost */
        extern void __gcov_dump(void);
        __gcov_dump();
    }
#endif
    _exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        alloc_failed(n, NULL);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        alloc_failed(n * size, NULL);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        alloc_failed(n, NULL);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}
