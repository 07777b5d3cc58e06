/* sweep_table.c: a sweep's grid, and its results as a CSV or JSON-lines
 * file. Jansson escapes and parses the JSON; the CSV is RFC 4180 (fields
 * with a comma, quote, line break or outer space are quoted, quotes
 * doubled).
 */
#include "app/sweep_table.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/params.h"
#include "eval/interp.h"
#include "numeric/coltab.h"

/* ---- the grid --------------------------------------------------------- */

static void axis_push(GridAxis *a, const char *value)
{
    a->values = xrealloc(a->values, (a->n + 1) * sizeof *a->values);
    a->values[a->n++] = xstrdup(value);
}

static bool parse_number(const char *s, double *x)
{
    char *end;
    errno = 0;
    *x = strtod(s, &end);
    return *s && !*end && end != s && isfinite(*x);
}

/* A:B or A:STEP:B, inclusive; false when item is not one. Values are
 * written with 15 digits, so 0.1:0.1:0.3 gives 0.3, not
 * 0.30000000000000004. */
static bool expand_range(GridAxis *a, const char *item, const char **why)
{
    char *copy = xstrdup(item), *parts[3];
    int n = 0;
    for (char *p = copy, *tok; n < 3 && (tok = strsep(&p, ":")) != NULL;)
        parts[n++] = tok;
    double lo, step = 1, hi;
    bool ok = strchr(item, ':') && (n == 2 || n == 3) && parse_number(parts[0], &lo) &&
              parse_number(parts[n - 1], &hi) && (n == 2 || parse_number(parts[1], &step)) &&
              !(n == 3 && strchr(parts[2], ':'));
    if (!ok) {
        free(copy);
        return false;
    }
    free(copy);
    double count = step == 0 ? -1 : floor((hi - lo) / step + 1e-9) + 1;
    if (!(count >= 1) || count > GRID_MAX_POINTS) {
        *why = step == 0 ? "a range's step must not be 0"
                         : count > GRID_MAX_POINTS ? "a range has too many values"
                                                   : "a range is empty (its step goes the wrong way)";
        return true;
    }
    for (double i = 0; i < count; i++) {
        char buf[40];
        snprintf(buf, sizeof buf, "%.15g", lo + i * step);
        axis_push(a, buf);
    }
    return true;
}

static const char *fail(char *buf, size_t n, const char *fmt, const char *arg)
{
    snprintf(buf, n, fmt, arg);
    return buf;
}

const char *grid_add(Grid *g, const char *spec, char *buf, size_t n)
{
    const char *eq = strchr(spec, '=');
    char *name = eq ? xstrndup(spec, (size_t)(eq - spec)) : NULL;
    const char *err = NULL;
    if (!eq || !param_shaped_name(name))
        err = fail(buf, n, "--grid takes NAME=VALUES with NAME an identifier, got '%s'", spec);
    else if (interp_sweep_column(name))
        err = fail(buf, n, "'%s' is a column ovp sweep writes itself; name the parameter "
                   "otherwise", name);
    for (size_t i = 0; !err && i < g->naxes; i++)
        if (strcmp(g->axes[i].name, name) == 0)
            err = fail(buf, n, "the grid names '%s' twice", name);
    GridAxis a = {name, NULL, 0};
    char *list = eq ? xstrdup(eq + 1) : NULL;
    for (char *p = list, *item; !err && (item = strsep(&p, ",")) != NULL;) {
        const char *why = NULL;
        if (!*item)
            err = fail(buf, n, "--grid %s has an empty value", spec);
        else if (!expand_range(&a, item, &why))
            axis_push(&a, item);
        if (why) {
            snprintf(buf, n, "--grid %s: %s", spec, why);
            err = buf;
        }
    }
    free(list);
    double total = (double)g->npoints * (double)a.n;
    if (!err && (g->naxes > 0 ? total : (double)a.n) > GRID_MAX_POINTS)
        err = fail(buf, n, "the grid has more than 10000000 points (%s)", spec);
    if (err) {
        for (size_t i = 0; i < a.n; i++)
            free(a.values[i]);
        free(a.values);
        free(name);
        return err;
    }
    g->axes = xrealloc(g->axes, (g->naxes + 1) * sizeof *g->axes);
    g->axes[g->naxes++] = a;
    g->npoints = g->naxes == 1 ? a.n : g->npoints * a.n;
    return NULL;
}

