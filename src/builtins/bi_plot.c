/* bi_plot.c: figures through gnuplot (plot.c does the drawing).
 *
 * This file turns the arguments into a PlotSpec of plain arrays and
 * strings; plot.c validates it, writes the .dat and .gp files and runs
 * gnuplot. Whatever plot_render refuses (no gnuplot, an unknown style or
 * file type, a series with no finite point) comes back as its message. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/builtin.h"
#include "value/ops.h"
#include "numeric/plot.h"

/* Series data copied out of the arguments so they outlive the values.
 * numbers() points a scalar at a scratch double on the stack of
 * list_series or matrix_series, gone once they return; copying every
 * series treats all of them alike. The copies are freed by series_free. */
typedef struct Series {
    int n;
    PlotSeries *s;
} Series;

static void series_free(Series *ss)
{
    for (int i = 0; i < ss->n; i++) {
        free((double *)ss->s[i].x);
        free((double *)ss->s[i].y);
        free((double *)ss->s[i].err);
    }
    free(ss->s);
}

/* xmalloc never returns NULL (running out of memory ends the run). */
static double *copy_doubles(const double *d, size_t n)
{
    double *c = xmalloc((n ? n : 1) * sizeof *c);
    memcpy(c, d, n * sizeof *c);
    return c;
}

/* x NULL plots y against 1..n. The lengths are compared here because a
 * PlotSeries holds one n for both (plot.h). */
static bool add_series(Interp *I, const Args *a, Series *ss, const double *x, size_t nx,
                       const double *y, size_t ny)
{
    if (x && nx != ny) {
        bi_error(I, a, "series %d has %zu x values but %zu y values", ss->n + 1, nx, ny);
        return false;
    }
    ss->s = xrealloc(ss->s, (size_t)(ss->n + 1) * sizeof *ss->s);
    ss->s[ss->n++] = (PlotSeries){x ? copy_doubles(x, nx) : NULL, copy_doubles(y, ny), ny,
                                  NULL, NULL, NULL};
    return true;
}

/* The numbers of a value as (data, count); NULL when it is not numeric.
 * The pointer borrows the matrix's storage or *scratch. val_primal lets a
 * tracked value kept from a finished tape plot as its numbers. */
static const double *numbers(Value v, size_t *n, double *scratch)
{
    v = val_primal(v);
    if (v.kind == VAL_MAT) {
        *n = mat_numel(v.as.mat);
        return v.as.mat->data;
    }
    if (v.kind == VAL_NUM || v.kind == VAL_BOOL) {
        *scratch = ops_scalar(v);
        *n = 1;
        return scratch;
    }
    return NULL;
}

/* y a list of vectors: one series per item. x is nil (index), one vector
 * shared by every series, or a list matched item by item, which must
 * then have one item per series. */
static bool list_series(Interp *I, const Args *a, Value x, Value y, Series *ss)
{
    if (x.kind == VAL_LIST && x.as.list->n != y.as.list->n) {
        bi_error(I, a, "x is a list of %zu vector%s but y of %zu: give one x per series, "
                 "or one vector for all", x.as.list->n, x.as.list->n == 1 ? "" : "s",
                 y.as.list->n);
        return false;
    }
    for (size_t k = 0; k < y.as.list->n; k++) {
        double sx, sy;
        size_t nx = 0, ny;
        Value xk = x.kind == VAL_LIST && k < x.as.list->n ? x.as.list->items[k] : x;
        const double *dx = xk.kind == VAL_NIL ? NULL : numbers(xk, &nx, &sx);
        const double *dy = numbers(y.as.list->items[k], &ny, &sy);
        if (!dy || (xk.kind != VAL_NIL && !dx)) {
            bi_error(I, a, "series %zu is not numeric", k + 1);
            return false;
        }
        if (!add_series(I, a, ss, dx, nx, dy, ny))
            return false;
    }
    return true;
}

/* y a vector (one series) or a matrix (one per column).
 * A column is contiguous in column-major storage, so a series points at
 * it directly (add_series copies it). A number is a series of one point.
 * Without x, y is the first argument, hence the index in the message. */
