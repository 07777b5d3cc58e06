/* bi_io.c: output, checks, errors, help and timing.
 *
 * Output goes to I->out (stdout, unless an embedder or a test points it
 * elsewhere), never to stderr: diagnostics are the evaluator's. Each call
 * formats into a StrBuf first and writes once, so a value is never half
 * printed when formatting fails, and one call's output stays together. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/builtin.h"
#include "builtins/registry.h"
#include "eval/eval.h"
#include "value/format.h"
#include "value/ops.h"

/* Writes b to the output, with fwrite and the buffer's length rather
 * than fputs, so output is never cut short at a NUL byte. A write that fails (a full disk, a closed
 * pipe; stdio notices when its buffer is flushed, so within a few KB) is
 * a runtime error here, so a script stops at the statement that printed
 * rather than running on with its output lost. */
static bool put(Interp *I, const Args *a, const StrBuf *b)
{
    if (fwrite(b->s, 1, b->len, I->out) == b->len && !ferror(I->out))
        return true;
    int e = errno;
    bi_error(I, a, "cannot write the output%s%s", e ? ": " : "", e ? strerror(e) : "");
    return false;
}

/* print(a, b, ...): each value in its display form. print() with no
 * argument prints nothing. Returns val_nil, "no value", so that the REPL
 * does not echo a second copy. */
static Value bi_print(Interp *I, const Args *a)
{
    bool full = false;
    if (arg_given(a, a->npos) && !arg_bool(I, a, a->npos, &full))
        return val_error;
    PrintOpts opts = I->print_opts;
    if (full)
        opts.rows = opts.cols = SIZE_MAX;
    StrBuf b;
    sb_init(&b);
    for (int i = 0; i < a->npos; i++)
        format_display_opts(&b, a->v[i], opts);
    bool written = put(I, a, &b);
    sb_free(&b);
    return written ? val_nil : val_error;
}

/* sprintf/printf/error/check share this: args[first] is the format.
 * The values after it are its arguments (a matrix gives its elements in
 * column-major order, and the format repeats while some remain). Errors
 * (a bad conversion, too few arguments) are raised by format_printf under
 * the built-in's name; false then. */
static bool format_args(Interp *I, const Args *a, int first, StrBuf *out)
{
    const char *fmt = arg_str(I, a, first);
    if (!fmt)
        return false;
    return format_printf(&I->err, out, fmt, a->n - first - 1, a->v + first + 1, a->bi->name);
}

/* Nothing is written unless the whole format succeeded. */
static Value bi_printf(Interp *I, const Args *a)
{
    StrBuf b;
    sb_init(&b);
    bool ok = format_args(I, a, 0, &b) && put(I, a, &b);
    sb_free(&b);
    return ok ? val_nil : val_error;
}

static Value bi_sprintf(Interp *I, const Args *a)
{
    StrBuf b;
    sb_init(&b);
    Value r = format_args(I, a, 0, &b) ? val_strn(b.s, b.len) : val_error;
    sb_free(&b);
    return r;
}

/* Always val_error. The message is the script's own, so it is raised with
 * interp_error and not bi_error, which would prefix it with "error: ";
 * passing it through "%s" keeps a '%' in the text from being read as a
 * conversion. A bad format raises format_printf's error instead. */
static Value bi_error_fn(Interp *I, const Args *a)
{
    StrBuf b;
    sb_init(&b);
    if (format_args(I, a, 0, &b))
        interp_error(I, NULL, "%s", b.s);
    sb_free(&b);
    return val_error;
}

/* A check passes when its condition is true; NaN anywhere fails it.
 * This differs from `if` on purpose: ops_truth raises an error on NaN,
 * but a check of a diverged computation should record FAIL and let the
 * script go on to its other checks. An empty matrix fails, as it is false
 * for `if`. */
