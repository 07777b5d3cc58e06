/* suite.c: the theorem-suite runner (see suite.h).
 *
 * The runner never interprets the language: each run is a child process
 * executing this very binary on one script, with its stdout and stderr
 * in REPORT/logs. A check is a line the script printed starting "PASS:"
 * or "FAIL:" (check() in bi_io.c), and a run's verdict comes from those
 * lines and its exit status. Runs go side by side (-j, default 2), and a
 * run still going after --timeout seconds (default 600) is killed. */
#include "config.h"

#include "app/suite.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <md4c-html.h>

#include "base/strbuf.h"

/* One run of one script. The first fields are set when the run is
 * created (add_job); pid and the rest while it runs and when it is
 * reaped. */
typedef struct Job {
    char *path;        /* the script */
    char *name;        /* its base name without .ovp */
    char *tag;         /* name of its logs: NAME, or NAME.sK under --seeds */
    long long seed;    /* passed as seed=K; -1: the script's own seed */
    int index;         /* order of creation (keeps the seeds' order) */
    bool first_seed;   /* the script's first run (its figures are kept) */
    pid_t pid;
    double start, seconds;
    int status;        /* exit status; -1 killed by the timeout */
    int passed, failed;
    bool done;
} Job;

/* The options and the runs. dir, report and self are borrowed (argv or
 * static strings); list and seeds are owned and freed by free_jobs. */
typedef struct Suite {
    const char *dir;
    const char *report;
    const char *self;
    int jobs;
    double timeout;
    long long *seeds;  /* --seeds: each seeded script runs once per seed */
    int nseeds;
    Job *list;
    int n;
} Suite;

/* Monotonic, for the timeout and the seconds column. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *path_join(const char *a, const char *b)
{
    return xasprintf("%s/%s", a, b);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- options ------------------------------------------------------- */

/* The source tree's scripts when they exist (OVP_SRCDIR is compiled in),
 * so a developer runs what they just edited; else the installed copy. */
static const char *default_dir(void)
{
    if (is_dir(OVP_SRCDIR "/examples/theorems"))
        return OVP_SRCDIR "/examples/theorems";
    return OVP_PKGDATADIR "/theorems";
}

/* Returns 2, the usage-error status, so that parse can return usage().
 * --help asks for it on stdout, with status 0; a mistake gets it on
 * stderr. */
static int usage(FILE *out, int status)
{
    fputs("usage: ovp suite [DIR] [--seeds LIST] [--report DIR] [-j N] [--timeout SECONDS]\n"
          "Runs every .ovp script of DIR (default: the theorem suite) and writes\n"
          "a report with the figures to DIR (default: suite-report).\n"
          "-j N runs N scripts at a time (1 to 1000, default 2); --timeout kills a\n"
          "run after that many seconds (a number greater than 0, default 600).\n"
          "--seeds A:B or A,B,C runs each script that reads param(\"seed\", ...) once\n"
          "per seed (as seed=K) and reports, per check, the seeds it failed on;\n"
          "scripts without a seed parameter are deterministic and run once. Seeds\n"
          "are integers from 0 to 9007199254740992 (2^53), at most 1000 of them.\n", out);
    return status;
}

/* The largest seed: seeds reach the script as param("seed", ...), a
 * double, which holds every integer up to 2^53 exactly (main.c's --seed
 * has the same range). */
#define SEED_MAX 9007199254740992LL
#define JOBS_MAX 1000

/* A seed at the start of *p, digits only, advancing *p past it. No sign,
 * no blanks, nothing above SEED_MAX: strtol and sscanf would skip blanks,
 * take a sign and saturate, each silently. */
static bool parse_seed(const char **p, long long *seed)
{
    const char *s = *p;
    long long v = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
        if (v > SEED_MAX)    /* stops before v * 10 can overflow */
            return false;
    }
    *seed = v;
    *p = s;
    return true;
}

/* "A:B" (A <= B) or "A,B,C": seeds as parse_seed reads them, at most 1000
 * of them. The cap keeps a slip such as 0:100000 from starting a hundred
 * thousand runs. Nothing may follow the last seed; the list form allows
 * repeats. */