static bool matrix_series(Interp *I, const Args *a, Value x, Value y, Series *ss)
{
    double sx, sy;
    size_t nx = 0, ny;
    const double *dx = x.kind == VAL_NIL ? NULL : numbers(x, &nx, &sx);
    const double *dy = numbers(y, &ny, &sy);
    if (x.kind != VAL_NIL && !dx) {
        arg_type_error(I, a, 0, "numbers");
        return false;
    }
    if (!dy) {
        arg_type_error(I, a, x.kind == VAL_NIL ? 0 : 1, "numbers");
        return false;
    }
    Value yp = val_primal(y);
    if (yp.kind != VAL_MAT || mat_is_vector(yp.as.mat))
        return add_series(I, a, ss, dx, nx, dy, ny);
    for (size_t j = 0; j < yp.as.mat->cols; j++)
        if (!add_series(I, a, ss, dx, nx, dy + j * yp.as.mat->rows, yp.as.mat->rows))
            return false;
    return true;
}

/* labels (argument 6) needs the series, so it is read after them. One
 * string suffices for one series; otherwise a list with one string each.
 * The labels borrow the strings of a->v[6], which live through the call:
 * plot_render has finished before bi_plot returns. */
static bool plot_labels(Interp *I, const Args *a, Series *ss)
{
    if (!arg_given(a, 6))
        return true;
    Value l = a->v[6];
    if (l.kind == VAL_STR && ss->n == 1) {
        ss->s[0].label = l.as.str->s;
        return true;
    }
    if (l.kind != VAL_LIST || l.as.list->n != (size_t)ss->n) {
        if (ss->n == 1)
            bi_error(I, a, "labels must be a string, or a list of one string");
        else
            bi_error(I, a, "labels must be a list of %d strings, one per series", ss->n);
        return false;
    }
    for (int k = 0; k < ss->n; k++) {
        Value s = l.as.list->items[k];
        if (s.kind != VAL_STR) {
            bi_error(I, a, "label %d is not a string", k + 1);
            return false;
        }
        ss->s[k].label = s.as.str->s;
    }
    return true;
}

/* style (argument 9) as a list: one style string per series. */
static bool plot_styles(Interp *I, const Args *a, Series *ss)
{
    if (!arg_given(a, 9) || a->v[9].kind != VAL_LIST)
        return true;
    const List *l = a->v[9].as.list;
    if (l->n != (size_t)ss->n) {
        bi_error(I, a, "style must be a string, or a list of %d strings, one per series", ss->n);
        return false;
    }
    for (int k = 0; k < ss->n; k++) {
        if (l->items[k].kind != VAL_STR) {
            bi_error(I, a, "style %d is not a string", k + 1);
            return false;
        }
        ss->s[k].style = l->items[k].as.str->s;
    }
    return true;
}

/* err (argument 11): error bars, shaped as y was. A list y takes a list
 * of one vector per series; a vector or matrix y a matrix with its shape
 * (column k for series k). */
static bool plot_errors(Interp *I, const Args *a, Value y, Series *ss)
{
    if (!arg_given(a, 11))
        return true;
    Value e = val_primal(a->v[11]);
    bool listy = val_primal(y).kind == VAL_LIST;
    if (listy != (e.kind == VAL_LIST) || (listy && e.as.list->n != (size_t)ss->n)) {
        bi_error(I, a, listy ? "err must be a list of %d vectors, one per series, as y is"
                             : "err must be numbers shaped as y (%d series)", ss->n);
        return false;
    }
    size_t off = 0;
    for (int k = 0; k < ss->n; k++) {
        double scratch;
        size_t n;
        const double *d = numbers(listy ? e.as.list->items[k] : e, &n, &scratch);
        size_t want = ss->s[k].n;
        if (!d) {
            bi_error(I, a, "err of series %d is not numeric", k + 1);
            return false;
        }
        if (listy && n != want) {
            bi_error(I, a, "err has %zu values for series %d, which has %zu", n, k + 1, want);
            return false;
        }
        if (!listy && off + want > n)
            break;   /* too few: reported below with the totals */
        ss->s[k].err = copy_doubles(d + (listy ? 0 : off), want);
        off += listy ? 0 : want;
    }
    size_t total = 0, given = e.kind == VAL_MAT ? mat_numel(e.as.mat) : 1;
    for (int k = 0; k < ss->n; k++)
        total += ss->s[k].n;
    if (!listy && given != total) {
        bi_error(I, a, "err has %zu values but y has %zu", given, total);
        return false;
    }
    return true;
}

/* An optional string: NULL when absent. A given non-string raises the
 * type error and clears *ok; the other options are still read, and the
 * first error raised is the one the user sees. */
static const char *opt_str(Interp *I, const Args *a, int i, bool *ok)
{
    if (!arg_given(a, i))
        return NULL;
    const char *s = arg_str(I, a, i);
    *ok = *ok && s;
    return s;
}

