/* interp.c: the interpreter object: globals, the error slot, running
 * sources and files, and imports.
 *
 * An interpreter keeps every source text and every tree it ever ran until
 * it is freed: closures stored in globals point into the trees, and
 * locations (in closures, in error traces) point into the texts. The REPL
 * runs each input as a new program against the same globals, so nothing
 * can be dropped between runs. */
#include "config.h"

#include "eval/interp.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ad/ad.h"
#include "eval/builtin.h"
#include "eval/eval.h"
#include "front/parse.h"
#include "eval/resolve.h"
#include "eval/vm.h"

/* ---- globals ----------------------------------------------------- */

/* djb2: short identifiers, no adversary; simple and good enough. */
static size_t hash_name(const char *s)
{
    size_t h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

Sym *sym_find(const Interp *I, const char *name)
{
    for (Sym *s = I->buckets[hash_name(name) % I->nbuckets]; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

/* Doubles the buckets. The Sym nodes are relinked, never copied: the
 * resolved trees and the upvalues hold Sym pointers, which must stay
 * valid for the interpreter's life. */
static void rehash(Interp *I)
{
    size_t n = I->nbuckets * 2;
    Sym **b = xcalloc(n, sizeof *b);
    for (size_t i = 0; i < I->nbuckets; i++)
        for (Sym *s = I->buckets[i], *next; s; s = next) {
            next = s->next;
            size_t h = hash_name(s->name) % n;
            s->next = b[h];
            b[h] = s;
        }
    free(I->buckets);
    I->buckets = b;
    I->nbuckets = n;
}

/* Keeps at most one symbol per bucket on average (rehash at load 1). A
 * symbol is never removed before interp_free, even when unassigned: the
 * resolver interns every global name a program mentions. */
Sym *sym_intern(Interp *I, const char *name)
{
    Sym *s = sym_find(I, name);
    if (s)
        return s;
    if (I->nsyms >= I->nbuckets)
        rehash(I);
    s = xcalloc(1, sizeof *s);
    s->name = xstrdup(name);
    size_t h = hash_name(name) % I->nbuckets;
    s->next = I->buckets[h];
    I->buckets[h] = s;
    I->nsyms++;
    return s;
}

/* Takes v and drops the value it replaces. */
void interp_set_global(Interp *I, const char *name, Value v)
{
    Sym *s = sym_intern(I, name);
    val_unref(s->value);
    s->value = v;
}

bool interp_sweep_column(const char *name)
{
    static const char *const columns[] = {
        "checks_passed", "checks_failed", "status", "message", NULL,
    };
    for (int i = 0; columns[i]; i++)
        if (strcmp(name, columns[i]) == 0)
            return true;
    return false;
}

/* ---- life cycle -------------------------------------------------- */

/* The stdlib folder: $OVP_STDLIB, the source tree's (uninstalled build),
 * or the installed package data folder. */
static char *find_stdlib(void)
{
    const char *env = getenv("OVP_STDLIB");
    if (env && *env)
        return xstrdup(env);
    struct stat st;
    if (stat(OVP_SRCDIR "/stdlib", &st) == 0 && S_ISDIR(st.st_mode))
        return xstrdup(OVP_SRCDIR "/stdlib");
    return xstrdup(OVP_PKGDATADIR "/stdlib");
}

/* Predefined globals; assignable like any variable. */
static void define_constants(Interp *I)
{
    interp_set_global(I, "pi", val_num(M_PI));
    interp_set_global(I, "e", val_num(M_E));
    interp_set_global(I, "inf", val_num(INFINITY));
    interp_set_global(I, "Inf", val_num(INFINITY));
    interp_set_global(I, "nan", val_num(NAN));
    interp_set_global(I, "NaN", val_num(NAN));
    interp_set_global(I, "eps", val_num(DBL_EPSILON));
}

/* Largest stack assumed when the limit is unlimited or very large. When
 * getrlimit fails the usual 8 MB is assumed. */
#define STACK_ASSUMED (256u << 20)

/* The room a call chain may use: the stack limit less a quarter of it
 * (at least 64 KB) for the built-ins and library code under the deepest
 * call, and less what the caller already used. */
/* The top of the main thread's stack: the end of its [stack] mapping,
 * or 0 where /proc is missing. The environment and the arguments sit
 * there, above main's frame, and count against the limit: a 100 KB
 * environment under a 256 KB limit left too little room for the
 * interpreter's own estimate. */
static uintptr_t stack_top(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return 0;
    char line[512];
    uintptr_t top = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
            top = (uintptr_t)hi;
            break;
        }
    }
    fclose(f);
    return top;
}

static void measure_stack(Interp *I)
{
    /* the base is a local of this frame, so depth is measured from about
     * where the interpreter was made; a limit too small for the reserve
     * gives half of it to the calls */
    char here;
    struct rlimit rl;
    size_t limit = 8u << 20;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        limit = rl.rlim_cur < STACK_ASSUMED ? (size_t)rl.rlim_cur : STACK_ASSUMED;
    else if (getrlimit(RLIMIT_STACK, &rl) == 0)
        limit = STACK_ASSUMED;
    /* what the environment, the arguments and the frames above this one
     * already use (only when this frame is on the main stack) */
    uintptr_t top = stack_top(), at = (uintptr_t)&here;
    size_t used = top > at && top - at < limit ? (size_t)(top - at) : 0;
    limit -= used;
    size_t reserve = limit / 4 > (64u << 10) ? limit / 4 : 64u << 10;
    I->stack_base = &here;
    I->stack_room = limit > 2 * reserve ? limit - reserve - (64u << 10) : limit / 2;
}

/* Assumes a stack that grows downwards, as on every platform ovp builds
 * for. Cheap enough to call on every node evaluated. */
/* The differentiation state reports into I->err and reaches user
 * functions through interp_call, since its layer cannot include the
 * evaluator. The generator is seeded with 0, so a run is reproducible
 * unless the program seeds it. */
/* The out-of-memory report (alloc.h): a located error at the statement
 * being run, rendered into the buffer reserved for it, or the plain line
 * when no statement runs (start-up, reading a program). */
static void report_out_of_memory(void *ctx, size_t bytes, const char *what)
{
    Interp *I = ctx;
    char msg[160];
    snprintf(msg, sizeof msg, "out of memory (allocating %zu bytes%s%s)", bytes,
             what ? " for " : "", what ? what : "");
    if (!I->running) {
        fprintf(stderr, "ovp: error: %s\n", msg);
        return;
    }
    sb_clear(&I->oom_report);
    diag_render(&I->oom_report, "error", &I->running->loc, msg);
    fputs(I->oom_report.s, stderr);
}

Interp *interp_new(const Builtin *const *families)
{
    Interp *I = xcalloc(1, sizeof *I);
    measure_stack(I);
    I->nbuckets = 256;
    I->buckets = xcalloc(I->nbuckets, sizeof *I->buckets);
    sb_init(&I->unwind.trace);
    sb_init(&I->unwind.outermost);
    I->out = stdout;
    sb_init(&I->oom_report);
    sb_reserve(&I->oom_report, 4096);   /* a rendered diagnostic is < 1 KB */
    alloc_set_failure_handler(report_out_of_memory, I);
    I->ad = (Ad){.err = &I->err, .host = I, .call = interp_call};
    I->ret = val_nil;
    I->stdlib_dir = find_stdlib();
    rng_seed(&I->rng, 0);
    I->print_opts = format_default_opts();
    const char *vm = getenv("OVP_VM");
    I->vm_off = vm && strcmp(vm, "0") == 0;
    struct timespec ts;   /* toc() without tic() counts from the start */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    I->tic = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    builtin_register_all(I, families);
    define_constants(I);
    return I;
}

static void free_symbols(Interp *I)
{
    for (size_t i = 0; i < I->nbuckets; i++)
        for (Sym *s = I->buckets[i], *next; s; s = next) {
            next = s->next;
            val_unref(s->value);
            free(s->name);
            free(s);
        }
    free(I->buckets);
}

/* Values go first (the tape's nodes, the globals, a pending return), then
 * the trees and the texts they point into. NULL is accepted. */
void interp_free(Interp *I)
{
    if (!I)
        return;
    ad_end(&I->ad);
    free_symbols(I);
    val_unref(I->ret);
    for (size_t i = 0; i < I->nprograms; i++) {
        vm_release(I->programs[i]);
        resolve_release(I->programs[i]);
        ast_free(I->programs[i]);
    }
    free(I->programs);
    source_free_all(I->sources);
    for (size_t i = 0; i < I->nimported; i++)
        free(I->imported[i]);
    free(I->imported);
    free(I->stdlib_dir);
    params_free(&I->params);
    rt_clear(&I->err);
    alloc_set_failure_handler(NULL, NULL);
    sb_free(&I->oom_report);
    sb_free(&I->unwind.trace);
    sb_free(&I->unwind.outermost);
    free(I);
}

/* ---- errors ------------------------------------------------------ */

/* rt_raise for the evaluator: it also sets SIG_ERROR, so that every
 * statement running unwinds at once. A NULL loc leaves the error for the
 * built-in dispatcher to place at its call site. */
Value interp_error(Interp *I, const Loc *loc, const char *fmt, ...)
{
    if (rt_pending(&I->err))
        return val_error;   /* keep the first (innermost) error */
    va_list ap;
    va_start(ap, fmt);
    rt_vraise(&I->err, loc, fmt, ap);
    va_end(ap);
    I->sig = SIG_ERROR;
    return val_error;
}

/* Leaves the interpreter ready for the next run (the REPL's next input):
 * no message, no trace, no signal, no pending return value. */
void interp_clear_error(Interp *I)
{
    rt_clear(&I->err);
    I->unwind.frames = 0;
    sb_clear(&I->unwind.trace);
    sb_clear(&I->unwind.outermost);
    I->sig = SIG_NONE;
    val_unref(I->ret);
    I->ret = val_nil;
}

/* The message with its source line and caret, the innermost calls
 * (INTERP_TRACE_SHOWN of them), a count of the hidden ones, then the
 * outermost call, which leads back to the line of the script the reader
 * started from. "unknown error" only shows if an error value came back
 * with no message, which is a bug. */
void interp_render_error(Interp *I, StrBuf *out)
{
    diag_render(out, "error", I->err.located ? &I->err.loc : NULL,
                I->err.msg ? I->err.msg : "unknown error");
    sb_puts(out, I->unwind.trace.s);
    if (I->unwind.frames > INTERP_TRACE_SHOWN + 1)
        sb_printf(out, "  ... %lu more calls ...\n",
                  I->unwind.frames - INTERP_TRACE_SHOWN - 1);
    sb_puts(out, I->unwind.outermost.s);
}

/* ---- running ----------------------------------------------------- */

/* The tree stays until interp_free (see the top of this file). */
static void keep_program(Interp *I, AstNode *tree)
{
    if (I->nprograms == I->capprograms) {
        I->capprograms = I->capprograms ? I->capprograms * 2 : 8;
        I->programs = xrealloc(I->programs, I->capprograms * sizeof *I->programs);
    }
    I->programs[I->nprograms++] = tree;
}

/* Copies text: the caller's buffer may go away, but locations and error
 * messages need it for the interpreter's life. */
static Source *add_source(Interp *I, const char *name, const char *text, size_t len)
{
    Source *src = source_new(name, xstrndup(text, len), len);
    src->next = I->sources;
    I->sources = src;
    return src;
}

/* Parses and resolves; NULL with the error pending (code 2) on failure.
 * The tree is kept before it is resolved: a failed resolution may already
 * have attached FuncInfo to it, which interp_free releases. Both kinds of
 * failure exit with 2, as the manual promises for syntax errors. */
static AstNode *prepare(Interp *I, const Source *src)
{
    ParseError perr = {0};
    AstNode *tree = parse_source(src, &perr);
    if (!tree) {
        interp_error(I, &perr.loc, "%s", perr.msg);
        I->err.code = EXIT_SYNTAX;
        parse_error_clear(&perr);
        return NULL;
    }
    keep_program(I, tree);
    if (!resolve_program(I, tree)) {
        I->err.code = EXIT_SYNTAX;
        return NULL;
    }
    return tree;
}

/* The value of the program is dropped. On failure the error is rendered
 * into diag (when given) and cleared, so the interpreter can run again.
 * An error value with no message means a control signal escaped the
 * program; it is reported rather than taken for success. */
int interp_run_source(Interp *I, const char *name, const char *text,
                      size_t len, StrBuf *diag)
{
    const Source *src = add_source(I, name, text, len);
    AstNode *tree = prepare(I, src);
    Value v = tree ? eval_program(I, tree) : val_error;
    if (!VAL_IS_ERR(v)) {
        val_unref(v);
        return EXIT_OK;
    }
    if (!I->err.msg)
        interp_error(I, NULL, "unexpected control flow");
    int code = I->err.code;
    if (diag)
        interp_render_error(I, diag);
    interp_clear_error(I);
    return code;
}

/* Tested up front: fopen accepts a directory on Linux and only the read
 * fails, which would report a vague EIO instead of EISDIR. */
static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Paths are compared after realpath, so one file is recognised under any
 * relative name or symlink. A path that does not resolve is not
 * recorded: no import can name it either. */
void interp_mark_imported(Interp *I, const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return;
    I->imported = xrealloc(I->imported, (I->nimported + 1) * sizeof *I->imported);
    I->imported[I->nimported++] = real;
}

/* An unreadable file exits with 2, like a syntax error (the manual's exit
 * codes): the program never started. */
int interp_run_file(Interp *I, const char *path, StrBuf *diag)
{
    size_t len = 0;
    char *text = is_directory(path) ? (errno = EISDIR, NULL) : read_text_file(path, &len);
    if (!text) {
        sb_printf(diag, "ovp: error: cannot read '%s': %s\n", path, strerror(errno));
        return EXIT_SYNTAX;
    }
    int code = interp_run_source(I, path, text, len, diag);
    free(text);
    return code;
}

/* ---- imports ----------------------------------------------------- */

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* dir NULL: name is already absolute. Returns a malloc'd string. */
static char *join_path(const char *dir, const char *name, const char *ext)
{
    return xasprintf("%s%s%s%s", dir ? dir : "", dir ? "/" : "", name, ext);
}

/* The folder of the importing file ("." for the REPL and -e). */
static char *source_dir(const Source *from)
{
    const char *slash = from ? strrchr(from->name, '/') : NULL;
    if (!slash || from->name[0] == '<')
        return xstrdup(".");
    return xstrndup(from->name, (size_t)(slash - from->name));
}

/* A bare name tries the stdlib, then the importing file's folder; a name
 * with a slash is a path (relative to that folder unless absolute) and
 * never looks in the stdlib. ".ovp" is added unless given. Returns a
 * malloc'd canonical path (realpath), or NULL when no candidate is a
 * regular file. */
char *interp_find_module(Interp *I, const char *name, const Source *from)
{
    bool has_ext = strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".ovp") == 0;
    const char *ext = has_ext ? "" : ".ovp";
    char *dir = source_dir(from);
    char *candidates[2] = {
        strchr(name, '/') ? NULL : join_path(I->stdlib_dir, name, ext),
        join_path(name[0] == '/' ? NULL : dir, name, ext),
    };
    free(dir);
    char *found = NULL;
    for (int i = 0; i < 2; i++) {
        if (!found && candidates[i] && file_exists(candidates[i]))
            found = realpath(candidates[i], NULL);
        free(candidates[i]);
    }
    return found;
}