static bool parse_seeds(Suite *s, const char *text)
{
    const char *p = text;
    long long a, b;
    free(s->seeds);   /* a second --seeds replaces the first */
    s->seeds = NULL;
    s->nseeds = 0;
    if (!parse_seed(&p, &a))
        return false;
    if (*p == ':') {
        p++;
        if (!parse_seed(&p, &b) || *p || b < a || b - a >= 1000)
            return false;
        s->nseeds = (int)(b - a + 1);
        s->seeds = xmalloc((size_t)s->nseeds * sizeof *s->seeds);
        for (int i = 0; i < s->nseeds; i++)
            s->seeds[i] = a + i;
        return true;
    }
    for (;;) {
        if (s->nseeds >= 1000)
            return false;
        s->seeds = xrealloc(s->seeds, (size_t)(s->nseeds + 1) * sizeof *s->seeds);
        s->seeds[s->nseeds++] = a;
        if (!*p)
            return true;
        if (*p != ',')
            return false;
        p++;
        if (!parse_seed(&p, &a))
            return false;
    }
}

/* -j: digits only, 1 to JOBS_MAX (atoi read "2x" as 2 and overflowed on a
 * long number). */
static bool parse_jobs(const char *text, int *jobs)
{
    int v = 0;
    if (!*text)
        return false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
        if (v > JOBS_MAX)
            return false;
    }
    *jobs = v;
    return v >= 1;
}

/* --timeout: the whole text a finite number greater than 0 (atof read
 * "5s" as 5, and strtod alone takes leading blanks, "inf" and an
 * overflow to infinity). */
static bool parse_timeout(const char *text, double *seconds)
{
    char *end;
    if (!*text || isspace((unsigned char)*text))
        return false;
    errno = 0;
    double v = strtod(text, &end);
    if (*end || errno == ERANGE || !isfinite(v) || !(v > 0))
        return false;
    *seconds = v;
    return true;
}

/* Defaults: the theorem suite, ./suite-report, 2 runs at a time (each is
 * single-threaded), 600 s per run. Every value is checked whole, and a
 * bad one is named with the range accepted; a word that is not an option
 * is the directory, given once. Returns 0, or the exit status to give
 * (-1 for --help, which main turns into 0 once the text is written). */
