/* sweep_slurm.c: ovp sweep on a Slurm cluster, as a job array.
 *
 * `--slurm DIR` runs nothing: it writes DIR/sweep.args (the sweep's own
 * arguments, with absolute paths, one per line), DIR/points (the points
 * still to do, one per line: task k runs the k-th), and DIR/sweep.sbatch,
 * whose array tasks each run `ovp sweep --task-dir DIR --task-id K`.
 * A task runs its point in its own process and leaves the result in
 * DIR/results/point-P (written whole, then renamed into place).
 * `ovp sweep --collect DIR` reads them all back and writes the file in
 * grid order, the same bytes as any other backend. DIR must be on a file
 * system every node sees (as the script and ovp itself must be).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/sweep.h"
#include "base/alloc.h"

static char *absolute(const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return xstrdup(path);
    return xasprintf("%s/%s", cwd, path);
}

static char *in_dir(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

/* Writes text to path whole (a temporary file renamed over it). */
static bool write_whole(const char *path, const char *text, size_t len)
{
    char *tmp = xasprintf("%s.part", path);
    FILE *f = fopen(tmp, "w");
    bool ok = f && fwrite(text, 1, len, f) == len;
    ok = f && fclose(f) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    int err = errno;
    if (!ok)
        unlink(tmp);
    free(tmp);
    errno = err;
    return ok;
}

static char *read_whole(const char *path)
{
    size_t len;
    return read_text_file(path, &len);
}

char **sweep_saved_args(const char *dir, int *argc)
{
    char *path = in_dir(dir, "sweep.args");
    char *text = read_whole(path);
    if (!text) {
        fprintf(stderr, "ovp sweep: cannot read '%s': %s (is %s a folder that "
                "ovp sweep --slurm wrote?)\n", path, strerror(errno), dir);
        free(path);
        return NULL;
    }
    free(path);
    char **args = NULL;
    int n = 0;
    for (char *p = text, *line; (line = strsep(&p, "\n")) != NULL;) {
        if (!*line && !p)
            break;   /* after the last line break */
        args = xrealloc(args, (size_t)(n + 2) * sizeof *args);
        args[n++] = xstrdup(line);
    }
    free(text);
    if (args)
        args[n] = NULL;
    *argc = n;
    return args ? args : xcalloc(1, sizeof *args);
}

/* The arguments the tasks and --collect run with. */
static void saved_args(const Sweep *s, StrBuf *b)
{
    char *script = absolute(s->script), *out = absolute(s->out);
    sb_printf(b, "%s\n", script);
    for (size_t i = 0; i < s->nspecs; i++)
        sb_printf(b, "--grid\n%s\n", s->specs[i]);
    sb_printf(b, "--seed\n%llu\n--format\n%s\n--out\n%s\n", s->seed,
              s->format == FORMAT_CSV ? "csv" : "jsonl", out);
    if (s->timeout > 0)
        sb_printf(b, "--timeout\n%.17g\n", s->timeout);
    if (s->logs) {
        char *logs = absolute(s->logs);
        sb_printf(b, "--logs\n%s\n", logs);
        free(logs);
    }
    if (s->resume)
        sb_puts(b, "--resume\n");
    free(script);
    free(out);
}

/* A path for the shell, in single quotes. */
static void shell_quoted(StrBuf *b, const char *s)
{
    sb_putc(b, '\'');
    for (; *s; s++)
        if (*s == '\'')
            sb_puts(b, "'\\''");
        else
            sb_putc(b, *s);
    sb_putc(b, '\'');
}

static void sbatch_script(const Sweep *s, const char *dir, size_t ntasks, StrBuf *b)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    sb_printf(b, "#!/bin/sh\n#SBATCH --job-name=ovp-sweep\n#SBATCH --array=0-%zu", ntasks - 1);
    if (s->array_max > 0)
        sb_printf(b, "%%%ld", s->array_max);
    sb_printf(b, "\n#SBATCH --cpus-per-task=1\n#SBATCH --output=%s/logs/task-%%a.out\n", dir);
    if (s->partition)
        sb_printf(b, "#SBATCH --partition=%s\n", s->partition);
    if (s->time_limit)
        sb_printf(b, "#SBATCH --time=%s\n", s->time_limit);
    if (s->mem)
        sb_printf(b, "#SBATCH --mem=%s\n", s->mem);
    sb_puts(b, "# Written by ovp sweep --slurm: task K runs the K-th point of points;\n"
               "# when every task is done, ovp sweep --collect DIR writes the results.\n"
               "exec ");
    shell_quoted(b, n > 0 ? self : "ovp");
    sb_puts(b, " sweep --task-dir ");
    shell_quoted(b, dir);
    sb_puts(b, " --task-id \"$SLURM_ARRAY_TASK_ID\"\n");
}

