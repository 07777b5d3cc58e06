/* sweep.c: `ovp sweep`: the command line, and the local pool.
 *
 * The pool keeps --jobs child processes busy, each running one point
 * (fork, point_run in a fresh interpreter, the result written to a file
 * in a private temporary folder, exit). The parent alone writes the
 * output file, in grid order, rewritten whole every few seconds and at
 * the end, so an interrupted sweep keeps every point that finished and
 * --resume can skip them. Every point runs on one BLAS thread whatever
 * the backend: the sweep's parallelism is across points, and one thread
 * everywhere makes every backend compute the same bits.
 */
#include "app/sweep.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/sweep_point.h"
#include "app/sweep_table.h"
#include "base/alloc.h"
#include "base/threads.h"

static void sweep_usage(FILE *f)
{
    fputs("usage: ovp sweep SCRIPT --grid NAME=VALUES [--grid ...] [options]\n"
          "\n"
          "Runs SCRIPT once per point of the grid (the Cartesian product of the\n"
          "--grid axes, the first varying slowest), each point in a fresh\n"
          "interpreter with its values as parameters (param(\"NAME\", default)),\n"
          "and writes every row the script emits (emit({...})) to one file, in\n"
          "grid order. VALUES: a comma-separated list; A:B and A:STEP:B are\n"
          "inclusive ranges of numbers (seed=1:20, lr=0.1,0.01, act=tanh,relu).\n"
          "\n"
          "options:\n"
          "  --out FILE       the results (default: SCRIPT's name with .csv)\n"
          "  --format F       csv or jsonl (default: from FILE's extension, else csv)\n"
          "  --jobs N, -j N   points run side by side (default: the number of cores)\n"
          "  --timeout S      stop a point after S seconds (it is recorded as timeout)\n"
          "  --resume         skip the points FILE already holds\n"
          "  --seed N         the generator's seed; point i draws from its stream i\n"
          "  --logs DIR       keep each point's output in DIR/point-I.out\n"
          "  --mpi            run under mpirun: ranks take points in turn, rank 0\n"
          "                   writes the file (mpirun -np P ovp sweep ... --mpi)\n"
          "  --slurm DIR      write a Slurm job array to DIR (a task per point) and\n"
          "                   run nothing: sbatch DIR/sweep.sbatch, then\n"
          "                   ovp sweep --collect DIR writes the file\n"
          "  --partition P, --time T, --mem M, --array-max K\n"
          "                   passed to sbatch (--array=0-N%K: K tasks at once)\n"
          "  --help           this text\n"
          "\n"
          "exit status: 0 when every point came out ok, else the number that did\n"
          "not (at most 100); 101 when the sweep could not start; 130 interrupted\n", f);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("ovp sweep: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(ovp sweep --help shows the options)\n", stderr);
    return SWEEP_USAGE;
}

static bool whole_number(const char *s, double lo, double hi, double *x)
{
    char *end;
    *x = strtod(s, &end);
    return *s && !*end && *x == floor(*x) && *x >= lo && *x <= hi;
}

