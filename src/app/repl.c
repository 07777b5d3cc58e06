/* repl.c: the read-eval-print loop. Each input is parsed with the same
 * parser as files; input that ends inside an open construct asks for more
 * with a continuation prompt. An error is reported and the session goes on
 * with its variables intact.
 *
 * Line editing is readline when configure found it, else a plain getchar
 * loop without history or completion. Everything the session defines
 * lives in the one Interp, so each input is a program of its own run
 * against the same globals (interp_run_source). */
#include "config.h"

#include "app/repl.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

#include "builtins/registry.h"
#include "eval/builtin.h"
#include "front/parse.h"

#define PROMPT "ovp> "
#define HISTORY_LINES 1000     /* kept in memory and in ~/.ovp_history */
#define CONTINUE_PROMPT "...> "

#ifdef HAVE_READLINE
/* Readline's completion callback takes no user pointer, so the
 * interpreter whose names it completes is kept here for the session. */
static Interp *completion_interp;
/* Set when Ctrl-C arrives while a line is being read: the input so far,
 * including earlier lines of an unfinished block, is thrown away. */
static bool input_cancelled;

/* Readline's input: a byte from the terminal, or, once Ctrl-C was pressed
 * (the SIGINT handler sets ovp_interrupted and read fails with EINTR), an
 * empty line. Readline's own signal handlers are off, so ours sees the key. */
static int read_key(FILE *in)
{
    for (;;) {
        if (ovp_interrupted) {
            ovp_interrupted = 0;
            input_cancelled = true;
            rl_replace_line("", 0);
            return '\n';
        }
        unsigned char c;
        ssize_t n = read(fileno(in), &c, 1);
        if (n == 1)
            return c;
        if (n == 0 || errno != EINTR)
            return EOF;
    }
}

/* True (once) when the line just read was cut short by Ctrl-C. */
static bool take_cancelled(void)
{
    bool c = input_cancelled;
    input_cancelled = false;
    return c;
}

/* Yields the global and built-in names starting with text.
 * Readline's generator protocol: called with state 0 for a new word, then
 * again until it returns NULL, so the position in the symbol table is
 * kept in statics between calls. A symbol with neither a value nor a
 * built-in is only a name the interpreter has seen (the resolver interns
 * every global name a program mentions, assigned or not) and is not
 * offered. Each match is a malloc'd copy, which readline frees. */
static char *complete_name(const char *text, int state)
{
    static size_t bucket;
    static const Sym *sym;
    if (state == 0) {
        bucket = 0;
        sym = NULL;
    }
    Interp *I = completion_interp;
    size_t n = strlen(text);
    while (bucket < I->nbuckets) {
        sym = sym ? sym->next : I->buckets[bucket];
        if (!sym) {
            bucket++;
            continue;
        }
        bool named = sym->value.kind != VAL_NIL || sym->builtin;
        if (named && strncmp(sym->name, text, n) == 0)
            return xstrdup(sym->name);
    }
    return NULL;
}

/* The candidates of a completion in context (record fields, named
 * arguments), gathered when the word starts and offered by prefix. */
static struct {
    char **names;
    size_t n;
} context_cands;

static void cands_clear(void)
{
    for (size_t i = 0; i < context_cands.n; i++)
        free(context_cands.names[i]);
    free(context_cands.names);
    context_cands.names = NULL;
    context_cands.n = 0;
}

static void cands_add(const char *name)
{
    context_cands.names = xrealloc(context_cands.names,
                                   (context_cands.n + 1) * sizeof *context_cands.names);
    context_cands.names[context_cands.n++] = xstrdup(name);
}

