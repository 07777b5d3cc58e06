/* plot.c: figures drawn by gnuplot (see plot.h for the contract).
 *
 * Steps of plot_render: validate the spec (nothing is written on error),
 * find gnuplot on PATH, decide the file names (beside the figure, or in a
 * fresh temporary directory for a text plot), write the .dat and the .gp,
 * fork, and in the child chdir to the files' folder and exec gnuplot on
 * "./NAME.gp" with stdin from /dev/null, stdout to a temporary file (text
 * plots) or /dev/null, and stderr to a temporary file. A failure exit status
 * turns gnuplot's last error line into the message.
 *
 * Script safety. Everything taken from the caller reaches gnuplot only as a
 * single-quoted string (quotes and newlines spliced in as ."'". and ."\n".),
 * inside which gnuplot performs no backquote command substitution and no
 * escapes; file names are given as './NAME' so that gnuplot's special
 * names ('<cmd', '|cmd', '-', '~/...') cannot occur. In comments, control
 * characters of names are replaced by '?' so a name cannot end a comment
 * line. The style is checked against a fixed list; sizes are integers.
 *
 * Terminals: pngcairo when this gnuplot has it, png otherwise (the choice
 * is made by the script itself, so it stays valid on another machine); svg
 * with a white background; dumb for text. All are `noenhanced`.
 */
#ifndef _GNU_SOURCE
#define _XOPEN_SOURCE 700   /* POSIX 2008 with realpath */
#endif

#include "numeric/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/alloc.h"

enum {
    DEFAULT_PX_W = 800,
    DEFAULT_PX_H = 500,
    DEFAULT_TEXT_W = 79,
    DEFAULT_TEXT_H = 24,
    MAX_SIZE = 10000,            /* pixels or characters per side */
    MAX_STDERR = 64 * 1024       /* bytes of gnuplot's stderr examined */
};

typedef enum PlotKind { KIND_TEXT, KIND_PNG, KIND_SVG } PlotKind;

/* Names of the files of one plot. The *_path members are for this process
 * (relative to its working directory or absolute); the *_name members are
 * bare names inside dir, for the script, which gnuplot runs from dir. */
typedef struct PlotFiles {
    char *dir;        /* gnuplot's working directory */
    char *fig_name;   /* "fig.png"; NULL for a text plot */
    char *dat_name;   /* "fig.dat" */
    char *gp_name;    /* "fig.gp" */
    char *dat_path;
    char *gp_path;
    bool temp;        /* dir is a temporary directory, removed afterwards */
} PlotFiles;

/* What happens to the points of one series. */
typedef struct SeriesCount {
    size_t kept, nonfinite, nonpos;
} SeriesCount;

typedef enum PointState { POINT_OK, POINT_NONFINITE, POINT_NONPOS } PointState;

static const char *const not_installed =
    "plot: gnuplot is not installed (apt-get install gnuplot-nox)";

/* ---- small helpers ------------------------------------------------------ */

/* Formats a message into err (when there is room) and returns -1. */
__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Newly allocated a[0..alen) followed by b, or NULL when out of memory. */
static char *join(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    char *s = xmalloc(alen + blen + 1);
    if (!s)
        return NULL;
    memcpy(s, a, alen);
    memcpy(s + alen, b, blen + 1);
    return s;
}

/* Writes s as a gnuplot single-quoted string (see the file comment). */
static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\'')
            fputs("'.\"'\".'", f);   /* gnuplot mishandles a lone '' */
        else if (*p == '\n')
            fputs("'.\"\\n\".'", f);
        else
            fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
    }
    fputc('\'', f);
}

/* Writes s for a comment, control characters replaced by '?'. */
static void put_plain(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

/* Closes f, reporting a write error that happened on it or at closing. */
static int close_checked(FILE *f, const char *path, char *err, size_t errlen)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad)
        return fail(err, errlen, "plot: cannot write %s: %s", path, strerror(errno));
    return 0;
}

/* ---- validation --------------------------------------------------------- */

/* Kind of plot for path (NULL: text); -1 for a name not ending in a known
 * extension after a nonempty stem. */
static int figure_kind(const char *path, PlotKind *kind)
{
    if (!path) {
        *kind = KIND_TEXT;
        return 0;
    }
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return -1;
    if (strcasecmp(dot, ".png") == 0)
        *kind = KIND_PNG;
    else if (strcasecmp(dot, ".svg") == 0)
        *kind = KIND_SVG;
    else
        return -1;
    return 0;
}

/* The gnuplot style for a requested one (NULL means lines), or NULL. */
static const char *style_name(const char *style)
{
    static const char *const known[] = {"lines", "points", "linespoints"};
    if (!style)
        return known[0];
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(style, known[i]) == 0)
            return known[i];
    return NULL;
}

/* A series without x values is drawn at 1..n, the 1-based positions of
 * its y values. */
static double series_x(const PlotSeries *s, size_t i)
{
    return s->x ? s->x[i] : (double)i + 1.0;
}

