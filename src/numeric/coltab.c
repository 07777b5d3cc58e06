/* coltab.c: CSV-with-header and JSON-lines tables (see coltab.h).
 * Jansson parses the JSON. Cells are first kept as text, column by
 * column, and each column is typed once the whole file is read. */
#include "numeric/coltab.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/strbuf.h"

/* Largest file read: tables are results, not data sets. */
#define COLTAB_MAX_BYTES (1024.0 * 1024 * 1024)

/* A column while the file is read: its cells as text (NULL: empty), and
 * whether one of them was a JSON string (which makes the column text). */
typedef struct {
    char *name;
    char **cells;
    size_t n, cap;
    bool has_string;
} RawColumn;

typedef struct {
    RawColumn *cols;
    size_t ncols, nrows;
} Raw;

static bool fail(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return false;
}

static void push_cell(RawColumn *c, char *cell)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->cells = xrealloc(c->cells, c->cap * sizeof *c->cells);
    }
    c->cells[c->n++] = cell;
}

static RawColumn *add_column(Raw *r, const char *name)
{
    r->cols = xrealloc(r->cols, (r->ncols + 1) * sizeof *r->cols);
    RawColumn *c = &r->cols[r->ncols++];
    *c = (RawColumn){xstrdup(name), NULL, 0, 0, false};
    for (size_t i = 0; i < r->nrows; i++)   /* earlier rows lacked it */
        push_cell(c, NULL);
    return c;
}

static RawColumn *find_column(Raw *r, const char *name)
{
    for (size_t i = 0; i < r->ncols; i++)
        if (strcmp(r->cols[i].name, name) == 0)
            return &r->cols[i];
    return NULL;
}

static void raw_free(Raw *r)
{
    for (size_t i = 0; i < r->ncols; i++) {
        for (size_t j = 0; j < r->cols[i].n; j++)
            free(r->cols[i].cells[j]);
        free(r->cols[i].cells);
        free(r->cols[i].name);
    }
    free(r->cols);
    *r = (Raw){NULL, 0, 0};
}

/* ---- CSV ---- */

/* A quoted field runs to its closing quote ("" inside is one quote). */
size_t coltab_csv_record(const char **p, char ***out)
{
    const char *s = *p;
    size_t n = 0;
    *out = NULL;
    for (;;) {
        StrBuf b;
        sb_init(&b);
        if (*s == '"') {
            for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
                if (*s == '"')
                    s++;
                sb_putc(&b, *s);
            }
            if (*s == '"')
                s++;
        }
        while (*s && *s != ',' && *s != '\n' && *s != '\r')
            sb_putc(&b, *s++);
        *out = xrealloc(*out, (n + 1) * sizeof **out);
        (*out)[n++] = sb_take(&b);
        sb_free(&b);
        if (*s != ',')
            break;
        s++;
    }
    if (*s == '\r')
        s++;
    if (*s == '\n')
        s++;
    *p = s;
    return n;
}

void coltab_fields_free(char **f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i]);
    free(f);
}

static bool read_csv(const char *path, const char *text, Raw *r, char *err, size_t n)
{
    const char *p = text;
    char **head;
    size_t nh = coltab_csv_record(&p, &head);
    bool ok = true;
    for (size_t i = 0; ok && i < nh; i++) {
        if (!*head[i])
            ok = fail(err, n, "%s: line 1: column %zu has no name", path, i + 1);
        else if (find_column(r, head[i]))
            ok = fail(err, n, "%s: line 1: the column name '%s' appears twice", path, head[i]);
        else
            add_column(r, head[i]);
    }
    coltab_fields_free(head, nh);
    for (size_t line = 2; ok && *p; line++) {
        char **f;
        size_t nf = coltab_csv_record(&p, &f);
        if (nf == 1 && !*f[0]) {   /* a blank line */
            coltab_fields_free(f, nf);
            continue;
        }
        if (nf != r->ncols) {
            ok = fail(err, n, "%s: line %zu has %zu field%s, the header %zu", path, line, nf,
                      nf == 1 ? "" : "s", r->ncols);
            coltab_fields_free(f, nf);
            break;
        }
        for (size_t i = 0; i < nf; i++)
            push_cell(&r->cols[i], *f[i] ? f[i] : (free(f[i]), NULL));
        free(f);
        r->nrows++;
    }
    return ok;
}

/* ---- JSON lines ---- */

static char *json_cell(json_t *v, bool *is_string)
{
    char buf[40];
    *is_string = json_is_string(v);
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_true(v) || json_is_false(v))
        return xstrdup(json_is_true(v) ? "true" : "false");
    if (json_is_number(v)) {
        snprintf(buf, sizeof buf, "%.17g", json_number_value(v));
        return xstrdup(buf);
    }
    return json_is_null(v) ? xstrdup("nan") : NULL;
}