static int parse(Suite *s, int argc, char **argv)
{
    s->dir = default_dir();
    s->report = "suite-report";
    s->jobs = 2;
    s->timeout = 600;
    bool dir_given = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool valued = strcmp(a, "--report") == 0 || strcmp(a, "-j") == 0 ||
                      strcmp(a, "--timeout") == 0 || strcmp(a, "--seeds") == 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, 0);
            return -1;
        } else if (valued && i + 1 >= argc) {
            fprintf(stderr, "ovp suite: %s needs a value\n", a);
            return usage(stderr, 2);
        } else if (strcmp(a, "--report") == 0) {
            s->report = argv[++i];
        } else if (strcmp(a, "-j") == 0) {
            if (!parse_jobs(argv[++i], &s->jobs)) {
                fprintf(stderr, "ovp suite: -j needs an integer from 1 to %d, got '%s'\n",
                        JOBS_MAX, argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--timeout") == 0) {
            if (!parse_timeout(argv[++i], &s->timeout)) {
                fprintf(stderr, "ovp suite: --timeout needs a number of seconds greater "
                        "than 0, got '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--seeds") == 0) {
            if (!parse_seeds(s, argv[++i])) {
                fprintf(stderr, "ovp suite: --seeds needs A:B (A <= B) or a list A,B,C: "
                        "at most 1000 integers from 0 to %lld, got '%s'\n", SEED_MAX, argv[i]);
                return 2;
            }
        } else if (a[0] != '-' && !dir_given) {
            s->dir = a;
            dir_given = true;
        } else if (a[0] != '-') {
            fprintf(stderr, "ovp suite: one DIR only, got '%s' and '%s'\n", s->dir, a);
            return 2;
        } else {
            fprintf(stderr, "ovp suite: unknown option '%s'\n", a);
            return usage(stderr, 2);
        }
    }
    return 0;
}

/* ---- the scripts ---------------------------------------------------- */

/* By script name, then in the order of --seeds.
 * index breaks the ties because qsort is not stable. */
static int by_name(const void *a, const void *b)
{
    const Job *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* A script takes a seed parameter when it reads param("seed", ...).
 * A textual test, not a parse: some line that is not a # comment
 * mentions param("seed". It fits the suite's scripts, which spell it so;
 * a script that builds the name another way simply runs once. */
static bool reads_seed(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f))
        found = line[0] != '#' && strstr(line, "param(\"seed\"") != NULL;
    if (f)
        fclose(f);
    return found;
}

/* file ends in ".ovp" (list_scripts checked), so len - 4 is the name.
 * index counts from 1 in creation order, which is --seeds order within a
 * script. */
static void add_job(Suite *s, const char *file, size_t len, long long seed, bool first)
{
    s->list = xrealloc(s->list, (size_t)(s->n + 1) * sizeof *s->list);
    Job *j = &s->list[s->n++];
    memset(j, 0, sizeof *j);
    j->path = path_join(s->dir, file);
    j->name = xstrndup(file, len - 4);
    j->tag = seed < 0 ? xstrdup(j->name) : xasprintf("%s.s%lld", j->name, seed);
    j->seed = seed;
    j->first_seed = first;
    j->index = s->n;
}

/* The script's runs: one per seed under --seeds when it reads a seed.
 * Passing seed=K to a script that never reads it would be an error (an
 * unread parameter, main.c), hence the test. */
static void add_script(Suite *s, const char *file)
{
    size_t len = strlen(file);
    char *path = path_join(s->dir, file);
    bool seeded = s->nseeds > 0 && reads_seed(path);
    free(path);
    if (!seeded) {
        add_job(s, file, len, -1, true);
        return;
    }
    for (int k = 0; k < s->nseeds; k++)
        add_job(s, file, len, s->seeds[k], k == 0);
}

/* readdir's order is arbitrary; the sort makes the table and the report
 * the same from one run to the next. */
static bool list_scripts(Suite *s)
{
    DIR *d = opendir(s->dir);
    if (!d) {
        fprintf(stderr, "ovp suite: cannot open '%s': %s\n", s->dir, strerror(errno));
        return false;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ovp") != 0 || e->d_name[0] == '.')
            continue;   /* hidden files are editors' and tools' scratch copies */
        add_script(s, e->d_name);
    }
    closedir(d);
    if (s->n > 0)
        qsort(s->list, (size_t)s->n, sizeof *s->list, by_name);
    return true;
}

static void free_jobs(Suite *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->list[i].path);
        free(s->list[i].name);
        free(s->list[i].tag);
    }
    free(s->list);
    free(s->seeds);
}

/* ---- running ---------------------------------------------------------- */

/* REPORT/logs/TAG.ext: the tag keeps each seed's logs apart. */
static char *log_path(const Suite *s, const Job *j, const char *ext)
{
    return xasprintf("%s/logs/%s.%s", s->report, j->tag, ext);
}

/* In the child, before exec. A log that cannot be opened ends the child
 * with 127, which the table shows as ERROR: left on the runner's own
 * streams, the run's output would be lost and its checks, never found in
 * the log, would not count, so a failing run could show as ok. The
 * message goes to the runner's stderr, the only place it can go. */
static void redirect(const char *path, int fd)
{
    int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f < 0) {
        fprintf(stderr, "ovp suite: cannot write '%s': %s\n", path, strerror(errno));
        _exit(127);
    }
    dup2(f, fd);
    close(f);
}

/* Forks one run. The child gets its logs as stdout and stderr, its
 * figure folder as OVP_FIGDIR (relative figure names go there, bi_plot.c)
 * and one BLAS thread, since -j already runs scripts side by side. The
 * seed is the script parameter seed=K after the file name (main.c). If
 * exec fails the child leaves by _exit(127), the shell's status for a
 * command that cannot run, without flushing the stdio buffers it
 * inherited. */
