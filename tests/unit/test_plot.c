/* test_plot.c: Criterion tests for src/numeric/plot.c (figures through gnuplot).
 *
 * Each test works in its own fresh directory under /tmp, removed at the
 * end. Criterion runs every test in its own process, so the tests that
 * change PATH or TMPDIR do not affect the others. Tests that need gnuplot
 * are skipped when it is not installed.
 */
/* Series literals list the fields a test sets ({x, y, n, label}); the
 * later ones (error bars, a style of its own) are NULL unless given. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "numeric/plot.h"

static char workdir[] = "/tmp/ovp-test-plot-XXXXXX";

/* Removes every file of dir (no subdirectories besides those named). */
static void clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            rmdir(path);
    }
    closedir(d);
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(workdir), "mkdtemp");
}

static void teardown(void)
{
    clear_dir(workdir);
    rmdir(workdir);
}

static void need_gnuplot(void)
{
    if (!plot_available())
        cr_skip_test("gnuplot is not installed");
}

/* workdir/name in a static buffer (one per call site is enough here). */
static char *in_dir(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", workdir, name);
    return buf;
}

/* Whole contents of path, NUL-terminated, or NULL. Caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n + 4096 + 1 > cap) {
            cap = 2 * cap + 8192;
            char *nb = realloc(buf, cap);
            cr_assert_not_null(nb);
            buf = nb;
        }
        got = fread(buf + n, 1, 4096, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static const double xs[] = {1, 2, 3, 4, 5};
static const double ys[] = {1, 4, 9, 16, 25};

static PlotSpec one_series(const char *path, const PlotSeries *s)
{
    PlotSpec spec = {.path = path, .title = "squares", .xlabel = "x",
                     .ylabel = "x^2", .nseries = 1, .series = s};
    return spec;
}

TestSuite(plot, .init = setup, .fini = teardown);

Test(plot, png_is_produced_with_script_and_data)
{
    need_gnuplot();
    char fig[512], gp[512], dat[512], err[256] = "";
    PlotSeries s = {xs, ys, 5, "y"};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "fig.png"), &s);
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    size_t n = 0;
    char *png = slurp(fig, &n);
    cr_assert_not_null(png);
    cr_expect_gt(n, 1000);
    cr_expect(memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0, "PNG magic");
    free(png);
    char *g = slurp(in_dir(gp, sizeof gp, "fig.gp"), NULL);
    char *d = slurp(in_dir(dat, sizeof dat, "fig.dat"), NULL);
    cr_assert(g && d, "fig.gp and fig.dat beside fig.png");
    cr_expect_not_null(strstr(g, "set output './fig.png'"), "%s", g);
    cr_expect_not_null(strstr(g, "plot './fig.dat' index 0 using 1:2 with lines title 'y'"),
                       "%s", g);
    cr_expect_not_null(strstr(g, "set title 'squares'"));
    cr_expect_not_null(strstr(g, "set ylabel 'x^2'"));
    cr_expect_not_null(strstr(d, "3 9\n4 16\n"), "%s", d);
    free(g);
    free(d);
}

Test(plot, svg_is_produced)
{
    need_gnuplot();
    char fig[512], gp[512], err[256] = "";
    PlotSeries s = {NULL, ys, 5, NULL};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "curve.svg"), &s);
    spec.style = "linespoints";
    spec.width = 640;
    spec.height = 480;
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    size_t n = 0;
    char *svg = slurp(fig, &n);
    cr_assert_not_null(svg);
    cr_expect_gt(n, 0);
    cr_expect_not_null(strstr(svg, "<svg"));
    free(svg);
    char *g = slurp(in_dir(gp, sizeof gp, "curve.gp"), NULL);
    cr_assert_not_null(g);
    cr_expect_not_null(strstr(g, "set terminal svg size 640,480"), "%s", g);
    cr_expect_not_null(strstr(g, "with linespoints notitle"), "%s", g);
    cr_expect_not_null(strstr(g, "unset key"), "%s", g);
    free(g);
}

Test(plot, data_values_round_trip)
{
    need_gnuplot();
    const double x[] = {0.1, 1.0 / 3.0, -2.5e10, 1e-300, 6.02214076e23};
    const double y[] = {M_PI, -0.0, 4.9e-324, 1.7976931348623157e308, 2.0 / 3.0};
    char fig[512], dat[512], err[256] = "";
    PlotSeries s[2] = {{x, y, 5, "a"}, {NULL, y, 5, "b"}};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "rt.svg"), s);
    spec.nseries = 2;
    spec.style = "points";
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    FILE *f = fopen(in_dir(dat, sizeof dat, "rt.dat"), "r");
    cr_assert_not_null(f);
    char line[256];
    int row = 0, blanks = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (line[0] == '\n') {
            blanks++;
            continue;
        }
        double a, b;
        cr_assert_eq(sscanf(line, "%lf %lf", &a, &b), 2, "line %s", line);
        int i = row % 5;
        double want_x = row < 5 ? x[i] : i + 1;
        cr_expect(memcmp(&a, &want_x, sizeof a) == 0, "row %d x %.17g", row, a);
        cr_expect(memcmp(&b, &y[i], sizeof b) == 0, "row %d y %.17g", row, b);
        row++;
    }
    fclose(f);
    cr_expect_eq(row, 10);
    cr_expect_eq(blanks, 2, "two blank lines between the blocks");
}

Test(plot, several_labelled_series)
{
    need_gnuplot();
    const double y2[] = {2, 3, 5, 7, 11}, y3[] = {5, 4, 3, 2, 1};
    PlotSeries s[3] = {{xs, ys, 5, "alpha"}, {xs, y2, 5, "beta"}, {xs, y3, 5, NULL}};
    char fig[512], gp[512], err[256] = "";
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "multi.png"), s);
    spec.nseries = 3;
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    char *g = slurp(in_dir(gp, sizeof gp, "multi.gp"), NULL);
    cr_assert_not_null(g);
    cr_expect_not_null(strstr(g, "index 0 using 1:2 with lines title 'alpha'"), "%s", g);
    cr_expect_not_null(strstr(g, "index 1 using 1:2 with lines title 'beta'"), "%s", g);
    cr_expect_not_null(strstr(g, "index 2 using 1:2 with lines notitle"), "%s", g);
    cr_expect_not_null(strstr(g, "set key"), "%s", g);
    free(g);
}

Test(plot, log_axes_skip_nonpositive_points)
{
    need_gnuplot();
    const double x[] = {1, 2, 3, 4, 5, 6};
    const double y[] = {10, 100, 0, -5, 1000, 1e4};
    PlotSeries s = {x, y, 6, "decades"};
    char fig[512], gp[512], dat[512], err[256] = "";
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "log.png"), &s);
    spec.logy = true;
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    char *g = slurp(in_dir(gp, sizeof gp, "log.gp"), NULL);
    char *d = slurp(in_dir(dat, sizeof dat, "log.dat"), NULL);
    cr_assert(g && d);
    cr_expect_not_null(strstr(g, "set logscale y\n"), "%s", g);
    cr_expect_null(strstr(g, "set logscale x"), "%s", g);
    cr_expect_not_null(strstr(g, "4 of 6 points; skipped 0 non-finite, 2 nonpositive"),
                       "%s", g);
    cr_expect_not_null(strstr(d, "2 100\n\n5 1000\n6 10000\n"), "one gap: %s", d);
    cr_expect_null(strstr(d, "-5"), "%s", d);
    free(g);
    free(d);
}

Test(plot, nonfinite_points_break_the_line)
{
    need_gnuplot();
    const double y[] = {NAN, 1, 2, INFINITY, NAN, 3, 4, -INFINITY};
    PlotSeries s = {NULL, y, 8, NULL};
    char fig[512], gp[512], dat[512], err[256] = "";
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "nan.svg"), &s);
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    char *g = slurp(in_dir(gp, sizeof gp, "nan.gp"), NULL);
    char *d = slurp(in_dir(dat, sizeof dat, "nan.dat"), NULL);
    cr_assert(g && d);
    cr_expect_not_null(strstr(g, "4 of 8 points; skipped 4 non-finite, 0 nonpositive"),
                       "%s", g);
    const char *body = strstr(d, "2 1\n");
    cr_assert_not_null(body, "%s", d);
    cr_expect_str_eq(body, "2 1\n3 2\n\n6 3\n7 4\n", "no leading/trailing/double gap");
    free(g);
    free(d);
}

Test(plot, text_plot_to_stream)
{
    need_gnuplot();
    char *buf = NULL, err[256] = "";
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    PlotSeries s = {xs, ys, 5, "y"};
    PlotSpec spec = one_series(NULL, &s);
    spec.title = "Text Title";
    int rc = plot_render(&spec, out, err, sizeof err);
    fclose(out);
    cr_assert_eq(rc, 0, "%s", err);
    cr_expect_not_null(strstr(buf, "Text Title"), "%s", buf);
    cr_expect(strchr(buf, '*') || strchr(buf, '+'), "%s", buf);
    cr_expect_null(strchr(buf, '\f'), "form feeds removed");
    free(buf);
}

Test(plot, text_plot_size_and_no_leftover_files)
{
    need_gnuplot();
    cr_assert_eq(setenv("TMPDIR", workdir, 1), 0);
    char *buf = NULL, err[256] = "";
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    PlotSeries s = {xs, ys, 5, NULL};
    PlotSpec spec = one_series(NULL, &s);
    spec.width = 50;
    spec.height = 12;
    spec.style = "points";
    int rc = plot_render(&spec, out, err, sizeof err);
    fclose(out);
    cr_assert_eq(rc, 0, "%s", err);
    int lines = 0;
    for (const char *p = buf; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 12, "%s", buf);
    cr_expect_lt(strcspn(buf, "\n"), 51u);
    free(buf);
    DIR *d = opendir(workdir);
    cr_assert_not_null(d);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    closedir(d);
    cr_expect_eq(entries, 0, "temporary files removed");
}

Test(plot, missing_directory_is_an_error)
{
    char err[256] = "";
    PlotSeries s = {xs, ys, 5, NULL};
    PlotSpec spec = one_series("/nonexistent-ovp-dir/sub/fig.png", &s);
    if (!plot_available())
        cr_skip_test("gnuplot is not installed");
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: cannot write /nonexistent-ovp-dir/sub/fig.dat: "
                          "No such file or directory");
}

Test(plot, gnuplot_error_is_read_back)
{
    need_gnuplot();
    /* The figure name is taken by a directory: our .gp and .dat can be
     * written, but gnuplot cannot open its output. */
    char fig[512], err[256] = "";
    cr_assert_eq(mkdir(in_dir(fig, sizeof fig, "taken.png"), 0700), 0);
    PlotSeries s = {xs, ys, 5, NULL};
    PlotSpec spec = one_series(fig, &s);
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect(strncmp(err, "gnuplot: line ", 14) == 0, "%s", err);
    cr_expect_not_null(strstr(err, "cannot open file"), "%s", err);
    cr_expect_not_null(strstr(err, "Is a directory"), "%s", err);
}

