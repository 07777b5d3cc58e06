/* suite.c: the theorem-suite runner (see suite.h). */
#include "config.h"

#include "suite.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"

typedef struct Job {
    char *path;        /* the script */
    char *name;        /* its base name without .ovp */
    pid_t pid;
    double start, seconds;
    int status;        /* exit status; -1 killed by the timeout */
    int passed, failed;
    bool done;
} Job;

typedef struct Suite {
    const char *dir;
    const char *report;
    const char *self;
    int jobs;
    double timeout;
    Job *list;
    int n;
} Suite;

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

static const char *default_dir(void)
{
    if (is_dir(OVP_SRCDIR "/examples/theorems"))
        return OVP_SRCDIR "/examples/theorems";
    return OVP_PKGDATADIR "/theorems";
}

static int usage(void)
{
    fputs("usage: ovp suite [DIR] [--report DIR] [-j N] [--timeout SECONDS]\n"
          "Runs every .ovp script of DIR (default: the theorem suite) and writes\n"
          "a report with the figures to DIR (default: suite-report).\n", stderr);
    return 2;
}

static int parse(Suite *s, int argc, char **argv)
{
    s->dir = default_dir();
    s->report = "suite-report";
    s->jobs = 2;
    s->timeout = 600;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "--report") == 0 && more)
            s->report = argv[++i];
        else if (strcmp(a, "-j") == 0 && more)
            s->jobs = atoi(argv[++i]);
        else if (strcmp(a, "--timeout") == 0 && more)
            s->timeout = atof(argv[++i]);
        else if (a[0] != '-')
            s->dir = a;
        else
            return usage();
    }
    if (s->jobs < 1 || !(s->timeout > 0))
        return usage();
    return 0;
}

/* ---- the scripts ---------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
    return strcmp(((const Job *)a)->name, ((const Job *)b)->name);
}

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
        if (len < 5 || strcmp(e->d_name + len - 4, ".ovp") != 0)
            continue;
        s->list = xrealloc(s->list, (size_t)(s->n + 1) * sizeof *s->list);
        Job *j = &s->list[s->n++];
        memset(j, 0, sizeof *j);
        j->path = path_join(s->dir, e->d_name);
        j->name = xstrndup(e->d_name, len - 4);
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
    }
    free(s->list);
}

/* ---- running ---------------------------------------------------------- */

static char *log_path(const Suite *s, const Job *j, const char *ext)
{
    return xasprintf("%s/logs/%s.%s", s->report, j->name, ext);
}

static void redirect(const char *path, int fd)
{
    int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f >= 0) {
        dup2(f, fd);
        close(f);
    }
}

static void start(const Suite *s, Job *j)
{
    char *out = log_path(s, j, "out"), *err = log_path(s, j, "err");
    char *figs = path_join(s->report, "figures");
    j->start = now();
    j->pid = fork();
    if (j->pid == 0) {
        redirect(out, STDOUT_FILENO);
        redirect(err, STDERR_FILENO);
        setenv("OVP_FIGDIR", figs, 1);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execl(s->self, s->self, j->path, (char *)NULL);
        _exit(127);
    }
    free(out), free(err), free(figs);
}

static void count_checks(const Suite *s, Job *j)
{
    char *out = log_path(s, j, "out");
    FILE *f = fopen(out, "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        j->passed += strncmp(line, "PASS:", 5) == 0;
        j->failed += strncmp(line, "FAIL:", 5) == 0;
    }
    if (f)
        fclose(f);
    free(out);
}

static const char *verdict(const Job *j)
{
    if (j->status == -1)
        return "TIMEOUT";
    if (j->status != 0 && j->status != 3)
        return "ERROR";
    return j->failed ? "FAIL" : "ok";
}

static void finish(const Suite *s, Job *j, int status)
{
    j->done = true;
    j->seconds = now() - j->start;
    j->status = WIFEXITED(status) ? WEXITSTATUS(status) : j->status == -1 ? -1 : 128;
    count_checks(s, j);
    printf("%-40s %6d %6d %8.1f  %s\n", j->name, j->passed, j->failed, j->seconds,
           verdict(j));
    fflush(stdout);
}

/* Kills the running jobs that exceeded the timeout. */
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

/* ---- the report -------------------------------------------------------- */

/* The script's first comment block, without the comment marks. */
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