/* Options that take a value; i is advanced past it. */
static int value_option(Sweep *s, int argc, char **argv, int *i)
{
    const char *opt = argv[*i];
    if (*i + 1 >= argc)
        return usage_error("%s needs a value", opt);
    const char *v = argv[++*i];
    char buf[512];
    double x;
    if (strcmp(opt, "--grid") == 0) {
        const char *err = grid_add(&s->grid, v, buf, sizeof buf);
        if (err)
            return usage_error("%s", err);
        s->specs = xrealloc(s->specs, (s->nspecs + 1) * sizeof *s->specs);
        s->specs[s->nspecs++] = v;
        return 0;
    }
    if (strcmp(opt, "--task-id") == 0) {
        if (!whole_number(v, 0, 1e9, &x))
            return usage_error("--task-id takes a whole number from 0, got '%s'", v);
        s->task_id = (long)x;
        return 0;
    }
    if (strcmp(opt, "--array-max") == 0) {
        if (!whole_number(v, 1, 1e9, &x))
            return usage_error("--array-max takes a whole number from 1, got '%s'", v);
        s->array_max = (long)x;
        return 0;
    }
    static const struct {
        const char *opt;
        size_t offset;
    } strings[] = {
        {"--slurm", offsetof(Sweep, slurm_dir)}, {"--partition", offsetof(Sweep, partition)},
        {"--time", offsetof(Sweep, time_limit)}, {"--mem", offsetof(Sweep, mem)},
        {"--task-dir", offsetof(Sweep, task_dir)}, {"--collect", offsetof(Sweep, collect_dir)},
        {"--logs", offsetof(Sweep, logs)},
    };
    for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++)
        if (strcmp(opt, strings[k].opt) == 0) {
            if (strchr(v, '\n'))
                return usage_error("%s: a value with a line break", opt);
            *(const char **)((char *)s + strings[k].offset) = v;
            return 0;
        }
    if (strcmp(opt, "--out") == 0) {
        free(s->out);
        s->out = xstrdup(v);
    } else if (strcmp(opt, "--format") == 0) {
        if (strcmp(v, "csv") != 0 && strcmp(v, "jsonl") != 0)
            return usage_error("--format is csv or jsonl, got '%s'", v);
        s->format = strcmp(v, "csv") == 0 ? FORMAT_CSV : FORMAT_JSONL;
        s->format_given = true;
    } else if (strcmp(opt, "--jobs") == 0 || strcmp(opt, "-j") == 0) {
        if (!whole_number(v, 1, 1024, &x))
            return usage_error("--jobs takes a whole number from 1 to 1024, got '%s'", v);
        s->jobs = (long)x;
    } else if (strcmp(opt, "--timeout") == 0) {
        char *end;
        s->timeout = strtod(v, &end);
        if (!*v || *end || !(s->timeout > 0) || s->timeout > 1e7)
            return usage_error("--timeout takes seconds, a number above 0, got '%s'", v);
    } else if (strcmp(opt, "--seed") == 0) {
        if (!whole_number(v, 0, 9007199254740992.0, &x))
            return usage_error("--seed takes a whole number from 0 to 2^53, got '%s'", v);
        s->seed = (unsigned long long)x;
    }
    return 0;
}

static int parse_args(Sweep *s, int argc, char **argv)
{
    static const char *const with_value[] = {
        "--grid", "--out", "--format", "--jobs", "-j", "--timeout", "--seed", "--logs",
        "--slurm", "--partition", "--time", "--mem", "--array-max", "--task-dir",
        "--task-id", "--collect", NULL,
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool takes = false;
        for (int k = 0; with_value[k]; k++)
            takes = takes || strcmp(a, with_value[k]) == 0;
        int code = 0;
        if (takes)
            code = value_option(s, argc, argv, &i);
        else if (strcmp(a, "--resume") == 0)
            s->resume = true;
        else if (strcmp(a, "--mpi") == 0)
            s->mpi = true;
        else if (a[0] == '-' && a[1])
            code = usage_error("unknown option '%s'", a);
        else if (s->script)
            code = usage_error("one script only; '%s' is a second one", a);
        else
            s->script = a;
        if (code)
            return code;
    }
    if ((s->task_dir != NULL) != (s->task_id >= 0))
        return usage_error("%s", "--task-dir and --task-id go together (they are what "
                           "--slurm's job runs)");
    if (!s->script)
        return usage_error("%s", "no script given");
    if (s->grid.naxes == 0)
        return usage_error("%s", "no --grid given: a sweep needs at least one axis");
    return 0;
}

/* The output's name and format: --format, else FILE's extension. */
static void settle_output(Sweep *s)
{
    if (s->out && !s->format_given) {
        size_t n = strlen(s->out);
        bool json = (n > 6 && strcmp(s->out + n - 6, ".jsonl") == 0) ||
                    (n > 5 && strcmp(s->out + n - 5, ".json") == 0);
        s->format = json ? FORMAT_JSONL : FORMAT_CSV;
    }
    if (!s->out) {
        const char *base = strrchr(s->script, '/');
        base = base ? base + 1 : s->script;
        size_t n = strlen(base);
        if (n > 4 && strcmp(base + n - 4, ".ovp") == 0)
            n -= 4;
        s->out = xasprintf("%.*s.%s", (int)n, base, s->format == FORMAT_CSV ? "csv" : "jsonl");
    }
}

static bool read_script(Sweep *s)
{
    s->text = read_text_file(s->script, &s->len);
    if (!s->text)
        fprintf(stderr, "ovp sweep: cannot read '%s': %s\n", s->script, strerror(errno));
    return s->text != NULL;
}

/* ---- the pool --------------------------------------------------------- */

static volatile sig_atomic_t sweep_interrupted;

static void on_sweep_sigint(int sig)
{
    (void)sig;
    sweep_interrupted = 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
    pid_t pid;          /* 0: free */
    size_t point;
    double started;
    bool killed;        /* by the parent, past the timeout's grace */
} Worker;

