/* strbuf.h: a growable, always NUL-terminated character buffer. */
#ifndef OVP_STRBUF_H
#define OVP_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct StrBuf {
    char *s;     /* NUL-terminated contents (never NULL after sb_init) */
    size_t len;
    size_t cap;
} StrBuf;

void sb_init(StrBuf *b);
void sb_free(StrBuf *b);
void sb_clear(StrBuf *b);
void sb_putc(StrBuf *b, char c);
void sb_puts(StrBuf *b, const char *s);
void sb_putn(StrBuf *b, const char *s, size_t n);
void sb_printf(StrBuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *b, const char *fmt, va_list ap);
/* Hands the contents to the caller (malloc'd) and re-initialises the
 * buffer, which allocates again: the caller still calls sb_free. */
char *sb_take(StrBuf *b);

/* Allocation failure in the small-object heap is fatal: these print a
 * message and abort, the one place ovp gives up (see doc/manual.md). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A new malloc'd string formatted by printf rules. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
