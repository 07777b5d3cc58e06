/* sweep_point.c: running one point of a sweep, and its result as text.
 */
#include "app/sweep_point.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "base/alloc.h"
#include "base/interrupt.h"
#include "base/rng.h"
#include "builtins/registry.h"
#include "eval/interp.h"

/* ---- cells and rows ------------------------------------------------- */

void cell_free(Cell *c)
{
    if (c->kind == CELL_STR)
        free(c->s);
    c->kind = CELL_NONE;
    c->s = NULL;
}

void format_exact(char *buf, size_t n, double x)
{
    if (isnan(x)) {
        snprintf(buf, n, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, n, x > 0 ? "inf" : "-inf");
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, n, "%.*g", digits, x == 0 ? 0.0 : x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

static Row *new_row(PointResult *r)
{
    if (r->nrows == r->caprows) {
        r->caprows = r->caprows ? 2 * r->caprows : 8;
        r->rows = xrealloc(r->rows, r->caprows * sizeof *r->rows);
    }
    Row *row = &r->rows[r->nrows++];
    *row = (Row){NULL, 0, 0};
    return row;
}

/* Takes name and cell. */
static void row_add(Row *row, char *name, Cell cell)
{
    if (row->n == row->cap) {
        row->cap = row->cap ? 2 * row->cap : 8;
        row->f = xrealloc(row->f, row->cap * sizeof *row->f);
    }
    row->f[row->n++] = (Field){name, cell};
}

void point_result_free(PointResult *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t j = 0; j < r->rows[i].n; j++) {
            free(r->rows[i].f[j].name);
            cell_free(&r->rows[i].f[j].cell);
        }
        free(r->rows[i].f);
    }
    free(r->rows);
    free(r->message);
    *r = (PointResult){0};
}

void point_result_failed(PointResult *r, PointStatus status, const char *message)
{
    point_result_free(r);
    r->status = status;
    r->message = xstrdup(message);
}

static const char *const status_names[] = {"ok", "check", "error", "timeout", "crashed"};

const char *point_status_name(PointStatus s)
{
    return status_names[s];
}

bool point_status_parse(const char *s, PointStatus *out)
{
    for (int i = 0; i <= POINT_CRASHED; i++)
        if (strcmp(s, status_names[i]) == 0) {
            *out = (PointStatus)i;
            return true;
        }
    return false;
}

/* ---- running a point -------------------------------------------------- */

/* emit's collector: the interpreter checked the row (bi_io.c). */
static void collect_row(void *ctx, const Record *rec)
{
    Row *row = new_row(ctx);
    for (size_t i = 0; i < rec->n; i++) {
        Value v = val_primal(rec->vals[i]);
        Cell c = {CELL_NONE, 0, false, NULL};
        if (v.kind == VAL_BOOL)
            c = (Cell){CELL_BOOL, 0, v.as.b, NULL};
        else if (v.kind == VAL_STR)
            c = (Cell){CELL_STR, 0, false, xstrdup(v.as.str->s)};
        else
            c = (Cell){CELL_NUM, v.kind == VAL_NUM ? v.as.num : v.as.mat->data[0], false, NULL};
        row_add(row, xstrdup(rec->keys[i]), c);
    }
}

static volatile sig_atomic_t timed_out;

/* The timeout stops the script the way Ctrl-C does. */
static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
    ovp_interrupted = 1;
}

static void set_timer(double seconds)
{
    struct itimerval t = {{0, 0}, {0, 0}};
    if (seconds > 0) {
        t.it_value.tv_sec = (time_t)seconds;
        t.it_value.tv_usec = (suseconds_t)((seconds - floor(seconds)) * 1e6);
        if (t.it_value.tv_sec == 0 && t.it_value.tv_usec == 0)
            t.it_value.tv_usec = 1;
    }
    setitimer(ITIMER_REAL, &t, NULL);
}

/* The first line of a diagnostic: "file:line:col: error: message". */
static char *first_line(const char *s)
{
    size_t n = strcspn(s, "\n");
    return xstrndup(s, n);
}

