/* format.c: printing values and the printf engine.
 *
 * Two forms: the display (print, the REPL's echo) shows a matrix as an
 * aligned table under its shape; the compact form keeps a value on one
 * line, for items of lists and records and for num2str. The golden
 * tests compare this output byte for byte, so every choice below (digits,
 * spacing, the spelling of inf and nan) shows up in the .out files.
 */
#include "value/format.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"


/* Whole numbers up to 2^53 in magnitude, where every whole number is a
 * double, print with all their digits (123456789012, not 1.23456789e+11):
 * counts, sizes and seeds are read exactly. */
static bool exact_whole(double x)
{
    return x == floor(x) && fabs(x) <= 0x1p53;
}

/* Ten significant digits hide the last-bit noise of floating point
 * (0.1 + 0.2 prints 0.3) and still tell apart the numbers people write.
 * inf and nan are spelt out so that no platform's spelling ("-nan") gets
 * in, and -0 prints as 0. */
static void format_number_digits(StrBuf *out, double x, int digits)
{
    if (isnan(x))
        sb_puts(out, "nan");
    else if (isinf(x))
        sb_puts(out, x > 0 ? "inf" : "-inf");
    else if (x == 0)
        sb_puts(out, "0");
    else if (exact_whole(x))
        sb_printf(out, "%.0f", x);
    else
        sb_printf(out, "%.*g", digits, x);
}

void format_number(StrBuf *out, double x)
{
    format_number_digits(out, x, 10);
}

PrintOpts format_default_opts(void)
{
    return (PrintOpts){FORMAT_MAX_ROWS, FORMAT_MAX_COLS, FORMAT_DIGITS};
}

/* Matrix elements use 6 significant digits by default so columns stay
 * narrow, whole numbers all of theirs (as format_number); -0 shows as 0.
 * buf holds at least 32 bytes: 17 digits, a sign, a point and an
 * exponent fit. */
static void format_element(char *buf, size_t n, double x, int digits)
{
    if (isnan(x))
        snprintf(buf, n, "nan");
    else if (isinf(x))
        snprintf(buf, n, x > 0 ? "inf" : "-inf");
    else if (exact_whole(x))
        snprintf(buf, n, "%.0f", x == 0 ? 0.0 : x);
    else
        snprintf(buf, n, "%.*g", digits, x == 0 ? 0.0 : x);
}

/* Which rows (or columns) are shown: all, or head and tail around "...".
 * Maps the k-th shown line to its index among n: the first max / 2, then
 * the last max - max / 2. *gap_after is set on the last line of the head,
 * after which the "..." goes. */
static size_t shown(size_t n, size_t max, size_t k, bool *gap_after)
{
    size_t head = max / 2, tail = max - head;
    *gap_after = n > max && k == head - 1;
    return n <= max || k < head ? k : n - tail + (k - head);
}

static size_t shown_count(size_t n, size_t max)
{
    return n <= max ? n : max;
}

/* The width of each shown column: its widest shown element, so that the
 * columns right-align. Hidden rows do not count, so a large value in a
 * hidden row does not widen the table. */
static void column_widths(const Matrix *m, PrintOpts lim, size_t *width, size_t nc)
{
    bool gap;
    char buf[32];
    for (size_t c = 0; c < nc; c++) {
        size_t j = shown(m->cols, lim.cols, c, &gap);
        width[c] = 1;
        for (size_t r = 0; r < shown_count(m->rows, lim.rows); r++) {
            size_t i = shown(m->rows, lim.rows, r, &gap);
            format_element(buf, sizeof buf, MAT_AT(m, i, j), lim.digits);
            if (strlen(buf) > width[c])
                width[c] = strlen(buf);
        }
    }
}

/* Row i: two spaces before each element, "..." where columns are hidden. */
static void matrix_row(StrBuf *out, const Matrix *m, PrintOpts lim, size_t i,
                       const size_t *width, size_t nc)
{
    char buf[32];
    bool gap;
    for (size_t c = 0; c < nc; c++) {
        size_t j = shown(m->cols, lim.cols, c, &gap);
        format_element(buf, sizeof buf, MAT_AT(m, i, j), lim.digits);
        sb_printf(out, "  %*s", (int)width[c], buf);
        if (gap)
            sb_puts(out, "  ...");
    }
    sb_putc(out, '\n');
}

/* A 1x1 numeric matrix prints as the number it holds, so [5] and 5 look
 * the same; a 1x1 mask keeps its "1x1 logical" header, so a comparison's
 * result is visibly one. An empty matrix prints only its shape. */