typedef struct {
    Sweep *s;
    SweepTable table;
    char *tmpdir;
    Worker *workers;
    size_t *todo, ntodo, next, finished, failed;
    double started, last_write, last_progress;
    sigset_t child_mask;    /* the signal mask the children run with */
} Pool;

/* A point that does not stop at its timeout (a long BLAS call does not
 * poll) is killed this long after it. */
#define TIMEOUT_GRACE 5.0

static char *result_path(const Pool *p, size_t point)
{
    return xasprintf("%s/point-%zu", p->tmpdir, point);
}

void sweep_run_point(const Sweep *s, size_t point, PointResult *r)
{
    threads_set_cap(1);
    const char **names = xcalloc(s->grid.naxes, sizeof *names);
    const char **values = xcalloc(s->grid.naxes, sizeof *values);
    for (size_t i = 0; i < s->grid.naxes; i++) {
        names[i] = s->grid.axes[i].name;
        values[i] = grid_value(&s->grid, point, i);
    }
    FILE *log = NULL;
    if (s->logs) {
        char *path = xasprintf("%s/point-%zu.out", s->logs, point + 1);
        log = fopen(path, "w");
        free(path);
    }
    PointJob job = {s->script, s->text, s->len, s->seed, s->timeout};
    point_run(&job, point, names, values, s->grid.naxes, log, r);
    if (log)
        fclose(log);
    free(names);
    free(values);
}

/* The child: run the point, leave its result in a file, exit. */
static void run_child(const Pool *p, size_t point)
{
    signal(SIGINT, SIG_IGN);   /* Ctrl-C is the parent's to handle */
    PointResult r;
    sweep_run_point(p->s, point, &r);
    StrBuf b;
    sb_init(&b);
    point_result_write(&b, &r);
    char *path = result_path(p, point);
    FILE *f = fopen(path, "w");
    bool ok = f && fwrite(b.s, 1, b.len, f) == b.len;
    ok = f && fclose(f) == 0 && ok;
    free(path);
    sb_free(&b);
    point_result_free(&r);
    _exit(ok ? 0 : 1);
}

static bool start_worker(Pool *p, Worker *w)
{
    size_t point = p->todo[p->next];
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "ovp sweep: cannot start a worker: %s\n", strerror(errno));
        return false;
    }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &p->child_mask, NULL);
        run_child(p, point);
    }
    *w = (Worker){pid, point, now(), false};
    p->next++;
    return true;
}

