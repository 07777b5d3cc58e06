/* kernel.c: `ovp --kernel`, the language side of ovp's Jupyter kernel.
 *
 * ipykernel (jupyter/ovp_kernel.py) speaks Jupyter's protocol (ZeroMQ,
 * signatures, heartbeats); this process speaks ovp. Requests arrive one
 * JSON object per line on standard input:
 *   {"op": "execute", "code": C, "count": N}
 *   {"op": "complete", "code": C, "cursor": BYTE}
 *   {"op": "inspect", "code": C, "cursor": BYTE}
 *   {"op": "is_complete", "code": C}
 *   {"op": "shutdown"}
 * and each is answered on standard output by JSON lines: while a cell
 * runs, events ({"type": "stream" | "display" | "result" | "error", ...}),
 * then one {"type": "reply", ...}. Nothing else may reach standard
 * output, so the interpreter writes through a stream whose writes become
 * "stream" events. Ctrl-C (SIGINT, sent by the wrapper on Jupyter's
 * interrupt) stops the running cell as in the REPL, and the variables
 * stay. Jansson builds and parses the JSON.
 */
#include "app/kernel.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/complete.h"
#include "base/alloc.h"
#include "base/interrupt.h"
#include "base/strbuf.h"
#include "numeric/plot.h"
#include "value/format.h"

typedef struct {
    Interp *I;
    FILE *channel;     /* the real standard output: JSON lines only */
    char *tmpdir;      /* inline figures are drawn here */
    unsigned long figures;
} Kernel;

/* ---- sending ---------------------------------------------------------- */

/* JSON strings must be UTF-8: bytes that do not form it become '?'. */
static json_t *text_json(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *c = xstrndup(s, n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)c[i] >= 0x80)
            c[i] = '?';
    j = json_stringn(c, n);
    free(c);
    return j ? j : json_string("");
}

static void send_json(Kernel *k, json_t *msg)
{
    char *s = json_dumps(msg, JSON_COMPACT);
    if (s) {
        fputs(s, k->channel);
        fputc('\n', k->channel);
        fflush(k->channel);
    }
    free(s);
    json_decref(msg);
}

static void send_stream(Kernel *k, const char *name, const char *text, size_t n)
{
    json_t *m = json_object();
    json_object_set_new(m, "type", json_string("stream"));
    json_object_set_new(m, "name", json_string(name));
    json_object_set_new(m, "text", text_json(text, n));
    send_json(k, m);
}

/* {"type": type, "data": data}: a result or a display (takes data). */
static void send_data(Kernel *k, const char *type, json_t *data)
{
    json_t *m = json_object();
    json_object_set_new(m, "type", json_string(type));
    json_object_set_new(m, "data", data);
    send_json(k, m);
}

/* Display data of a text form and, when not empty, an HTML form. */
static json_t *plain_and_html(const StrBuf *plain, const StrBuf *html)
{
    json_t *data = json_object();
    json_object_set_new(data, "text/plain", text_json(plain->s, plain->len));
    if (html->len)
        json_object_set_new(data, "text/html", text_json(html->s, html->len));
    return data;
}

/* The interpreter's output: each write is a "stream" event. */
static ssize_t out_write(void *cookie, const char *buf, size_t size)
{
    send_stream(cookie, "stdout", buf, size);
    return (ssize_t)size;
}

/* ---- rich display ------------------------------------------------------- */

static void html_escaped(StrBuf *b, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '&': sb_puts(b, "&amp;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        default: sb_putc(b, *s);
        }
}

/* A matrix as an HTML table, at most print's rows and columns (the
 * first ones), with its shape and what was left out under it. */
static void html_matrix(StrBuf *b, const Matrix *m, PrintOpts o)
{
    size_t nr = m->rows < o.rows ? m->rows : o.rows, nc = m->cols < o.cols ? m->cols : o.cols;
    sb_printf(b, "<table class=\"ovp-matrix\"><caption style=\"white-space:nowrap;"
              "text-align:left\">%zux%zu %s</caption>", m->rows,
              m->cols, m->logical ? "logical" : "matrix");
    for (size_t i = 0; i < nr; i++) {
        sb_puts(b, "<tr>");
        for (size_t j = 0; j < nc; j++)
            sb_printf(b, "<td style=\"text-align:right\">%.*g</td>", o.digits, MAT_AT(m, i, j));
        sb_puts(b, nc < m->cols ? "<td>&hellip;</td></tr>" : "</tr>");
    }
    sb_puts(b, "</table>");
    if (nr < m->rows || nc < m->cols)
        sb_printf(b, "<p>(%zu rows and %zu columns not shown; print(A, full = true) "
                  "shows every element)</p>", m->rows - nr, m->cols - nc);
}