static void display_matrix(StrBuf *out, const Matrix *m, PrintOpts lim)
{
    if (m->rows == 1 && m->cols == 1 && !m->logical) {
        format_number_digits(out, m->data[0], lim.digits > 10 ? lim.digits : 10);
        sb_putc(out, '\n');
        return;
    }
    sb_printf(out, "%zux%zu %s\n", m->rows, m->cols, m->logical ? "logical" : "matrix");
    if (mat_is_empty(m))
        return;
    size_t nc = shown_count(m->cols, lim.cols);
    size_t *width = xmalloc(nc * sizeof *width);
    column_widths(m, lim, width, nc);
    bool gap;
    for (size_t r = 0; r < shown_count(m->rows, lim.rows); r++) {
        size_t i = shown(m->rows, lim.rows, r, &gap);
        matrix_row(out, m, lim, i, width, nc);
        if (gap)
            sb_printf(out, "  ... (%zu rows hidden)\n", m->rows - lim.rows);
    }
    free(width);
    if (m->cols > lim.cols)
        sb_printf(out, "  (%zu columns hidden)\n", m->cols - lim.cols);
    if (m->rows > lim.rows || m->cols > lim.cols)
        sb_puts(out, "  (print(A, full = true) shows every element)\n");
}

/* Row by row, in the literal's syntax ([1, 2; 3, 4]) and with print's
 * digits (10 unless printopts asks for more). More than 12 elements print
 * as a placeholder, which keeps a list of weights on one readable line. */
static void compact_matrix(StrBuf *out, const Matrix *m, int digits)
{
    if (mat_numel(m) > 12) {
        sb_printf(out, "<%zux%zu matrix>", m->rows, m->cols);
        return;
    }
    if (m->rows == 1 && m->cols == 1) {
        format_number_digits(out, m->data[0], digits);
        return;
    }
    sb_putc(out, '[');
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++) {
            format_number_digits(out, MAT_AT(m, i, j), digits);
            sb_puts(out, j + 1 < m->cols ? ", " : i + 1 < m->rows ? "; " : "");
        }
    sb_putc(out, ']');
}

/* Quoted, with the escapes a literal uses for newline, tab, quote and
 * backslash, so that {"a, b"} and {"a", "b"} print differently. */
static void compact_string(StrBuf *out, const Str *s)
{
    sb_putc(out, '"');
    for (size_t i = 0; i < s->len; i++) {
        char c = s->s[i];
        if (c == '\n')
            sb_puts(out, "\\n");
        else if (c == '\t')
            sb_puts(out, "\\t");
        else if (c == '"' || c == '\\')
            sb_printf(out, "\\%c", c);
        else
            sb_putc(out, c);
    }
    sb_putc(out, '"');
}

/* Nesting shown before the rest is elided as "...": printing recurses, and
 * a list nested a million deep (built in a loop) must not overflow the C
 * stack. */
#define COMPACT_MAX_DEPTH 100

static void compact_at(StrBuf *out, Value v, int depth, int digits);

void format_compact(StrBuf *out, Value v)
{
    compact_at(out, v, 0, 10);
}

/* A tracked value prints as its primal. An empty record prints as {:} to
 * tell it from the empty list {}. A bound built-in reads as what it is
 * (<grad of a function>). VAL_NIL prints as <nothing>. */
static void compact_at(StrBuf *out, Value v, int depth, int digits)
{
    v = val_primal(v);
    if (depth > COMPACT_MAX_DEPTH && (v.kind == VAL_LIST || v.kind == VAL_REC)) {
        sb_puts(out, "...");
        return;
    }
    switch (v.kind) {
    case VAL_NUM: format_number_digits(out, v.as.num, digits); break;
    case VAL_BOOL: sb_puts(out, v.as.b ? "true" : "false"); break;
    case VAL_STR: compact_string(out, v.as.str); break;
    case VAL_MAT: compact_matrix(out, v.as.mat, digits); break;
    case VAL_LIST:
        sb_putc(out, '{');
        for (size_t i = 0; i < v.as.list->n; i++) {
            if (i)
                sb_puts(out, ", ");
            compact_at(out, v.as.list->items[i], depth + 1, digits);
        }
        sb_putc(out, '}');
        break;
    case VAL_REC:
        sb_putc(out, '{');
        for (size_t i = 0; i < v.as.rec->n; i++) {
            sb_printf(out, "%s%s: ", i ? ", " : "", v.as.rec->keys[i]);
            compact_at(out, v.as.rec->vals[i], depth + 1, digits);
        }
        sb_puts(out, v.as.rec->n ? "}" : ":}");
        break;
    case VAL_FUNC:
        sb_printf(out, v.as.fn->name ? "<fn %s>" : "<%s>", closure_name(v.as.fn));
        break;
    case VAL_BUILTIN: sb_printf(out, "<builtin %s>", v.as.bi->name); break;
    case VAL_PARTIAL: sb_printf(out, "<%s of a function>", v.as.partial->bi->name); break;
    default: sb_puts(out, "<nothing>"); break;
    }
}