static bool check_truth(Interp *I, const Args *a, bool *out)
{
    Value c = a->v[0];
    if (c.kind == VAL_MAT) {
        size_t n = mat_numel(c.as.mat);
        *out = n > 0;
        for (size_t i = 0; i < n; i++)
            if (!(c.as.mat->data[i] != 0) || isnan(c.as.mat->data[i]))
                *out = false;
        return true;
    }
    if (c.kind == VAL_NUM) {
        *out = c.as.num != 0 && !isnan(c.as.num);
        return true;
    }
    if (c.kind == VAL_BOOL) {
        *out = c.as.b;
        return true;
    }
    arg_type_error(I, a, 0, "a bool, number or matrix");
    return false;
}

/* A line starting "PASS: " or "FAIL: " is the whole protocol: `ovp suite`
 * finds checks in a script's output by that prefix, and matches them
 * across seeds by their order. The counters feed the exit status (3 when
 * any check failed, main.c and repl.c). Returns the outcome as a bool so
 * that a script can react to it; a failed check is not an error. */
static Value bi_check(Interp *I, const Args *a)
{
    bool pass;
    if (!check_truth(I, a, &pass))
        return val_error;
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, pass ? "PASS: " : "FAIL: ");
    if (arg_given(a, 1) && !format_args(I, a, 1, &b)) {
        sb_free(&b);
        return val_error;
    }
    if (!arg_given(a, 1))
        sb_puts(&b, "check");
    bool written = true;
    if (I->display.check) {   /* a notebook's badge */
        I->display.check(I->display.ctx, pass, b.s + 6);
    } else {
        sb_putc(&b, '\n');
        written = put(I, a, &b);
    }
    sb_free(&b);
    if (!written)
        return val_error;
    if (pass)
        I->checks_passed++;
    else
        I->checks_failed++;
    return val_bool(pass);
}

/* The table row's own text: the same words as `ovp --reference`. */
static void help_builtin(StrBuf *b, const Builtin *bi)
{
    sb_printf(b, "%s\n  %s\n", bi->signature, bi->help);
}

/* The comment lines right above line `line` of text (a function's
 * documentation, as the standard library writes it), each without its
 * '#', indented under the signature. Stops at the first line that is not
 * a comment. */
static void help_comment(StrBuf *b, const Loc *loc)
{
    if (!loc->src || loc->line < 2)
        return;
    const char *text = loc->src->text;
    const char *starts[64];
    int n = 0;
    const char *p = text;
    for (int l = 1; l < loc->line && *p; l++) {   /* the start of each line above */
        if (l >= loc->line - 64)
            starts[n++ % 64] = p;
        p = strchr(p, '\n');
        if (!p)
            return;
        p++;
    }
    int first = n;   /* walk up while the lines are comments */
    while (first > 0 && n - first < 64) {
        const char *s = starts[(first - 1) % 64];
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s != '#' || s[1] == '{')
            break;
        first--;
    }
    for (int k = first; k < n; k++) {
        const char *s = starts[k % 64];
        while (*s == ' ' || *s == '\t')
            s++;
        s++;   /* the '#' */
        if (*s == ' ')
            s++;
        size_t len = strcspn(s, "\n");
        sb_puts(b, "  ");
        sb_putn(b, s, len);
        sb_putc(b, '\n');
    }
}

/* A user function's parameters from its AST; a default is shown as
 * "= ..." since only its tree, not its text, is kept. kids[0] of an
 * AST_FUNC is the parameter list, and a parameter with a default has it
 * as its one kid. */
static void help_closure(StrBuf *b, const Closure *c)
{
    AstNode *params = c->node->kids[0];
    sb_printf(b, "fn %s(", closure_name(c));
    for (int i = 0; i < params->nkids; i++)
        sb_printf(b, "%s%s%s", i ? ", " : "", params->kids[i]->str,
                  params->kids[i]->nkids ? " = ..." : "");
    sb_puts(b, ")\n  a user function defined at ");
    diag_position(b, &c->node->loc);
    sb_putc(b, '\n');
    help_comment(b, &c->node->loc);
}

