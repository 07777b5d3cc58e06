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

#include "app/complete.h"
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

/* The matches of the word being completed (complete_at), handed to
 * readline one at a time by its generator protocol: called with state 0
 * for a new word, then again until it returns NULL. Each match is a
 * malloc'd copy, which readline frees. */
static char **pending;
static size_t next_pending;

static char *from_pending(const char *text, int state)
{
    (void)text;
    if (state == 0)
        next_pending = 0;
    return pending && pending[next_pending] ? xstrdup(pending[next_pending++]) : NULL;
}

/* Record fields after a dot (`run.<Tab>`); else the names in scope, and
 * inside a built-in's call its parameters as "name = ", which is
 * complete as it is (no space appended when only those match).
 * rl_attempted_completion_over stops readline from falling back to file
 * names when nothing matches. */
static char **complete(const char *text, int start, int end)
{
    (void)start;
    rl_attempted_completion_over = 1;
    complete_free(pending);
    size_t word;
    pending = complete_at(completion_interp, rl_line_buffer, (size_t)end, &word);
    bool only_parameters = pending[0] != NULL;
    for (size_t i = 0; pending[i]; i++)
        only_parameters = only_parameters && strchr(pending[i], '=');
    if (only_parameters)
        rl_completion_append_character = '\0';
    return rl_completion_matches(text, from_pending);
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
        if (!complete_input(input.s, input.len))
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
    complete_free(pending);
    pending = NULL;
#endif
    if (!written)
        return EXIT_RUNTIME;
    return I->checks_failed ? EXIT_CHECK : EXIT_OK;
}
