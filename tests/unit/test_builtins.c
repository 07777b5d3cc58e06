/* test_builtins.c: registry-driven argument checks for every built-in
 * (RELIABILITY.md R9, DESIGN.md §2: "Wrong arity, type or shape is an error
 * that names the built-in, the argument and the shapes involved").
 *
 * Nothing here lists the built-ins: every test walks builtin_families[], so
 * a built-in added to any family is covered the day it is added. For each
 * built-in the tests run a one-line program through interp_run_source and
 * check the exit code and the first line of the diagnostic:
 *
 *   (a) too many arguments    when max_args >= 0: max_args + 1 arguments
 *                             -> "NAME: expected ..."
 *   (b) too few arguments     when min_args > 0: min_args - 1 arguments
 *                             -> "NAME: expected ..."
 *   (c) wrong kind, argument 1: a record {a: 1} (or the override below)
 *                             with the other required arguments 1
 *                             -> "NAME: argument 1 (PARAM) must be ..."
 *   (d) unknown named argument: the required arguments plus zz = 1
 *                             -> "NAME: unknown named argument 'zz'"
 *
 * Every diagnostic must start with "builtins.ovp:1:COL: error: NAME: ",
 * the file name passed to interp_run_source.
 *
 * The registry itself is checked too: names are unique, each signature
 * starts with "NAME(" and names as many parameters as max_args allows, and
 * every name in the two tables below is a registered built-in.
 */
#include <criterion/criterion.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/builtin.h"
#include "builtins/registry.h"
#include "eval/interp.h"
#include "base/strbuf.h"

#define FILE_NAME "builtins.ovp"

/* ---------------------------------------------------------- the tables */

/* Built-ins that legitimately accept a value of any kind as argument 1, so
 * test (c) does not apply to them. Each entry gives a call with a function
 * value (the least likely kind) as argument 1 that must succeed; the test
 * any_kind_exceptions_are_real runs it, so a stale entry is caught.
 *
 * Deliberately NOT here, because they do reject some kind in argument 1:
 *   help     rejects records ("a function or a name")
 *   length, size, numel   reject records
 *   isempty  rejects functions (override below)
 *   append   rejects anything but a list (its argument 2 takes any value,
 *            which test (c) never touches)
 *   check    rejects records ("a bool, number or matrix") */
static const struct {
    const char *name;
    const char *call;   /* must exit 0 */
    const char *why;
} any_kind[] = {
    {"print", "print(fn(x) x end)", "displays any value"},
    {"disp", "disp(fn(x) x end)", "same as print"},
    {"type", "type(fn(x) x end)", "names the type of any value"},
    {"num2str", "num2str(fn(x) x end)", "formats any value as print shows it"},
    {"isfield", "isfield(fn(x) x end, \"a\")",
     "false for anything that is not a record with that field"},
};

/* Built-ins that accept a record in argument 1, with the value to use
 * instead for test (c). */