static void html_record(StrBuf *b, const Record *r)
{
    sb_puts(b, "<table class=\"ovp-record\">");
    for (size_t i = 0; i < r->n; i++) {
        StrBuf v;
        sb_init(&v);
        format_compact(&v, r->vals[i]);
        sb_puts(b, "<tr><th style=\"text-align:left\">");
        html_escaped(b, r->keys[i]);
        sb_puts(b, "</th><td style=\"text-align:left\"><code>");
        html_escaped(b, v.s);
        sb_puts(b, "</code></td></tr>");
        sb_free(&v);
    }
    sb_puts(b, "</table>");
}

/* The value of a cell's last expression: its print form, and a table for
 * a matrix or record. */
static void echo(void *ctx, Value v)
{
    Kernel *k = ctx;
    fflush(k->I->out);   /* what the cell printed comes first */
    v = val_primal(v);
    StrBuf plain, html;
    sb_init(&plain);
    sb_init(&html);
    format_display_opts(&plain, v, k->I->print_opts);
    if (plain.len && plain.s[plain.len - 1] == '\n')   /* Jupyter adds its own */
        plain.s[--plain.len] = '\0';
    if (v.kind == VAL_MAT && !(v.as.mat->rows == 1 && v.as.mat->cols == 1))
        html_matrix(&html, v.as.mat, k->I->print_opts);
    else if (v.kind == VAL_REC)
        html_record(&html, v.as.rec);
    send_data(k, "result", plain_and_html(&plain, &html));
    sb_free(&plain);
    sb_free(&html);
}

/* A check as a badge, its message beside it; the plain line too. */
static void check_badge(void *ctx, bool pass, const char *message)
{
    Kernel *k = ctx;
    fflush(k->I->out);
    StrBuf html, plain;
    sb_init(&html);
    sb_init(&plain);
    sb_printf(&html, "<p><span style=\"background:%s;color:white;font-weight:bold;"
              "padding:1px 6px;border-radius:3px\">%s</span> ", pass ? "#2e7d32" : "#c62828",
              pass ? "PASS" : "FAIL");
    html_escaped(&html, message);
    sb_puts(&html, "</p>");
    sb_printf(&plain, "%s: %s", pass ? "PASS" : "FAIL", message);
    send_data(k, "display", plain_and_html(&plain, &html));
    sb_free(&html);
    sb_free(&plain);
}

/* A training run's progress: the wrapper keeps one display per cell and
 * updates it in place. */
static void progress_line(void *ctx, const char *line, bool done)
{
    Kernel *k = ctx;
    json_t *m = json_object();
    json_object_set_new(m, "type", json_string("progress"));
    json_object_set_new(m, "text", text_json(line, strlen(line)));
    json_object_set_new(m, "done", json_boolean(done));
    send_json(k, m);
}

/* ---- figures ------------------------------------------------------------ */

static char *inline_path(void *ctx)
{
    Kernel *k = ctx;
    return xasprintf("%s/figure-%lu.svg", k->tmpdir, ++k->figures);
}

static void base64(StrBuf *b, const unsigned char *d, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned long w = (unsigned long)d[i] << 16 | (i + 1 < n ? (unsigned long)d[i + 1] << 8 : 0) |
                          (i + 2 < n ? d[i + 2] : 0);
        sb_putc(b, digits[w >> 18 & 63]);
        sb_putc(b, digits[w >> 12 & 63]);
        sb_putc(b, i + 1 < n ? digits[w >> 6 & 63] : '=');
        sb_putc(b, i + 2 < n ? digits[w & 63] : '=');
    }
}

static void add_png(json_t *data, const char *bytes, size_t len)
{
    StrBuf b;
    sb_init(&b);
    base64(&b, (const unsigned char *)bytes, len);
    json_object_set_new(data, "image/png", json_stringn(b.s, b.len));
    sb_free(&b);
}