/* A linear scan: a program imports a handful of modules. */
static bool already_imported(Interp *I, const char *path)
{
    for (size_t i = 0; i < I->nimported; i++)
        if (strcmp(I->imported[i], path) == 0)
            return true;
    return false;
}

/* Runs a module at the top level, also when the import statement sits in
 * a function. Its names were resolved as globals; clearing the frame makes
 * its closures capture from the globals too, not from the frame of the
 * function that happened to run the import. */
static Value run_module(Interp *I, const char *path, const Loc *loc)
{
    size_t len = 0;
    char *text = read_text_file(path, &len);
    if (!text)
        return interp_error(I, loc, "import: cannot read '%s': %s", path, strerror(errno));
    const Source *src = add_source(I, path, text, len);
    free(text);
    AstNode *tree = prepare(I, src);
    if (!tree)
        return val_error;
    Frame *saved = I->frame;
    I->frame = NULL;   /* modules run at the top level */
    I->import_depth++;
    Value v = eval_program(I, tree);
    I->import_depth--;
    I->frame = saved;
    return v;
}

/* `import "name"`. The path is recorded before the module runs, so a
 * cycle (a imports b imports a) stops at the second import instead of
 * recursing; a module that failed is not run again either. The depth cap
 * bounds a chain of distinct modules, each of which nests the evaluator
 * on the C stack. A failure adds the import site to the trace. The
 * statement has no value (VAL_NIL). */