static void start(const Suite *s, Job *j)
{
    char *out = log_path(s, j, "out"), *err = log_path(s, j, "err");
    /* the report shows the figures of a script's first run, each script's
     * in a folder of its own whatever their names; the other seeds' go
     * beside their logs. A folder that cannot be made shows up as the
     * script's own error when it plots. */
    char *figs = j->first_seed ? xasprintf("%s/figures/%s", s->report, j->name)
                               : xasprintf("%s/logs/figures-%s", s->report, j->tag);
    char *seed = xasprintf("seed=%lld", j->seed);
    mkdir(figs, 0755);
    j->start = now();
    j->pid = fork();
    if (j->pid == 0) {
        redirect(out, STDOUT_FILENO);
        redirect(err, STDERR_FILENO);
        setenv("OVP_FIGDIR", figs, 1);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        if (j->seed >= 0)
            execl(s->self, s->self, j->path, seed, (char *)NULL);
        else
            execl(s->self, s->self, j->path, (char *)NULL);
        _exit(127);
    }
    free(out), free(err), free(figs), free(seed);
}

/* The PASS:/FAIL: lines of a run, in order.
 * Read back from the run's log, since the counters of its interpreter
 * died with the child. */
typedef struct CheckLines {
    char **line;
    int n;
} CheckLines;

static CheckLines read_checks(const Suite *s, const Job *j)
{
    CheckLines c = {NULL, 0};
    char *out = log_path(s, j, "out");
    FILE *f = fopen(out, "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "PASS:", 5) != 0 && strncmp(line, "FAIL:", 5) != 0)
            continue;
        line[strcspn(line, "\n")] = '\0';
        c.line = xrealloc(c.line, (size_t)(c.n + 1) * sizeof *c.line);
        c.line[c.n++] = xstrdup(line);
    }
    if (f)
        fclose(f);
    free(out);
    return c;
}

static void free_checks(CheckLines *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->line[i]);
    free(c->line);
}

/* The k-th check of a run failed, or the run never got to it.
 * A check not reached counts as failed: a seed whose run stopped early
 * must not look green in the sweep. */
static bool check_failed(const CheckLines *c, int k)
{
    return k >= c->n || strncmp(c->line[k], "FAIL:", 5) == 0;
}

/* The run's passed and failed, from its log. */
static void count_checks(const Suite *s, Job *j)
{
    CheckLines c = read_checks(s, j);
    for (int k = 0; k < c.n; k++) {
        if (check_failed(&c, k))
            j->failed++;
        else
            j->passed++;
    }
    free_checks(&c);
}

/* Exit status 3 is what a script whose checks failed exits with, so 0
 * and 3 are runs that finished; any other status is an error, and an
 * error or a timeout wins over failed checks. */
static const char *verdict(const Job *j)
{
    if (j->status == -1)
        return "TIMEOUT";
    if (j->status != 0 && j->status != 3)
        return "ERROR";
    return j->failed ? "FAIL" : "ok";
}

/* Static buffers: each result is used by one printf before the next
 * call. */
static const char *seed_label(const Job *j)
{
    static char buf[32];
    if (j->seed < 0)
        return "-";
    snprintf(buf, sizeof buf, "%lld", j->seed);
    return buf;
}

static const char *seed_count(int n)
{
    static char buf[32];
    snprintf(buf, sizeof buf, "%d seeds", n);
    return buf;
}

/* Records a reaped run and prints its table row at once, so the table
 * grows as runs end (in that order, not by name). A run killed by the
 * timeout keeps -1; any other death by signal, a crash, becomes 128. */
static void finish(const Suite *s, Job *j, int status)
{
    j->done = true;
    j->seconds = now() - j->start;
    j->status = WIFEXITED(status) ? WEXITSTATUS(status) : j->status == -1 ? -1 : 128;
    count_checks(s, j);
    printf("%-40s %5s %6d %6d %8.1f  %s\n", j->name, seed_label(j), j->passed, j->failed,
           j->seconds, verdict(j));
    fflush(stdout);
}

/* Kills the running jobs that exceeded the timeout.
 * SIGKILL, which a script stuck in a loop cannot delay. status -1 is set
 * now, before the reap, so that finish() can tell a timeout from a
 * crash. */
static void enforce_timeout(const Suite *s)
{
    for (int i = 0; i < s->n; i++) {
        Job *j = &s->list[i];
        if (j->pid > 0 && !j->done && now() - j->start > s->timeout) {
            kill(j->pid, SIGKILL);
            j->status = -1;
        }
    }
}