/* Figures named after the script: NAME.svg, NAME.png, NAME_*.svg ... */
static void figures(const Suite *s, const Job *j, StrBuf *md)
{
    char *dir = path_join(s->report, "figures");
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t nl = strlen(j->name);
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        bool image = len > 4 && (strcmp(e->d_name + len - 4, ".svg") == 0 ||
                                 strcmp(e->d_name + len - 4, ".png") == 0);
        if (image && strncmp(e->d_name, j->name, nl) == 0)
            sb_printf(md, "\n![%s](figures/%s)\n", e->d_name, e->d_name);
    }
    if (d)
        closedir(d);
    free(dir);
}

static void report_job(const Suite *s, const Job *j, StrBuf *md)
{
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

static void html_escape(StrBuf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            sb_puts(out, "&lt;");
        else if (*s == '>')
            sb_puts(out, "&gt;");
        else if (*s == '&')
            sb_puts(out, "&amp;");
        else
            sb_putc(out, *s);
    }
}

/* A plain HTML rendering of the Markdown: headings, code blocks, images. */
static void to_html(const char *md, StrBuf *html)
{
    sb_puts(html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ovp "
            "theorem suite</title><style>body{font-family:sans-serif;max-width:60em;"
            "margin:auto}pre{background:#f4f4f4;padding:.5em;overflow:auto}img{max-width:"
            "100%}</style></head><body>\n");
    bool code = false;
    const char *p = md;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = xstrndup(p, len);
        if (strncmp(line, "```", 3) == 0) {
            sb_puts(html, code ? "</pre>\n" : "<pre>");
            code = !code;
        } else if (code) {
            html_escape(html, line);
            sb_putc(html, '\n');
        } else if (strncmp(line, "## ", 3) == 0 || strncmp(line, "# ", 2) == 0) {
            bool h1 = line[1] == ' ';
            sb_puts(html, h1 ? "<h1>" : "<h2>");
            html_escape(html, line + (h1 ? 2 : 3));
            sb_puts(html, h1 ? "</h1>\n" : "</h2>\n");
        } else if (strncmp(line, "![", 2) == 0 && strchr(line, '(')) {
            char *src = strchr(line, '(') + 1;
            src[strcspn(src, ")")] = '\0';
            sb_printf(html, "<p><img src=\"%s\"></p>\n", src);
        } else if (*line) {
            sb_puts(html, "<p>");
            html_escape(html, line);
            sb_puts(html, "</p>\n");
        }
        free(line);
        p = nl ? nl + 1 : p + len;
    }
    sb_puts(html, "</body></html>\n");
}

static bool write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "ovp suite: cannot write '%s': %s\n", path, strerror(errno));
    return ok;
}

static void write_report(const Suite *s, int passed, int failed)
{
    StrBuf md, html;
    sb_init(&md);
    sb_init(&html);
    sb_printf(&md, "# ovp theorem suite\n\n%d scripts, %d checks passed, %d failed.\n\n"
              "| script | passed | failed | seconds | verdict |\n|---|---|---|---|---|\n",
              s->n, passed, failed);
    for (int i = 0; i < s->n; i++)
        sb_printf(&md, "| %s | %d | %d | %.1f | %s |\n", s->list[i].name,
                  s->list[i].passed, s->list[i].failed, s->list[i].seconds,
                  verdict(&s->list[i]));
    for (int i = 0; i < s->n; i++)
        report_job(s, &s->list[i], &md);
    to_html(md.s, &html);
    char *mdp = path_join(s->report, "report.md"), *hp = path_join(s->report, "report.html");
    if (write_text(mdp, md.s) && write_text(hp, html.s))
        printf("report: %s (and %s)\n", mdp, hp);
    free(mdp), free(hp);
    sb_free(&md);
    sb_free(&html);
}

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

int suite_main(int argc, char **argv, const char *self)
{
    Suite s = {0};
    int code = parse(&s, argc, argv);
    if (code)
        return code;
    s.self = self;
    if (!list_scripts(&s) || !make_dirs(&s)) {
        free_jobs(&s);
        return 1;
    }
    printf("%-40s %6s %6s %8s  %s\n", "script", "passed", "failed", "seconds", "verdict");
    run_all(&s);
    int passed = 0, failed = 0, errors = 0;
    for (int i = 0; i < s.n; i++) {
        passed += s.list[i].passed;
        failed += s.list[i].failed;
        errors += s.list[i].status != 0 && s.list[i].status != 3;
    }
    printf("%d scripts: %d checks passed, %d failed; %d scripts errored\n", s.n, passed,
           failed, errors);
    write_report(&s, passed, failed);
    free_jobs(&s);
    return errors ? 1 : failed ? 3 : 0;
}
