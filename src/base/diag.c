/* diag.c: locating a span in its source and drawing the caret line. */
#include "base/diag.h"

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

/* Frees s and every source after it in the chain, texts included. */
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

/* Without a location (NULL, or line 0) this is just the source name, or
 * "ovp" when there is no source either, so a message then reads
 * "ovp: error: ...". */
void diag_position(StrBuf *out, const Loc *loc)
{
    const char *name = loc && loc->src ? loc->src->name : "ovp";
    if (!loc || loc->line <= 0)
        sb_puts(out, name);
    else
        sb_printf(out, "%s:%d:%d", name, loc->line, loc->col);
}

/* Lines longer than this are shown as a window around the error. */
#define SHOWN_COLUMNS 160

/* Columns count characters: a UTF-8 continuation byte starts none. */
static bool starts_column(unsigned char c)
{
    return (c & 0xC0) != 0x80;
}

/* Byte offset of column col (1-based) of the line of len bytes; len when
 * the line is shorter. */
static int column_offset(const char *line, int len, int col)
{
    int seen = 0;
    for (int i = 0; i < len; i++)
        if (starts_column((unsigned char)line[i]) && ++seen == col)
            return i;
    return len;
}

/* The part of a source line on screen: columns first..last (1-based),
 * with "..." where it was cut; len is the line's length in bytes. */
typedef struct Window {
    int first, last, len;
    bool cut_left, cut_right;
} Window;

/* The window for a line starting at `line` (it ends at '\n' or end),
 * with col in view: the whole line when it fits, otherwise SHOWN_COLUMNS
 * columns starting half that far left of col. */
static Window window_of(const char *line, const char *end, int col)
{
    int len = 0, cols = 0;
    while (line + len < end && line[len] != '\n')
        cols += starts_column((unsigned char)line[len++]);
    Window w = {1, cols, len, false, false};
    if (cols <= SHOWN_COLUMNS)
        return w;
    w.first = col > SHOWN_COLUMNS / 2 ? col - SHOWN_COLUMNS / 2 : 1;
    w.last = w.first + SHOWN_COLUMNS - 1 < cols ? w.first + SHOWN_COLUMNS - 1 : cols;
    w.cut_left = w.first > 1;
    w.cut_right = w.last < cols;
    return w;
}

/* Copies the window of a source line, making control bytes visible so a
 * stray byte cannot garble the terminal. */
static void put_source_line(StrBuf *out, const char *line, const Window *w)
{
    if (w->cut_left)
        sb_puts(out, "...");
    int from = column_offset(line, w->len, w->first);
    int to = column_offset(line, w->len, w->last + 1);
    for (int i = from; i < to; i++) {
        unsigned char c = (unsigned char)line[i];
        sb_putc(out, (c < 32 && c != '\t') || c == 127 ? '?' : (char)c);
    }
    if (w->cut_right)
        sb_puts(out, "...");
}

/* The caret line under the source line. Tabs before the caret are copied
 * as tabs, so the caret lines up whatever the terminal's tab width. A span
 * that goes on to other lines gets the caret alone; the underline also
 * stops at the window's right edge. Three spaces stand in for the "..."
 * of a cut left edge. */
static void put_caret(StrBuf *out, const char *line, const Loc *loc, const Window *w)
{
    sb_puts(out, "      | ");
    if (w->cut_left)
        sb_puts(out, "   ");
    for (int i = w->first; i < loc->col; i++)
        sb_putc(out, line[column_offset(line, w->len, i)] == '\t' ? '\t' : ' ');
    sb_putc(out, '^');
    int last = loc->end_line == loc->line ? loc->end_col : loc->col;
    if (last > w->last)
        last = w->last;
    for (int i = loc->col + 1; i <= last; i++)
        sb_putc(out, '~');
    sb_putc(out, '\n');
}

/* Only the first line is written when the location has no source, or
 * names a line the source does not have. */
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
    Window w = window_of(line, loc->src->text + loc->src->len, loc->col);
    sb_printf(out, "%5d | ", loc->line);
    put_source_line(out, line, &w);
    sb_putc(out, '\n');
    put_caret(out, line, loc, &w);
}