/* WNOHANG collects every run that has ended without waiting for the
 * others, so the loop can start new runs and watch the clock. */
static void reap(const Suite *s, int *running)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        for (int i = 0; i < s->n; i++)
            if (s->list[i].pid == pid && !s->list[i].done) {
                finish(s, &s->list[i], status);
                (*running)--;
            }
}

/* Keeps up to s->jobs runs going until all have ended. Polling every
 * 20 ms is simpler than handling SIGCHLD and ample for runs that take
 * seconds; it also bounds how late a timeout is noticed. */
static void run_all(Suite *s)
{
    int next = 0, running = 0;
    while (next < s->n || running > 0) {
        while (running < s->jobs && next < s->n) {
            start(s, &s->list[next++]);
            running++;
        }
        reap(s, &running);
        enforce_timeout(s);
        usleep(20000);
    }
}


/* ---- the seed sweep ------------------------------------------------- */

/* One script's runs (jobs first..first+count-1): checks are matched by
 * their position in the output, the k-th check of every seed.
 * Position, not text: a check's message may print numbers that differ
 * from seed to seed. checks is the most any run printed, every_seed how
 * many of them passed on every run, errored the runs that ended in an
 * error or a timeout. */
typedef struct Sweep {
    int runs, checks, every_seed, errored;
} Sweep;

static Sweep sweep_script(const Suite *s, const Job *jobs, int count, StrBuf *detail)
{
    Sweep w = {count, 0, 0, 0};
    CheckLines *c = xcalloc((size_t)count, sizeof *c);
    for (int r = 0; r < count; r++) {
        c[r] = read_checks(s, &jobs[r]);
        w.checks = c[r].n > w.checks ? c[r].n : w.checks;
        if (jobs[r].status != 0 && jobs[r].status != 3) {
            w.errored++;
            sb_printf(detail, "- %s, seed %s: %s (exit status %d); see logs/%s.err\n",
                      jobs[r].name, seed_label(&jobs[r]), verdict(&jobs[r]),
                      jobs[r].status, jobs[r].tag);
        }
    }
    for (int k = 0; k < w.checks; k++) {
        int bad = 0;
        for (int r = 0; r < count; r++)
            bad += check_failed(&c[r], k);
        if (!bad) {
            w.every_seed++;
            continue;
        }
        sb_printf(detail, "- %s, check %d failed on %d of %d seeds:\n", jobs[0].name, k + 1,
                  bad, count);
        for (int r = 0; r < count; r++)
            if (check_failed(&c[r], k))
                sb_printf(detail, "    seed %s: %s\n", seed_label(&jobs[r]),
                          k < c[r].n ? c[r].line[k] : "(not reached)");
    }
    for (int r = 0; r < count; r++)
        free_checks(&c[r]);
    free(c);
    return w;
}

/* Per script: the seeds it ran under, its checks, and how many passed on
 * every seed; then each check that failed somewhere, with its numbers.
 * Markdown, printed and put in the report. Returns the scripts not green. */
static int seed_sweep(const Suite *s, StrBuf *md)
{
    StrBuf detail;
    sb_init(&detail);
    sb_printf(md, "## Seed sweep\n\nSeeds:");
    for (int i = 0; i < s->nseeds; i++)
        sb_printf(md, "%s %lld", i ? "," : "", s->seeds[i]);
    sb_puts(md, ". A check counts as passed when it passed on every seed; scripts "
            "without a seed parameter are deterministic and ran once.\n\n"
            "| script | runs | checks | passed on every seed | verdict |\n"
            "|---|---|---|---|---|\n");
    int not_green = 0;
    for (int i = 0; i < s->n;) {
        int count = 1;
        while (i + count < s->n && strcmp(s->list[i + count].name, s->list[i].name) == 0)
            count++;
        Sweep w = sweep_script(s, &s->list[i], count, &detail);
        bool green = !w.errored && w.every_seed == w.checks;
        not_green += !green;
        sb_printf(md, "| %s | %s | %d | %d | %s |\n", s->list[i].name,
                  s->list[i].seed < 0 ? "1 (no seed)" : seed_count(count), w.checks,
                  w.every_seed, w.errored ? "ERROR" : green ? "ok" : "FAIL");
        i += count;
    }
    if (detail.len)
        sb_printf(md, "\nFailed somewhere:\n\n%s", detail.s);
    sb_free(&detail);
    return not_green;
}