/* Status and message of a finished run. */
static void judge(Interp *I, int code, const StrBuf *diag, double timeout, PointResult *out)
{
    out->passed = I->checks_passed;
    out->failed = I->checks_failed;
    const Param *unread = params_unread(&I->params);
    char buf[256];
    if (code == EXIT_INTERRUPT && timed_out) {
        out->status = POINT_TIMEOUT;
        snprintf(buf, sizeof buf, "stopped after the timeout of %g s", timeout);
        out->message = xstrdup(buf);
    } else if (code != EXIT_OK) {
        out->status = POINT_ERROR;
        out->message = diag->len ? first_line(diag->s) : xstrdup("interrupted");
    } else if (unread) {
        out->status = POINT_ERROR;
        snprintf(buf, sizeof buf, "the script never reads the grid parameter '%s' "
                 "(param(\"%s\", ...))", unread->name, unread->name);
        out->message = xstrdup(buf);
    } else if (I->checks_failed) {
        out->status = POINT_CHECK;
        snprintf(buf, sizeof buf, "%lu of %lu checks failed", I->checks_failed,
                 I->checks_failed + I->checks_passed);
        out->message = xstrdup(buf);
    } else {
        out->status = POINT_OK;
    }
}

void point_run(const PointJob *job, size_t index, const char *const *names,
               const char *const *values, size_t nparams, FILE *log, PointResult *out)
{
    *out = (PointResult){0};
    FILE *sink = log ? log : fopen("/dev/null", "w");
    Interp *I = interp_new(builtin_families);
    rng_seed(&I->rng, job->seed);
    rng_set_stream(&I->rng, index);
    for (size_t i = 0; i < nparams; i++) {
        char *arg = xasprintf("%s=%s", names[i], values[i]);
        params_add(&I->params, arg);   /* names were checked with the grid */
        free(arg);
    }
    I->emit_row = collect_row;
    I->emit_ctx = out;
    if (sink)
        I->out = sink;
    interp_mark_imported(I, job->script);
    struct sigaction sa = {0}, old;
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, &old);
    timed_out = 0;
    ovp_interrupted = 0;
    set_timer(job->timeout);
    StrBuf diag;
    sb_init(&diag);
    int code = interp_run_source(I, job->script, job->text, job->len, &diag);
    set_timer(0);
    sigaction(SIGALRM, &old, NULL);
    fflush(I->out);
    judge(I, code, &diag, job->timeout, out);
    ovp_interrupted = 0;
    sb_free(&diag);
    interp_free(I);
    if (sink && sink != log)
        fclose(sink);
}

/* ---- the text form ---------------------------------------------------
 *
 *   ovp-point 1
 *   status NAME
 *   checks PASSED FAILED
 *   message TEXT            (when there is one)
 *   row                     (then its fields)
 *   field NAME KIND VALUE   (KIND: n number, b boolean, s string)
 *   end
 *
 * Items are separated by one tab; a tab, newline or backslash inside a
 * name, message or string is written \t, \n or \\. Numbers are %.17g,
 * which reads back exactly. */

static void put_escaped(StrBuf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\t')
            sb_puts(out, "\\t");
        else if (*s == '\n')
            sb_puts(out, "\\n");
        else if (*s == '\\')
            sb_puts(out, "\\\\");
        else
            sb_putc(out, *s);
    }
}

void point_result_write(StrBuf *out, const PointResult *r)
{
    sb_printf(out, "ovp-point 1\nstatus\t%s\nchecks\t%lu\t%lu\n",
              point_status_name(r->status), r->passed, r->failed);
    if (r->message) {
        sb_puts(out, "message\t");
        put_escaped(out, r->message);
        sb_putc(out, '\n');
    }
    for (size_t i = 0; i < r->nrows; i++) {
        sb_puts(out, "row\n");
        for (size_t j = 0; j < r->rows[i].n; j++) {
            const Field *f = &r->rows[i].f[j];
            sb_puts(out, "field\t");
            put_escaped(out, f->name);
            if (f->cell.kind == CELL_NUM)
                sb_printf(out, "\tn\t%.17g\n", f->cell.num);
            else if (f->cell.kind == CELL_BOOL)
                sb_printf(out, "\tb\t%d\n", f->cell.b ? 1 : 0);
            else {
                sb_puts(out, "\ts\t");
                put_escaped(out, f->cell.s ? f->cell.s : "");
                sb_putc(out, '\n');
            }
        }
    }
    sb_puts(out, "end\n");
}