Test(plot, gnuplot_not_installed)
{
    char empty[512], fig[512], err[256] = "";
    cr_assert_eq(mkdir(in_dir(empty, sizeof empty, "emptybin"), 0700), 0);
    cr_assert_eq(setenv("PATH", empty, 1), 0);
    cr_expect(!plot_available());
    PlotSeries s = {xs, ys, 5, NULL};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "fig.png"), &s);
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: gnuplot is not installed (apt-get install gnuplot-nox)");
    cr_expect_eq(access(fig, F_OK), -1, "nothing written");
}

Test(plot, validation_messages)
{
    char err[256] = "";
    const double bad[] = {NAN, INFINITY};
    PlotSeries s = {xs, ys, 5, NULL};
    PlotSpec spec = one_series("fig.png", &s);
    spec.nseries = 0;
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: no series to plot");
    spec.nseries = 1;
    spec.path = "fig.jpg";
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect(strstr(err, "fig.jpg") && strstr(err, ".png") && strstr(err, ".svg"), "%s", err);
    spec.path = "fig.png";
    spec.style = "dots";
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: unknown style \"dots\" (use lines, points or linespoints)");
    spec.style = NULL;
    spec.width = -3;
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_not_null(strstr(err, "width and height"), "%s", err);
    spec.width = 0;
    spec.path = NULL;
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: text plot needs an output stream");
    spec.path = "fig.png";
    PlotSeries two[2] = {{xs, ys, 5, NULL}, {xs, ys, 0, NULL}};
    spec.series = two;
    spec.nseries = 2;
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: series 2 is empty");
    two[1] = (PlotSeries){NULL, bad, 2, NULL};
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: series 2 has no point to plot (2 non-finite, "
                          "0 nonpositive on a log axis)");
    cr_expect_eq(access("fig.dat", F_OK), -1, "nothing written on a validation error");
}