static bool make_dir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return true;
    fprintf(stderr, "ovp sweep: cannot create '%s': %s\n", path, strerror(errno));
    return false;
}

int sweep_slurm_write(Sweep *s, const SweepTable *t)
{
    char *dir = absolute(s->slurm_dir);
    char *logs = in_dir(dir, "logs"), *results = in_dir(dir, "results");
    StrBuf args, points, job;
    sb_init(&args);
    sb_init(&points);
    sb_init(&job);
    size_t ntodo = 0;
    for (size_t i = 0; i < s->grid.npoints; i++)
        if (!t->have[i]) {
            sb_printf(&points, "%zu\n", i);
            ntodo++;
        }
    int code = 0;
    if (ntodo == 0) {
        fprintf(stderr, "ovp sweep: %s already holds every point; nothing to submit\n", s->out);
    } else if (!make_dir(dir) || !make_dir(logs) || !make_dir(results)) {
        code = SWEEP_USAGE;
    } else {
        saved_args(s, &args);
        sbatch_script(s, dir, ntodo, &job);
        const char *names[] = {"sweep.args", "points", "sweep.sbatch"};
        StrBuf *texts[] = {&args, &points, &job};
        for (int i = 0; !code && i < 3; i++) {
            char *path = in_dir(dir, names[i]);
            if (!write_whole(path, texts[i]->s, texts[i]->len)) {
                fprintf(stderr, "ovp sweep: cannot write '%s': %s\n", path, strerror(errno));
                code = SWEEP_USAGE;
            }
            free(path);
        }
        if (!code)
            printf("ovp sweep: a job array of %zu tasks in %s\n"
                   "  submit it:        sbatch %s/sweep.sbatch\n"
                   "  when it is done:  ovp sweep --collect %s\n", ntodo, dir, dir, dir);
    }
    sb_free(&args);
    sb_free(&points);
    sb_free(&job);
    free(logs);
    free(results);
    free(dir);
    return code;
}

/* Line `task` of DIR/points: the point that task runs. */
static bool task_point(const Sweep *s, size_t *point)
{
    char *path = in_dir(s->task_dir, "points");
    char *text = read_whole(path);
    bool ok = text != NULL;
    const char *p = text;
    for (long k = 0; ok && k < s->task_id; k++) {
        p = strchr(p, '\n');
        ok = p && *++p;
    }
    char *end = NULL;
    unsigned long long x = ok ? strtoull(p, &end, 10) : 0;
    ok = ok && end != p && *end == '\n' && x < s->grid.npoints;
    if (!ok)
        fprintf(stderr, "ovp sweep: task %ld: no such line in '%s'\n", s->task_id, path);
    *point = (size_t)x;
    free(text);
    free(path);
    return ok;
}

int sweep_slurm_task(Sweep *s)
{
    size_t point;
    if (!task_point(s, &point))
        return SWEEP_USAGE;
    PointResult r;
    sweep_run_point(s, point, &r);
    StrBuf b;
    sb_init(&b);
    point_result_write(&b, &r);
    char *path = xasprintf("%s/results/point-%zu", s->task_dir, point);
    bool ok = write_whole(path, b.s, b.len);
    if (!ok)
        fprintf(stderr, "ovp sweep: cannot write '%s': %s\n", path, strerror(errno));
    else
        fprintf(stderr, "ovp sweep: point %zu: %s\n", point + 1, point_status_name(r.status));
    free(path);
    sb_free(&b);
    point_result_free(&r);
    return ok ? 0 : SWEEP_USAGE;
}

int sweep_slurm_collect(Sweep *s, SweepTable *t)
{
    size_t missing = 0, read = 0;
    for (size_t i = 0; i < s->grid.npoints; i++) {
        char *path = xasprintf("%s/results/point-%zu", s->collect_dir, i);
        char *text = read_whole(path);
        PointResult r;
        if (text && point_result_read(text, &r)) {
            table_set(t, i, &r);
            read++;
        } else if (!t->have[i]) {
            missing++;
        }
        free(text);
        free(path);
    }
    bool written = table_write(t, s->out);
    if (!written)
        fprintf(stderr, "ovp sweep: cannot write '%s': %s\n", s->out, strerror(errno));
    if (missing)
        fprintf(stderr, "ovp sweep: %zu points have no result in %s/results yet (tasks "
                "still queued or running, or killed: see %s/logs)\n", missing,
                s->collect_dir, s->collect_dir);
    fprintf(stderr, "sweep: collected %zu results from %s\n", read, s->collect_dir);
    int code = sweep_finish(s, t, 0, true, written);
    size_t bad = (size_t)code + missing;
    return written ? (int)(bad > SWEEP_MAX_FAILED ? SWEEP_MAX_FAILED : bad) : code;
}
