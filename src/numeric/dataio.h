/* dataio.h: reading and writing matrices in CSV, NumPy .npy and IDX files.
 *
 * Pure I/O and numerics: knows Matrix and nothing of the language.
 *
 * Errors: every function reports failure by returning NULL or -1 and writing
 * a one-line message into err (errlen bytes, always NUL-terminated when
 * errlen > 0; err may be NULL). The message starts with the path and says
 * what is wrong, e.g.
 *   "data.npy: truncated: header says 3x4 float64 (96 bytes) but only 40 follow"
 *   "x.csv:3: row has 2 fields, expected 3"
 *   "missing.csv: No such file or directory"
 * Sizes claimed by a file are checked with mat_size_ok before anything is
 * allocated. Returned matrices give the caller one reference.
 */
#ifndef OVP_DATAIO_H
#define OVP_DATAIO_H

#include <stddef.h>

#include "base/matrix.h"

/* What the loaders do with NaN and infinite values in the data (R14 of
 * RELIABILITY.md). DIO_NAN_ERROR refuses them with an error naming the
 * file and the position of the first one; DIO_NAN_ALLOW keeps them. The
 * language's load(..., nan = "error" | "allow") maps onto this. */
typedef enum { DIO_NAN_ERROR = 0, DIO_NAN_ALLOW = 1 } DioNan;

/* Options of the *_opts loaders; a NULL pointer or a zeroed struct gives
 * the defaults. */
typedef struct {
    DioNan nan;      /* default DIO_NAN_ERROR */
    size_t max_text; /* CSV only: most bytes of text read; 0 means
                        dio_max_text() (a test sets a small one) */
    char sep;        /* CSV only: the field separator; 0 means ','. ' '
                        means any run of spaces and tabs, as NumPy's
                        savetxt writes and loadtxt reads by default */
} DioLoadOpts;

/* The default cap on the text of a CSV file: 32 bytes for each of the
 * MAT_MAX_ELEMS elements a matrix may have (dataio.c says why). */
size_t dio_max_text(void);

/* Which files the loaders read: regular files and named pipes (a FIFO is
 * read to its end, so one the user names explicitly works). Directories
 * ("Is a directory"), character and block devices and sockets are refused
 * before they are opened, e.g.
 *   "/dev/zero: is a character device, not a regular file or a named pipe"
 * so that a path to /dev/zero (a symlink named x.csv, say) fails at once
 * instead of reading for ever. */

/* Loads a CSV file of numbers: fields separated by commas (spaces and tabs
 * around a field are ignored), one row per line ending in "\n" or "\r\n".
 * A number is a decimal: an optional sign, digits with an optional point
 * (".5" and "5." too), an optional exponent. The first line is a header
 * when none of its fields looks like a number (anything strtod reads
 * completely: so "nan" or "0x10" makes it a data line, which then fails
 * below); its names (trimmed, one pair of surrounding double quotes
 * removed) are returned in *header as a malloc'd array of *nheader malloc'd
 * strings, to be freed with dio_free_header; *header is NULL and *nheader 0
 * when there is none. header and nheader may both be NULL to discard it.
 * Blank lines at the end are ignored; a blank line elsewhere, a row whose
 * field count differs from the first row (or the header), an empty or
 * non-numeric field are errors naming line and field. So are, whatever the
 * options:
 *   - a hexadecimal number ("0x10", which strtod reads as 16),
 *   - a number too large for a double ("1e999", which would read as inf),
 *   - a nonzero number so small it would read as 0 ("1e-400"); one that
 *     only loses digits (gradual underflow to a subnormal, "1e-310", down
 *     to 4.9e-324) is accepted, as numpy and every IEEE reader accept it,
 *   - text of more than max_text bytes (see dio_max_text),
 *   - a NUL byte (not a text file), found as the text is read.
 * NumPy's spellings of non-finite values, "nan", "inf", "-inf" (in any
 * case, with an optional sign, "infinity" too: what numpy.loadtxt reads;
 * glibc's printf writes a NaN with its sign bit set as "-nan") are
 * errors under DIO_NAN_ERROR and read as NaN and infinities under
 * DIO_NAN_ALLOW. Anything else strtod would take ("nan(1)") is not a
 * number. An empty file gives a 0x0 matrix; a header alone gives
 * 0 x (number of names). Messages, e.g.
 *   "x.csv:3: field 2 is NaN: \"nan\" (NaN and infinities are refused
 *    unless nan = \"allow\")"
 *   "x.csv:3: field 2 is a hexadecimal number: \"0x10\" (only decimal
 *    numbers are read)"
 *   "x.csv:3: field 2 is out of range: \"1e999\" (beyond 1.8e308, the
 *    largest double)" */
