/* main.c: the command line. Parses options and hands over to the
 * library: run a file, -e code, stdin, or the REPL.
 *
 * Errors come back from the library as exit codes (EXIT_* of rterror.h:
 * 0 ok, 1 runtime error, 2 usage or syntax error, 3 a check failed, 130
 * interrupted), which main returns as the status; only the informational
 * options call exit(), before an interpreter exists. Diagnostics go to
 * stderr and the program's own output to stdout, so that scripts and
 * tests can tell them apart. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/builtin.h"
#include "builtins/registry.h"
#include "eval/interp.h"
#include "front/parse.h"
#include "app/blaskernel.h"
#include "app/repl.h"
#include "base/rng.h"
#include "base/threads.h"
#include "app/suite.h"
#include "app/sweep.h"
#include "app/kernel.h"

/* What the command line asked for. params moves into the interpreter
 * (I->params) once it exists, and interp_free frees it; before that,
 * main frees it on the error path. */
typedef struct Options {
    const char *code;      /* -e */
    const char *file;      /* FILE or "-" */
    int dashdash;          /* argv index of the "--" after the program, or 0 */
    bool dump_ast;
    bool force_repl;       /* --repl: the REPL even when stdin is not a terminal */
    bool kernel;           /* --kernel: serve the Jupyter kernel (kernel.c) */
    bool seeded;
    unsigned long long seed;
    Params params;         /* --param NAME=VALUE, and NAME=VALUE after FILE */
} Options;

static void usage(FILE *out)
{
    fputs("usage: ovp [options] [FILE [NAME=VALUE | args...]]\n"
          "       ovp suite [DIR] [--seeds A:B] [--report DIR] [-j N]   (the theorem suite)\n"
          "       ovp sweep SCRIPT --grid NAME=VALUES ... [options]     (a parameter grid)\n"
          "       ovp [options] -e CODE [args...]\n"
          "       ovp [options] -            (program from standard input)\n"
          "\n"
          "With no FILE, ovp opens the REPL on a terminal and reads a program\n"
          "from standard input otherwise.\n"
          "\n"
          "options (before FILE or -e CODE; after it they are an error, and\n"
          "after -- every argument is the script's, in argv):\n"
          "  -e CODE       run CODE\n"
          "  --seed N      seed the random generator with N, an integer from 0 to\n"
          "                9007199254740992 (2^53); the default is 0\n"
          "  --param NAME=VALUE  a script parameter, read by param(\"NAME\", default);\n"
          "                NAME=VALUE after FILE or -e CODE does the same, and the\n"
          "                other arguments after it are the script's, in argv\n"
          "  --dump-ast    print the syntax tree instead of running\n"
          "  --repl        the REPL even when standard input is not a terminal\n"
          "  --kernel      serve the Jupyter kernel's requests (JSON lines; see\n"
          "                doc/jupyter.md); ovp --install-kernel [--user] installs it\n"
          "  --reference   print the built-in reference (Markdown)\n"
          "  --builtin-names  print the built-in names, one per line\n"
          "  --help        this text\n"
          "  --version     version and random stream\n"
          "\n"
          "exit status: 0 ok, 1 runtime error (or output that could not be\n"
          "written), 2 usage or syntax error, 3 a check failed, 130 interrupted\n", out);
}

/* ---- standard streams ------------------------------------------------ */

/* Run with a standard descriptor closed (`ovp f.ovp >&-`, `ovp suite
 * 2>&-`), the next file opened takes its number: the suite runner's log
 * of a run's stdout became descriptor 2, which setting up the error log
 * then closed, so the run's diagnostics were lost; a script's data file
 * could likewise receive what was meant for stdout or stderr. Each
 * closed one is therefore taken by /dev/null
 * opened the wrong way round (gnulib's stdopen does the same): stdin
 * write-only, stdout and stderr read-only, so every use still fails with
 * EBADF, as on the closed descriptor, and is reported as such. */