/* The SVG figure at path redrawn as a PNG beside the inline figures, for
 * front ends and exporters that cannot show SVG (nbconvert's HTML
 * sanitiser empties it). Without it the SVG goes alone. */
static void add_png_copy(Kernel *k, json_t *data, const char *path)
{
    char *png = xasprintf("%s/copy-%lu.png", k->tmpdir, ++k->figures);
    char err[256];
    size_t len;
    char *bytes = plot_redraw_png(path, png, err, sizeof err) == 0 ? read_text_file(png, &len) : NULL;
    if (bytes)
        add_png(data, bytes, len);
    free(bytes);
    free(png);
}

/* A figure just drawn: its SVG with a PNG copy (or its PNG alone, in
 * base64) as display data. */
static void show_figure(void *ctx, const char *path)
{
    Kernel *k = ctx;
    fflush(k->I->out);
    size_t len, n = strlen(path);
    char *bytes = read_text_file(path, &len);
    if (!bytes)
        return;
    bool png = n > 4 && strcasecmp(path + n - 4, ".png") == 0;
    json_t *data = json_object();
    if (png) {
        add_png(data, bytes, len);
    } else {
        add_png_copy(k, data, path);
        /* from the <svg> element on, as IPython's SVG display sends it: the
         * XML declaration and doctype before it are not HTML, and
         * nbconvert's HTML export refuses them */
        const char *svg = strstr(bytes, "<svg");
        svg = svg ? svg : bytes;
        json_object_set_new(data, "image/svg+xml", text_json(svg, len - (size_t)(svg - bytes)));
    }
    char *label = xasprintf("<figure %s>", path);
    json_object_set_new(data, "text/plain", text_json(label, strlen(label)));
    free(label);
    free(bytes);
    send_data(k, "display", data);
}

/* ---- requests ------------------------------------------------------------ */

static void reply(Kernel *k, json_t *fields)
{
    json_object_set_new(fields, "type", json_string("reply"));
    send_json(k, fields);
}

/* The diagnostic as Jupyter's error: its first line as the value, every
 * line (caret and call chain included) as the traceback. */
static void send_error(Kernel *k, int code, const StrBuf *diag)
{
    json_t *tb = json_array();
    for (const char *p = diag->s; *p;) {
        size_t n = strcspn(p, "\n");
        json_array_append_new(tb, text_json(p, n));
        p += n + (p[n] == '\n');
    }
    size_t first = strcspn(diag->s, "\n");
    json_t *m = json_object();
    json_object_set_new(m, "type", json_string("error"));
    json_object_set_new(m, "ename", json_string(code == EXIT_SYNTAX ? "SyntaxError"
                                                : code == EXIT_INTERRUPT ? "Interrupted"
                                                                         : "RuntimeError"));
    json_object_set_new(m, "evalue", text_json(diag->s, first));
    json_object_set_new(m, "traceback", tb);
    send_json(k, m);
}

static void do_execute(Kernel *k, const char *code, json_int_t count)
{
    char name[48];
    snprintf(name, sizeof name, "cell[%lld]", (long long)count);
    StrBuf diag;
    sb_init(&diag);
    ovp_interrupted = 0;
    int rc = interp_run_source(k->I, name, code, strlen(code), &diag);
    ovp_interrupted = 0;   /* a Ctrl-C that stopped this cell is spent */
    fflush(k->I->out);
    if (diag.len)
        send_error(k, rc, &diag);
    json_t *r = json_object();
    json_object_set_new(r, "status", json_string(diag.len ? "error" : "ok"));
    reply(k, r);
    sb_free(&diag);
}

static void do_complete(Kernel *k, const char *code, size_t cursor)
{
    size_t start;
    char **m = complete_at(k->I, code, cursor, &start);
    json_t *list = json_array();
    for (size_t i = 0; m[i]; i++)
        json_array_append_new(list, text_json(m[i], strlen(m[i])));
    complete_free(m);
    json_t *r = json_object();
    json_object_set_new(r, "matches", list);
    json_object_set_new(r, "cursor_start", json_integer((json_int_t)start));
    json_object_set_new(r, "cursor_end", json_integer((json_int_t)(cursor < strlen(code) ? cursor : strlen(code))));
    reply(k, r);
}

/* The help of the name under (or just before) the cursor, as help()
 * prints it, output captured. */