const char *grid_value(const Grid *g, size_t point, size_t axis)
{
    size_t stride = 1;
    for (size_t i = g->naxes; i-- > axis + 1;)
        stride *= g->axes[i].n;
    return g->axes[axis].values[(point / stride) % g->axes[axis].n];
}

void grid_free(Grid *g)
{
    for (size_t i = 0; i < g->naxes; i++) {
        for (size_t j = 0; j < g->axes[i].n; j++)
            free(g->axes[i].values[j]);
        free(g->axes[i].values);
        free(g->axes[i].name);
    }
    free(g->axes);
    *g = (Grid){0};
}

/* ---- the table -------------------------------------------------------- */

void table_init(SweepTable *t, const Grid *grid, TableFormat format)
{
    t->grid = grid;
    t->format = format;
    t->results = xcalloc(grid->npoints ? grid->npoints : 1, sizeof *t->results);
    t->have = xcalloc(grid->npoints ? grid->npoints : 1, sizeof *t->have);
}

void table_free(SweepTable *t)
{
    for (size_t i = 0; i < t->grid->npoints; i++)
        if (t->have[i])
            point_result_free(&t->results[i]);
    free(t->results);
    free(t->have);
}

void table_set(SweepTable *t, size_t point, PointResult *r)
{
    if (t->have[point])
        point_result_free(&t->results[point]);
    t->results[point] = *r;
    t->have[point] = true;
    *r = (PointResult){0};
}

size_t table_count(const SweepTable *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->grid->npoints; i++)
        n += t->have[i];
    return n;
}

static bool is_grid_name(const Grid *g, const char *name)
{
    for (size_t i = 0; i < g->naxes; i++)
        if (strcmp(g->axes[i].name, name) == 0)
            return true;
    return false;
}

/* The emitted fields' names, in the order they first appear. */
typedef struct {
    char **names;
    size_t n;
} Columns;

static void columns_of(const SweepTable *t, Columns *c)
{
    *c = (Columns){NULL, 0};
    for (size_t p = 0; p < t->grid->npoints; p++)
        for (size_t r = 0; t->have[p] && r < t->results[p].nrows; r++)
            for (size_t f = 0; f < t->results[p].rows[r].n; f++) {
                const char *name = t->results[p].rows[r].f[f].name;
                bool seen = is_grid_name(t->grid, name);
                for (size_t i = 0; !seen && i < c->n; i++)
                    seen = strcmp(c->names[i], name) == 0;
                if (!seen) {
                    c->names = xrealloc(c->names, (c->n + 1) * sizeof *c->names);
                    c->names[c->n++] = (char *)name;   /* borrowed */
                }
            }
}

static const Cell *field_of(const Row *row, const char *name)
{
    for (size_t i = 0; row && i < row->n; i++)
        if (strcmp(row->f[i].name, name) == 0)
            return &row->f[i].cell;
    return NULL;
}

/* ---- CSV ---- */