static char *complete_context(const char *text, int state)
{
    static size_t k;
    if (state == 0)
        k = 0;
    size_t n = strlen(text);
    while (k < context_cands.n) {
        const char *c = context_cands.names[k++];
        if (strncmp(c, text, n) == 0)
            return xstrdup(c);
    }
    return NULL;
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* `run.lo`: the record that the chain of names before the dot names
 * (a global, then fields), whose fields are the candidates. */
static bool record_fields_before(const char *line, int dot)
{
    const char *names[16];
    size_t lens[16];
    int depth = 0, p = dot;
    while (depth < 16 && p > 0 && line[p] == '.') {
        int end = p;
        while (p > 0 && is_name_char(line[p - 1]))
            p--;
        if (p == end)
            return false;
        names[depth] = line + p;
        lens[depth++] = (size_t)(end - p);
        p--;
    }
    if (depth == 0 || (p >= 0 && line[p] == '.'))
        return false;
    char first[64];
    snprintf(first, sizeof first, "%.*s", (int)lens[depth - 1], names[depth - 1]);
    Sym *s = sym_find(completion_interp, first);
    Value v = s ? s->value : val_nil;
    for (int d = depth - 2; d >= 0 && v.kind == VAL_REC; d--) {
        char field[64];
        snprintf(field, sizeof field, "%.*s", (int)lens[d], names[d]);
        Value *f = rec_get(v.as.rec, field);
        v = f ? *f : val_nil;
    }
    if (v.kind != VAL_REC)
        return false;
    for (size_t i = 0; i < v.as.rec->n; i++)
        cands_add(v.as.rec->keys[i]);
    return true;
}

/* `gd(f, x, l`: the built-in whose call is open before start, whose
 * parameter names are offered as "name = " beside the variables. */
static void named_arguments_before(const char *line, int start)
{
    int depth = 0, p = start - 1;
    for (; p >= 0; p--) {
        if (line[p] == ')' || line[p] == ']' || line[p] == '}')
            depth++;
        else if (line[p] == '(' || line[p] == '[' || line[p] == '{') {
            if (depth == 0)
                break;
            depth--;
        }
    }
    if (p <= 0 || line[p] != '(')
        return;
    int end = p;
    while (p > 0 && is_name_char(line[p - 1]))
        p--;
    char name[64];
    snprintf(name, sizeof name, "%.*s", end - p, line + p);
    const Builtin *bi = builtin_lookup(name);
    if (!bi)
        return;
    char param[64], entry[72];
    for (int i = 0; i < 32; i++) {
        builtin_param_name(bi, i, param, sizeof param);
        if (!param[0])
            break;
        if (strcmp(param, "...") != 0) {
            snprintf(entry, sizeof entry, "%s = ", param);
            cands_add(entry);
        }
    }
}

/* Readline's list of matches is [common prefix, match, ..., NULL], or
 * [the match, NULL] when there is one. */
static size_t match_count(char **m)
{
    size_t n = 0;
    while (m[n + 1])
        n++;
    return n ? n : 1;
}

/* Moves the matches of m into all from position k (freeing m and its
 * prefix); returns the next free position. */
static size_t take_matches(char **m, char **all, size_t k)
{
    if (!m[1]) {
        all[k++] = m[0];
    } else {
        for (size_t i = 1; m[i]; i++)
            all[k++] = m[i];
        free(m[0]);
    }
    free(m);
    return k;
}

/* Record fields after a dot (`run.<Tab>`); else the names in scope,
 * and inside a built-in's call its parameters as "name = ".
 * rl_attempted_completion_over stops readline from falling back to file
 * names when nothing matches. */
static char **complete(const char *text, int start, int end)
{
    (void)end;
    rl_attempted_completion_over = 1;
    cands_clear();
    if (start > 0 && rl_line_buffer[start - 1] == '.') {
        if (!record_fields_before(rl_line_buffer, start - 1))
            return NULL;
        return rl_completion_matches(text, complete_context);
    }
    named_arguments_before(rl_line_buffer, start);
    char **names = rl_completion_matches(text, complete_name);
    if (!context_cands.n)
        return names;
    char **params = rl_completion_matches(text, complete_context);
    if (!params)
        return names;
    if (!names) {
        rl_completion_append_character = '\0';   /* "lr = " is complete as it is */
        return params;
    }
    /* both: one list, [what to insert, match, match, ..., NULL] */
    char **all = xmalloc((match_count(names) + match_count(params) + 2) * sizeof *all);
    size_t k = 1;
    k = take_matches(names, all, k);
    k = take_matches(params, all, k);
    all[0] = xstrdup(text);
    all[k] = NULL;
    return all;
}

/* ~/.ovp_history, or NULL without $HOME (then no history is kept). */
static char *history_path(void)
{
    const char *home = getenv("HOME");
    if (!home)
        return NULL;
    return xasprintf("%s/.ovp_history", home);
}

static char *read_line(const char *prompt)
{
    return readline(prompt);
}

/* One history entry per complete input: a block typed over several lines
 * (fn ... end) comes back whole, its lines joined by newlines, and runs
 * again as one input. The final newline is not kept; an input of blanks
 * is not worth an entry. */
static void remember(const char *input)
{
    size_t n = strlen(input);
    while (n > 0 && (input[n - 1] == '\n' || input[n - 1] == ' '))
        n--;
    if (n == 0)
        return;
    char *entry = xstrndup(input, n);
    add_history(entry);
    free(entry);
}
#else
/* Without readline: one line from stdin, without its newline; NULL at end
 * of input with nothing read, while a last line lacking its newline is
 * still returned. The prompt is flushed since stdout may be buffered. */
static char *read_line(const char *prompt)
{
    fputs(prompt, stdout);
    fflush(stdout);
    StrBuf b;
    sb_init(&b);
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        sb_putc(&b, (char)c);
    if (c == EOF && b.len == 0) {
        sb_free(&b);
        return NULL;
    }
    char *s = sb_take(&b);
    sb_free(&b);
    return s;
}

static void remember(const char *input)
{
    (void)input;
}

static bool take_cancelled(void)
{
    return false;
}
#endif

/* True when the whole input is the one word w (blanks around it). */
static bool input_is(const char *line, const char *w)
{
    while (isspace((unsigned char)*line))
        line++;
    size_t n = strlen(w);
    if (strncmp(line, w, n) != 0)
        return false;
    for (line += n; *line; line++)
        if (!isspace((unsigned char)*line))
            return false;
    return true;
}

/* `help name` is shorthand for help("name"), and `help` alone for help().
 * It applies only when the whole input is `help` and at most one
 * identifier: `help name` is not valid syntax otherwise, and `help` alone
 * would only echo the built-in, so no program changes meaning.
 * Returns a malloc'd rewrite, or NULL to run the input as typed. */
static char *rewrite_help(const char *line)
{
    if (input_is(line, "help"))
        return xstrdup("help()");
    const char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "help", 4) != 0 || !isspace((unsigned char)p[4]))
        return NULL;
    p += 4;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    const char *rest = p + n;
    while (isspace((unsigned char)*rest))
        rest++;
    if (n == 0 || *rest)
        return NULL;
    return xasprintf("help(\"%.*s\")", (int)n, p);
}

