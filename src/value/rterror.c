/* rterror.c: raising and clearing the pending runtime error. */
#include "value/rterror.h"

#include <stdlib.h>

#include "base/strbuf.h"

Value rt_vraise(RtError *E, const Loc *loc, const char *fmt, va_list ap)
{
    if (E->msg)
        return val_error;   /* keep the first (innermost) error */
    StrBuf b;
    sb_init(&b);
    sb_vprintf(&b, fmt, ap);
    E->msg = sb_take(&b);
    sb_free(&b);
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

void rt_locate(RtError *E, const Loc *loc)
{
    if (E->msg && !E->located && loc) {
        E->loc = *loc;
        E->located = true;
    }
}

void rt_clear(RtError *E)
{
    free(E->msg);
    E->msg = NULL;
    E->located = false;
    E->code = EXIT_OK;
}
