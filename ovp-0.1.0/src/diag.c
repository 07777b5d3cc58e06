/* diag.c: locating a span in its source and drawing the caret line. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

Source *source_new(const char *name, char *text, size_t len)
{
    Source *s = xcalloc(1, sizeof *s);
    s->name = xstrdup(name);
    s->text = text;
    s->len = len;
    return s;
}

void source_free_all(Source *s)
{
    while (s) {
        Source *next = s->next;
        free(s->name);
        free(s->text);
        free(s);
        s = next;
    }
}

/* Start of the 1-based line `line` in src, or NULL past the end. */
static const char *line_start(const Source *src, int line)
{
    const char *p = src->text, *end = src->text + src->len;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    return p;
}

void diag_position(StrBuf *out, const Loc *loc)
{
    const char *name = loc && loc->src ? loc->src->name : "ovp";
    if (!loc || loc->line <= 0)
        sb_puts(out, name);
    else
        sb_printf(out, "%s:%d:%d", name, loc->line, loc->col);
}

/* Copies one source line, making control bytes visible so a stray byte
 * cannot garble the terminal. Returns the number of columns written. */
static void put_source_line(StrBuf *out, const char *p, const char *end)
{
    for (; p < end && *p != '\n'; p++) {
        unsigned char c = (unsigned char)*p;
        sb_putc(out, (c < 32 && c != '\t') || c == 127 ? '?' : (char)c);
    }
}

static void put_caret(StrBuf *out, const char *line, const Loc *loc)
{
    sb_puts(out, "      | ");
    for (int i = 1; i < loc->col; i++)
        sb_putc(out, line[i - 1] == '\t' ? '\t' : ' ');
    sb_putc(out, '^');
    int last = loc->end_line == loc->line ? loc->end_col : loc->col;
    for (int i = loc->col + 1; i <= last; i++)
        sb_putc(out, '~');
    sb_putc(out, '\n');
}

void diag_render(StrBuf *out, const char *severity, const Loc *loc,
                 const char *msg)
{
    diag_position(out, loc);
    sb_printf(out, ": %s: %s\n", severity, msg);
    if (!loc || !loc->src || loc->line <= 0)
        return;
    const char *line = line_start(loc->src, loc->line);
    if (!line)
        return;
    const char *end = loc->src->text + loc->src->len;
    sb_printf(out, "%5d | ", loc->line);
    put_source_line(out, line, end);
    sb_putc(out, '\n');
    put_caret(out, line, loc);
}