Test(plot, labels_are_quoted_safely)
{
    need_gnuplot();
    char fig[512], gp[512], pwned[512], err[256] = "";
    in_dir(pwned, sizeof pwned, "PWNED");
    char title[700], label[700];
    snprintf(title, sizeof title, "it's \"q\" \\ `touch %s`\nsecond line", pwned);
    snprintf(label, sizeof label, "a_b^{c} @x $(touch %s)'", pwned);
    PlotSeries s = {xs, ys, 5, label};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "q.svg"), &s);
    spec.title = title;
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    cr_expect_eq(access(pwned, F_OK), -1, "no command substitution");
    char *g = slurp(in_dir(gp, sizeof gp, "q.gp"), NULL);
    cr_assert_not_null(g);
    cr_expect_not_null(strstr(g, "set title 'it'.\"'\".'s \"q\" \\ `touch "), "%s", g);
    cr_expect_not_null(strstr(g, "`'.\"\\n\".'second line'"), "%s", g);
    free(g);
    char *svg = slurp(fig, NULL);
    cr_assert_not_null(svg);
    cr_expect_not_null(strstr(svg, "second line"));
    cr_expect_not_null(strstr(svg, "a_b^{c} @x"), "noenhanced: text printed as is");
    free(svg);
}

/* markup = true: the same texts are enhanced-text markup, W_{j+1} a
 * subscript in the SVG (a shifted <tspan>), and quoting stays as safe. */