/* The keywords, for help("for"): the syntax in one or two lines each. */
static const struct { const char *word, *text; } keyword_help[] = {
    {"if", "if cond ... elseif cond ... else ... end\n  runs the first branch whose "
     "condition holds (a number, bool or all-true matrix; NaN is an error)"},
    {"elseif", "see if"}, {"else", "see if"},
    {"for", "for x in v ... end\n  x takes each element of a matrix (column-major), "
     "each item of a list, each character of a string: for i in 1:n ... end"},
    {"in", "see for"},
    {"while", "while cond ... end\n  repeats while cond holds"},
    {"break", "break\n  leaves the innermost for or while loop"},
    {"continue", "continue\n  goes on with the next iteration of the innermost loop"},
    {"fn", "fn name(a, b = 2) ... end, or fn(a) expr end as a value\n  defines a "
     "function; the last expression is its value, return x returns early; closures "
     "capture values when made"},
    {"return", "return x\n  leaves the function with the value x"},
    {"end", "end\n  closes if, for, while and fn; inside a subscript A[end] it is "
     "the last index"},
    {"import", "import \"name\"\n  runs stdlib/name.ovp (or a file next to the "
     "script) once, in the global scope"},
    {"true", "true and false: the booleans"}, {"false", "true and false: the booleans"},
};

static const char *keyword_text(const char *name)
{
    for (size_t i = 0; i < sizeof keyword_help / sizeof *keyword_help; i++)
        if (strcmp(keyword_help[i].word, name) == 0)
            return keyword_help[i].text;
    return NULL;
}

/* help() alone: every name, grouped by family in the registry's order. */
static void help_index(StrBuf *b)
{
    sb_puts(b, "Built-in functions (help(\"name\") for one; help(\"for\") and the "
               "other keywords explain the syntax):\n");
    for (int f = 0; builtin_families[f]; f++) {
        sb_printf(b, "  %s:\n   ", builtin_family_names[f]);
        for (const Builtin *bi = builtin_families[f]; bi->name; bi++)
            sb_printf(b, " %s", bi->name);
        sb_putc(b, '\n');
    }
}

/* The stdlib module (file name without .ovp, into buf) that defines a
 * function called name, for the hint of help() on a name not imported. */
static bool module_defining(const Interp *I, const char *name, char *buf, size_t n)
{
    DIR *d = I->stdlib_dir ? opendir(I->stdlib_dir) : NULL;
    struct dirent *e;
    char *needle = xasprintf("fn %s(", name);
    bool found = false;
    while (d && !found && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ovp") != 0)
            continue;
        char *path = xasprintf("%s/%s", I->stdlib_dir, e->d_name);
        size_t size;
        char *text = read_text_file(path, &size);
        for (const char *p = text; text && !found && (p = strstr(p, needle)); p++)
            found = p == text || p[-1] == '\n';
        if (found)
            snprintf(buf, n, "%.*s", (int)(len - 4), e->d_name);
        free(text);
        free(path);
    }
    if (d)
        closedir(d);
    free(needle);
    return found;
}

/* help(sum), help("sum") and the REPL's `help sum` all land here. A name
 * is looked up as a built-in first and only then as a global holding a
 * user function; a local function can be passed by value. Nothing is
 * printed when the lookup fails. */