static PointState point_state(double x, double y, bool logx, bool logy)
{
    if (!isfinite(x) || !isfinite(y))
        return POINT_NONFINITE;
    if ((logx && x <= 0) || (logy && y <= 0))
        return POINT_NONPOS;
    return POINT_OK;
}

/* Counted twice from the same rule (point_state): in validation, where
 * a series with nothing left is refused, and for the .gp comment. */
static SeriesCount count_series(const PlotSeries *s, bool logx, bool logy)
{
    SeriesCount c = {0, 0, 0};
    for (size_t i = 0; i < s->n; i++) {
        PointState st = point_state(series_x(s, i), s->y[i], logx, logy);
        if (st == POINT_OK)
            c.kept++;
        else if (st == POINT_NONFINITE)
            c.nonfinite++;
        else
            c.nonpos++;
    }
    return c;
}

/* Checks series number k (1-based). */
static int validate_series(const PlotSpec *spec, int k, char *err, size_t errlen)
{
    const PlotSeries *s = &spec->series[k - 1];
    if (s->n == 0)
        return fail(err, errlen, "plot: series %d is empty", k);
    if (!s->y)
        return fail(err, errlen, "plot: series %d has no y values", k);
    SeriesCount c = count_series(s, spec->logx, spec->logy);
    if (c.kept == 0)
        return fail(err, errlen,
                    "plot: series %d has no point to plot (%zu non-finite, "
                    "%zu nonpositive on a log axis)", k, c.nonfinite, c.nonpos);
    return 0;
}

/* 0 stands for the default size; the message in validate says so. */
static bool size_ok(int v)
{
    return v >= 0 && v <= MAX_SIZE;
}

/* What is wrong with an axis range, or NULL: its ends (either may be
 * NaN, left to gnuplot) must be finite otherwise, in order, and above 0
 * on a log axis. */
static const char *range_problem(bool given, const double *r, bool log)
{
    if (!given)
        return NULL;
    for (int i = 0; i < 2; i++)
        if (isinf(r[i]) || (log && !isnan(r[i]) && r[i] <= 0))
            return isinf(r[i]) ? "ends must be finite (NaN leaves one to gnuplot)"
                               : "ends must be above 0 on a log axis";
    if (!isnan(r[0]) && !isnan(r[1]) && !(r[0] < r[1]))
        return "must be [low, high] with low < high";
    return NULL;
}

/* Everything that can be wrong with the spec, before any file is
 * touched; *kind is set on success. */
static int validate(const PlotSpec *spec, FILE *text_out, PlotKind *kind,
                    char *err, size_t errlen)
{
    if (!spec || spec->nseries <= 0 || !spec->series)
        return fail(err, errlen, "plot: no series to plot");
    if (figure_kind(spec->path, kind) != 0)
        return fail(err, errlen, "plot: unknown figure type \"%s\" (the name must "
                    "end in .png or .svg)", spec->path);
    if (!style_name(spec->style))
        return fail(err, errlen, "plot: unknown style \"%s\" (use lines, points "
                    "or linespoints)", spec->style);
    for (int k = 0; spec->series && k < spec->nseries; k++)
        if (spec->series[k].style && !style_name(spec->series[k].style))
            return fail(err, errlen, "plot: unknown style \"%s\" for series %d (use lines, "
                        "points or linespoints)", spec->series[k].style, k + 1);
    if (!size_ok(spec->width) || !size_ok(spec->height))
        return fail(err, errlen, "plot: width and height must be between 1 and %d "
                    "(0: default)", MAX_SIZE);
    if (*kind == KIND_TEXT && !text_out)
        return fail(err, errlen, "plot: text plot needs an output stream");
    const char *why = range_problem(spec->has_xrange, spec->xrange, spec->logx);
    if (why)
        return fail(err, errlen, "plot: xrange %s", why);
    why = range_problem(spec->has_yrange, spec->yrange, spec->logy);
    if (why)
        return fail(err, errlen, "plot: yrange %s", why);
    for (int k = 1; k <= spec->nseries; k++)
        if (validate_series(spec, k, err, errlen) != 0)
            return -1;
    return 0;
}

/* ---- finding gnuplot ---------------------------------------------------- */

/* stat follows symbolic links (gnuplot on PATH is often one, to an
 * alternatives entry); a directory named gnuplot does not count. */
static bool is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Absolute path of dir[0..len)/gnuplot in *out when it is executable:
 * returns 1 found, 0 not there, -1 out of memory. */
static int try_dir(const char *dir, size_t len, char **out)
{
    char *d = join(dir, len, "/gnuplot");
    if (!d)
        return -1;
    int found = 0;
    if (is_executable(d)) {
        *out = realpath(d, NULL);   /* absolute: the child changes directory */
        found = *out ? 1 : (errno == ENOMEM ? -1 : 0);
    }
    free(d);
    return found;
}

