/* plot.h: figures drawn by gnuplot, run as a subprocess.
 *
 * Independent of the interpreter: plain C arrays in, files or text out.
 *
 * For a figure "DIR/fig.png" (or .svg) plot_render writes, beside it,
 *   DIR/fig.dat  the data: one block per series in series order, blocks
 *                separated by two blank lines (gnuplot's `index N`), lines
 *                "x y" printed with %.17g so the values round trip;
 *   DIR/fig.gp   a commented gnuplot script that plots fig.dat into fig.png,
 *                naming both files relative to its own folder, so that
 *                `cd DIR && gnuplot fig.gp` redraws the figure after the
 *                user edits the script;
 * and then runs gnuplot on fig.gp with DIR as its working directory.
 *
 * Skipped points. A point whose x or y is NaN or infinite, or is <= 0 on a
 * logarithmic axis, is not written to the .dat. Where points were skipped a
 * single blank line is written instead, which gnuplot draws as a break in
 * the line (as a NaN does in most plotting tools); the .gp comment above the
 * plot command gives each series' skipped counts. A series with no point
 * left is an error.
 *
 * Text is never interpreted by gnuplot: titles, axis labels and series
 * labels are written as single-quoted gnuplot strings, inside which gnuplot
 * substitutes nothing (plot.c's file comment shows how quotes and newlines
 * are spliced in; a newline breaks the title into lines), other control
 * characters are replaced by spaces, and every terminal is set
 * `noenhanced`, so '_', '^', '{' and '@' print as themselves.
 */
#ifndef OVP_PLOT_H
#define OVP_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One curve. x and y have n elements each: the caller, which knows both
 * lengths, checks that they agree before filling this in (an x/y mismatch
 * cannot be represented here). */
typedef struct PlotSeries {
    const double *x;      /* NULL: 1..n */
    const double *y;
    size_t n;
    const char *label;    /* NULL: no key entry */
    const double *err;    /* NULL, or n error-bar half-lengths (y +- err;
                             a non-finite one draws no bar) */
    const char *style;    /* NULL: the figure's style; else this series' own */
} PlotSeries;

/* A whole figure. All pointers are borrowed for the duration of the call. */
typedef struct PlotSpec {
    const char *path;     /* "fig.png" or "fig.svg" (any case); NULL: text plot */
    const char *title, *xlabel, *ylabel;   /* may be NULL */
    bool logx, logy;
    const char *style;    /* "lines" (default, also for NULL), "points", "linespoints" */
    bool markup;          /* the texts above and the labels are enhanced-text
                             markup (figures only); false: shown as written */
    int width, height;    /* pixels for png/svg (0: 800x500); characters for text (0: 79x24) */
    bool has_xrange, has_yrange;
    double xrange[2], yrange[2];   /* the axes' ends when given; NaN: gnuplot's own */
    int nseries;
    const PlotSeries *series;
} PlotSpec;

/* Draws spec. For a figure path, writes PATH.dat and PATH.gp beside it (see
 * above; existing files are replaced) and runs gnuplot on the script; the
 * three files stay. With path NULL, renders with `set terminal dumb W H`
 * into a temporary directory (TMPDIR or /tmp), copies gnuplot's standard
 * output to text_out (form feeds removed) and deletes the temporary files.
 * gnuplot is found on PATH and executed directly (fork/exec, no shell); its
 * standard error goes to a temporary file that is read back afterwards.
 *
 * Returns 0 on success. On failure returns -1 and, when err is non-NULL and
 * errlen > 0, writes a one-line message into err (truncated to errlen):
 *   "plot: gnuplot is not installed (apt-get install gnuplot-nox)"
 *   "plot: no series to plot", "plot: series 2 is empty",
 *   "plot: series 2 has no y values",
 *   "plot: series 2 has no point to plot (3 non-finite, 1 nonpositive on a
 *    log axis)",
 *   "plot: unknown figure type "fig.jpg" (the name must end in .png or
 *    .svg)",
 *   "plot: unknown style "dots" (use lines, points or linespoints)",
 *   "plot: width and height must be between 1 and 10000 (0: default)",
 *   "plot: text plot needs an output stream",
 *   "plot: cannot write DIR/fig.dat: No such file or directory",
 *   "gnuplot: line 7: cannot open file; output not changed; system error:
 *    Is a directory" when gnuplot exits with a failure status (messages
 *    gnuplot prints while succeeding, such as warnings, are ignored).
 * Validation happens before anything is written. */
int plot_render(const PlotSpec *spec, FILE *text_out, char *err, size_t errlen);

/* A phase diagram: z[i + j * ny] is the value at (x[j], y[i]) (z is the
 * ny x nx matrix whose rows follow y), drawn as a grid of coloured cells
 * with a colour bar, one cell per grid value (the axes are labelled with
 * the values, evenly spaced whatever they are). NaN cells stay blank. */
typedef struct HeatSpec {
    const char *path;     /* .png or .svg; NULL: a text rendering */
    const char *title, *xlabel, *ylabel, *zlabel;
    bool markup;
    const double *x, *y, *z;
    size_t nx, ny;
    double zmin, zmax;    /* the colour bar's range; both NaN: the data's */
    bool logz;            /* a logarithmic colour scale (values above 0) */
} HeatSpec;

/* Draws spec: with a path, fig.dat, fig.gp and the figure as plot_render
 * does; without, a text grid of shades (a legend maps them to values)
 * on text_out. Returns 0, or -1 with a message in err. */
int plot_heatmap(const HeatSpec *spec, FILE *text_out, char *err, size_t errlen);

/* Redraws the figure at fig_path (drawn by plot_render or plot_heatmap,
 * its .gp and .dat beside it) as a PNG at png_path in the same folder,
 * from a copy of its script with the PNG terminal: a notebook sends both,
 * for the front ends and exporters that cannot show SVG. Returns 0, or
 * -1 with a message in err. */
int plot_redraw_png(const char *fig_path, const char *png_path, char *err, size_t errlen);

/* True when an executable file named "gnuplot" is found in a directory of
 * PATH (empty components are ignored; unset PATH means "/usr/bin:/bin"). */
bool plot_available(void);

#endif