static Value bi_help(Interp *I, const Args *a)
{
    StrBuf b;
    sb_init(&b);
    Value x = a->n ? a->v[0] : val_nil;
    if (x.kind == VAL_STR && !builtin_lookup(x.as.str->s)) {
        Sym *s = sym_find(I, x.as.str->s);   /* a user function by name */
        if (s && s->value.kind == VAL_FUNC)
            x = s->value;
    }
    const Builtin *bi = x.kind == VAL_BUILTIN ? x.as.bi
                        : x.kind == VAL_STR ? builtin_lookup(x.as.str->s) : NULL;
    Value r = val_nil;
    if (bi)
        help_builtin(&b, bi);
    else if (x.kind == VAL_STR && keyword_text(x.as.str->s))
        sb_printf(&b, "%s\n", keyword_text(x.as.str->s));
    else if (x.kind == VAL_FUNC)
        help_closure(&b, x.as.fn);
    else if (x.kind == VAL_NIL)
        help_index(&b);
    else if (x.kind == VAL_STR) {
        char module[64];
        if (module_defining(I, x.as.str->s, module, sizeof module))
            r = bi_error(I, a, "no built-in or function named '%s' here; the stdlib module "
                         "\"%s\" defines it: import \"%s\" first", x.as.str->s, module, module);
        else
            r = bi_error(I, a, "no built-in or function named '%s'", x.as.str->s);
    }
    else
        r = arg_type_error(I, a, 0, "a function or a name");
    if (!VAL_IS_ERR(r) && !put(I, a, &b))
        r = val_error;
    sb_free(&b);
    return r;
}

/* CLOCK_MONOTONIC: a clock change (NTP, the user) cannot make an elapsed
 * time negative. */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static Value bi_tic(Interp *I, const Args *a)
{
    (void)a;
    I->tic = now_seconds();
    return val_nil;
}

/* Without a tic() first, the time since the interpreter was made
 * (interp_new sets I->tic). */
static Value bi_toc(Interp *I, const Args *a)
{
    (void)a;
    return val_num(now_seconds() - I->tic);
}

/* ---- script parameters ------------------------------------------- */

/* The whole text as a finite or infinite number (not NaN).
 * strtod must consume all of it. A leading blank is refused because
 * strtod would skip it, and NaN because a parameter meant as a number is
 * never meant to be NaN: with a numeric default, x=nan is an error. inf,
 * 1e-3 and hex floats read as strtod reads them. */
static bool param_number(const char *text, double *x)
{
    char *end;
    *x = strtod(text, &end);
    return *text && !*end && !isspace((unsigned char)*text) && !isnan(*x);
}

/* Exactly "true" or "false": 1 and 0 already read as numbers. */
static bool param_boolean(const char *text, bool *b)
{
    *b = strcmp(text, "true") == 0;
    return *b || strcmp(text, "false") == 0;
}

/* A value given as text, converted to the type of the default; with no
 * default, a number if it reads as one, then a boolean, then a string.
 * The default fixes the type so that a script sees what it was written
 * for: name=3 stays the string "3" when the default is a string, and a
 * number that does not parse is an error, not a string that would fail
 * later in arithmetic. */
static Value param_value(Interp *I, const Args *a, const Param *p, Value dflt)
{
    double x;
    bool b;
    switch (dflt.kind) {
    case VAL_NUM:
        if (param_number(p->text, &x))
            return val_num(x);
        return bi_error(I, a, "parameter %s='%s' from the command line is not a number "
                        "(its default is)", p->name, p->text);
    case VAL_BOOL:
        if (param_boolean(p->text, &b))
            return val_bool(b);
        return bi_error(I, a, "parameter %s='%s' from the command line is not true or "
                        "false (its default is a boolean)", p->name, p->text);
    case VAL_STR:
        return val_str(p->text);
    default:
        if (param_number(p->text, &x))
            return val_num(x);
        if (param_boolean(p->text, &b))
            return val_bool(b);
        return val_str(p->text);
    }
}

/* The default must be a kind that text converts to. A name that is not
 * an identifier is refused: NAME=VALUE on the command line needs one, so
 * such a parameter could never be given and the script has a typo.
 * params_take marks the parameter read; main.c reports any parameter left
 * unread after the run. The default is borrowed from the arguments, hence
 * the val_ref. */