Value interp_import(Interp *I, AstNode *n)
{
    char *path = interp_find_module(I, n->str, n->loc.src);
    if (!path)
        return interp_error(I, &n->loc, "import: no module '%s' %s", n->str,
                            strchr(n->str, '/') ? "relative to this file"
                                                : "in the stdlib or beside this file");
    if (already_imported(I, path)) {
        free(path);
        return val_nil;
    }
    if (I->import_depth >= 64) {
        free(path);
        return interp_error(I, &n->loc, "import: modules nested too deeply");
    }
    I->imported = xrealloc(I->imported, (I->nimported + 1) * sizeof *I->imported);
    I->imported[I->nimported++] = path;
    Value v = run_module(I, path, &n->loc);
    if (VAL_IS_ERR(v)) {
        sb_puts(&I->unwind.trace, "  in module imported at ");
        diag_position(&I->unwind.trace, &n->loc);
        sb_putc(&I->unwind.trace, '\n');
        return v;
    }
    val_unref(v);
    return val_nil;
}

/* Positional arguments only, one result wanted. Casting away const is
 * safe: eval_call_value only reads args. A NULL loc means the call site
 * of the running built-in (I->site). */
Value interp_call(Interp *I, Value fn, int argc, const Value *argv, const Loc *loc)
{
    return eval_call_value(I, fn, argc, 0, (Value *)argv, NULL, 1, loc);
}

void interp_trace(Interp *I, const char *name, const Loc *loc)
{
    StrBuf *to = I->unwind.frames++ < INTERP_TRACE_SHOWN ? &I->unwind.trace
                                                      : &I->unwind.outermost;
    sb_clear(&I->unwind.outermost);
    sb_printf(to, "  in %s, called at ", name);
    diag_position(to, loc);
    sb_putc(to, '\n');
}