/* A string at the top level prints raw, without quotes or escapes:
 * print("hi") shows hi. Quotes appear only inside lists and records. */
void format_display_opts(StrBuf *out, Value v, PrintOpts opts)
{
    v = val_primal(v);
    if (v.kind == VAL_MAT) {
        display_matrix(out, v.as.mat, opts);
        return;
    }
    if (v.kind == VAL_STR)
        sb_puts(out, v.as.str->s);
    else
        compact_at(out, v, 0, opts.digits > 10 ? opts.digits : 10);
    sb_putc(out, '\n');
}

/* ---- printf ------------------------------------------------------ */

/* A cursor over the scalar items of the argument list: arg is the
 * argument, elem the next element of a matrix argument. A negative arg
 * marks an argument that cannot be formatted: -arg - 1 is its index in
 * args. */
typedef struct ArgCursor {
    int nargs;
    const Value *args;
    int arg;
    size_t elem;
} ArgCursor;

static bool cursor_done(const ArgCursor *c)
{
    return c->arg >= c->nargs;
}

/* The next item: a number (from numbers, bools, matrix elements) or a
 * string. Returns false when none is left. Matrices contribute their
 * elements in column-major order, an empty one nothing; a string is one
 * item, not one per character. Any other kind (a list, a function) stops
 * the cursor with arg negated, which the caller reports. */
static bool cursor_next(ArgCursor *c, double *num, const char **str)
{
    while (c->arg < c->nargs) {
        Value v = c->args[c->arg];
        *str = NULL;
        if (v.kind == VAL_MAT) {
            if (c->elem < mat_numel(v.as.mat)) {
                *num = v.as.mat->data[c->elem++];
                if (c->elem == mat_numel(v.as.mat))
                    c->arg++, c->elem = 0;
                return true;
            }
            c->arg++, c->elem = 0;
            continue;
        }
        c->arg++;
        if (v.kind == VAL_STR)
            *str = v.as.str->s;
        else if (v.kind == VAL_NUM || v.kind == VAL_BOOL)
            *num = v.kind == VAL_NUM ? v.as.num : v.as.b;
        else
            *str = NULL, *num = NAN;
        if (v.kind != VAL_NUM && v.kind != VAL_BOOL && v.kind != VAL_STR) {
            c->arg = -c->arg;   /* mark the offending argument */
            return false;
        }
        return true;
    }
    return false;
}

typedef struct Spec {
    char flags[8];
    int width, prec;   /* -1: not given; at most 4 digits are read */
    char conv;
} Spec;

/* Parses the conversion after '%'; returns the pointer past it or NULL.
 * Width and precision stop growing at 1000, so a fifth digit is left over
 * and the conversion is refused: no format can ask for gigabytes of
 * padding or overflow the int. Besides the documented conversions, %x
 * and %c are accepted. */
static const char *parse_spec(const char *p, Spec *s)
{
    size_t nf = 0;
    while (strchr("-+ 0#", *p) && *p && nf < sizeof s->flags - 1)
        s->flags[nf++] = *p++;
    s->flags[nf] = '\0';
    s->width = s->prec = -1;
    if (*p >= '0' && *p <= '9')
        for (s->width = 0; *p >= '0' && *p <= '9' && s->width < 1000; p++)
            s->width = s->width * 10 + (*p - '0');
    if (*p == '.')
        for (p++, s->prec = 0; *p >= '0' && *p <= '9' && s->prec < 1000; p++)
            s->prec = s->prec * 10 + (*p - '0');
    if (!*p || !strchr("digfesxc", *p))
        return NULL;
    s->conv = *p;
    return p + 1;
}

/* Rebuilds a C format from the spec (flags, width, precision) and calls it
 * with the C type the conversion expects: long long for %d and %x, int
 * for %c, double for the rest. The buffer holds the longest spec parse_spec
 * can produce. */