static Value bi_param(Interp *I, const Args *a)
{
    const char *name = arg_str(I, a, 0);
    if (!name)
        return val_error;
    Value dflt = arg_given(a, 1) ? a->v[1] : val_nil;
    if (dflt.kind != VAL_NIL && dflt.kind != VAL_NUM && dflt.kind != VAL_BOOL &&
        dflt.kind != VAL_STR)
        return arg_type_error(I, a, 1, "a number, boolean or string");
    if (!param_shaped_name(name))
        return bi_error(I, a, "'%s' cannot be a parameter name: use a letter or '_' "
                        "followed by letters, digits or '_'", name);
    const Param *p = params_take(&I->params, name);
    if (p)
        return param_value(I, a, p, dflt);
    if (dflt.kind == VAL_NIL)
        return bi_error(I, a, "parameter '%s' is required: give it on the command "
                        "line as %s=VALUE", name, name);
    return val_ref(dflt);
}

/* Longest string a row may hold: rows are results, not documents. */
#define EMIT_MAX_STRING 1000

/* Field `key` of an emitted row: a number, a boolean or a short string
 * (a 1x1 matrix counts as its number), under a name the sweep does not
 * use itself. */
static bool emit_field_ok(Interp *I, const Args *a, const char *key, Value v)
{
    if (interp_sweep_column(key)) {
        bi_error(I, a, "field '%s' is a column ovp sweep writes itself; choose "
                 "another name", key);
        return false;
    }
    v = val_primal(v);
    if (v.kind == VAL_NUM || v.kind == VAL_BOOL ||
        (v.kind == VAL_MAT && mat_numel(v.as.mat) == 1))
        return true;
    if (v.kind == VAL_STR && v.as.str->len <= EMIT_MAX_STRING &&
        strlen(v.as.str->s) == v.as.str->len)
        return true;
    char what[80], kind[64];
    describe_value(v, kind, sizeof kind);
    if (v.kind == VAL_STR)
        snprintf(what, sizeof what, "a string of %zu bytes%s", v.as.str->len,
                 strlen(v.as.str->s) == v.as.str->len ? "" : " with a NUL byte");
    else
        snprintf(what, sizeof what, "a %s", kind);
    bi_error(I, a, "field '%s' is %s; a row holds numbers, booleans and strings of "
             "at most %d bytes", key, what, EMIT_MAX_STRING);
    return false;
}

/* emit({name: value, ...}): one result row. Under ovp sweep it goes to
 * the sweep's file with the point's grid values; run on its own, the
 * script prints it, in print's form. */
static Value bi_emit(Interp *I, const Args *a)
{
    Value r = val_primal(a->v[0]);
    if (r.kind != VAL_REC)
        return arg_type_error(I, a, 0, "a record of fields");
    if (r.as.rec->n == 0)
        return bi_error(I, a, "the row has no fields");
    for (size_t i = 0; i < r.as.rec->n; i++)
        if (!emit_field_ok(I, a, r.as.rec->keys[i], r.as.rec->vals[i]))
            return val_error;
    if (I->emit_row) {
        I->emit_row(I->emit_ctx, r.as.rec);
        return val_nil;
    }
    StrBuf b;
    sb_init(&b);
    format_compact(&b, r);
    sb_putc(&b, '\n');
    bool written = put(I, a, &b);
    sb_free(&b);
    return written ? val_nil : val_error;
}

/* Argument i of printopts: how many rows or columns print shows, at
 * least 2 (one from each end) or inf for all; unchanged when not given. */
static bool print_limit(Interp *I, const Args *a, int i, size_t *limit)
{
    if (!arg_given(a, i))
        return true;
    if (ops_is_scalar(a->v[i])) {
        double x = ops_scalar(a->v[i]);
        if (x == INFINITY) {
            *limit = SIZE_MAX;
            return true;
        }
        if (x == floor(x) && x >= 2 && x <= 1e9) {
            *limit = (size_t)x;
            return true;
        }
    }
    arg_type_error(I, a, i, "a whole number from 2 to 1e9, or inf");
    return false;
}