Test(plot, markup_renders_subscripts_and_superscripts)
{
    need_gnuplot();
    char fig[512], gp[512], pwned[512], err[256] = "";
    in_dir(pwned, sizeof pwned, "PWNED");
    char label[700];
    snprintf(label, sizeof label, "W_{j+1} $(touch %s)'", pwned);
    PlotSeries s = {xs, ys, 5, label};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "m.svg"), &s);
    spec.title = "c^{4/3}";
    spec.xlabel = "t";
    spec.markup = true;
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    cr_expect_eq(access(pwned, F_OK), -1, "no command substitution");
    char *g = slurp(in_dir(gp, sizeof gp, "m.gp"), NULL);
    cr_assert_not_null(g);
    cr_expect_null(strstr(g, "noenhanced"), "no text marked literal:\n%s", g);
    free(g);
    char *svg = slurp(fig, NULL);
    cr_assert_not_null(svg);
    cr_expect_null(strstr(svg, "W_{j+1}"), "the markup is not printed as written");
    cr_expect_null(strstr(svg, "c^{4/3}"), "the markup is not printed as written");
    cr_expect_not_null(strstr(svg, ">j+1</tspan>"), "j+1 set apart as a subscript");
    cr_expect_not_null(strstr(svg, ">4/3</tspan>"), "4/3 set apart as a superscript");
    free(svg);
}

Test(plot, script_redraws_from_its_own_folder)
{
    need_gnuplot();
    char fig[512], cmd[1200], err[256] = "";
    PlotSeries s = {xs, ys, 5, "y"};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "redo.png"), &s);
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_eq(unlink(fig), 0);
    snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot redo.gp 2>/dev/null", workdir);
    cr_assert_eq(system(cmd), 0);
    struct stat st;
    cr_assert_eq(stat(fig, &st), 0, "redo.png redrawn by the script");
    cr_expect_gt(st.st_size, 0);
}

Test(plot, odd_file_names_are_plain_files)
{
    need_gnuplot();
    char fig[512], dat[512], err[256] = "";
    PlotSeries s = {xs, ys, 5, NULL};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "<it's ~x.PNG"), &s);
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    struct stat st;
    cr_expect_eq(stat(fig, &st), 0, "figure under its own odd name");
    cr_expect_eq(stat(in_dir(dat, sizeof dat, "<it's ~x.dat"), &st), 0);
}

Test(plot, available_when_installed)
{
    struct stat st;
    if (stat("/usr/bin/gnuplot", &st) != 0)
        cr_skip_test("no /usr/bin/gnuplot");
    cr_expect(plot_available());
}

/* Error bars: a third column in the .dat (0 where the bar is not
 * finite), and yerrorlines in the script. */
Test(plot, error_bars_are_a_third_column)
{
    need_gnuplot();
    char fig[512], dat[512], gp[512], err[256] = "";
    const double e[] = {0.5, 1, NAN, 2, 0.25};
    PlotSeries s = {xs, ys, 5, "y", e};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "eb.svg"), &s);
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    char *d = slurp(in_dir(dat, sizeof dat, "eb.dat"), NULL);
    cr_assert_not_null(d);
    cr_expect_not_null(strstr(d, "\n1 1 0.5\n2 4 1\n3 9 0\n4 16 2\n5 25 0.25\n"), "%s", d);
    free(d);
    char *g = slurp(in_dir(gp, sizeof gp, "eb.gp"), NULL);
    cr_assert_not_null(g);
    cr_expect_not_null(strstr(g, "using 1:2:3 with yerrorlines"), "%s", g);
    free(g);
}