/* A relative figure name goes to $OVP_FIGDIR (set by `ovp suite`).
 * An absolute path is kept as given. The result is always a malloc'd
 * string (NULL for no file, a text plot), so the caller frees one kind. */
static char *figure_path(Interp *I, const char *file)
{
    if (!file && I->display.figure_path)   /* a notebook shows it inline */
        return I->display.figure_path(I->display.ctx);
    const char *dir = getenv("OVP_FIGDIR");
    if (!file || file[0] == '/' || !dir || !*dir)
        return file ? xstrdup(file) : NULL;
    return xasprintf("%s/%s", dir, file);
}

/* xrange or yrange (argument i): two numbers, NaN for an end left to
 * gnuplot; plot.c checks their order. */
static bool axis_range(Interp *I, const Args *a, int i, bool *given, double *r)
{
    if (!arg_given(a, i))
        return true;
    Matrix *m = arg_mat(I, a, i);
    if (!m)
        return false;
    bool ok = mat_numel(m) == 2;
    if (ok) {
        r[0] = m->data[0];
        r[1] = m->data[1];
        *given = true;
    } else {
        arg_type_error(I, a, i, "two numbers, [low, high]");
    }
    mat_unref(m);
    return ok;
}

/* The slots: 2 file, 3 title, 4 xlabel, 5 ylabel, 7 logx, 8 logy, 9 style,
 * 10 markup, 12 xrange, 13 yrange.
 * The strings are borrowed from the arguments; spec->path is set even on
 * failure so that bi_plot's one free covers it. Width and height stay 0,
 * plot.c's defaults. */
static bool fill_spec(Interp *I, const Args *a, PlotSpec *spec)
{
    bool ok = true, logx = false, logy = false, markup = false;
    const char *file = opt_str(I, a, 2, &ok);
    spec->title = opt_str(I, a, 3, &ok);
    spec->xlabel = opt_str(I, a, 4, &ok);
    spec->ylabel = opt_str(I, a, 5, &ok);
    /* style: one for every series, or a list of one per series (read
     * with the series, plot_styles) */
    spec->style = arg_given(a, 9) && a->v[9].kind == VAL_LIST ? NULL : opt_str(I, a, 9, &ok);
    ok = ok && (!arg_given(a, 7) || arg_bool(I, a, 7, &logx)) &&
         (!arg_given(a, 8) || arg_bool(I, a, 8, &logy)) &&
         (!arg_given(a, 10) || arg_bool(I, a, 10, &markup));
    spec->logx = logx;
    spec->logy = logy;
    spec->markup = markup;
    ok = ok && axis_range(I, a, 12, &spec->has_xrange, spec->xrange) &&
         axis_range(I, a, 13, &spec->has_yrange, spec->yrange);
    spec->path = figure_path(I, file);
    return ok;
}

/* A figure just drawn at path (NULL: a text plot): shown in a notebook;
 * the result is its path when the caller named a file, else nothing (a
 * notebook's own inline figure). */
static Value shown(Interp *I, const char *path, bool file_given)
{
    if (path && I->display.show_figure)
        I->display.show_figure(I->display.ctx, path);
    return path && file_given ? val_str(path) : val_nil;
}

/* plot(y) or plot(x, y): a single positional value is y. The result is
 * the figure's path as written (under $OVP_FIGDIR when that applied), or
 * val_nil for a text plot. */
static Value bi_plot(Interp *I, const Args *a)
{
    Value x = arg_given(a, 1) ? a->v[0] : val_nil;
    Value y = arg_given(a, 1) ? a->v[1] : a->v[0];
    Series ss = {0, NULL};
    PlotSpec spec = {0};
    bool ok = fill_spec(I, a, &spec) &&
              (y.kind == VAL_LIST ? list_series(I, a, x, y, &ss)
                                  : matrix_series(I, a, x, y, &ss)) &&
              plot_labels(I, a, &ss) && plot_styles(I, a, &ss) && plot_errors(I, a, y, &ss);
    Value r = ok ? val_nil : val_error;
    if (ok) {
        char err[1024];
        spec.nseries = ss.n;
        spec.series = ss.s;
        /* what the script printed so far comes out before the plot */
        fflush(I->out);
        if (plot_render(&spec, I->out, err, sizeof err) != 0)
            /* plot.c's messages name themselves; bi_error adds the name */
            r = bi_error(I, a, "%s", strncmp(err, "plot: ", 6) == 0 ? err + 6 : err);
        else
            r = shown(I, spec.path, arg_given(a, 2));
    }
    free((char *)spec.path);
    series_free(&ss);
    return r;
}