static Value limit_value(size_t limit)
{
    return val_num(limit == SIZE_MAX ? INFINITY : (double)limit);
}

/* printopts(rows, cols, digits): the session's print settings. Sets the
 * ones given and returns all three as they were before, so that
 * old = printopts(rows = inf) ... printopts(old.rows, old.cols,
 * old.digits) restores them. The REPL's echo follows them too. */
static Value bi_printopts(Interp *I, const Args *a)
{
    PrintOpts opts = I->print_opts;
    if (!print_limit(I, a, 0, &opts.rows) || !print_limit(I, a, 1, &opts.cols))
        return val_error;
    if (arg_given(a, 2)) {
        long digits;
        if (!arg_int(I, a, 2, &digits))
            return val_error;
        if (digits < 1 || digits > FORMAT_MAX_DIGITS)
            return bi_error(I, a, "digits must be from 1 to %d, got %ld",
                            FORMAT_MAX_DIGITS, digits);
        opts.digits = (int)digits;
    }
    Value old = val_rec_new();
    rec_set(old.as.rec, "rows", limit_value(I->print_opts.rows));
    rec_set(old.as.rec, "cols", limit_value(I->print_opts.cols));
    rec_set(old.as.rec, "digits", val_num(I->print_opts.digits));
    I->print_opts = opts;
    return old;
}

const Builtin builtins_io[] = {
    {"print", 0, -1, "print(x, ..., full)", "display each value on its own line(s): numbers "
     "with 10 significant digits, matrices with their shape and at most 12 rows and 10 "
     "columns (the rest hidden, and counted); full = true shows every element", bi_print},
    {"disp", 0, -1, "disp(x, ..., full)", "same as print", bi_print},
    {"emit", 1, 1, "emit(row)", "one result row, a record of numbers, booleans and "
     "strings: under ovp sweep it goes to the sweep's file beside the point's grid "
     "values; run on its own, the script prints it", bi_emit},
    {"printopts", 0, 3, "printopts(rows, cols, digits)", "sets how print and the REPL "
     "show matrices for the rest of the session: at most rows x cols elements (each at "
     "least 2, or inf for all; default 12 x 10) with digits significant digits (1 to 17, "
     "default 6; numbers show 10, or digits when more). Returns the settings as they "
     "were, as a record {rows, cols, digits}", bi_printopts},
    {"printf", 1, -1, "printf(fmt, ...)", "formatted output: %d %i %g %f %e %s %x %c %% "
     "with flags, width and precision; matrix arguments give their elements in "
     "column-major order and the format repeats while arguments remain", bi_printf},
    {"sprintf", 1, -1, "sprintf(fmt, ...)", "like printf, returning the string", bi_sprintf},
    {"check", 1, -1, "check(cond, fmt, ...)", "records PASS or FAIL with the formatted "
     "message and goes on; a script with a failed check exits with status 3. NaN fails",
     bi_check},
    {"error", 1, -1, "error(fmt, ...)", "stops with a runtime error carrying the "
     "formatted message", bi_error_fn},
    {"help", 0, 1, "help(name)", "the signature and help of a built-in (by value or "
     "name) or a user function; help() lists every built-in", bi_help},
    {"param", 1, 2, "param(name, default)", "the script parameter NAME given on the "
     "command line (`ovp script.ovp name=value` or `--param name=value`), converted "
     "to the type of the default (number, boolean or string); the default when it is "
     "not given; without a default it is required. A parameter the script never "
     "reads is an error after the run", bi_param},
    {"tic", 0, 0, "tic()", "start the stopwatch", bi_tic},
    {"toc", 0, 0, "toc()", "seconds since tic()", bi_toc},
    BUILTIN_END,
};