/* A heatmap: the matrix row by row with NaN where blank, the grid values
 * as tick labels at the cells, the figure drawn. */
Test(plot, heatmap_files)
{
    need_gnuplot();
    char fig[512], dat[512], gp[512], err[256] = "";
    const double x[] = {10, 20, 40}, y[] = {0.5, 1};
    const double z[] = {0.1, 0.2, 0.3, NAN, 0.5, 0.6};   /* 2 x 3, column-major */
    HeatSpec h = {.path = in_dir(fig, sizeof fig, "hm.png"), .title = "t", .zlabel = "P",
                  .x = x, .y = y, .z = z, .nx = 3, .ny = 2, .zmin = 0, .zmax = 1};
    cr_assert_eq(plot_heatmap(&h, NULL, err, sizeof err), 0, "%s", err);
    char *d = slurp(in_dir(dat, sizeof dat, "hm.dat"), NULL);
    cr_assert_not_null(d);
    cr_expect_not_null(strstr(d, "\n0.10000000000000001 0.29999999999999999 0.5\n"
                                 "0.20000000000000001 NaN 0.59999999999999998\n"), "%s", d);
    free(d);
    char *g = slurp(in_dir(gp, sizeof gp, "hm.gp"), NULL);
    cr_assert_not_null(g);
    cr_expect_not_null(strstr(g, "set xtics (\"10\" 0, \"20\" 1, \"40\" 2)"), "%s", g);
    cr_expect_not_null(strstr(g, "set ytics (\"0.5\" 0, \"1\" 1)"), "%s", g);
    cr_expect_not_null(strstr(g, "matrix with image"), "%s", g);
    cr_expect_not_null(strstr(g, "set cbrange [0:1]"), "%s", g);
    cr_expect_not_null(strstr(g, "set cblabel 'P' noenhanced"), "%s", g);
    free(g);
    struct stat st;
    cr_expect(stat(fig, &st) == 0 && st.st_size > 0, "the figure is drawn");
}

/* style as a list: each series its own; an unknown one is named. */
Test(plot, a_style_per_series)
{
    need_gnuplot();
    char fig[512], gp[512], err[256] = "";
    PlotSeries s[2] = {{xs, ys, 5, "a", NULL, "points"}, {xs, ys, 5, "b", NULL, NULL}};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "st.svg"), &s[0]);
    spec.nseries = 2;
    spec.series = s;
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    char *g = slurp(in_dir(gp, sizeof gp, "st.gp"), NULL);
    cr_assert_not_null(g);
    cr_expect_not_null(strstr(g, "index 0 using 1:2 with points"), "%s", g);
    cr_expect_not_null(strstr(g, "index 1 using 1:2 with lines "), "%s", g);
    free(g);
    s[1].style = "dots";
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: unknown style \"dots\" for series 2 (use lines, points or "
                          "linespoints)");
}

/* xrange and yrange: set as given, NaN as gnuplot's own end, and refused
 * out of order or at or below 0 on a log axis. */
Test(plot, axis_ranges)
{
    need_gnuplot();
    char fig[512], gp[512], err[256] = "";
    PlotSeries s = {xs, ys, 5, NULL};
    PlotSpec spec = one_series(in_dir(fig, sizeof fig, "rg.svg"), &s);
    spec.has_xrange = spec.has_yrange = true;
    spec.xrange[0] = 0.5, spec.xrange[1] = NAN;
    spec.yrange[0] = 0, spec.yrange[1] = 30;
    cr_assert_eq(plot_render(&spec, NULL, err, sizeof err), 0, "%s", err);
    char *g = slurp(in_dir(gp, sizeof gp, "rg.gp"), NULL);
    cr_assert_not_null(g);
    cr_expect_not_null(strstr(g, "set xrange [0.5:*]\nset yrange [0:30]\n"), "%s", g);
    free(g);
    spec.logy = true;
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: yrange ends must be above 0 on a log axis");
    spec.logy = false;
    spec.yrange[0] = 40;
    cr_expect_eq(plot_render(&spec, NULL, err, sizeof err), -1);
    cr_expect_str_eq(err, "plot: yrange must be [low, high] with low < high");
}