/* ---- the report -------------------------------------------------------- */

/* The script's first comment block, without the comment marks.
 * By convention it states the result the script checks, so the report
 * quotes it above the script's output. */
static void statement(const Job *j, StrBuf *out)
{
    FILE *f = fopen(j->path, "r");
    char line[1024];
    bool started = false;
    while (f && fgets(line, sizeof line, f)) {
        if (line[0] != '#') {
            if (started)
                break;
            continue;
        }
        started = true;
        const char *t = line + 1;
        while (*t == ' ')
            t++;
        sb_puts(out, t);
    }
    if (f)
        fclose(f);
}

/* A missing file adds nothing. */
static void append_file(StrBuf *out, const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[4096];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_putn(out, buf, n);
    if (f)
        fclose(f);
}

static int is_figure(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return len > 4 && (strcmp(e->d_name + len - 4, ".svg") == 0 ||
                       strcmp(e->d_name + len - 4, ".png") == 0);
}

/* Every figure the script's first run wrote (REPORT/figures/NAME), in the
 * order of their names, so the report is the same on every run. */
static void figures(const Suite *s, const Job *j, StrBuf *md)
{
    char *dir = xasprintf("%s/figures/%s", s->report, j->name);
    struct dirent **list;
    int n = scandir(dir, &list, is_figure, alphasort);
    for (int i = 0; i < n; i++) {
        /* <...> keeps a name with spaces or parentheses one link */
        sb_printf(md, "\n![%s](<figures/%s/%s>)\n", list[i]->d_name, j->name, list[i]->d_name);
        free(list[i]);
    }
    if (n >= 0)
        free(list);
    free(dir);
}

/* The script's section: its statement, verdict and numbers, its stdout
 * in a code block, its stderr when there was any, then its figures. */
static void report_job(const Suite *s, const Job *j, StrBuf *md)
{
    if (!j->first_seed)   /* the other seeds are in the sweep and the logs */
        return;
    if (j->seed >= 0)
        sb_printf(md, "\n## %s (seed %lld)\n\n", j->name, j->seed);
    else
        sb_printf(md, "\n## %s\n\n", j->name);
    statement(j, md);
    sb_printf(md, "\n**%s**: %d checks passed, %d failed, %.1f s.\n\n```\n",
              verdict(j), j->passed, j->failed, j->seconds);
    char *out = log_path(s, j, "out"), *err = log_path(s, j, "err");
    append_file(md, out);
    sb_puts(md, "```\n");
    StrBuf e;
    sb_init(&e);
    append_file(&e, err);
    if (e.len)
        sb_printf(md, "\nStandard error:\n\n```\n%s```\n", e.s);
    sb_free(&e);
    free(out), free(err);
    figures(s, j, md);
}

/* md4c's output callback: out is the StrBuf given to md_html. */
static void html_chunk(const MD_CHAR *text, MD_SIZE size, void *out)
{
    sb_putn(out, text, size);
}

/* The report's Markdown as a page, rendered by md4c with GitHub's dialect
 * (tables, autolinks), so report.html shows what report.md shows. */
static void to_html(const char *md, StrBuf *html)
{
    sb_puts(html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ovp "
            "theorem suite</title><style>body{font-family:sans-serif;max-width:60em;"
            "margin:auto}pre{background:#f4f4f4;padding:.5em;overflow:auto}img{max-width:"
            "100%}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:"
            ".2em .5em}</style></head><body>\n");
    md_html(md, (MD_SIZE)strlen(md), html_chunk, html, MD_DIALECT_GITHUB, 0);
    sb_puts(html, "</body></html>\n");
}

/* fclose is checked too: a full disk may show only when the buffer is
 * written out. The errno of the first failure is the one reported. */
static bool write_text(const char *path, const char *text)
{
    errno = 0;
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(text, f) >= 0;
    int err = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok)
        fprintf(stderr, "ovp suite: cannot write '%s': %s\n", path,
                err ? strerror(err) : "write error");
    return ok;
}