static void hold_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        int f = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (f >= 0 && f != fd) {   /* cannot happen: the lowest free number is fd */
            dup2(f, fd);
            close(f);
        }
    }
}

/* The status to exit with once the program's output is finished: code,
 * or EXIT_RUNTIME with a message when some of stdout could not be written
 * (a full disk, /dev/full, a closed stdout). A failed write only sets the
 * stream's error flag, and glibc drops what it could not write, so the
 * reason is found again here: the final fflush fails with it when output
 * is still pending, and otherwise a write of no bytes repeats it for a
 * closed descriptor or a device; a full disk answers that with success,
 * and then the message gives no reason rather than a wrong one. fclose is
 * checked as well (a network file system may report there), except for
 * EBADF on a closed stdout that nothing was written to, which is no
 * loss. A status that is already an error (1, 2, 130) is kept; 0 and 3
 * become 1, since the output, a check's verdict included, is lost.
 * Every writer to stdout (print, printf, check, help, the REPL's echo,
 * the suite's report) stops the program with a located error naming the
 * reason when its write fails, so an error flag that was already set
 * when the program ended in an error has been told: no second line,
 * which could only repeat it without the reason (a pipe whose reader
 * left answers the empty write with success).
 * Called last: nothing may write to stdout after it. */
static int close_stdout(int code)
{
    bool failed = ferror(stdout) != 0;
    bool told = failed && code != EXIT_OK && code != EXIT_CHECK;
    int err = 0;
    errno = 0;
    if (fflush(stdout) != 0) {
        failed = true;
        err = errno;
    } else if (failed && write(STDOUT_FILENO, "", 0) < 0) {
        err = errno;
    }
    errno = 0;
    if (fclose(stdout) != 0 && !failed && errno != EBADF) {
        failed = true;
        err = errno;
    }
    if (!failed)
        return code;
    if (told && !err)
        return code;
    if (err)
        fprintf(stderr, "ovp: error: cannot write to standard output: %s\n", strerror(err));
    else
        fputs("ovp: error: cannot write to standard output\n", stderr);
    return code == EXIT_OK || code == EXIT_CHECK ? EXIT_RUNTIME : code;
}

/* params_add's reason is static text; the message quotes the argument as
 * typed. */
static bool add_param(Options *o, const char *arg)
{
    const char *why = params_add(&o->params, arg);
    if (why)
        fprintf(stderr, "ovp: bad parameter '%s': %s\n", arg, why);
    return !why;
}

/* ovp's own options. After the program they would be the script's
 * arguments, and ovp would silently run without them (`ovp f.ovp --seed
 * 5` used to run under seed 0), so there they are an error. */
static const char *const own_options[] = {
    "-e", "-h", "--help", "--version", "--reference", "--builtin-names",
    "--dump-ast", "--repl", "--seed", "--param", NULL,
};

/* a is one of ovp's options, alone or as OPTION=VALUE (a form ovp does
 * not take, but one a user may try: --seed=5). */
static bool is_own_option(const char *a)
{
    for (int k = 0; own_options[k]; k++) {
        size_t n = strlen(own_options[k]);
        if (strncmp(a, own_options[k], n) == 0 && (a[n] == '\0' || a[n] == '='))
            return true;
    }
    return false;
}

/* The arguments after the program: NAME=VALUE ones are parameters too.
 * Returns the index of the script's first argument, or -2 (a bad one,
 * explained already). They stay in argv as well: the script sees every
 * argument after the program as typed. One not shaped NAME=VALUE is the
 * script's alone; a shaped one that params_add refuses (a name given
 * twice) is an error, and so is one of ovp's own options. The first "--"
 * ends all this: it is dropped, and every argument after it goes to the
 * script's argv untouched, options and NAME=VALUE alike. */
static int script_params(Options *o, int argc, char **argv, int first)
{
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            o->dashdash = i;
            break;
        }
        if (is_own_option(argv[i])) {
            fprintf(stderr, "ovp: '%s' after the program would be the script's argument, "
                    "not ovp's option: put ovp's options before FILE or -e CODE, or "
                    "write -- before it to pass it to the script in argv\n", argv[i]);
            return -2;
        }
        if (param_shaped(argv[i]) && !add_param(o, argv[i]))
            return -2;
    }
    return first;
}