/* True when text parses or fails for a reason other than ending early.
 * The parser marks an error found at the end of the input as incomplete;
 * then the REPL asks for another line instead of reporting it. Any other
 * syntax error counts as complete so that it is reported at once. The
 * input is parsed again when it runs: inputs are short, and this keeps
 * the REPL on the same path as files. */
static bool is_complete(const char *text, size_t len)
{
    Source src = {.name = "<repl>", .text = (char *)text, .len = len};
    ParseError err = {0};
    AstNode *tree = parse_source(&src, &err);
    bool incomplete = !tree && err.incomplete;
    ast_free(tree);
    parse_error_clear(&err);
    return !incomplete;
}

/* `quit` or `exit` alone (also with "()") ends the session, as Ctrl-D
 * does, unless the program has given the name a value of its own. */
static bool leaves(Interp *I, const char *input)
{
    static const char *const words[] = {"quit", "exit", "quit()", "exit()"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        if (!input_is(input, words[i]))
            continue;
        char name[5];
        memcpy(name, words[i], 4);
        name[4] = '\0';
        Sym *s = sym_find(I, name);
        return !s || s->value.kind == VAL_NIL;
    }
    return false;
}

/* The flag is cleared before the run so that a Ctrl-C pressed while the
 * input was typed cannot stop it. Output is flushed before the
 * diagnostics go to stderr, so an error comes after what was printed.
 * Returns false when output could not be written, now or before (the
 * prompt included): the stream's error flag stays set for main, which
 * reports it with its reason when the session ends. */
static bool evaluate(Interp *I, const char *text, size_t len)
{
    StrBuf diag;
    sb_init(&diag);
    ovp_interrupted = 0;
    char *help = rewrite_help(text);
    interp_run_source(I, "<repl>", help ? help : text, help ? strlen(help) : len, &diag);
    ovp_interrupted = 0;     /* a Ctrl-C that stopped this input is spent */
    free(help);
    bool written = fflush(I->out) == 0 && !ferror(I->out);
    fputs(diag.s, stderr);
    sb_free(&diag);
    return written;
}

/* I->repl makes the evaluator echo the value of an expression statement.
 * Ctrl-C while typing drops the whole pending input, unfinished block
 * included. At end of input a pending incomplete input is still run, so
 * its syntax error is shown rather than lost; the newline leaves the
 * shell's prompt on a line of its own. Errors do not change the exit
 * status; a failed check does, and so does output that could not be
 * written (a full disk, a closed stdout): then the session ends after
 * that input, since going on would evaluate inputs whose results nobody
 * can see, and main gives the message and status 1. */
int repl_run(Interp *I)
{
    I->repl = true;
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
        printf("ovp %s: help lists the built-ins, help name explains one; "
               "quit, exit or Ctrl-D leaves\n", PACKAGE_VERSION);
#ifdef HAVE_READLINE
    completion_interp = I;
    rl_attempted_completion_function = complete;
    rl_getc_function = read_key;
    rl_catch_signals = 0;
    rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(,[+-*/^.:";
    stifle_history(HISTORY_LINES);
    char *hist = history_path();
    if (hist)
        read_history(hist);
#endif
    StrBuf input;
    sb_init(&input);
    char *line;
    bool written = true;
    while (written && (line = read_line(input.len ? CONTINUE_PROMPT : PROMPT)) != NULL) {
        if (take_cancelled()) {
            free(line);
            sb_clear(&input);
            continue;
        }
        sb_puts(&input, line);
        sb_putc(&input, '\n');
        free(line);
        if (!is_complete(input.s, input.len))
            continue;
        remember(input.s);
        if (leaves(I, input.s)) {
            sb_clear(&input);
            break;
        }
        written = evaluate(I, input.s, input.len);
        sb_clear(&input);
    }
    if (written && input.len)
        written = evaluate(I, input.s, input.len);
    if (written)
        putchar('\n');
    sb_free(&input);
#ifdef HAVE_READLINE
    if (hist)
        write_history(hist);
    free(hist);
#endif
    if (!written)
        return EXIT_RUNTIME;
    return I->checks_failed ? EXIT_CHECK : EXIT_OK;
}
