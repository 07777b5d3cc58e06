/* format.h: how values print (display and compact forms) and the
 * printf-style formatter behind printf, sprintf, check and error. */
#ifndef OVP_FORMAT_H
#define OVP_FORMAT_H

#include "value/rterror.h"
#include "base/strbuf.h"
#include "value/value.h"

/* Rows and columns shown before a matrix is truncated, and the
 * significant digits of its elements, by default. */
#define FORMAT_MAX_ROWS 12
#define FORMAT_MAX_COLS 10
#define FORMAT_DIGITS 6
/* The most digits asked for: 17 tell every double apart. */
#define FORMAT_MAX_DIGITS 17

/* How the display shows a matrix: at most rows x cols of its elements
 * (SIZE_MAX: all of them), each with digits significant digits. A number
 * shows 10 digits, or digits when that is more. */
typedef struct {
    size_t rows, cols;
    int digits;
} PrintOpts;

PrintOpts format_default_opts(void);

/* The full display of a value, ending with a newline: numbers with 10
 * significant digits, matrices with their shape and aligned columns. */
void format_display(StrBuf *out, Value v);
/* format_display with the given limits and digits. */
void format_display_opts(StrBuf *out, Value v, PrintOpts opts);
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
