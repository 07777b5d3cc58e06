/* format.h: how values print (display and compact forms) and the
 * printf-style formatter behind printf, sprintf, check and error. */
#ifndef OVP_FORMAT_H
#define OVP_FORMAT_H

#include "value/rterror.h"
#include "base/strbuf.h"
#include "value/value.h"

/* Rows and columns shown before a matrix is truncated. */
#define FORMAT_MAX_ROWS 12
#define FORMAT_MAX_COLS 10

/* The full display of a value, ending with a newline: numbers with 10
 * significant digits, matrices with their shape and aligned columns. */
void format_display(StrBuf *out, Value v);
/* format_display, or with full every element of a matrix, none hidden. */
void format_display_as(StrBuf *out, Value v, bool full);
/* A one-line form, used inside lists and records. */
void format_compact(StrBuf *out, Value v);
/* A number as print shows it (%.10g, with inf, -inf and nan). */
void format_number(StrBuf *out, double x);

/* Formats args by fmt: %d %i %g %f %e %s %% with flags, width and
 * precision. Matrix arguments contribute their elements in column-major
 * order; the format is reused while arguments remain. Raises a located
 * error and returns false on a bad format or argument. */
bool format_printf(RtError *E, StrBuf *out, const char *fmt, int nargs,
                   const Value *args, const char *who);

#endif
