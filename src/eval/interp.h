/* interp.h: the interpreter state object. Every function of the runtime
 * takes an Interp first; nothing lives in globals except the SIGINT flag. */
#ifndef OVP_INTERP_H
#define OVP_INTERP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ad/ad.h"
#include "base/interrupt.h"
#include "front/ast.h"
#include "base/diag.h"
#include "base/params.h"
#include "base/rng.h"
#include "value/format.h"
#include "value/rterror.h"
#include "base/strbuf.h"
#include "value/value.h"

struct Builtin;
struct Frame;

/* What `end` stands for while a subscript is evaluated. */
typedef struct EndCtx {
    bool on;
    Value obj;
    int dim, nsubs;
} EndCtx;

/* A global name: its value (if assigned) and the built-in it names. */
typedef struct Sym {
    char *name;
    Value value;                  /* VAL_NIL when unassigned */
    const struct Builtin *builtin;
    struct Sym *next;
} Sym;

/* Control flow signals raised by statements. */
typedef enum Signal { SIG_NONE, SIG_BREAK, SIG_CONTINUE, SIG_RETURN,
                      SIG_ERROR } Signal;

/* The fuzzers build with -DINTERP_MAX_CALL_DEPTH=200. */
#ifndef INTERP_MAX_CALL_DEPTH
#define INTERP_MAX_CALL_DEPTH 1000
#endif
/* Calls listed in a runtime error's trace; deeper ones are counted. */
#define INTERP_TRACE_SHOWN 12

typedef struct Interp {
    Sym **buckets;
    size_t nbuckets, nsyms;
    Source *sources;          /* every text ever parsed (ASTs point in) */
    AstNode **programs;       /* every tree ever run (closures point in) */
    size_t nprograms, capprograms;

    /* The pending runtime error (sig == SIG_ERROR once the evaluator saw
     * it); the layers below write it through &I->err. */
    RtError err;
    /* The calls it unwound through, for the trace under the message. */
    struct {
        StrBuf trace;         /* "  in f, called at file:l:c" lines */
        StrBuf outermost;     /* the last frame, when more than shown */
        unsigned long frames; /* calls unwound; only the first few shown */
    } unwind;
    /* What the out-of-memory report (alloc.h) says: the statement being
     * run, NULL outside one; and a buffer reserved for rendering it, since
     * the report must not allocate. */
    const AstNode *running;
    StrBuf oom_report;
    Signal sig;
    Value ret;                /* the value of a pending `return` */
    int depth;                /* ovp call depth */
    /* The C stack: where it was when the interpreter was made, and how far
     * calls may take it below that before a call is refused (sanitizer
     * builds and small `ulimit -s` make frames or the stack tight). */
    const char *stack_base;
    size_t stack_room;
    struct Frame *frame;      /* innermost function frame, NULL at top */
    EndCtx end;               /* what `end` means in the current subscript */

    const Loc *site;          /* call site of the running built-in, for the
                                 functions it calls back */
    Ad ad;                    /* differentiation: the tape, if active */
    Rng rng;
    unsigned long checks_passed, checks_failed;
    double tic;
    bool repl;                /* echo expression statements */
    PrintOpts print_opts;     /* print's limits and digits (printopts) */
    /* Where emit() sends a result row (borrowed, already checked, its
     * fields none of interp_sweep_column's names): the sweep's collector,
     * or NULL, when emit prints the row instead. */
    void (*emit_row)(void *ctx, const Record *row);
    void *emit_ctx;
    /* The Jupyter kernel's hooks (app/kernel.c); all NULL elsewhere. echo
     * shows an expression statement's value (in the REPL's place);
     * figure_path gives a figure asked for without a file a path to be
     * drawn at (malloc'd), and show_figure displays a figure just drawn. */
    struct {
        void (*echo)(void *ctx, Value v);
        char *(*figure_path)(void *ctx);
        void (*show_figure)(void *ctx, const char *path);
        /* a check's verdict and message, shown as a badge */
        void (*check)(void *ctx, bool pass, const char *message);
        /* a training run's progress line, updated in place; done on its
         * last step */
        void (*progress)(void *ctx, const char *line, bool done);
        void *ctx;
    } display;
    FILE *out;
    char *stdlib_dir;
    char **imported;          /* absolute paths already imported */
    size_t nimported;
    int import_depth;
    /* Fuzz limit: when non-zero, every loop iteration and every call spends
     * one step, and the program stops with an error when none are left.
     * 0 (the default) means no limit. */
    unsigned long step_budget;
    Params params;            /* NAME=VALUE from the command line */
    bool vm_off;              /* OVP_VM=0: loops run on the walker (vm.h) */
} Interp;

/* True for the names of the columns ovp sweep writes beside a row's own
 * fields (checks_passed, checks_failed, status, message): emit refuses
 * them as field names, and the sweep's grid may not use them. */
bool interp_sweep_column(const char *name);

/* A new interpreter whose global names include every built-in of the
 * NULL-terminated list of family tables (builtin_families, from
 * builtins/registry.h, for the full language). */
Interp *interp_new(const struct Builtin *const *families);
void interp_free(Interp *I);

/* Parses and runs a program. Returns an exit code (EXIT_*); diagnostics
 * are written to `diag` (the caller prints them). */
int interp_run_source(Interp *I, const char *name, const char *text,
                      size_t len, StrBuf *diag);
int interp_run_file(Interp *I, const char *path, StrBuf *diag);
/* Records a file as already imported (the main script, so a module that
 * imports it back does not run it again). */
void interp_mark_imported(Interp *I, const char *path);

/* True when the C stack has grown past the room measured when the
 * interpreter was made: a deeper call or expression would risk overflow.
 * Inline: the evaluator asks at every node, and a call to it cost a tenth
 * of a scalar loop's time. */
static inline bool interp_stack_nearly_full(const Interp *I)
{
    char here;   /* signed: code may run in frames above the one measured */
    return I->stack_base && I->stack_base - &here > (ptrdiff_t)I->stack_room;
}

/* Adds "  in NAME, called at LOC" under the pending error: the call it
 * is unwinding through (the first INTERP_TRACE_SHOWN are listed, the
 * outermost is kept, the rest counted). */
void interp_trace(Interp *I, const char *name, const Loc *loc);

/* Raises a runtime error at loc (NULL: the caller's call site is used).
 * Returns val_error so callers can `return interp_error(...)`. */
Value interp_error(Interp *I, const Loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Clears a pending error after it was reported. */
void interp_clear_error(Interp *I);
/* Renders the pending error (message, caret, call chain) into out. */
void interp_render_error(Interp *I, StrBuf *out);

/* Globals. sym_intern creates an unassigned symbol when missing. */
Sym *sym_intern(Interp *I, const char *name);
Sym *sym_find(const Interp *I, const char *name);
/* Sets a global, taking v. */
void interp_set_global(Interp *I, const char *name, Value v);

/* Calls a function value (closure or built-in) with positional arguments
 * (borrowed). Used by built-ins that take callbacks. */
Value interp_call(Interp *I, Value fn, int argc, const Value *argv,
                  const Loc *loc);

/* Resolves the name of a module for `import`: stdlib first, then a path
 * relative to the importing file. */
char *interp_find_module(Interp *I, const char *name, const Source *from);

#endif
