/* diag.h: source buffers, locations and the rendering of diagnostics.
 *
 * A diagnostic reads `file:line:col: error: message`, then the source line
 * and a caret with an underline as wide as the offending span. Rendering
 * writes into a StrBuf; who prints it (CLI, REPL, tests) is the caller's
 * business.
 */
#ifndef OVP_DIAG_H
#define OVP_DIAG_H

#include "base/strbuf.h"

/* One program text, owned by the interpreter for its whole life so that
 * locations in closures stay valid. */
typedef struct Source {
    char *name;   /* file name, "<stdin>", "<repl>", "-e" */
    char *text;   /* NUL-terminated */
    size_t len;
    struct Source *next;
} Source;

/* A span in a source, 1-based lines and columns, end column inclusive. */
typedef struct Loc {
    const Source *src;
    int line, col;
    int end_line, end_col;
} Loc;

/* A new source taking ownership of text (len bytes, NUL-terminated). */
Source *source_new(const char *name, char *text, size_t len);
void source_free_all(Source *s);

/* Appends `name:line:col: severity: msg` plus the source line and caret. */
void diag_render(StrBuf *out, const char *severity, const Loc *loc,
                 const char *msg);
/* Appends a `name:line:col` position (no newline). */
void diag_position(StrBuf *out, const Loc *loc);

#endif