Matrix *dio_load_csv_opts(const char *path, const DioLoadOpts *opts, char ***header,
                          size_t *nheader, char *err, size_t errlen);

/* dio_load_csv_opts with DIO_NAN_ALLOW and the default cap: for tools
 * that pass data through unchanged (tests/unit/npytool, the fuzzers). */
Matrix *dio_load_csv(const char *path, char ***header, size_t *nheader, char *err,
                     size_t errlen);

/* Frees a header returned by dio_load_csv(_opts) (n names); NULL is allowed. */
void dio_free_header(char **header, size_t n);

/* Writes m as CSV, one row per line ending in "\n", values printed with
 * "%.17g" so they read back exactly (-0 included; nan, -nan, inf and -inf
 * only under DIO_NAN_ALLOW). When
 * header is non-NULL, nheader must equal m->cols and the names form the
 * first line; a name may not contain a comma, '\r' or '\n', and a name that
 * would not read back as a header name (one that looks like a number, is
 * empty, starts with '"' or has surrounding blanks) is written in double
 * quotes. A matrix with no columns writes no data lines. Returns 0, or -1
 * with err set (write errors included: the result of every write, fflush
 * and fclose is checked). The file is left as far as it got on failure. */
int dio_save_csv(const char *path, const Matrix *m, char *const *header, size_t nheader,
                 char *err, size_t errlen);

/* Loads a NumPy .npy file, format version 1.0, 2.0 or 3.0. Element types:
 * float (f2, f4, f8), signed and unsigned integers of 1, 2, 4 and 8 bytes
 * (64-bit values beyond 2^53 are rounded) and bool (b1, giving 0/1 and a
 * matrix marked logical), in either byte order. C and Fortran order.
 * Shape () gives 1x1, (n,) an n x 1 column, (r, c) an r x c matrix; more
 * dimensions, structured, complex, string and object dtypes are errors, as
 * are a bad magic, a malformed header and fewer data bytes than the header
 * promises (extra bytes after the data are ignored, as numpy does). Under
 * DIO_NAN_ERROR a NaN or infinite element of float data is an error naming
 * the first one (in row-major order) and counting them, e.g.
 *   "x.npy: row 2, column 3 (numpy index [1, 2]) is NaN, the first of 4
 *    non-finite values; NaN and infinities are refused unless
 *    nan = \"allow\"" */
Matrix *dio_load_npy_opts(const char *path, const DioLoadOpts *opts, char *err,
                          size_t errlen);

/* dio_load_npy_opts with DIO_NAN_ALLOW (see dio_load_csv). */
Matrix *dio_load_npy(const char *path, char *err, size_t errlen);

/* Writes m as a version 1.0 .npy file: dtype '<f8', fortran_order True,
 * shape (rows, cols) (so a column stays 2-D, (n, 1)); the header is padded
 * with spaces and ends in '\n' so the data starts at a multiple of 64
 * bytes. Returns 0, or -1 with err set. */
int dio_save_npy(const char *path, const Matrix *m, char *err, size_t errlen);

/* Loads an IDX file (the MNIST / Fashion-MNIST format), gzip-compressed or
 * not, into *out (NULL on failure). The magic is two zero bytes, the
 * element type and the number of dimensions (1 to 3), followed by the
 * big-endian 32-bit dimensions. Element types: 0x08 u8, 0x09 i8, 0x0B i16,
 * 0x0C i32, 0x0D f32, 0x0E f64. With dimensions (n) the result is n x 1;
 * with (n, d) it is n x d; with (n, r, c) it is n x (r*c), each item a row
 * holding its elements in row-major order. u8 data with two or more
 * dimensions (images) is scaled to [0, 1] by dividing by 255; everything
 * else (labels in particular) is returned unscaled. limit > 0 reads only
 * the first min(limit, n) items; limit 0 reads all. Returns 0, or -1 with
 * err set (bad magic, unknown type, too many dimensions, truncated data,
 * corrupt gzip stream, size too large, and under DIO_NAN_ERROR a NaN or
 * infinity in f32/f64 data, named by its row and column in the result as
 * for .npy). */
int dio_load_idx_opts(const char *path, size_t limit, const DioLoadOpts *opts, Matrix **out,
                      char *err, size_t errlen);

/* dio_load_idx_opts with DIO_NAN_ALLOW (see dio_load_csv). */
int dio_load_idx(const char *path, size_t limit, Matrix **out, char *err, size_t errlen);

#endif