static void csv_text(FILE *f, const char *s)
{
    size_t n = strlen(s);
    bool quote = strpbrk(s, ",\"\n\r") || (n && (s[0] == ' ' || s[n - 1] == ' '));
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_cell(FILE *f, const Cell *c)
{
    char buf[40];
    if (!c || c->kind == CELL_NONE)
        return;
    if (c->kind == CELL_NUM) {
        format_exact(buf, sizeof buf, c->num);
        fputs(buf, f);
    } else if (c->kind == CELL_BOOL) {
        fputs(c->b ? "true" : "false", f);
    } else {
        csv_text(f, c->s);
    }
}

static void csv_header(FILE *f, const Grid *g, const Columns *c)
{
    for (size_t i = 0; i < g->naxes; i++) {
        csv_text(f, g->axes[i].name);
        fputc(',', f);
    }
    for (size_t i = 0; i < c->n; i++) {
        csv_text(f, c->names[i]);
        fputc(',', f);
    }
    fputs("checks_passed,checks_failed,status,message\n", f);
}

/* One line: row may be NULL (a point that emitted nothing). */
static void csv_line(FILE *f, const SweepTable *t, size_t p, const Row *row, const Columns *c)
{
    const PointResult *r = &t->results[p];
    for (size_t i = 0; i < t->grid->naxes; i++) {
        const Cell *own = field_of(row, t->grid->axes[i].name);
        if (own)
            csv_cell(f, own);
        else
            csv_text(f, grid_value(t->grid, p, i));
        fputc(',', f);
    }
    for (size_t i = 0; i < c->n; i++) {
        csv_cell(f, field_of(row, c->names[i]));
        fputc(',', f);
    }
    fprintf(f, "%lu,%lu,%s,", r->passed, r->failed, point_status_name(r->status));
    if (r->message)
        csv_text(f, r->message);
    fputc('\n', f);
}

/* ---- JSON lines ---- */

static void json_text(FILE *f, const char *s)
{
    json_t *j = json_string(s);
    char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    fputs(out ? out : "null", f);   /* invalid UTF-8: jansson refuses it */
    free(out);
    json_decref(j);
}

static void json_cell(FILE *f, const Cell *c)
{
    char buf[40];
    if (c->kind == CELL_NUM && isfinite(c->num)) {
        format_exact(buf, sizeof buf, c->num);
        fputs(buf, f);
    } else if (c->kind == CELL_NUM) {
        fputs("null", f);
    } else if (c->kind == CELL_BOOL) {
        fputs(c->b ? "true" : "false", f);
    } else {
        json_text(f, c->s);
    }
}

/* A grid value as JSON: a number or boolean when it reads as one (as
 * param() reads it), else a string. */
static void json_grid_value(FILE *f, const char *s)
{
    double x;
    if (parse_number(s, &x)) {
        Cell c = {CELL_NUM, x, false, NULL};
        json_cell(f, &c);
    } else if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
        fputs(s, f);
    } else {
        json_text(f, s);
    }
}

static void json_line(FILE *f, const SweepTable *t, size_t p, const Row *row, const Columns *c)
{
    const PointResult *r = &t->results[p];
    fputc('{', f);
    for (size_t i = 0; i < t->grid->naxes; i++) {
        json_text(f, t->grid->axes[i].name);
        fputs(": ", f);
        const Cell *own = field_of(row, t->grid->axes[i].name);
        if (own)
            json_cell(f, own);
        else
            json_grid_value(f, grid_value(t->grid, p, i));
        fputs(", ", f);
    }
    for (size_t i = 0; i < c->n; i++) {
        const Cell *cell = field_of(row, c->names[i]);
        if (!cell)
            continue;
        json_text(f, c->names[i]);
        fputs(": ", f);
        json_cell(f, cell);
        fputs(", ", f);
    }
    fprintf(f, "\"checks_passed\": %lu, \"checks_failed\": %lu, \"status\": \"%s\"",
            r->passed, r->failed, point_status_name(r->status));
    if (r->message) {
        fputs(", \"message\": ", f);
        json_text(f, r->message);
    }
    fputs("}\n", f);
}

bool table_write(const SweepTable *t, const char *path)
{
    char *tmp = xasprintf("%s.part", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        free(tmp);
        return false;
    }
    Columns c;
    columns_of(t, &c);
    if (t->format == FORMAT_CSV)
        csv_header(f, t->grid, &c);
    for (size_t p = 0; p < t->grid->npoints; p++) {
        if (!t->have[p])
            continue;
        const PointResult *r = &t->results[p];
        for (size_t i = 0; i < (r->nrows ? r->nrows : 1); i++) {
            const Row *row = r->nrows ? &r->rows[i] : NULL;
            (t->format == FORMAT_CSV ? csv_line : json_line)(f, t, p, row, &c);
        }
    }
    free(c.names);
    bool ok = !ferror(f);
    int err = ok ? 0 : errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok)
        unlink(tmp);
    free(tmp);
    errno = err;
    return ok;
}

