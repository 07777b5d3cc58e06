/* rterror.c: raising and clearing the pending runtime error.
 *
 * The message is formatted into a fresh heap string, owned by the RtError
 * until rt_clear. Nothing here prints: rendering the message with its
 * source line is the interpreter's job (interp_render_error).
 */
#include "value/rterror.h"

#include <stdlib.h>

#include "base/strbuf.h"

/* Every error starts with the code EXIT_RUNTIME; the few callers that
 * mean another one (a syntax error found while preparing a program, an
 * interrupt) overwrite E->code right after raising. The va_list is
 * consumed only when the error is recorded. */
Value rt_vraise(RtError *E, const Loc *loc, const char *fmt, va_list ap)
{
    if (E->msg)
        return val_error;   /* keep the first (innermost) error */
    E->msg = xvasprintf(fmt, ap);
    E->located = loc != NULL;
    if (loc)
        E->loc = *loc;
    E->code = EXIT_RUNTIME;
    return val_error;
}

Value rt_raise(RtError *E, const Loc *loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Value r = rt_vraise(E, loc, fmt, ap);
    va_end(ap);
    return r;
}

/* For errors raised without a location: the value layer and the
 * built-ins do not know the call site, so the dispatcher that does calls
 * this after the call failed. A location already set wins: it is the
 * more precise one (a line inside a function the built-in called back). */
Value rt_interrupted(RtError *E, const Loc *loc)
{
    if (!E->msg) {
        rt_raise(E, loc, "interrupted");
        E->code = EXIT_INTERRUPT;
    }
    return val_error;
}

void rt_locate(RtError *E, const Loc *loc)
{
    if (E->msg && !E->located && loc) {
        E->loc = *loc;
        E->located = true;
    }
}

/* Frees the message and leaves no error pending; E can be raised again. */
void rt_clear(RtError *E)
{
    free(E->msg);
    E->msg = NULL;
    E->located = false;
    E->code = EXIT_OK;
}