/* heatmap(x, y, Z, ...): Z is numel(y) x numel(x). */
static Value bi_heatmap(Interp *I, const Args *a)
{
    double sx, sy;
    size_t nx, ny;
    const double *x = numbers(a->v[0], &nx, &sx), *y = numbers(a->v[1], &ny, &sy);
    if (!x)
        return arg_type_error(I, a, 0, "numbers (the x grid)");
    if (!y)
        return arg_type_error(I, a, 1, "numbers (the y grid)");
    Matrix *Z = arg_mat(I, a, 2);
    if (!Z)
        return val_error;
    bool ok = true;
    HeatSpec h = {0};
    const char *file = opt_str(I, a, 3, &ok);
    h.title = opt_str(I, a, 4, &ok);
    h.xlabel = opt_str(I, a, 5, &ok);
    h.ylabel = opt_str(I, a, 6, &ok);
    h.zlabel = opt_str(I, a, 7, &ok);
    ok = ok && (!arg_given(a, 8) || arg_bool(I, a, 8, &h.markup));
    ok = ok && (!arg_given(a, 10) || arg_bool(I, a, 10, &h.logz));
    h.zmin = h.zmax = NAN;
    if (ok && arg_given(a, 9)) {
        Matrix *zr = arg_mat(I, a, 9);
        ok = zr != NULL;
        if (ok && (mat_numel(zr) != 2 || !(zr->data[0] < zr->data[1]) ||
                   !isfinite(zr->data[0]) || !isfinite(zr->data[1]))) {
            bi_error(I, a, "zrange must be [low, high] with low < high, both finite");
            ok = false;
        }
        if (ok) {
            h.zmin = zr->data[0];
            h.zmax = zr->data[1];
        }
        mat_unref(zr);
    }
    Value r = val_error;
    if (ok && (Z->rows != ny || Z->cols != nx)) {
        bi_error(I, a, "Z is %zux%zu but the grid is %zu y values by %zu x values (Z has a "
                 "row per y value)", Z->rows, Z->cols, ny, nx);
    } else if (ok) {
        h.path = figure_path(I, file);
        h.x = x, h.y = y, h.z = Z->data, h.nx = nx, h.ny = ny;
        char err[1024];
        fflush(I->out);
        if (plot_heatmap(&h, I->out, err, sizeof err) != 0)
            r = bi_error(I, a, "%s", strncmp(err, "heatmap: ", 9) == 0 ? err + 9 : err);
        else
            r = shown(I, h.path, file != NULL);
        free((char *)h.path);
    }
    mat_unref(Z);
    return r;
}

const Builtin builtins_plot[] = {
    {"plot", 1, 14, "plot(x, y, file, title, xlabel, ylabel, labels, logx, logy, style, "
     "markup, err, xrange, yrange)",
     "draws y against x (or against 1..n) with gnuplot: y a vector, a matrix (a series "
     "per column) or a list of vectors (x then a matching list); file = \"fig.svg\" or "
     "\".png\" writes the figure and keeps fig.gp and fig.dat beside it to restyle "
     "(relative names go to $OVP_FIGDIR when set); without file, a text plot is "
     "printed; style is lines, points or linespoints (or a list, one per series); "
     "markup = true reads the title, axis "
     "labels and series labels as gnuplot's enhanced text (W_{j+1}, c^{4/3}, "
     "{/:Italic x}), otherwise they print as written; err draws error bars y +- err "
     "(shaped as y: e.g. the standard deviation over seeds); xrange = [low, high] and "
     "yrange fix an axis's ends (NaN leaves one to gnuplot). Returns the figure's path",
     bi_plot},
    {"heatmap", 3, 11, "heatmap(x, y, Z, file, title, xlabel, ylabel, zlabel, markup, zrange, "
     "logz)",
     "a phase diagram: Z (a row per y value, a column per x value) as coloured cells "
     "with a colour bar, one cell per grid value; NaN cells blank; file = \"fig.svg\" "
     "or \".png\" keeps fig.gp and fig.dat beside it; without file, a text rendering "
     "in shades; zrange = [0, 1] fixes the colour bar's range (a fraction's, say) "
     "instead of the data's; logz = true a logarithmic colour scale. Returns the "
     "figure's path", bi_heatmap},
    BUILTIN_END,
};