static const struct {
    const char *name;
    const char *bad;
    const char *why;
} bad_arg1[] = {
    {"keys", "{1}", "takes a record, so a list is the wrong kind"},
    {"isempty", "fn(x) x end", "takes matrices, lists, records and strings"},
    {"emit", "{1}", "takes a record, so a list is the wrong kind"},
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------- helpers */

typedef struct {
    int code;
    char *diag;    /* the whole rendered diagnostic ("" when none) */
    char *first;   /* its first line */
} Run;

static Run run(const char *src)
{
    Interp *I = interp_new(builtin_families);
    FILE *devnull = fopen("/dev/null", "w");
    cr_assert_not_null(devnull);
    I->out = devnull;
    StrBuf d;
    sb_init(&d);
    Run r;
    r.code = interp_run_source(I, FILE_NAME, src, strlen(src), &d);
    r.diag = sb_take(&d);
    sb_free(&d);
    interp_free(I);
    fclose(devnull);
    size_t n = strcspn(r.diag, "\n");
    r.first = strndup(r.diag, n);
    return r;
}

static void run_free(Run *r)
{
    free(r->diag);
    free(r->first);
}

static bool is_exempt(const char *name)
{
    for (size_t i = 0; i < NELEMS(any_kind); i++)
        if (strcmp(any_kind[i].name, name) == 0)
            return true;
    return false;
}

static const char *bad_value_for(const char *name)
{
    for (size_t i = 0; i < NELEMS(bad_arg1); i++)
        if (strcmp(bad_arg1[i].name, name) == 0)
            return bad_arg1[i].bad;
    return "{a: 1}";
}

/* "NAME(first, 1, 1, ...)" with n arguments in all (first used only when
 * n > 0) and an optional trailing named argument. */
static char *call_src(const char *name, int n, const char *first,
                      const char *named)
{
    StrBuf b;
    sb_init(&b);
    sb_printf(&b, "%s(", name);
    for (int i = 0; i < n; i++)
        sb_printf(&b, "%s%s", i ? ", " : "", i == 0 && first ? first : "1");
    if (named)
        sb_printf(&b, "%s%s", n ? ", " : "", named);
    sb_puts(&b, ")\n");
    char *s = sb_take(&b);
    sb_free(&b);
    return s;
}

/* True when line is "builtins.ovp:1:COL: error: NAME: ..." */
static bool located_and_named(const char *line, const char *name)
{
    const char *pre = FILE_NAME ":1:";
    if (strncmp(line, pre, strlen(pre)) != 0)
        return false;
    const char *p = line + strlen(pre);
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    const char *err = ": error: ";
    if (strncmp(p, err, strlen(err)) != 0)
        return false;
    p += strlen(err);
    size_t n = strlen(name);
    return strncmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ';
}

/* Runs src and checks exit 1, location, the built-in's name and that the
 * message line contains every needle (NULL-terminated). Returns whether
 * it all held; each failure is reported with the program and diagnostic. */
static bool expect_error(const char *what, const char *name, const char *src,
                         const char *const *needles)
{
    Run r = run(src);
    bool ok = r.code == 1;
    cr_expect(r.code == 1, "%s: %s: exit code %d, want 1\n  program: %s  diagnostic: %s",
              what, name, r.code, src, r.diag);
    if (r.code != 0) {
        bool loc = located_and_named(r.first, name);
        cr_expect(loc, "%s: %s: diagnostic does not start with "
                  "\"" FILE_NAME ":1:COL: error: %s: \"\n  program: %s  diagnostic: %s",
                  what, name, name, src, r.diag);
        ok = ok && loc;
    }
    for (int i = 0; needles[i]; i++) {
        bool has = strstr(r.first, needles[i]) != NULL;
        cr_expect(has, "%s: %s: message lacks \"%s\"\n  program: %s  diagnostic: %s",
                  what, name, needles[i], src, r.diag);
        ok = ok && has;
    }
    run_free(&r);
    return ok;
}

/* Number of parameters named in the signature ("..." counts as one). */
static int signature_params(const Builtin *b)
{
    char buf[64];
    int n = 0;
    for (;;) {
        builtin_param_name(b, n, buf, sizeof buf);
        if (!buf[0])
            return n;
        n++;
    }
}

static int count_builtins(void)
{
    int n = 0;
    for (int f = 0; builtin_families[f]; f++)
        for (const Builtin *b = builtin_families[f]; b->name; b++)
            n++;
    return n;
}

#define FOR_EACH_BUILTIN(b)                                                  \
    for (int f_ = 0; builtin_families[f_]; f_++)                             \
        for (const Builtin *b = builtin_families[f_]; b->name; b++)

/* ------------------------------------------------- the registry itself */

Test(registry, has_builtins)
{
    cr_assert_gt(count_builtins(), 50, "only %d built-ins registered", count_builtins());
}

Test(registry, names_unique)
{
    FOR_EACH_BUILTIN(a) {
        int seen = 0;
        FOR_EACH_BUILTIN(b)
            seen += strcmp(a->name, b->name) == 0;
        cr_expect_eq(seen, 1, "built-in %s is registered %d times", a->name, seen);
        cr_expect_eq(builtin_lookup(a->name), a, "builtin_lookup(\"%s\") finds another row",
                     a->name);
    }
}

Test(registry, rows_well_formed)
{
    FOR_EACH_BUILTIN(b) {
        cr_expect_not_null(b->fn, "%s: no C function", b->name);
        cr_expect(b->help && b->help[0], "%s: no help text", b->name);
        cr_expect_geq(b->min_args, 0, "%s: min_args %d", b->name, b->min_args);
        if (b->max_args >= 0)
            cr_expect_leq(b->min_args, b->max_args, "%s: min_args %d > max_args %d",
                          b->name, b->min_args, b->max_args);
        if (!b->signature) {
            cr_expect_fail("%s: no signature", b->name);
            continue;
        }
        size_t n = strlen(b->name);
        cr_expect(strncmp(b->signature, b->name, n) == 0 && b->signature[n] == '(',
                  "%s: signature \"%s\" does not start with \"%s(\"", b->name,
                  b->signature, b->name);
        cr_expect(b->signature[strlen(b->signature) - 1] == ')',
                  "%s: signature \"%s\" does not end with ')'", b->name, b->signature);
        int params = signature_params(b);
        if (b->max_args >= 0)
            cr_expect_eq(params, b->max_args,
                         "%s: signature \"%s\" names %d parameters, max_args is %d",
                         b->name, b->signature, params, b->max_args);
        else
            cr_expect(strstr(b->signature, "...") != NULL,
                      "%s: variadic, but signature \"%s\" has no \"...\"", b->name,
                      b->signature);
    }
}

/* The exception tables name only registered built-ins, never both tables,
 * and each any-kind exception really accepts an odd argument 1. */
Test(registry, exception_tables_name_builtins)
{
    for (size_t i = 0; i < NELEMS(any_kind); i++) {
        cr_expect_not_null(builtin_lookup(any_kind[i].name),
                           "any_kind exception '%s' is not a built-in", any_kind[i].name);
        cr_expect(any_kind[i].why && any_kind[i].why[0]);
    }
    for (size_t i = 0; i < NELEMS(bad_arg1); i++) {
        cr_expect_not_null(builtin_lookup(bad_arg1[i].name),
                           "bad_arg1 override '%s' is not a built-in", bad_arg1[i].name);
        cr_expect(!is_exempt(bad_arg1[i].name), "'%s' is in both tables",
                  bad_arg1[i].name);
    }
}

Test(registry, any_kind_exceptions_are_real)
{
    for (size_t i = 0; i < NELEMS(any_kind); i++) {
        Run r = run(any_kind[i].call);
        cr_expect_eq(r.code, 0, "exception %s (%s) is stale: `%s` fails: %s",
                     any_kind[i].name, any_kind[i].why, any_kind[i].call, r.diag);
        run_free(&r);
    }
}

/* ---------------------------------------------------- (a) too many */

Test(arity, too_many_arguments)
{
    int tested = 0, passed = 0;
    FOR_EACH_BUILTIN(b) {
        if (b->max_args < 0)
            continue;
        char *src = call_src(b->name, b->max_args + 1, NULL, NULL);
        char needle[96];
        snprintf(needle, sizeof needle, "%s: expected", b->name);
        char got[32];
        snprintf(got, sizeof got, "got %d", b->max_args + 1);
        const char *needles[] = {needle, got, NULL};
        passed += expect_error("too many arguments", b->name, src, needles);
        tested++;
        free(src);
    }
    cr_log_info("too many arguments: %d/%d built-ins pass", passed, tested);
    cr_expect_gt(tested, 0);
}

/* ----------------------------------------------------- (b) too few */

Test(arity, too_few_arguments)
{
    int tested = 0, passed = 0;
    FOR_EACH_BUILTIN(b) {
        if (b->min_args <= 0)
            continue;
        char *src = call_src(b->name, b->min_args - 1, NULL, NULL);
        char needle[96];
        snprintf(needle, sizeof needle, "%s: expected", b->name);
        const char *needles[] = {needle, NULL};
        passed += expect_error("too few arguments", b->name, src, needles);
        tested++;
        free(src);
    }
    cr_log_info("too few arguments: %d/%d built-ins pass", passed, tested);
    cr_expect_gt(tested, 0);
}

/* ------------------------------------------ (c) wrong kind, argument 1 */

Test(types, wrong_kind_argument_1)
{
    int tested = 0, passed = 0;
    FOR_EACH_BUILTIN(b) {
        if (b->max_args == 0 || is_exempt(b->name))
            continue;
        int n = b->min_args > 1 ? b->min_args : 1;
        char *src = call_src(b->name, n, bad_value_for(b->name), NULL);
        char needle[96], param[64], with_param[160];
        snprintf(needle, sizeof needle, "%s: argument 1 (", b->name);
        builtin_param_name(b, 0, param, sizeof param);
        snprintf(with_param, sizeof with_param, "argument 1 (%s) must be", param);
        const char *needles[] = {needle, "must be", with_param, NULL};
        passed += expect_error("wrong kind in argument 1", b->name, src, needles);
        tested++;
        free(src);
    }
    cr_log_info("wrong kind in argument 1: %d/%d built-ins pass (%zu exempt)", passed,
                tested, NELEMS(any_kind));
    cr_expect_gt(tested, 0);
}

/* --------------------------------------- (d) unknown named argument */

Test(named, unknown_named_argument)
{
    int tested = 0, passed = 0;
    FOR_EACH_BUILTIN(b) {
        char *src = call_src(b->name, b->min_args, NULL, "zz = 1");
        char needle[96];
        snprintf(needle, sizeof needle, "%s: unknown named argument 'zz'", b->name);
        const char *needles[] = {needle, NULL};
        passed += expect_error("unknown named argument", b->name, src, needles);
        tested++;
        free(src);
    }
    cr_log_info("unknown named argument: %d/%d built-ins pass", passed, tested);
}