/* Looks gnuplot up on PATH: 1 found (*out to free), 0 not found, -1 out of
 * memory. The search is done here rather than by execvp because the child
 * changes directory before exec: a relative PATH entry has to be resolved
 * from this process's directory first. */
static int find_gnuplot(char **out)
{
    const char *p = getenv("PATH");
    if (!p)
        p = "/usr/bin:/bin";
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        int found = len > 0 ? try_dir(p, len, out) : 0;
        if (found != 0)
            return found;
        if (!colon)
            return 0;
        p = colon + 1;
    }
}

bool plot_available(void)
{
    char *exe = NULL;
    int found = find_gnuplot(&exe);
    free(exe);
    return found == 1;
}

/* ---- file names --------------------------------------------------------- */

/* Frees the names; for a text plot also removes its files and the
 * temporary directory. A figure's files are the user's and stay. */
static void files_free(PlotFiles *f)
{
    if (f->temp) {
        if (f->dat_path)
            unlink(f->dat_path);
        if (f->gp_path)
            unlink(f->gp_path);
        rmdir(f->dir);
    }
    free(f->dir);
    free(f->fig_name);
    free(f->dat_name);
    free(f->gp_name);
    free(f->dat_path);
    free(f->gp_path);
}

/* Names beside the figure at path (already validated). dir is "." for a
 * bare name and "/" for a figure in the root directory. -1 means out of
 * memory; whatever was allocated is freed by files_free. */
static int files_for_figure(const char *path, PlotFiles *f)
{
    const char *slash = strrchr(path, '/');
    size_t plen = slash ? (size_t)(slash - path) + 1 : 0;   /* "dir/" prefix */
    const char *base = path + plen;
    size_t stem = (size_t)(strrchr(base, '.') - base);
    f->dir = plen == 0 ? join(".", 1, "") : join(path, plen > 1 ? plen - 1 : 1, "");
    f->fig_name = join(base, strlen(base), "");
    f->dat_name = join(base, stem, ".dat");
    f->gp_name = join(base, stem, ".gp");
    if (!f->dat_name || !f->gp_name)
        return -1;
    f->dat_path = join(path, plen, f->dat_name);
    f->gp_path = join(path, plen, f->gp_name);
    return f->dir && f->fig_name && f->dat_path && f->gp_path ? 0 : -1;
}

/* Names in a new temporary directory, for a text plot. mkdtemp makes a
 * fresh directory only this user can enter, so the fixed names inside it
 * cannot meet another run's files or ones planted in advance. */
static int files_for_text(PlotFiles *f, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    f->dir = join(tmp, strlen(tmp), "/ovp-plot-XXXXXX");
    if (!f->dir)
        return fail(err, errlen, "plot: out of memory");
    if (!mkdtemp(f->dir))
        return fail(err, errlen, "plot: cannot create a temporary directory in %s: %s",
                    tmp, strerror(errno));
    f->temp = true;
    f->dat_name = join("plot.dat", 8, "");
    f->gp_name = join("plot.gp", 7, "");
    f->dat_path = join(f->dir, strlen(f->dir), "/plot.dat");
    f->gp_path = join(f->dir, strlen(f->dir), "/plot.gp");
    if (!f->dat_name || !f->gp_name || !f->dat_path || !f->gp_path)
        return fail(err, errlen, "plot: out of memory");
    return 0;
}

/* ---- the data file ------------------------------------------------------ */

/* One block: kept points, a single blank line where points were skipped
 * (never first, last or doubled, so block separators stay unambiguous). */
static void write_block(FILE *f, const PlotSeries *s, int k, bool logx, bool logy)
{
    fprintf(f, "# series %d", k);
    if (s->label) {
        fputs(": ", f);
        put_plain(f, s->label);
    }
    fputc('\n', f);
    bool any = false, gap = false;
    for (size_t i = 0; i < s->n; i++) {
        double x = series_x(s, i), y = s->y[i];
        if (point_state(x, y, logx, logy) != POINT_OK) {
            gap = true;
            continue;
        }
        if (gap && any)
            fputc('\n', f);
        if (s->err)
            fprintf(f, "%.17g %.17g %.17g\n", x, y, isfinite(s->err[i]) ? s->err[i] : 0.0);
        else
            fprintf(f, "%.17g %.17g\n", x, y);
        any = true;
        gap = false;
    }
}

/* Blocks are separated by two blank lines, which is what gnuplot's
 * `index` counts; inside a block a single blank line breaks the curve. */
static int write_dat(const PlotSpec *spec, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return fail(err, errlen, "plot: cannot write %s: %s", path, strerror(errno));
    fputs("# Written by ovp: one block per series (gnuplot index 0, 1, ...),\n"
          "# columns x y; a single blank line marks skipped points.\n", f);
    for (int k = 1; k <= spec->nseries; k++) {
        if (k > 1)
            fputs("\n\n", f);
        write_block(f, &spec->series[k - 1], k, spec->logx, spec->logy);
    }
    return close_checked(f, path, err, errlen);
}