/* What a finished child left, or why it left nothing. */
static void collect(Pool *p, Worker *w, int status)
{
    PointResult r = {0};
    char *path = result_path(p, w->point);
    size_t len;
    char *text = read_text_file(path, &len);
    unlink(path);
    free(path);
    char msg[200];
    if (w->killed) {
        snprintf(msg, sizeof msg, "killed %g s after the timeout of %g s (it did not "
                 "stop by itself)", TIMEOUT_GRACE, p->s->timeout);
        point_result_failed(&r, POINT_TIMEOUT, msg);
    } else if (WIFSIGNALED(status)) {
        snprintf(msg, sizeof msg, "its process died of signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
        point_result_failed(&r, POINT_CRASHED, msg);
    } else if (!text || WEXITSTATUS(status) != 0 || !point_result_read(text, &r)) {
        snprintf(msg, sizeof msg, "its process left no result (exit status %d)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        point_result_failed(&r, POINT_CRASHED, msg);
    }
    free(text);
    p->failed += r.status != POINT_OK;
    table_set(&p->table, w->point, &r);
    p->finished++;
    w->pid = 0;
}

static void progress(Pool *p, bool force)
{
    double t = now();
    if (!isatty(STDERR_FILENO) || (!force && t - p->last_progress < 0.5))
        return;
    p->last_progress = t;
    double el = t - p->started;
    fprintf(stderr, "\r\033[K  %zu/%zu points, %zu failed, %d:%02d elapsed", p->finished,
            p->ntodo, p->failed, (int)el / 60, (int)el % 60);
    if (p->finished > 0 && p->finished < p->ntodo) {
        double left = el / (double)p->finished * (double)(p->ntodo - p->finished);
        fprintf(stderr, ", about %d:%02d left", (int)left / 60, (int)left % 60);
    }
    fflush(stderr);
}

static bool write_table(Pool *p)
{
    p->last_write = now();
    if (table_write(&p->table, p->s->out))
        return true;
    fprintf(stderr, "ovp sweep: cannot write '%s': %s\n", p->s->out, strerror(errno));
    return false;
}

/* Reaps finished children and kills those far past their timeout;
 * returns how many were reaped. */
static int tend(Pool *p, long jobs)
{
    int status, reaped = 0;
    for (long i = 0; i < jobs; i++) {
        Worker *w = &p->workers[i];
        if (!w->pid)
            continue;
        pid_t r = waitpid(w->pid, &status, WNOHANG);
        if (r == w->pid) {
            collect(p, w, status);
            progress(p, true);
            reaped++;
        } else if (p->s->timeout > 0 && !w->killed &&
                   now() - w->started > p->s->timeout + TIMEOUT_GRACE) {
            kill(w->pid, SIGKILL);
            w->killed = true;
        }
    }
    return reaped;
}

static void stop_all(Pool *p, long jobs)
{
    for (long i = 0; i < jobs; i++)
        if (p->workers[i].pid) {
            kill(p->workers[i].pid, SIGKILL);
            waitpid(p->workers[i].pid, NULL, 0);
            char *path = result_path(p, p->workers[i].point);
            unlink(path);
            free(path);
            p->workers[i].pid = 0;
        }
}

/* Runs the points left to do; false when interrupted. SIGCHLD stays
 * blocked in the parent and is waited for (at most a tenth of a second,
 * for timeouts, progress and Ctrl-C), so a finished point is replaced at
 * once; the children get the old mask back (run_child's caller). */
static bool run_pool(Pool *p, const sigset_t *chld)
{
    long jobs = p->s->jobs;
    p->workers = xcalloc((size_t)jobs, sizeof *p->workers);
    struct timespec tick = {0, 100 * 1000 * 1000};
    bool ok = true;
    while (ok && (p->next < p->ntodo || p->finished < p->ntodo)) {
        for (long i = 0; ok && i < jobs && p->next < p->ntodo; i++)
            if (!p->workers[i].pid)
                ok = start_worker(p, &p->workers[i]);
        int reaped = tend(p, jobs);
        if (sweep_interrupted)
            break;
        if (now() - p->last_write > 2.0)
            write_table(p);
        progress(p, false);
        if (!reaped)
            sigtimedwait(chld, NULL, &tick);
    }
    stop_all(p, jobs);
    free(p->workers);
    return ok && !sweep_interrupted;
}

static char *make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/ovp-sweep-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        fprintf(stderr, "ovp sweep: cannot make a temporary folder in %s: %s\n",
                base && *base ? base : "/tmp", strerror(errno));
        free(tmpl);
        return NULL;
    }
    return tmpl;
}

int sweep_finish(const Sweep *s, const SweepTable *t, double seconds, bool completed,
                 bool written)
{
    size_t counts[POINT_CRASHED + 1] = {0}, total = table_count(t);
    for (size_t i = 0; i < s->grid.npoints; i++)
        if (t->have[i])
            counts[t->results[i].status]++;
    if (isatty(STDERR_FILENO))
        fputs("\r\033[K", stderr);
    fprintf(stderr, "sweep: %zu of %zu points in %s: %zu ok", total, s->grid.npoints,
            s->out, counts[POINT_OK]);
    for (int k = POINT_CHECK; k <= POINT_CRASHED; k++)
        if (counts[k])
            fprintf(stderr, ", %zu %s", counts[k], point_status_name((PointStatus)k));
    fprintf(stderr, " (%.1f s)\n", seconds);
    if (!completed) {
        fprintf(stderr, "sweep: interrupted; run it again with --resume to do the %zu "
                "points left\n", s->grid.npoints - total);
        return 130;
    }
    if (!written)
        return SWEEP_USAGE;
    size_t bad = total - counts[POINT_OK];
    return bad > SWEEP_MAX_FAILED ? SWEEP_MAX_FAILED : (int)bad;
}

static int run_sweep(Sweep *s)
{
    Pool p = {.s = s, .started = now()};
    table_init(&p.table, &s->grid, s->format);
    char buf[512];
    const char *err = s->resume ? table_resume(&p.table, s->out, buf, sizeof buf) : NULL;
    if (err) {
        fprintf(stderr, "ovp sweep: %s\n", err);
        table_free(&p.table);
        return SWEEP_USAGE;
    }
    if (s->mpi || s->slurm_dir || s->collect_dir) {
        int code = s->mpi ? sweep_mpi_run(s, &p.table)
                   : s->slurm_dir ? sweep_slurm_write(s, &p.table)
                                  : sweep_slurm_collect(s, &p.table);
        table_free(&p.table);
        return code;
    }
    p.todo = xmalloc(s->grid.npoints * sizeof *p.todo);
    for (size_t i = 0; i < s->grid.npoints; i++)
        if (!p.table.have[i])
            p.todo[p.ntodo++] = i;
    p.tmpdir = make_tmpdir();
    struct sigaction sa = {0}, old;
    sa.sa_handler = on_sweep_sigint;
    sigaction(SIGINT, &sa, &old);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &p.child_mask);
    bool completed = p.tmpdir && run_pool(&p, &chld);
    sigprocmask(SIG_SETMASK, &p.child_mask, NULL);
    sigaction(SIGINT, &old, NULL);
    bool written = write_table(&p);
    int code = p.tmpdir ? sweep_finish(s, &p.table, now() - p.started, completed, written)
                        : SWEEP_USAGE;
    if (p.tmpdir)
        rmdir(p.tmpdir);
    free(p.tmpdir);
    free(p.todo);
    table_free(&p.table);
    return code;
}