/* REPORT/report.md, and report.html rendered from the same Markdown. The
 * figure links are relative, so the folder can be moved as a whole.
 * Returns false when a file could not be written (explained). */
static bool write_report(const Suite *s, int passed, int failed, const char *sweep)
{
    StrBuf md, html;
    sb_init(&md);
    sb_init(&html);
    sb_printf(&md, "# ovp theorem suite\n\n%d runs, %d checks passed, %d failed.\n\n"
              "| script | seed | passed | failed | seconds | verdict |\n"
              "|---|---|---|---|---|---|\n", s->n, passed, failed);
    for (int i = 0; i < s->n; i++)
        sb_printf(&md, "| %s | %s | %d | %d | %.1f | %s |\n", s->list[i].name,
                  seed_label(&s->list[i]), s->list[i].passed, s->list[i].failed,
                  s->list[i].seconds, verdict(&s->list[i]));
    if (sweep)
        sb_printf(&md, "\n%s", sweep);
    for (int i = 0; i < s->n; i++)
        report_job(s, &s->list[i], &md);
    to_html(md.s, &html);
    char *mdp = path_join(s->report, "report.md"), *hp = path_join(s->report, "report.html");
    bool ok = write_text(mdp, md.s) && write_text(hp, html.s);
    if (ok)
        printf("report: %s (and %s)\n", mdp, hp);
    free(mdp), free(hp);
    sb_free(&md);
    sb_free(&html);
    return ok;
}

/* REPORT, REPORT/logs and REPORT/figures. Existing folders are reused, so
 * a rerun overwrites the logs; mkdir is not recursive, so REPORT's parent
 * must exist. */
static bool make_dirs(const Suite *s)
{
    const char *subs[] = {"", "/logs", "/figures"};
    for (int i = 0; i < 3; i++) {
        StrBuf p;
        sb_init(&p);
        sb_printf(&p, "%s%s", s->report, subs[i]);
        bool ok = mkdir(p.s, 0755) == 0 || errno == EEXIST;
        if (!ok)
            fprintf(stderr, "ovp suite: cannot create '%s': %s\n", p.s, strerror(errno));
        sb_free(&p);
        if (!ok)
            return false;
    }
    return true;
}

/* The status: 1 when a run errored or timed out or the report could not
 * be written, else 3 when a check failed on some run, else 0 (suite.h).
 * It is decided by the runs and the report alone; the sweep's count of
 * scripts that are not green does not enter it. The table goes to stdout:
 * when even its header cannot be written (a closed stdout, a full disk)
 * no script is run, since nobody would see the table; main then reports
 * the failed write (close_stdout) and a lost table later on as well. */
int suite_main(int argc, char **argv, const char *self)
{
    Suite s = {0};
    int code = parse(&s, argc, argv);
    if (code) {
        free(s.seeds);
        return code < 0 ? 0 : code;
    }
    s.self = self;
    if (!list_scripts(&s) || !make_dirs(&s)) {
        free_jobs(&s);
        return 1;
    }
    printf("%-40s %5s %6s %6s %8s  %s\n", "script", "seed", "passed", "failed", "seconds",
           "verdict");
    if (fflush(stdout) != 0 || ferror(stdout)) {
        free_jobs(&s);
        return 1;
    }
    run_all(&s);
    int passed = 0, failed = 0, errors = 0;
    for (int i = 0; i < s.n; i++) {
        passed += s.list[i].passed;
        failed += s.list[i].failed;
        errors += s.list[i].status != 0 && s.list[i].status != 3;
    }
    printf("%d runs: %d checks passed, %d failed; %d runs errored\n", s.n, passed,
           failed, errors);
    StrBuf sweep;
    sb_init(&sweep);
    if (s.nseeds > 0) {
        seed_sweep(&s, &sweep);
        printf("\n%s", sweep.s);
    }
    bool reported = write_report(&s, passed, failed, s.nseeds > 0 ? sweep.s : NULL);
    sb_free(&sweep);
    free_jobs(&s);
    return errors || !reported ? 1 : failed ? 3 : 0;
}