/* ---- the script --------------------------------------------------------- */

static void gp_header(FILE *f, const PlotFiles *files)
{
    if (files->temp) {
        fputs("# Text plot written by ovp.\n", f);
    } else {
        fputs("# Written by ovp. Draws ", f);
        put_plain(f, files->fig_name);
        fputs(" from the data in ", f);
        put_plain(f, files->dat_name);
        fputs(".\n# Edit it, then run `gnuplot ", f);
        put_plain(f, files->gp_name);
        fputs("` in this folder to redraw.\n", f);
    }
    fputs("# Non-finite points, and nonpositive ones on a log axis, are left out\n"
          "# of the data; a blank line there makes gnuplot break the line.\n\n", f);
}

/* Writes "set output './NAME'". */
static void gp_output(FILE *f, const char *name)
{
    char *ref = join("./", 2, name);
    fputs("set output ", f);
    put_quoted(f, ref ? ref : name);   /* name never starts with '|', '<' */
    fputc('\n', f);
    free(ref);
}

static void gp_terminal(FILE *f, const PlotSpec *spec, PlotKind kind, const PlotFiles *files)
{
    bool text = kind == KIND_TEXT;
    int w = spec->width ? spec->width : text ? DEFAULT_TEXT_W : DEFAULT_PX_W;
    int h = spec->height ? spec->height : text ? DEFAULT_TEXT_H : DEFAULT_PX_H;
    /* Figures are made for slides: a 14-point font and enhanced text, so
     * that a log axis reads 10^{-3}; every text taken from the caller is
     * marked noenhanced where it is set, so it prints as written, unless
     * the caller asked for markup. */
    if (kind == KIND_PNG)
        fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                "    set terminal pngcairo size %d,%d enhanced font ',14'\n} else {\n"
                "    set terminal png size %d,%d enhanced\n}\n", w, h, w, h);
    else if (kind == KIND_SVG)
        fprintf(f, "set terminal svg size %d,%d enhanced font ',14' "
                "background rgb 'white'\n", w, h);
    else
        fprintf(f, "set terminal dumb size %d,%d noenhanced\n", w, h);
    if (!text)
        gp_output(f, files->fig_name);
    fputc('\n', f);
}

/* Writes "set WHAT 'text' noenhanced" when text is not NULL: the
 * caller's text is read as enhanced-text markup only when asked for
 * (markup = true); otherwise W_1 prints as written, underscore and all. */
static void gp_set_text(FILE *f, const char *what, const char *text, bool markup)
{
    if (!text)
        return;
    fprintf(f, "set %s ", what);
    put_quoted(f, text);
    fputs(markup ? "\n" : " noenhanced\n", f);
}

/* "set xrange [lo:hi]", an end that is NaN left to gnuplot ("*"). */
static void gp_range(FILE *f, const char *axis, bool given, const double *r)
{
    if (!given)
        return;
    fprintf(f, "set %srange [", axis);
    for (int i = 0; i < 2; i++) {
        if (isnan(r[i]))
            fputc('*', f);
        else
            fprintf(f, "%.17g", r[i]);
        fputc(i == 0 ? ':' : ']', f);
    }
    fputc('\n', f);
}

static void gp_axes(FILE *f, const PlotSpec *spec, PlotKind kind)
{
    gp_set_text(f, "title", spec->title, spec->markup);
    gp_set_text(f, "xlabel", spec->xlabel, spec->markup);
    gp_set_text(f, "ylabel", spec->ylabel, spec->markup);
    bool figure = kind != KIND_TEXT;
    if (spec->logx)
        fputs(figure ? "set logscale x\nset format x '10^{%L}'\n" : "set logscale x\n", f);
    if (spec->logy)
        fputs(figure ? "set logscale y\nset format y '10^{%L}'\n" : "set logscale y\n", f);
    gp_range(f, "x", spec->has_xrange, spec->xrange);
    gp_range(f, "y", spec->has_yrange, spec->yrange);
    if (figure)
        fputs("set grid\n", f);
    bool any_label = false;
    for (int i = 0; i < spec->nseries; i++)
        any_label = any_label || spec->series[i].label;
    /* in a figure the legend sits below the axes, across the width, so it
     * never covers data and long labels do not squeeze the plot; a line of
     * extra height keeps it off the x label */
    fputs(!any_label ? "unset key\n\n" : figure ? "set key below height 1\n\n"
                                                 : "set key top right\n\n", f);
}

static void gp_counts(FILE *f, const PlotSpec *spec)
{
    for (int k = 1; k <= spec->nseries; k++) {
        const PlotSeries *s = &spec->series[k - 1];
        SeriesCount c = count_series(s, spec->logx, spec->logy);
        fprintf(f, "# series %d (index %d): %zu of %zu points; skipped %zu non-finite, "
                "%zu nonpositive on a log axis\n", k, k - 1, c.kept, s->n,
                c.nonfinite, c.nonpos);
    }
}