static void do_inspect(Kernel *k, const char *code, size_t cursor)
{
    size_t n = strlen(code), s = cursor < n ? cursor : n, e = s;
    while (s > 0 && (isalnum((unsigned char)code[s - 1]) || code[s - 1] == '_'))
        s--;
    while (e < n && (isalnum((unsigned char)code[e]) || code[e] == '_'))
        e++;
    json_t *r = json_object();
    bool found = false;
    if (e > s && e - s < 64) {
        char *call = xasprintf("help(\"%.*s\")", (int)(e - s), code + s);
        char *text = NULL;
        size_t len = 0;
        FILE *capture = open_memstream(&text, &len);
        FILE *out = k->I->out;
        StrBuf diag;
        sb_init(&diag);
        if (capture) {
            k->I->out = capture;
            found = interp_run_source(k->I, "<inspect>", call, strlen(call), &diag) == EXIT_OK;
            k->I->out = out;
            fclose(capture);
        }
        if (found)
            json_object_set_new(r, "text", text_json(text, len));
        free(text);
        free(call);
        sb_free(&diag);
    }
    json_object_set_new(r, "found", json_boolean(found));
    reply(k, r);
}

/* One request; false for shutdown. */
static bool serve(Kernel *k, json_t *req)
{
    const char *op = json_string_value(json_object_get(req, "op"));
    const char *code = json_string_value(json_object_get(req, "code"));
    json_int_t cursor = json_integer_value(json_object_get(req, "cursor"));
    if (!op || strcmp(op, "shutdown") == 0) {
        reply(k, json_object());
        return false;
    }
    if (!code)
        code = "";
    if (strcmp(op, "execute") == 0)
        do_execute(k, code, json_integer_value(json_object_get(req, "count")));
    else if (strcmp(op, "complete") == 0)
        do_complete(k, code, cursor < 0 ? 0 : (size_t)cursor);
    else if (strcmp(op, "inspect") == 0)
        do_inspect(k, code, cursor < 0 ? 0 : (size_t)cursor);
    else if (strcmp(op, "is_complete") == 0) {
        json_t *r = json_object();
        json_object_set_new(r, "status", json_string(complete_input(code, strlen(code))
                                                           ? "complete" : "incomplete"));
        reply(k, r);
    } else {
        json_t *r = json_object();
        json_object_set_new(r, "error", json_string("unknown op"));
        reply(k, r);
    }
    return true;
}

static void remove_one(const char *dir, const char *stem, unsigned long i, const char *ext)
{
    char *path = xasprintf("%s/%s-%lu.%s", dir, stem, i, ext);
    unlink(path);
    free(path);
}

/* The inline figures' files (figure-N.svg and copy-N.png with their
 * scripts and data), then their folder. */
static void remove_figures(Kernel *k)
{
    static const char *const exts[] = {"svg", "gp", "dat"};
    for (unsigned long i = 1; i <= k->figures; i++) {
        for (size_t e = 0; e < 3; e++)
            remove_one(k->tmpdir, "figure", i, exts[e]);
        remove_one(k->tmpdir, "copy", i, "png");
        remove_one(k->tmpdir, "copy", i, "gp");
    }
    rmdir(k->tmpdir);
}

int kernel_run(Interp *I)
{
    const char *base = getenv("TMPDIR");
    Kernel k = {I, stdout, xasprintf("%s/ovp-kernel-XXXXXX", base && *base ? base : "/tmp"), 0};
    if (!mkdtemp(k.tmpdir)) {
        fprintf(stderr, "ovp --kernel: cannot make a temporary folder: %s\n", strerror(errno));
        free(k.tmpdir);
        return 1;
    }
    /* Jupyter's interrupt is SIGINT, and one may come between cells: the
     * handler only sets the flag (each cell starts with it cleared), and
     * SA_RESTART keeps it from breaking off the wait for the next request
     * or a reply being written. */
    struct sigaction sa;
    sigaction(SIGINT, NULL, &sa);
    sa.sa_flags |= SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    FILE *out = fopencookie(&k, "w", (cookie_io_functions_t){.write = out_write});
    setvbuf(out, NULL, _IOLBF, 0);   /* a line at a time: output shows as it comes */
    I->out = out;
    I->repl = true;
    I->display.echo = echo;
    I->display.figure_path = inline_path;
    I->display.show_figure = show_figure;
    I->display.check = check_badge;
    I->display.progress = progress_line;
    I->display.ctx = &k;
    char *line = NULL;
    size_t cap = 0;
    bool going = true;
    while (going && getline(&line, &cap, stdin) > 0) {
        json_error_t err;
        json_t *req = json_loads(line, 0, &err);
        going = req ? serve(&k, req) : (reply(&k, json_pack("{s:s}", "error", err.text)), true);
        json_decref(req);
    }
    free(line);
    fflush(out);
    I->out = stdout;
    fclose(out);
    remove_figures(&k);
    free(k.tmpdir);
    return 0;
}