/* The next tab- or newline-ended item of *p, unescaped (malloc'd); *p
 * moves past its terminator, which *end receives. */
static char *next_item(const char **p, char *end)
{
    StrBuf b;
    sb_init(&b);
    const char *s = *p;
    while (*s && *s != '\t' && *s != '\n') {
        if (*s == '\\' && (s[1] == 't' || s[1] == 'n' || s[1] == '\\')) {
            sb_putc(&b, s[1] == 't' ? '\t' : s[1] == 'n' ? '\n' : '\\');
            s += 2;
        } else {
            sb_putc(&b, *s++);
        }
    }
    *end = *s;
    *p = *s ? s + 1 : s;
    char *taken = sb_take(&b);
    sb_free(&b);   /* sb_take leaves b a fresh, empty buffer */
    return taken;
}

/* One "field" line after its keyword: name, kind, value. */
static bool read_field(const char **p, Row *row)
{
    char end;
    char *name = next_item(p, &end);
    char *kind = end == '\t' ? next_item(p, &end) : NULL;
    char *value = kind && end == '\t' ? next_item(p, &end) : NULL;
    bool ok = value && end == '\n' && strlen(kind) == 1;
    Cell c = {CELL_NONE, 0, false, NULL};
    if (ok && kind[0] == 'n') {
        char *stop;
        c = (Cell){CELL_NUM, strtod(value, &stop), false, NULL};
        ok = *value && !*stop;
    } else if (ok && kind[0] == 'b') {
        c = (Cell){CELL_BOOL, 0, strcmp(value, "1") == 0, NULL};
    } else if (ok && kind[0] == 's') {
        c = (Cell){CELL_STR, 0, false, value};
        value = NULL;
    } else {
        ok = false;
    }
    if (ok)
        row_add(row, name, c);
    else {
        free(name);
        cell_free(&c);
    }
    free(kind);
    free(value);
    return ok;
}

static bool read_line(const char **p, PointResult *r, Row **row, bool *done)
{
    char end;
    char *key = next_item(p, &end);
    bool ok = true;
    if (strcmp(key, "end") == 0 && end == '\n') {
        *done = true;
    } else if (strcmp(key, "status") == 0 && end == '\t') {
        char *s = next_item(p, &end);
        ok = end == '\n' && point_status_parse(s, &r->status);
        free(s);
    } else if (strcmp(key, "checks") == 0 && end == '\t') {
        int used = 0;
        ok = sscanf(*p, "%lu\t%lu\n%n", &r->passed, &r->failed, &used) == 2 && used > 0;
        *p += used;
    } else if (strcmp(key, "message") == 0 && end == '\t' && !r->message) {
        r->message = next_item(p, &end);
        ok = end == '\n';
    } else if (strcmp(key, "row") == 0 && end == '\n') {
        *row = new_row(r);
    } else if (strcmp(key, "field") == 0 && end == '\t' && *row) {
        ok = read_field(p, *row);
    } else {
        ok = false;
    }
    free(key);
    return ok;
}

bool point_result_read(const char *text, PointResult *r)
{
    *r = (PointResult){0};
    const char *head = "ovp-point 1\n";
    if (strncmp(text, head, strlen(head)) != 0)
        return false;
    const char *p = text + strlen(head);
    Row *row = NULL;
    bool done = false, ok = true;
    while (ok && !done && *p)
        ok = read_line(&p, r, &row, &done);
    if (ok && done && *p == '\0')
        return true;
    point_result_free(r);
    return false;
}