/* Replaces this process with path, given argv's arguments after its own
 * name; returns only when exec failed (errno set). */
static void exec_as(const char *path, int argc, char **argv)
{
    char **args = xcalloc((size_t)argc + 2, sizeof *args);
    args[0] = (char *)path;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    execv(path, args);
    int err = errno;
    free(args);
    errno = err;
}

/* --mpi in the plain build: the MPI build, ovp-mpi, is installed beside
 * it when configure found OpenMPI. It takes over this process (exec
 * keeps the environment mpirun set up for the rank). Returns only when
 * there is none. */
static int exec_mpi_build(const char *self, int argc, char **argv)
{
    const char *slash = strrchr(self, '/');
    char *path = xasprintf("%.*sovp-mpi", slash ? (int)(slash - self + 1) : 0, self);
    if (access(path, X_OK) == 0)
        exec_as(path, argc, argv);
    fprintf(stderr, "ovp sweep: --mpi needs ovp built with MPI, and this one was built "
            "without it (%s: %s); install openmpi-bin and libopenmpi-dev, then run "
            "configure and make again\n", path, strerror(errno));
    free(path);
    return SWEEP_USAGE;
}

/* --collect DIR and --task-dir DIR take the sweep's arguments from
 * DIR/sweep.args: the result is argv[0], those, then the command line's
 * own (a later --out overrides the saved one). argv itself when neither
 * is given; NULL when the file cannot be read. */
static char **with_saved_args(int argc, char **argv, int *nargs)
{
    const char *dir = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--collect") == 0 || strcmp(argv[i], "--task-dir") == 0)
            dir = argv[i + 1];
    if (!dir)
        return argv;
    int nsaved;
    char **saved = sweep_saved_args(dir, &nsaved);
    if (!saved)
        return NULL;
    char **all = xcalloc((size_t)(argc + nsaved + 1), sizeof *all);
    all[0] = xstrdup(argv[0]);
    for (int i = 0; i < nsaved; i++)
        all[1 + i] = saved[i];
    for (int i = 1; i < argc; i++)
        all[nsaved + i] = xstrdup(argv[i]);
    free(saved);
    *nargs = argc + nsaved;
    return all;
}

/* OpenBLAS starts a pool of threads when it loads, one per core, and they
 * spin for a while on a core each (in every forked worker too) even when
 * no call asks for them. A sweep computes on one thread per point, so it
 * runs in a process whose OpenBLAS was loaded with one: the first time
 * through, it sets OPENBLAS_NUM_THREADS=1 and executes itself again (a
 * few milliseconds, once). That halved a serial sweep's CPU time. */
static void one_blas_thread(int argc, char **argv, const char *self)
{
    const char *n = getenv("OPENBLAS_NUM_THREADS");
    if (n && strcmp(n, "1") == 0)
        return;
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    exec_as(self, argc, argv);   /* returns when exec failed: go on as we are */
}

int sweep_main(int argc, char **argv, const char *self)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0) {
            sweep_usage(stdout);
            return 0;
        }
    one_blas_thread(argc, argv, self);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    Sweep s = {.jobs = cores > 0 ? cores : 1, .format = FORMAT_CSV, .task_id = -1};
    int nargs = argc;
    char **args = with_saved_args(argc, argv, &nargs);
    int code = args ? parse_args(&s, nargs, args) : SWEEP_USAGE;
    if (!code && s.mpi && !sweep_mpi_run)
        code = exec_mpi_build(self, argc, argv);
    if (!code) {
        settle_output(&s);
        code = !read_script(&s) ? SWEEP_USAGE
               : s.task_dir ? sweep_slurm_task(&s) : run_sweep(&s);
    }
    free(s.text);
    free(s.out);
    free(s.specs);
    grid_free(&s.grid);
    if (args != argv) {
        for (int i = 0; args && i < nargs; i++)
            free(args[i]);
        free(args);
    }
    return code;
}