/* A figure series' line: 2.5 points wide (1.5 for markers alone), and
 * after gnuplot's 8 colours a dash pattern, so series 9 to 16 stay
 * distinguishable. */
static void gp_line_style(FILE *f, const char *style, int k)
{
    fprintf(f, strcmp(style, "points") == 0 ? " pointsize 1.5" : " linewidth 2.5");
    if (k > 8)
        fprintf(f, " dashtype %d", (k - 1) / 8 + 1);
}

/* One plot command: every series reads the same .dat, block k - 1 of it
 * by `index`. In a figure, a line series with 3 points or fewer left is
 * drawn with its points too, which a short line would hide. */
static void gp_plot(FILE *f, const PlotSpec *spec, PlotKind kind, const PlotFiles *files)
{
    char *ref = join("./", 2, files->dat_name);
    bool figure = kind != KIND_TEXT;
    gp_counts(f, spec);
    for (int k = 1; k <= spec->nseries; k++) {
        const PlotSeries *s = &spec->series[k - 1];
        const char *style = style_name(s->style ? s->style : spec->style);
        SeriesCount c = count_series(s, spec->logx, spec->logy);
        const char *own = figure && strcmp(style, "lines") == 0 && c.kept <= 3
                              ? "linespoints" : style;
        fputs(k == 1 ? "plot " : ", \\\n     ", f);
        put_quoted(f, ref ? ref : files->dat_name);
        if (s->err)   /* y +- err: bars, joined by the line unless points */
            fprintf(f, " index %d using 1:2:3 with %s ", k - 1,
                    strcmp(own, "points") == 0 ? "yerrorbars" : "yerrorlines");
        else
            fprintf(f, " index %d using 1:2 with %s ", k - 1, own);
        if (s->label) {
            fputs("title ", f);
            put_quoted(f, s->label);
            if (figure && !spec->markup)
                fputs(" noenhanced", f);
        } else {
            fputs("notitle", f);
        }
        if (figure)
            gp_line_style(f, own, k);
    }
    fputc('\n', f);
    free(ref);
}

static int write_gp(const PlotSpec *spec, PlotKind kind, const PlotFiles *files,
                    char *err, size_t errlen)
{
    FILE *f = fopen(files->gp_path, "w");
    if (!f)
        return fail(err, errlen, "plot: cannot write %s: %s", files->gp_path,
                    strerror(errno));
    gp_header(f, files);
    gp_terminal(f, spec, kind, files);
    gp_axes(f, spec, kind);
    gp_plot(f, spec, kind, files);
    return close_checked(f, files->gp_path, err, errlen);
}

/* ---- running gnuplot ---------------------------------------------------- */

/* In the child: reports msg on the captured stderr and ends the child.
 * _exit, not exit: the parent's stdio buffers must not be flushed twice. */
static _Noreturn void child_die(const char *msg)
{
    ssize_t ignored = write(STDERR_FILENO, msg, strlen(msg));
    (void)ignored;
    _exit(127);
}

/* In the child: redirects, changes directory and executes gnuplot.
 * stderr is redirected first, so every later failure reaches the file
 * the parent reads. 127 is the customary status of a failed exec (as
 * system() reports it). */
static _Noreturn void child_exec(const char *exe, const char *dir, const char *script,
                                 int out_fd, int err_fd)
{
    if (dup2(err_fd, STDERR_FILENO) < 0)
        _exit(127);
    int in = open("/dev/null", O_RDONLY);
    int out = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
        child_die("plot: cannot redirect gnuplot's input and output\n");
    if (chdir(dir) != 0)
        child_die("plot: cannot change to the plot's folder\n");
    char *const argv[] = {(char *)"gnuplot", (char *)script, NULL};
    execv(exe, argv);
    child_die("plot: cannot execute gnuplot\n");
}

