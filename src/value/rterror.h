/* rterror.h: the pending runtime error, the one channel through which
 * every layer from the values up reports a failure.
 *
 * Contract: a failing operation fills the RtError it was given and returns
 * val_error (or false); its caller passes the failure up without touching
 * the message. Only the first error is kept: an operation that fails while
 * unwinding from another (a cleanup, a second check) does not overwrite
 * the message that explains what went wrong first. The evaluator owns the
 * RtError (it lives in the interpreter object) and is the only one that
 * clears it, after the error was shown. Layers below the evaluator see
 * nothing else of the interpreter. */
#ifndef OVP_RTERROR_H
#define OVP_RTERROR_H

#include <stdarg.h>
#include <stdbool.h>

#include "base/diag.h"
#include "value/value.h"

/* Exit codes of the command line (documented in the manual); an error
 * carries the one it maps to. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_SYNTAX = 2, EXIT_CHECK = 3,
       EXIT_INTERRUPT = 130 };

typedef struct RtError {
    char *msg;       /* NULL when no error is pending; owned */
    Loc loc;         /* where, when located */
    bool located;    /* false: the caller that knows the site fills it in */
    int code;        /* the exit code it maps to */
} RtError;

/* Raises an error at loc (NULL: unlocated, the built-in dispatcher then
 * places it at the call site) with exit code EXIT_RUNTIME, unless one is
 * already pending. Returns val_error so callers can `return rt_raise(...)`. */
Value rt_raise(RtError *E, const Loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
Value rt_vraise(RtError *E, const Loc *loc, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Raises "interrupted" at loc with EXIT_INTERRUPT (a poll of
 * interrupt.h found Ctrl-C). Returns val_error. */
Value rt_interrupted(RtError *E, const Loc *loc);
/* Gives a pending unlocated error the location loc. */
void rt_locate(RtError *E, const Loc *loc);
/* Forgets the pending error. */
void rt_clear(RtError *E);

static inline bool rt_pending(const RtError *E) { return E->msg != NULL; }

#endif