/* The seeds --seed takes: 0 to 2^53, the integers that seed(N) in the
 * language (a number, a double) takes exactly, so that `--seed N` and a
 * first statement seed(N) always give the same stream. Only digits:
 * strtoull would skip leading blanks, take a sign (" -5" wraps to
 * 2^64 - 5), read "" as 0 and saturate a long number, all silently. */
#define SEED_MAX 9007199254740992ULL

static bool parse_seed(const char *s, unsigned long long *seed)
{
    unsigned long long v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (unsigned long long)(*s - '0');
        if (v > SEED_MAX)    /* stops before v * 10 can overflow */
            return false;
    }
    *seed = v;
    return true;
}

/* Returns the index of the script's first argument, -1 for a usage error
 * (the caller prints the usage) or -2 for an error explained already.
 * Everything after FILE or -e CODE belongs to the script, except ovp's
 * own options, which are refused there (script_params). --help,
 * --version, --reference and --builtin-names print and exit at once,
 * with the status of writing that out; nothing has been allocated that
 * needs freeing. */
static int parse_options(int argc, char **argv, Options *o)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(close_stdout(EXIT_OK));
        } else if (strcmp(a, "--version") == 0) {
            printf("ovp %s (random stream %s)\n", PACKAGE_VERSION, RNG_STREAM_VERSION);
            exit(close_stdout(EXIT_OK));
        } else if (strcmp(a, "--reference") == 0) {
            builtin_write_reference(stdout);
            exit(close_stdout(EXIT_OK));
        } else if (strcmp(a, "--builtin-names") == 0) {
            builtin_write_names(stdout);
            exit(close_stdout(EXIT_OK));
        } else if (strcmp(a, "--dump-ast") == 0) {
            o->dump_ast = true;
        } else if (strcmp(a, "--repl") == 0) {
            o->force_repl = true;
        } else if (strcmp(a, "--kernel") == 0) {
            o->kernel = true;
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            if (!parse_seed(argv[++i], &o->seed)) {
                fprintf(stderr, "ovp: --seed needs an integer from 0 to %llu (2^53), "
                        "written in digits only, got '%s'\n", SEED_MAX, argv[i]);
                return -2;
            }
            o->seeded = true;
        } else if (strcmp(a, "--param") == 0 && i + 1 < argc) {
            if (!add_param(o, argv[++i]))
                return -2;
        } else if (strcmp(a, "-e") == 0 && i + 1 < argc) {
            o->code = argv[++i];
            return script_params(o, argc, argv, i + 1);
        } else if (strcmp(a, "-") == 0 || a[0] != '-') {
            o->file = a;
            return script_params(o, argc, argv, i + 1);
        } else if (strcmp(a, "--") == 0 && i + 1 < argc) {
            /* the end of ovp's options: the next argument is the program,
             * even one whose name starts with '-' */
            o->file = argv[++i];
            return script_params(o, argc, argv, i + 1);
        } else if (strcmp(a, "-e") == 0 || strcmp(a, "--seed") == 0 ||
                   strcmp(a, "--param") == 0) {
            fprintf(stderr, "ovp: %s needs a value (%s)\n", a,
                    a[1] == 'e' ? "the code to run" :
                    a[2] == 's' ? "an integer from 0 to 9007199254740992" : "NAME=VALUE");
            return -1;
        } else if (strcmp(a, "--") == 0) {
            fprintf(stderr, "ovp: -- must be followed by the program (a FILE)\n");
            return -1;
        } else {
            fprintf(stderr, "ovp: unknown option '%s'\n", a);
            return -1;
        }
    }
    return i;
}

/* The global argv: a list of the strings after the program, without the
 * "--" that script_params found (dashdash, 0 for none). */