/* waitpid, retried when a signal interrupts it. */
static int wait_child(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* Contents of f from the start, at most max bytes, NUL-terminated; NULL
 * when out of memory or unreadable. */
static char *read_all(FILE *f, size_t max)
{
    char *buf = xmalloc(max + 1);
    if (!buf)
        return NULL;
    rewind(f);
    size_t n = fread(buf, 1, max, f);
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* For a line `"SCRIPT" line N: MESSAGE`, the message (and N in *lineno). */
static const char *gp_error_text(const char *line, long *lineno)
{
    if (line[0] != '"')
        return NULL;
    const char *q = strstr(line + 1, "\" line ");
    if (!q)
        return NULL;
    char *end;
    long n = strtol(q + 7, &end, 10);
    if (end == q + 7 || strncmp(end, ": ", 2) != 0)
        return NULL;
    *lineno = n;
    return end + 2;
}

/* Message from gnuplot's stderr text: its last error line (warnings
 * skipped) with a following "system error:" line, else its last line. */
static void stderr_message(char *text, char *err, size_t errlen)
{
    const char *msg = NULL, *detail = NULL, *last = NULL;
    long lineno = 0, n;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        const char *m = gp_error_text(line, &n);
        if (m && strncmp(m, "warning:", 8) != 0) {
            msg = m;
            lineno = n;
            detail = NULL;
        } else if (msg && !detail && strncmp(line, "system error:", 13) == 0) {
            detail = line;
        }
        if (line[strspn(line, " \t^")] != '\0')
            last = line;
    }
    if (msg)
        fail(err, errlen, "gnuplot: line %ld: %s%s%s", lineno, msg, detail ? "; " : "",
             detail ? detail : "");
    else
        fail(err, errlen, "%s%s", last && strncmp(last, "plot: ", 6) == 0 ? "" : "gnuplot: ",
             last ? last : "failed");
}

/* Error for a gnuplot run that ended with status. */
static int report_failure(FILE *errf, int status, char *err, size_t errlen)
{
    char *text = read_all(errf, MAX_STDERR);
    bool empty = !text || text[strspn(text, " \t\r\n^")] == '\0';
    if (!empty)
        stderr_message(text, err, errlen);
    else if (WIFEXITED(status))
        fail(err, errlen, "gnuplot: exited with status %d", WEXITSTATUS(status));
    else
        fail(err, errlen, "gnuplot: killed by signal %d",
             WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    free(text);
    return -1;
}

/* Runs gnuplot on files->gp_name in files->dir; its stdout goes to out
 * (a real file) or is discarded when out is NULL. Its stderr goes to a
 * file, not a pipe: with a pipe that nobody reads until gnuplot exits, a
 * talkative gnuplot would block on the full pipe while this process
 * waits for it. */
static int run_gnuplot(const char *exe, const PlotFiles *files, FILE *out,
                       char *err, size_t errlen)
{
    char *script = join("./", 2, files->gp_name);
    FILE *errf = script ? tmpfile() : NULL;
    if (!errf) {
        free(script);
        return fail(err, errlen, "plot: cannot create a temporary file: %s", strerror(errno));
    }
    int status = 0, rc = 0;
    pid_t pid = fork();
    if (pid == 0)
        child_exec(exe, files->dir, script, out ? fileno(out) : -1, fileno(errf));
    if (pid < 0 || wait_child(pid, &status) != 0)
        rc = fail(err, errlen, "plot: cannot run gnuplot: %s", strerror(errno));
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        rc = report_failure(errf, status, err, errlen);
    fclose(errf);
    free(script);
    return rc;
}

/* Copies from (from its start) to to, leaving out form feeds: the dumb
 * terminal starts each page with one. */
static int copy_text(FILE *from, FILE *to, char *err, size_t errlen)
{
    rewind(from);
    int c;
    while ((c = getc(from)) != EOF)
        if (c != '\f' && putc(c, to) == EOF)
            break;
    if (ferror(from))
        return fail(err, errlen, "plot: cannot read gnuplot's output: %s", strerror(errno));
    if (ferror(to))
        return fail(err, errlen, "plot: cannot write the text plot: %s", strerror(errno));
    return 0;
}

/* Runs gnuplot, copying a text plot to text_out. */
static int run_and_copy(const char *exe, PlotKind kind, const PlotFiles *files,
                        FILE *text_out, char *err, size_t errlen)
{
    if (kind != KIND_TEXT)
        return run_gnuplot(exe, files, NULL, err, errlen);
    FILE *out = tmpfile();
    if (!out)
        return fail(err, errlen, "plot: cannot create a temporary file: %s", strerror(errno));
    int rc = run_gnuplot(exe, files, out, err, errlen);
    if (rc == 0)
        rc = copy_text(out, text_out, err, errlen);
    fclose(out);
    return rc;
}

/* ---- entry point -------------------------------------------------------- */

static int prepare_files(const PlotSpec *spec, PlotKind kind, PlotFiles *files,
                         char *err, size_t errlen)
{
    if (kind == KIND_TEXT) {
        if (files_for_text(files, err, errlen) != 0)
            return -1;
    } else if (files_for_figure(spec->path, files) != 0) {
        return fail(err, errlen, "plot: out of memory");
    }
    if (write_dat(spec, files->dat_path, err, errlen) != 0)
        return -1;
    return write_gp(spec, kind, files, err, errlen);
}

/* gnuplot is looked for before any file is written, so without it a
 * call leaves nothing behind. */
int plot_render(const PlotSpec *spec, FILE *text_out, char *err, size_t errlen)
{
    PlotKind kind = KIND_TEXT;
    if (validate(spec, text_out, &kind, err, errlen) != 0)
        return -1;
    char *exe = NULL;
    int found = find_gnuplot(&exe);
    if (found != 1)
        return fail(err, errlen, "%s", found < 0 ? "plot: out of memory" : not_installed);
    PlotFiles files = {0};
    int rc = prepare_files(spec, kind, &files, err, errlen);
    if (rc == 0)
        rc = run_and_copy(exe, kind, &files, text_out, err, errlen);
    files_free(&files);
    free(exe);
    return rc;
}

/* ---- heatmaps ----------------------------------------------------------- */

static int heat_validate(const HeatSpec *h, FILE *text_out, PlotKind *kind,
                         char *err, size_t errlen)
{
    if (!h->x || !h->y || !h->z || h->nx == 0 || h->ny == 0)
        return fail(err, errlen, "heatmap: the grid is empty");
    if (figure_kind(h->path, kind) != 0)
        return fail(err, errlen, "heatmap: unknown figure type \"%s\" (the name must "
                    "end in .png or .svg)", h->path);
    if (*kind == KIND_TEXT && !text_out)
        return fail(err, errlen, "heatmap: a text rendering needs an output stream");
    bool any = false;
    for (size_t i = 0; i < h->nx * h->ny; i++) {
        if (h->logz && isfinite(h->z[i]) && h->z[i] <= 0)
            return fail(err, errlen, "heatmap: a log colour scale needs values above 0, "
                        "got %g", h->z[i]);
        any = any || isfinite(h->z[i]);
    }
    if (h->logz && !isnan(h->zmin) && h->zmin <= 0)
        return fail(err, errlen, "heatmap: a log colour scale needs zrange above 0");
    return any ? 0 : fail(err, errlen, "heatmap: no finite value to colour");
}

/* The data as gnuplot's `matrix`: row i holds z(i, :), NaN where blank;
 * the grid values are in the comments and become the tick labels. */
static int heat_write_dat(const HeatSpec *h, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return fail(err, errlen, "heatmap: cannot write %s: %s", path, strerror(errno));
    fputs("# Written by ovp: a heatmap as gnuplot's matrix (row i: y value i,\n"
          "# column j: x value j; NaN cells are blank).\n# x:", f);
    for (size_t j = 0; j < h->nx; j++)
        fprintf(f, " %.17g", h->x[j]);
    fputs("\n# y:", f);
    for (size_t i = 0; i < h->ny; i++)
        fprintf(f, " %.17g", h->y[i]);
    fputc('\n', f);
    for (size_t i = 0; i < h->ny; i++) {
        for (size_t j = 0; j < h->nx; j++) {
            double z = h->z[i + j * h->ny];
            if (isfinite(z))
                fprintf(f, j ? " %.17g" : "%.17g", z);
            else
                fputs(j ? " NaN" : "NaN", f);
        }
        fputc('\n', f);
    }
    return close_checked(f, path, err, errlen);
}

/* Tick labels at the cells' centres: every value while they fit, else
 * every k-th (labels overlap beyond about 15 on an axis). */
static void heat_tics(FILE *f, const char *axis, const double *v, size_t n)
{
    size_t step = n > 15 ? (n + 14) / 15 : 1;
    fprintf(f, "set %stics (", axis);
    for (size_t i = 0; i < n; i += step)
        fprintf(f, "%s\"%.4g\" %zu", i ? ", " : "", v[i], i);
    fputs(")\n", f);
}

static int heat_write_gp(const HeatSpec *h, PlotKind kind, const PlotFiles *files,
                         char *err, size_t errlen)
{
    FILE *f = fopen(files->gp_path, "w");
    if (!f)
        return fail(err, errlen, "heatmap: cannot write %s: %s", files->gp_path,
                    strerror(errno));
    PlotSpec frame = {.path = h->path};
    gp_header(f, files);
    gp_terminal(f, &frame, kind, files);
    gp_set_text(f, "title", h->title, h->markup);
    gp_set_text(f, "xlabel", h->xlabel, h->markup);
    gp_set_text(f, "ylabel", h->ylabel, h->markup);
    gp_set_text(f, "cblabel", h->zlabel, h->markup);
    if (!isnan(h->zmin) && !isnan(h->zmax))
        fprintf(f, "set cbrange [%.17g:%.17g]\n", h->zmin, h->zmax);
    if (h->logz)
        fputs("set logscale cb\nset format cb '10^{%L}'\n", f);
    heat_tics(f, "x", h->x, h->nx);
    heat_tics(f, "y", h->y, h->ny);
    /* a perceptually ordered palette, dark (low) to light (high), and
     * blank cells in light grey so they read as missing, not as a value */
    fprintf(f, "set xrange [-0.5:%g]\nset yrange [-0.5:%g]\n"
            "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', "
            "0.75 '#5ec962', 1 '#fde725')\n"
            "set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 "
            "behind fillcolor rgb '#e0e0e0' fillstyle solid noborder\n"
            "set tics out nomirror\nunset key\n", (double)h->nx - 0.5, (double)h->ny - 0.5);
    char *ref = join("./", 2, files->dat_name);
    fputs("plot ", f);
    put_quoted(f, ref ? ref : files->dat_name);
    fputs(" matrix with image pixels\n", f);
    free(ref);
    return close_checked(f, files->gp_path, err, errlen);
}

/* Without a file: one character per cell from a ramp of ten shades, rows
 * from the largest y down (as the figure), a legend of the ramp. */
static int heat_text(const HeatSpec *h, FILE *out)
{
    static const char ramp[] = " .:-=+*#%@";
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < h->nx * h->ny; i++)
        if (isfinite(h->z[i])) {
            lo = fmin(lo, h->z[i]);
            hi = fmax(hi, h->z[i]);
        }
    if (!isnan(h->zmin) && !isnan(h->zmax)) {
        lo = h->zmin;
        hi = h->zmax;
    }
    if (h->title)
        fprintf(out, "%s\n", h->title);
    for (size_t r = h->ny; r-- > 0;) {
        fprintf(out, "%10.4g |", h->y[r]);
        for (size_t j = 0; j < h->nx; j++) {
            double z = h->z[r + j * h->ny];
            double t = hi <= lo ? 1 : h->logz ? log(z / lo) / log(hi / lo) : (z - lo) / (hi - lo);
            t = fmin(fmax(t, 0), 1);
            int k = !isfinite(z) ? -1 : (int)floor(t * 9.999);
            fprintf(out, " %c", k < 0 ? '?' : ramp[k]);
        }
        fputc('\n', out);
    }
    fprintf(out, "%10s +", "");
    for (size_t j = 0; j < h->nx; j++)
        fputs("--", out);
    fprintf(out, "\n%10s   x = %.4g ... %.4g (%zu values)%s%s\n", "", h->x[0], h->x[h->nx - 1],
            h->nx, h->xlabel ? ", " : "", h->xlabel ? h->xlabel : "");
    fprintf(out, "shades \"%s\" from %.4g to %.4g%s%s%s; ? no value\n", ramp, lo, hi,
            h->logz ? " (log scale)" : "",
            h->zlabel ? " of " : "", h->zlabel ? h->zlabel : "");
    return ferror(out) ? -1 : 0;
}

int plot_heatmap(const HeatSpec *spec, FILE *text_out, char *err, size_t errlen)
{
    PlotKind kind = KIND_TEXT;
    if (heat_validate(spec, text_out, &kind, err, errlen) != 0)
        return -1;
    if (kind == KIND_TEXT)
        return heat_text(spec, text_out) == 0 ? 0
               : fail(err, errlen, "heatmap: cannot write the text rendering");
    char *exe = NULL;
    int found = find_gnuplot(&exe);
    if (found != 1)
        return fail(err, errlen, "%s", found < 0 ? "heatmap: out of memory" : not_installed);
    PlotFiles files = {0};
    int rc = files_for_figure(spec->path, &files) != 0
                 ? fail(err, errlen, "heatmap: out of memory")
                 : heat_write_dat(spec, files.dat_path, err, errlen);
    if (rc == 0)
        rc = heat_write_gp(spec, kind, &files, err, errlen);
    if (rc == 0)
        rc = run_gnuplot(exe, &files, NULL, err, errlen);
    files_free(&files);
    free(exe);
    return rc;
}

/* ---- a PNG copy ---------------------------------------------------------- */

/* The figure's script with its terminal and output lines replaced:
 * those are the only lines gp_terminal writes that name the kind. */
static int copy_script_as_png(const char *from, const PlotFiles *files, char *err,
                              size_t errlen)
{
    FILE *in = fopen(from, "r");
    if (!in)
        return fail(err, errlen, "plot: cannot read %s: %s", from, strerror(errno));
    FILE *out = fopen(files->gp_path, "w");
    if (!out) {
        fclose(in);
        return fail(err, errlen, "plot: cannot write %s: %s", files->gp_path, strerror(errno));
    }
    PlotSpec frame = {.path = files->fig_name};
    char line[4096];
    bool replaced = false;
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "set terminal ", 13) == 0 && !replaced) {
            gp_terminal(out, &frame, KIND_PNG, files);
            replaced = true;
        } else if (strncmp(line, "set output ", 11) != 0) {
            fputs(line, out);
        }
    }
    fclose(in);
    return close_checked(out, files->gp_path, err, errlen);
}

int plot_redraw_png(const char *fig_path, const char *png_path, char *err, size_t errlen)
{
    PlotFiles fig = {0}, png = {0};
    char *exe = NULL;
    int rc = files_for_figure(fig_path, &fig) != 0 || files_for_figure(png_path, &png) != 0
                 ? fail(err, errlen, "plot: out of memory") : 0;
    if (rc == 0 && find_gnuplot(&exe) != 1)
        rc = fail(err, errlen, "%s", not_installed);
    if (rc == 0)
        rc = copy_script_as_png(fig.gp_path, &png, err, errlen);
    if (rc == 0)
        rc = run_gnuplot(exe, &png, NULL, err, errlen);
    files_free(&fig);
    files_free(&png);
    free(exe);
    return rc;
}