static void emit(StrBuf *out, const Spec *s, char conv, double num, const char *str)
{
    /* "nan", never the platform's "-nan"; as a string, and a number's
     * precision must not cut it ("%.2f" would print "na") */
    bool nan_text = conv != 's' && isnan(num);
    if (nan_text) {
        conv = 's';
        str = "nan";
    }
    char f[32];
    int n = snprintf(f, sizeof f, "%%%s", s->flags);
    if (s->width >= 0)
        n += snprintf(f + n, sizeof f - (size_t)n, "%d", s->width);
    if (s->prec >= 0 && !nan_text)
        n += snprintf(f + n, sizeof f - (size_t)n, ".%d", s->prec);
    if (conv == 's') {
        snprintf(f + n, sizeof f - (size_t)n, "s");
        sb_printf(out, f, str);
    } else if (conv == 'd' || conv == 'x') {
        snprintf(f + n, sizeof f - (size_t)n, conv == 'd' ? "lld" : "llx");
        sb_printf(out, f, (long long)num);
    } else if (conv == 'c') {
        snprintf(f + n, sizeof f - (size_t)n, "c");
        sb_printf(out, f, (int)num);
    } else {
        snprintf(f + n, sizeof f - (size_t)n, "%c", conv);
        sb_printf(out, f, num);
    }
}

/* One conversion with its item: integers that are not whole print as %g,
 * numbers under %s print as print() would show them. A string under a
 * numeric conversion prints as a string, its precision dropped so it is
 * not cut. %d accepts whole numbers up to 9e18, within long long (the
 * cast of a larger double is undefined); %x also needs one >= 0 and %c
 * one from 1 to 255. Anything else keeps its width and flags and prints
 * as %g (inf as %f): printf("%d", 0.5) shows 0.5, not a silent 0. */
static void convert(StrBuf *out, const Spec *s, double num, const char *str)
{
    char conv = s->conv == 'i' ? 'd' : s->conv;
    if (str && conv != 's') {
        Spec t = *s;
        t.prec = -1;
        emit(out, &t, 's', 0, str);
        return;
    }
    if (conv == 's' && !str) {
        StrBuf b;
        sb_init(&b);
        format_number(&b, num);
        emit(out, s, 's', 0, b.s);
        sb_free(&b);
        return;
    }
    bool whole = num == floor(num) && fabs(num) <= 9e18;
    bool fits = conv == 'd' ? whole
                : conv == 'x' ? whole && num >= 0
                : conv == 'c' ? whole && num >= 1 && num <= 255 : true;
    if (!fits) {
        Spec t = *s;
        t.prec = -1;
        emit(out, &t, isinf(num) ? 'f' : 'g', num, NULL);
        return;
    }
    emit(out, s, conv, num, str);
}

/* One pass over the format. Returns false on a malformed conversion.
 * Errors are raised unlocated: the built-in dispatcher places them at the
 * call. The bad conversion is quoted (about a dozen characters at most)
 * with the list of valid ones. With no arguments at all, every conversion
 * prints an empty string (padded to its width) and the whole format is
 * printed once; once an argument has been used, the output stops at the
 * first conversion left without data. The argument number in the message
 * counts the format as argument 1, as in a call of printf or sprintf. */
static bool format_pass(RtError *E, StrBuf *out, const char *fmt, ArgCursor *c,
                        bool *consumed, const char *who)
{
    for (const char *p = fmt; *p;) {
        if (*p != '%') {
            sb_putc(out, *p++);
            continue;
        }
        if (p[1] == '%') {
            sb_putc(out, '%');
            p += 2;
            continue;
        }
        Spec s;
        const char *next = parse_spec(p + 1, &s);
        if (!next) {
            size_t n = 1;
            while (p[n] && n < 12 && strchr("-+ 0#.123456789", p[n]))
                n++;
            rt_raise(E, NULL, "%s: bad conversion '%.*s' in format (use "
                         "%%d %%i %%g %%f %%e %%s %%x %%c %%%%)", who,
                         (int)(p[n] && p[n] != '\n' ? n + 1 : n), p);
            return false;
        }
        double num = 0;
        const char *str = "";
        if (cursor_done(c) && *consumed)
            return true;
        if (!cursor_next(c, &num, &str)) {
            if (c->arg < 0) {
                rt_raise(E, NULL, "%s: argument %d cannot be formatted",
                             who, -c->arg + 1);
                return false;
            }
            str = "";   /* no data left: the conversion prints nothing */
        }
        *consumed = true;
        convert(out, &s, num, str);
        p = next;
    }
    return true;
}

/* Repeats the format while arguments remain, so printf("%d\n", 1:3)
 * prints three lines. A pass that used no argument ends the loop: a
 * format without conversions prints once, not forever. */
bool format_printf(RtError *E, StrBuf *out, const char *fmt, int nargs,
                   const Value *args, const char *who)
{
    ArgCursor c = {nargs, args, 0, 0};
    bool consumed = false;
    do {
        if (!format_pass(E, out, fmt, &c, &consumed, who))
            return false;
    } while (consumed && !cursor_done(&c) && c.arg >= 0);
    return true;
}

void format_display(StrBuf *out, Value v)
{
    format_display_opts(out, v, format_default_opts());
}