/* ---- resume ----------------------------------------------------------- */

/* One record's fields (coltab.c parses the CSV); false at the end. */
typedef struct {
    char **v;
    size_t n;
} Fields;

static void fields_free(Fields *f)
{
    coltab_fields_free(f->v, f->n);
    *f = (Fields){NULL, 0};
}

static bool csv_record(const char **p, Fields *out)
{
    *out = (Fields){NULL, 0};
    if (!**p)
        return false;
    out->n = coltab_csv_record(p, &out->v);
    return true;
}

/* Grid value texts match when equal, or when both read as the same
 * number (1e3 and 1000). */
static bool same_value(const char *a, const char *b)
{
    double x, y;
    return strcmp(a, b) == 0 || (parse_number(a, &x) && parse_number(b, &y) && x == y);
}

/* The point whose grid values are vals[0 .. naxes), or SIZE_MAX. */
static size_t point_of(const Grid *g, char *const *vals)
{
    size_t p = 0;
    for (size_t i = 0; i < g->naxes; i++) {
        size_t k = 0;
        while (k < g->axes[i].n && !same_value(g->axes[i].values[k], vals[i]))
            k++;
        if (k == g->axes[i].n)
            return SIZE_MAX;
        p = p * g->axes[i].n + k;
    }
    return p;
}

/* The result of point p, made when its first line is read. */
static PointResult *resumed(SweepTable *t, size_t p, const char *status,
                            const char *passed, const char *failed, const char *message)
{
    if (!t->have[p]) {
        PointResult *r = &t->results[p];
        *r = (PointResult){0};
        point_status_parse(status, &r->status);
        r->passed = strtoul(passed, NULL, 10);
        r->failed = strtoul(failed, NULL, 10);
        r->message = message && *message ? xstrdup(message) : NULL;
        t->have[p] = true;
    }
    return &t->results[p];
}

static void add_row(PointResult *r, Row *row)
{
    if (row->n == 0) {
        free(row->f);
        return;
    }
    if (r->nrows == r->caprows) {
        r->caprows = r->caprows ? 2 * r->caprows : 8;
        r->rows = xrealloc(r->rows, r->caprows * sizeof *r->rows);
    }
    r->rows[r->nrows++] = *row;
}

static void row_push(Row *row, const char *name, Cell c)
{
    row->f = xrealloc(row->f, (row->n + 1) * sizeof *row->f);
    row->f[row->n++] = (Field){xstrdup(name), c};
}

static const char *resume_csv(SweepTable *t, const char *text, const char *path,
                              char *buf, size_t n)
{
    const Grid *g = t->grid;
    Fields head, f;
    if (!csv_record(&text, &head))
        return NULL;   /* an empty file: nothing done yet */
    const char *err = NULL;
    size_t ncols = head.n;
    bool ok = ncols >= g->naxes + 4 && strcmp(head.v[ncols - 1], "message") == 0 &&
              strcmp(head.v[ncols - 2], "status") == 0;
    for (size_t i = 0; ok && i < g->naxes; i++)
        ok = strcmp(head.v[i], g->axes[i].name) == 0;
    if (!ok) {
        snprintf(buf, n, "cannot resume from '%s': its columns do not begin with this "
                 "grid's parameters and end with status and message", path);
        fields_free(&head);
        return buf;
    }
    for (size_t line = 2; !err && csv_record(&text, &f); line++) {
        size_t p = f.n == ncols ? point_of(g, f.v) : SIZE_MAX;
        if (p == SIZE_MAX) {
            snprintf(buf, n, "cannot resume from '%s': line %zu is %s", path, line,
                     f.n == ncols ? "a point that is not on this grid" : "not a whole row");
            err = buf;
        } else {
            PointResult *r = resumed(t, p, f.v[ncols - 2], f.v[ncols - 4], f.v[ncols - 3],
                                     f.v[ncols - 1]);
            Row row = {NULL, 0, 0};
            for (size_t i = g->naxes; i < ncols - 4; i++)
                if (*f.v[i])
                    row_push(&row, head.v[i], (Cell){CELL_STR, 0, false, xstrdup(f.v[i])});
            add_row(r, &row);
        }
        fields_free(&f);
    }
    fields_free(&head);
    return err;
}