static void set_argv(Interp *I, int argc, char **argv, int first, int dashdash)
{
    Value l = val_list_new(0);
    for (int i = first; i < argc; i++)
        if (i != dashdash)
            list_push(l.as.list, val_str(argv[i]));
    interp_set_global(I, "argv", l);
}

/* The whole input at once: the parser works on a complete text, which
 * diagnostics quote lines of. Returns malloc'd, NUL-terminated text;
 * *len is its length in bytes. NULL with errno set when a read failed
 * (a closed stdin, a directory as stdin): running what was read so far
 * would run a cut program, or an empty one, successfully. */
static char *read_stream(FILE *f, size_t *len)
{
    StrBuf b;
    sb_init(&b);
    char chunk[65536];
    size_t n;
    errno = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_putn(&b, chunk, n);
    if (ferror(f)) {
        int err = errno ? errno : EIO;
        sb_free(&b);
        errno = err;
        return NULL;
    }
    *len = b.len;
    char *s = sb_take(&b);
    sb_free(&b);
    return s;
}

/* --dump-ast: the tree as parsed, in ast_dump's form (the one the
 * parser's unit tests compare), and nothing run. A syntax error is
 * rendered as a run renders it and gives exit status 2. source_new takes
 * text, so source_free_all frees it. */
static int dump_ast(const char *name, char *text, size_t len)
{
    Source *src = source_new(name, text, len);
    ParseError err = {0};
    AstNode *tree = parse_source(src, &err);
    int code = EXIT_OK;
    if (tree) {
        ast_dump(stdout, tree, 0);
    } else {
        StrBuf b;
        sb_init(&b);
        diag_render(&b, "error", &err.loc, err.msg);
        fputs(b.s, stderr);
        sb_free(&b);
        code = EXIT_SYNTAX;
    }
    ast_free(tree);
    parse_error_clear(&err);
    source_free_all(src);
    return code;
}

/* Loads the program text named by the options; NULL after an error,
 * explained. The text is always malloc'd (-e code is copied) so that the
 * caller has one way to free it. A directory is refused up front, with
 * the reason by name: fopen succeeds on one and only the read fails. */
static char *program_text(const Options *o, const char **name, size_t *len)
{
    if (o->code) {
        *name = "-e";
        *len = strlen(o->code);
        return xstrdup(o->code);
    }
    if (!o->file || strcmp(o->file, "-") == 0) {
        *name = "<stdin>";
        char *text = read_stream(stdin, len);
        if (!text)
            fprintf(stderr, "ovp: error: cannot read standard input: %s\n", strerror(errno));
        return text;
    }
    *name = o->file;
    struct stat st;
    if (stat(o->file, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "ovp: error: cannot read '%s': Is a directory\n", o->file);
        return NULL;
    }
    FILE *f = fopen(o->file, "rb");
    if (!f) {
        fprintf(stderr, "ovp: error: cannot read '%s': %s\n", o->file, strerror(errno));
        return NULL;
    }
    char *text = read_stream(f, len);
    if (!text)
        fprintf(stderr, "ovp: error: cannot read '%s': %s\n", o->file, strerror(errno));
    fclose(f);
    return text;
}

/* Only sets the flag (async-signal-safe); loops and calls poll it, and
 * the REPL's read_key turns it into an empty line. */
static void on_sigint(int sig)
{
    (void)sig;
    ovp_interrupted = 1;
}

/* A parameter the script never read is a mistake on the command line (a
 * misspelt name, or the wrong script): say so rather than ignore it.
 * The exit status becomes 2, a usage error. */
static int report_unread_param(const Interp *I, int code)
{
    const Param *p = params_unread(&I->params);
    if (!p)
        return code;
    fprintf(stderr, "ovp: error: parameter '%s' was given on the command line but the "
            "script never reads it with param(\"%s\", ...)\n", p->name, p->name);
    return EXIT_SYNTAX;
}

