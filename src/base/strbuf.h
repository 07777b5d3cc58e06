/* strbuf.h: a growable, always NUL-terminated character buffer. */
#ifndef OVP_STRBUF_H
#define OVP_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/alloc.h"

typedef struct StrBuf {
    char *s;     /* NUL-terminated contents (never NULL after sb_init) */
    size_t len;
    size_t cap;
} StrBuf;

/* The buffer functions allocate with the x* functions of alloc.h: running
 * out of memory ends the run, so none of them can fail. */
void sb_init(StrBuf *b);
/* Frees the contents; the buffer may be sb_init'ed again. */
void sb_free(StrBuf *b);
/* Empties the buffer, keeping its allocation for reuse. */
void sb_clear(StrBuf *b);
/* Makes room for extra more bytes plus the NUL, so that appending that
 * much allocates nothing (the out-of-memory report relies on it). */
void sb_reserve(StrBuf *b, size_t extra);
void sb_putc(StrBuf *b, char c);
void sb_puts(StrBuf *b, const char *s);
void sb_putn(StrBuf *b, const char *s, size_t n);
void sb_printf(StrBuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *b, const char *fmt, va_list ap);
/* Hands the contents to the caller (malloc'd) and re-initialises the
 * buffer, which allocates again: the caller still calls sb_free. */
char *sb_take(StrBuf *b);

/* A new malloc'd string formatted by printf rules; xvasprintf consumes ap. */
/* Reads the whole file at path: malloc'd, NUL-terminated text (*len
 * bytes, which may hold NULs of their own), or NULL with errno set: fopen's
 * error, EISDIR for a directory (fopen accepts one and only the read
 * would fail, vaguely), EIO for a read error. */
char *read_text_file(const char *path, size_t *len);

char *xvasprintf(const char *fmt, va_list ap);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