/* ---- the kernelspec --------------------------------------------------------- */

/* Where ovp_kernel.py and the logos are: the source tree's jupyter/ for
 * an uninstalled build, else the installed package data. */
static char *jupyter_dir(void)
{
    struct stat st;
    if (stat(OVP_SRCDIR "/jupyter/ovp_kernel.py", &st) == 0)
        return xstrdup(OVP_SRCDIR "/jupyter");
    return xstrdup(OVP_PKGDATADIR "/jupyter");
}

static bool make_dirs(const char *path)
{
    char *p = xstrdup(path);
    bool ok = true;
    for (char *s = p + 1; ok && *s; s++)
        if (*s == '/') {
            *s = '\0';
            ok = mkdir(p, 0755) == 0 || errno == EEXIST;
            *s = '/';
        }
    ok = ok && (mkdir(p, 0755) == 0 || errno == EEXIST);
    free(p);
    return ok;
}

static bool copy_file(const char *from, const char *to)
{
    size_t len;
    char *bytes = read_text_file(from, &len);
    FILE *f = bytes ? fopen(to, "wb") : NULL;
    bool ok = f && fwrite(bytes, 1, len, f) == len;
    ok = f && fclose(f) == 0 && ok;
    free(bytes);
    return ok;
}

static int install_failed(const char *what, const char *path)
{
    fprintf(stderr, "ovp --install-kernel: cannot %s '%s': %s\n", what, path, strerror(errno));
    return 1;
}

int kernel_install(int argc, char **argv, const char *self)
{
    bool user = false;
    const char *prefix = "/usr/local";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--user") == 0)
            user = true;
        else if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc)
            prefix = argv[++i];
        else {
            fprintf(stderr, "usage: ovp --install-kernel [--user | --prefix DIR]\n");
            return 2;
        }
    }
    const char *home = getenv("HOME");
    if (user && !home) {
        fprintf(stderr, "ovp --install-kernel: --user needs $HOME\n");
        return 2;
    }
    char *dir = user ? xasprintf("%s/.local/share/jupyter/kernels/ovp", home)
                     : xasprintf("%s/share/jupyter/kernels/ovp", prefix);
    char *src = jupyter_dir();
    int code = 0;
    /* Debian's python3-ipykernel is for /usr/bin/python3, which a
     * virtual environment's python3 first on PATH may not see */
    struct stat st;
    const char *python = stat("/usr/bin/python3", &st) == 0 ? "/usr/bin/python3" : "python3";
    json_t *spec = json_pack("{s:[s,s,s,s], s:s, s:s, s:s, s:{s:s}}", "argv", python,
                             "", "-f", "{connection_file}", "display_name", "ovp",
                             "language", "ovp", "interrupt_mode", "signal", "env",
                             "OVP_BIN", self);
    char *script = xasprintf("%s/ovp_kernel.py", src);
    json_array_set_new(json_object_get(spec, "argv"), 1, json_string(script));
    char *json_path = xasprintf("%s/kernel.json", dir);
    if (!make_dirs(dir))
        code = install_failed("create", dir);
    else if (json_dump_file(spec, json_path, JSON_INDENT(2)) != 0)
        code = install_failed("write", json_path);
    static const char *const logos[] = {"logo-32x32.png", "logo-64x64.png"};
    for (int i = 0; !code && i < 2; i++) {
        char *from = xasprintf("%s/%s", src, logos[i]), *to = xasprintf("%s/%s", dir, logos[i]);
        if (!copy_file(from, to))
            code = install_failed("copy the logo to", to);
        free(from);
        free(to);
    }
    if (!code)
        printf("installed the ovp kernel in %s\n(jupyter notebook, or jupyter console "
               "--kernel ovp)\n", dir);
    json_decref(spec);
    free(script);
    free(json_path);
    free(src);
    free(dir);
    return code;
}