/* Runs the program named by the options and returns the exit status.
 * The file is marked imported first, so a module importing the main
 * script does not run it a second time. Diagnostics are printed after the
 * program's output is flushed, so an error follows the output before it
 * when both reach one terminal or file. An error's status wins over
 * failed checks; unread parameters are reported only after a run that
 * finished, since an error may have stopped the script before its
 * param() calls. The check summary goes to stderr, keeping stdout the
 * program's own. */
static int run(Interp *I, const Options *o)
{
    const char *name;
    size_t len;
    char *text = program_text(o, &name, &len);
    if (!text)
        return EXIT_SYNTAX;
    if (o->dump_ast)
        return dump_ast(name, text, len);
    if (o->file && strcmp(o->file, "-") != 0)
        interp_mark_imported(I, o->file);
    StrBuf diag;
    sb_init(&diag);
    int code = interp_run_source(I, name, text, len, &diag);
    free(text);
    fflush(stdout);
    fputs(diag.s, stderr);
    sb_free(&diag);
    if (code == EXIT_OK && I->checks_failed)
        code = EXIT_CHECK;
    if (code == EXIT_OK || code == EXIT_CHECK)
        code = report_unread_param(I, code);
    if (I->checks_passed + I->checks_failed)
        fprintf(stderr, "checks: %lu passed, %lu failed\n", I->checks_passed,
                I->checks_failed);
    return code;
}

/* The path of this binary, to run suite scripts with.
 * /proc/self/exe, resolved, names the very binary that is running even
 * when it was found through PATH, where argv[0] is a bare name; argv[0]
 * is the fallback where /proc is missing. */
static char *self_path(const char *argv0)
{
    char *p = realpath("/proc/self/exe", NULL);
    return p ? p : xstrdup(argv0);
}

/* Matrices of a training loop are freed and allocated again every step;
 * keeping them in the heap instead of fresh mmap'd pages (the default
 * above 128 KiB) saves the page faults of touching new memory each time. */
static void keep_freed_memory(void)
{
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}

/* `ovp suite` is dispatched before option parsing: it has options of its
 * own. SIGINT is installed with sa_flags 0, without SA_RESTART, so a read
 * blocked on the terminal returns EINTR and the REPL sees Ctrl-C at once.
 * --seed is applied after interp_new, which seeds 0. The REPL starts only
 * when no program was given, and then only on a terminal unless --repl
 * forces it (tests drive the REPL through a pipe). Every mode ends in
 * close_stdout, so output that was lost is an error in all of them; for a
 * script it is found only at the end (print does not report a failed
 * write), the REPL stops after the input whose output failed. */
int main(int argc, char **argv)
{
    blas_kernel_fix(argv);
    hold_standard_fds();
    threads_init();
    keep_freed_memory();
    if (argc > 1 && strcmp(argv[1], "sweep") == 0) {
        char *self = self_path(argv[0]);
        int code = sweep_main(argc - 1, argv + 1, self);
        free(self);
        return close_stdout(code);
    }
    if (argc > 1 && strcmp(argv[1], "--install-kernel") == 0) {
        char *self = self_path(argv[0]);
        int code = kernel_install(argc - 1, argv + 1, self);
        free(self);
        return close_stdout(code);
    }
    if (argc > 1 && strcmp(argv[1], "suite") == 0) {
        char *self = self_path(argv[0]);
        int code = suite_main(argc - 1, argv + 1, self);
        free(self);
        return close_stdout(code);
    }
    Options o = {0};
    int first = parse_options(argc, argv, &o);
    if (first < 0) {
        params_free(&o.params);
        if (first == -1)
            usage(stderr);
        return EXIT_SYNTAX;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    Interp *I = interp_new(builtin_families);
    if (o.seeded)
        rng_seed(&I->rng, o.seed);
    set_argv(I, argc, argv, first, o.dashdash);
    I->params = o.params;
    bool interactive = !o.code && !o.file && !o.dump_ast && (o.force_repl || isatty(STDIN_FILENO));
    int code = o.kernel ? kernel_run(I) : interactive ? repl_run(I) : run(I, &o);
    interp_free(I);
    return close_stdout(code);
}