/* A JSON value of a resumed line as a cell (null: a NaN or infinity). */
static Cell cell_of_json(json_t *v)
{
    if (json_is_number(v))
        return (Cell){CELL_NUM, json_number_value(v), false, NULL};
    if (json_is_boolean(v))
        return (Cell){CELL_BOOL, 0, json_is_true(v), NULL};
    if (json_is_string(v))
        return (Cell){CELL_STR, 0, false, xstrdup(json_string_value(v))};
    return (Cell){CELL_NUM, NAN, false, NULL};
}

/* The text of a grid value read back from JSON, to find its point. */
static char *json_value_text(json_t *v)
{
    char buf[40];
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_boolean(v))
        return xstrdup(json_is_true(v) ? "true" : "false");
    format_exact(buf, sizeof buf, json_is_number(v) ? json_number_value(v) : NAN);
    return xstrdup(buf);
}

static size_t json_point(const Grid *g, json_t *obj)
{
    char **vals = xcalloc(g->naxes ? g->naxes : 1, sizeof *vals);
    bool ok = json_is_object(obj);
    for (size_t i = 0; ok && i < g->naxes; i++) {
        json_t *v = json_object_get(obj, g->axes[i].name);
        ok = v != NULL;
        vals[i] = ok ? json_value_text(v) : NULL;
    }
    size_t p = ok ? point_of(g, vals) : SIZE_MAX;
    for (size_t i = 0; i < g->naxes; i++)
        free(vals[i]);
    free(vals);
    return p;
}

static void resume_json_line(SweepTable *t, size_t p, json_t *obj)
{
    char passed[24], failed[24];
    json_t *st = json_object_get(obj, "status"), *msg = json_object_get(obj, "message");
    snprintf(passed, sizeof passed, "%lld", (long long)json_integer_value(json_object_get(obj, "checks_passed")));
    snprintf(failed, sizeof failed, "%lld", (long long)json_integer_value(json_object_get(obj, "checks_failed")));
    PointResult *r = resumed(t, p, json_is_string(st) ? json_string_value(st) : "",
                             passed, failed, json_is_string(msg) ? json_string_value(msg) : NULL);
    Row row = {NULL, 0, 0};
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
        if (!is_grid_name(t->grid, key) && !interp_sweep_column(key))
            row_push(&row, key, cell_of_json(v));
    add_row(r, &row);
}

static const char *resume_jsonl(SweepTable *t, const char *text, const char *path,
                                char *buf, size_t n)
{
    size_t line = 1;
    for (const char *s = text; *s; line++) {
        size_t len = strcspn(s, "\n");
        json_error_t jerr;
        json_t *obj = json_loadb(s, len, JSON_DECODE_ANY, &jerr);
        size_t p = obj ? json_point(t->grid, obj) : SIZE_MAX;
        if (p == SIZE_MAX) {
            snprintf(buf, n, "cannot resume from '%s': line %zu is %s", path, line,
                     obj ? "a point that is not on this grid" : "not JSON");
            json_decref(obj);
            return buf;
        }
        resume_json_line(t, p, obj);
        json_decref(obj);
        s += len + (s[len] == '\n');
    }
    return NULL;
}

static char *slurp_file(const char *path, bool *missing)
{
    size_t len;
    char *text = read_text_file(path, &len);
    *missing = !text && errno == ENOENT;
    return text;
}

const char *table_resume(SweepTable *t, const char *path, char *buf, size_t n)
{
    bool missing;
    char *text = slurp_file(path, &missing);
    if (!text) {
        if (missing)
            return NULL;
        snprintf(buf, n, "cannot read '%s' to resume: %s", path, strerror(errno));
        return buf;
    }
    const char *err = t->format == FORMAT_CSV ? resume_csv(t, text, path, buf, n)
                                              : resume_jsonl(t, text, path, buf, n);
    free(text);
    return err;
}