static bool read_jsonl_line(Raw *r, json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        RawColumn *c = find_column(r, key);
        if (!c)
            c = add_column(r, key);
        bool is_string;
        char *cell = json_cell(v, &is_string);
        if (!cell && !json_is_null(v))
            return false;   /* an array or object: not a table cell */
        c->has_string = c->has_string || is_string;
        push_cell(c, cell);
    }
    r->nrows++;
    for (size_t i = 0; i < r->ncols; i++)   /* keys this line lacked */
        if (r->cols[i].n < r->nrows)
            push_cell(&r->cols[i], NULL);
    return true;
}

static bool read_jsonl(const char *path, const char *text, Raw *r, char *err, size_t n)
{
    size_t line = 1;
    for (const char *s = text; *s; line++) {
        size_t len = strcspn(s, "\n");
        const char *next = s + len + (s[len] == '\n');
        if (strspn(s, " \t\r") >= len) {
            s = next;
            continue;
        }
        json_error_t jerr;
        json_t *obj = json_loadb(s, len, 0, &jerr);
        bool ok = obj && json_is_object(obj) && read_jsonl_line(r, obj);
        json_decref(obj);
        if (!ok)
            return fail(err, n, "%s: line %zu: %s", path, line,
                        !obj ? jerr.text : "not an object of numbers, booleans and strings");
        s = next;
    }
    return true;
}

/* ---- typing ---- */

static bool cell_number(const char *s, double *x)
{
    if (!s) {
        *x = NAN;
        return true;
    }
    if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
        *x = s[0] == 't';
        return true;
    }
    char *end;
    *x = strtod(s, &end);
    return end != s && *end == '\0';
}

/* Moves raw column c into the table's column out. */
static void type_column(RawColumn *c, size_t nrows, ColColumn *out)
{
    double x;
    bool numeric = !c->has_string, any = false;
    for (size_t i = 0; numeric && i < nrows; i++) {
        numeric = cell_number(c->cells[i], &x);
        any = any || c->cells[i];
    }
    numeric = numeric && any;   /* a column with no value at all is text */
    *out = (ColColumn){c->name, numeric, NULL, NULL};
    c->name = NULL;
    if (numeric) {
        out->num = xmalloc((nrows ? nrows : 1) * sizeof *out->num);
        for (size_t i = 0; i < nrows; i++) {
            cell_number(c->cells[i], &out->num[i]);
            free(c->cells[i]);
        }
    } else {
        out->text = xmalloc((nrows ? nrows : 1) * sizeof *out->text);
        for (size_t i = 0; i < nrows; i++)
            out->text[i] = c->cells[i] ? c->cells[i] : xstrdup("");
    }
    free(c->cells);
    c->cells = NULL;
    c->n = 0;
}

static char *read_file(const char *path, char *err, size_t n)
{
    size_t len;
    char *text = read_text_file(path, &len);
    if (!text)
        fail(err, n, "cannot read '%s': %s", path, strerror(errno));
    else if (len > COLTAB_MAX_BYTES || strlen(text) != len)
        fail(err, n, len > COLTAB_MAX_BYTES ? "'%s' is larger than 1 GiB"
                                            : "'%s' holds a NUL byte: not a text table", path);
    else
        return text;
    free(text);
    return NULL;
}

bool coltab_load(const char *path, ColTable *t, char *err, size_t errlen)
{
    *t = (ColTable){NULL, 0, 0};
    char *text = read_file(path, err, errlen);
    if (!text)
        return false;
    size_t len = strlen(path);
    bool json = (len > 6 && strcasecmp(path + len - 6, ".jsonl") == 0) ||
                (len > 5 && strcasecmp(path + len - 5, ".json") == 0);
    Raw r = {NULL, 0, 0};
    bool ok = json ? read_jsonl(path, text, &r, err, errlen) : read_csv(path, text, &r, err, errlen);
    free(text);
    if (ok && r.ncols == 0)
        ok = fail(err, errlen, "%s: no columns (an empty file)", path);
    if (ok) {
        t->cols = xcalloc(r.ncols, sizeof *t->cols);
        t->ncols = r.ncols;
        t->nrows = r.nrows;
        for (size_t i = 0; i < r.ncols; i++)
            type_column(&r.cols[i], r.nrows, &t->cols[i]);
    }
    raw_free(&r);
    return ok;
}

void coltab_free(ColTable *t)
{
    for (size_t i = 0; i < t->ncols; i++) {
        ColColumn *c = &t->cols[i];
        for (size_t j = 0; c->text && j < t->nrows; j++)
            free(c->text[j]);
        free(c->text);
        free(c->num);
        free(c->name);
    }
    free(t->cols);
    *t = (ColTable){NULL, 0, 0};
}
