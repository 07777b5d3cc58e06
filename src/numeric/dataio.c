/* dataio.c: CSV, NumPy .npy and IDX reading and writing (see dataio.h).
 *
 * Binary element decoding is shared: a Reader streams the payload through a
 * small buffer, turning each element (any byte order, float/int/uint/bool)
 * into a double placed at its column-major position. Byte order is handled
 * by assembling integers from bytes, so the code does not depend on the
 * host's endianness.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "numeric/dataio.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"

#if defined(__GNUC__)
#define DIO_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DIO_PRINTF(f, a)
#endif

/* Longest .npy header text accepted (numpy itself writes well under 1 KiB). */
#define NPY_MAX_HEADER ((size_t)1 << 20)
/* Bytes moved per read or write call when streaming binary data. */
#define CHUNK 16384

/* ------------------------------------------------------------------ */
/* Errors and files                                                    */

/* The file being worked on, where its error message goes and, for a
 * loader, its options (writers leave them zero). */
typedef struct {
    const char *path;
    char *err;
    size_t errlen;
    bool allow_nonfinite; /* DIO_NAN_ALLOW */
    size_t max_text;      /* CSV: most bytes read (0 only in writers) */
    char sep;             /* CSV: the separator, ',' by default; ' ' blanks */
} Ctx;

/* Writes the path followed by the formatted text (which supplies its own
 * separator, ": ..." or ":LINE: ...") into the error buffer; returns -1. */
DIO_PRINTF(2, 3) static int fail(const Ctx *cx, const char *fmt, ...)
{
    if (!cx->err || cx->errlen == 0)
        return -1;
    int n = snprintf(cx->err, cx->errlen, "%s", cx->path);
    if (n < 0)
        n = 0;
    if ((size_t)n < cx->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cx->err + n, cx->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* errno after a failed write, never 0. */
static int last_error(void)
{
    return errno ? errno : EIO;
}

/* Refuses what a loader does not read, given its status: directories
 * ("Is a directory", as open(2) would say for writing), devices, sockets.
 * Regular files and FIFOs pass: a FIFO is read only when the user names
 * it, and then reading it to its end is what was asked for. A device is
 * refused because its "file" may never end (/dev/zero, /dev/urandom: the
 * audit's load of /dev/zero read 4.2 GB in 35 s before failing) or may
 * block or have side effects when opened or read (a terminal, a tape). */
static int refuse_kind(const Ctx *cx, const struct stat *st)
{
    mode_t m = st->st_mode;
    if (S_ISREG(m) || S_ISFIFO(m))
        return 0;
    if (S_ISDIR(m))
        return fail(cx, ": %s", strerror(EISDIR));
    const char *kind = S_ISCHR(m) ? "is a character device"
                       : S_ISBLK(m) ? "is a block device"
                       : S_ISSOCK(m) ? "is a socket" : "is a special file";
    return fail(cx, ": %s, not a regular file or a named pipe", kind);
}

/* Opens the path read-only; the descriptor, or -1 after reporting. *st
 * receives the file's status. The kind is checked with stat before
 * opening, so that a device is never opened (opening a FIFO waits for a
 * writer, which is what naming one means), and again on the descriptor,
 * in case the path was replaced in between. O_CLOEXEC keeps the
 * descriptor out of child processes (plot runs gnuplot). */
static int open_fd(const Ctx *cx, struct stat *st)
{
    if (stat(cx->path, st) != 0)
        return fail(cx, ": %s", strerror(errno));
    if (refuse_kind(cx, st) != 0)
        return -1;
    int fd = open(cx->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(cx, ": %s", strerror(errno));
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        return fail(cx, ": %s", strerror(e));
    }
    if (refuse_kind(cx, st) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* open_fd as a stdio stream; NULL after reporting. */
static FILE *open_read(const Ctx *cx, struct stat *st)
{
    int fd = open_fd(cx, st);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        fail(cx, ": %s", strerror(e));
    }
    return f;
}

/* Flushes and closes a stream being written; e is the error (an errno
 * value) met while writing, 0 if none. Returns 0, or -1 after reporting. */
static int close_write(const Ctx *cx, FILE *f, int e)
{
    if (e == 0 && fflush(f) != 0)
        e = last_error();
    if (fclose(f) != 0 && e == 0)
        e = last_error();
    return e ? fail(cx, ": write error: %s", strerror(e)) : 0;
}

/* Opens the path for writing (truncating); NULL after reporting. errno
 * is cleared first so that a failure which sets none reads as EIO, not as
 * a stale error. */
static FILE *open_write(const Ctx *cx)
{
    errno = 0;
    FILE *f = fopen(cx->path, "wb");
    if (!f)
        fail(cx, ": %s", strerror(last_error()));
    return f;
}

/* The loaders' options as given to the dio_load_*() of old, which pass
 * data through: NaN and infinities are kept. */
static const DioLoadOpts keep_all = {DIO_NAN_ALLOW, 0, 0};

/* The context of a loader; NULL options are the defaults. A max_text
 * above SIZE_MAX / 2 is lowered to it, so that slurp's max + 2 cannot
 * wrap. */
static Ctx load_ctx(const char *path, const DioLoadOpts *o, char *err, size_t errlen)
{
    Ctx cx = {path, err, errlen, o && o->nan == DIO_NAN_ALLOW, dio_max_text(),
              o && o->sep ? o->sep : ','};
    if (o && o->max_text)
        cx.max_text = o->max_text < SIZE_MAX / 2 ? o->max_text : SIZE_MAX / 2;
    return cx;
}

/* How check_finite names a position: as in a .npy array of 0, 1 or 2
 * dimensions, or by row and column of the result (IDX). */
typedef enum { POS_NPY0, POS_NPY1, POS_NPY2, POS_MATRIX } PosStyle;

/* Refuses NaN and infinities in m, just decoded from float data, unless
 * nan = "allow"; 0, or -1 after reporting. The message names the first
 * one in row-major order (the order numpy prints an array in), 1-based
 * as in ovp with numpy's 0-based index beside it, and says how many there
 * are, so a file with a few bad values reads differently from one that is
 * all NaN. The count costs one pass over data just read; the row-major
 * search runs only when there is something to find. */
static int check_finite(const Ctx *cx, const Matrix *m, PosStyle style)
{
    if (cx->allow_nonfinite)
        return 0;
    size_t n = m->rows * m->cols, bad = 0;
    for (size_t k = 0; k < n; k++)
        bad += !isfinite(m->data[k]);
    if (bad == 0)
        return 0;
    size_t i = 0, j = 0;
    for (i = 0; i < m->rows; i++) {
        for (j = 0; j < m->cols && isfinite(MAT_AT(m, i, j)); j++)
            ;
        if (j < m->cols)
            break;
    }
    double x = MAT_AT(m, i, j);
    char where[128], count[64] = "";
    if (style == POS_NPY0)
        snprintf(where, sizeof where, "the value");
    else if (style == POS_NPY1)
        snprintf(where, sizeof where, "element %zu (numpy index [%zu])", i + 1, i);
    else if (style == POS_NPY2)
        snprintf(where, sizeof where, "row %zu, column %zu (numpy index [%zu, %zu])", i + 1,
                 j + 1, i, j);
    else
        snprintf(where, sizeof where, "row %zu, column %zu", i + 1, j + 1);
    if (bad > 1)
        snprintf(count, sizeof count, ", the first of %zu non-finite values", bad);
    return fail(cx, ": %s is %s%s; NaN and infinities are refused unless nan = \"allow\"",
                where, isnan(x) ? "NaN" : x > 0 ? "infinite (inf)" : "infinite (-inf)", count);
}

/* ------------------------------------------------------------------ */
/* Element types and decoding                                          */

/* An element type: kind 'f' float, 'i' signed, 'u' unsigned, 'b' bool. */
typedef struct {
    char kind;
    unsigned size; /* bytes: 1, 2, 4 or 8 */
    bool big;      /* big-endian */
} Dtype;

/* True when (kind, size) is one of the types decode() understands. */
static bool dtype_ok(char kind, unsigned size)
{
    switch (kind) {
    case 'f': return size == 2 || size == 4 || size == 8;
    case 'i':
    case 'u': return size == 1 || size == 2 || size == 4 || size == 8;
    case 'b': return size == 1;
    default: return false;
    }
}

/* The numpy name of t ("float64", "uint8", "bool") into buf. */
static const char *dtype_name(const Dtype *t, char *buf, size_t cap)
{
    const char *base = t->kind == 'f' ? "float" : t->kind == 'i' ? "int" : "uint";
    if (t->kind == 'b')
        snprintf(buf, cap, "bool");
    else
        snprintf(buf, cap, "%s%u", base, 8 * t->size);
    return buf;
}

/* The unsigned integer held in the size bytes at p. */
static uint64_t load_uint(const unsigned char *p, unsigned size, bool big)
{
    uint64_t u = 0;
    for (unsigned k = 0; k < size; k++)
        u = u << 8 | p[big ? k : size - 1 - k];
    return u;
}

/* The two's-complement value of the low 8*size bits of u. A negative
 * value is negated from its magnitude, (~u + 1) masked to the width, which
 * is exact even for the most negative 64-bit value (2^63 is a double). */
static double int_value(uint64_t u, unsigned size)
{
    unsigned bits = 8 * size;
    uint64_t mask = bits == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    if (!(u >> (bits - 1) & 1))
        return (double)u;
    return -(double)((~u + 1) & mask);
}

/* An IEEE half-precision value: 1 sign bit, 5 exponent bits (bias 15),
 * 10 fraction bits. A normal value is (1024 + f) 2^(e - 25), which is
 * 1.f 2^(e - 15); a subnormal one is f 2^-24. */
static double half_value(unsigned h)
{
    int e = (int)(h >> 10 & 0x1f);
    double s = (h & 0x8000) ? -1.0 : 1.0, f = (double)(h & 0x3ff);
    if (e == 0)
        return s * ldexp(f, -24);
    if (e == 31)
        return f != 0 ? NAN : s * INFINITY;
    return s * ldexp(f + 1024, e - 25);
}

/* The IEEE float of size 2, 4 or 8 bytes whose bits are u, reinterpreted
 * with memcpy (a pointer cast would break aliasing rules). A float widens
 * to double exactly. */
static double float_value(uint64_t u, unsigned size)
{
    if (size == 8) {
        double d;
        memcpy(&d, &u, sizeof d);
        return d;
    }
    if (size == 4) {
        uint32_t w = (uint32_t)u;
        float x;
        memcpy(&x, &w, sizeof x);
        return x;
    }
    return half_value((unsigned)u);
}

/* The element of type t at p as a double (bool: 0 or 1). */
static double decode(const unsigned char *p, const Dtype *t)
{
    uint64_t u = load_uint(p, t->size, t->big);
    switch (t->kind) {
    case 'b': return u != 0;
    case 'u': return (double)u;
    case 'i': return int_value(u, t->size);
    default: return float_value(u, t->size);
    }
}

/* Reads up to n bytes from src; the count (less than n only at the end of
 * the data), or -1 after reporting a read error. */
typedef long long (*ReadFn)(const Ctx *cx, void *src, unsigned char *buf, size_t n);

/* How to stream a payload of elements into a matrix. */
typedef struct {
    ReadFn read;
    void *src;
    Dtype t;
    bool by_rows;     /* elements come row after row (C order) */
    double divisor;   /* every value is divided by this (1 or 255) */
    const char *desc; /* what the header promised, e.g. "3x4 float64" */
} Reader;

/* Reports that fewer bytes followed the header than it promised. */
static int truncated(const Ctx *cx, const char *desc, size_t need, size_t have)
{
    return fail(cx, ": truncated: header says %s (%zu bytes) but only %zu follow", desc,
                need, have);
}

/* Decodes n elements from buf, the k0-th element of the payload first.
 * In C order element k is at row k / cols, column k % cols, which is
 * moved to its column-major place. */
static void decode_run(const Reader *r, Matrix *m, const unsigned char *buf, size_t n,
                       size_t k0)
{
    for (size_t e = 0; e < n; e++) {
        size_t k = k0 + e, at = k;
        if (r->by_rows)
            at = k / m->cols + (k % m->cols) * m->rows;
        m->data[at] = decode(buf + e * r->t.size, &r->t) / r->divisor;
    }
}

/* Fills every element of m from r's source; 0, or -1 after reporting.
 * Reads return short only at the end of the data, so a partial element
 * can only be the last one; it is dropped and reported as truncation. */
static int read_elems(const Ctx *cx, const Reader *r, Matrix *m)
{
    unsigned char buf[CHUNK]; /* a multiple of every element size */
    size_t need = m->rows * m->cols * r->t.size, done = 0;
    while (done < need) {
        size_t want = need - done < sizeof buf ? need - done : sizeof buf;
        long long got = r->read(cx, r->src, buf, want);
        if (got < 0)
            return -1;
        decode_run(r, m, buf, (size_t)got / r->t.size, done / r->t.size);
        done += (size_t)got;
        if ((size_t)got < want)
            return truncated(cx, r->desc, need, done);
    }
    return 0;
}

/* ReadFn for a stdio stream. */
static long long file_read(const Ctx *cx, void *src, unsigned char *buf, size_t n)
{
    size_t got = fread(buf, 1, n, (FILE *)src);
    if (got < n && ferror((FILE *)src))
        return fail(cx, ": read error: %s", strerror(last_error()));
    return (long long)got;
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */

/* The characters trimmed around fields and making a line blank. */
static bool is_blank_char(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* True when s holds only blank characters. */
static bool is_blank_line(const char *s)
{
    while (is_blank_char(*s))
        s++;
    return *s == '\0';
}

/* Strips blanks from both ends of s in place; returns the new start. */
static char *trim(char *s)
{
    while (is_blank_char(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_blank_char(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* True when strtod reads the whole of s (no blanks around it): s looks
 * like a number. This decides whether a first line is a header and
 * whether a field is numbers joined by another separator, so a line of
 * "nan" or "0x10" counts as data and is then refused by parse_cell with
 * its reason, instead of silently becoming column names. */
static bool looks_number(const char *s)
{
    if (*s == '\0' || is_blank_char(*s))
        return false;
    char *end;
    (void)strtod(s, &end);
    return *end == '\0';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* True when the whole of s is a decimal number: an optional sign, digits
 * with an optional point (at least one digit, before or after it), an
 * optional exponent of e or E, an optional sign and digits. This is the
 * part of what strtod accepts that a CSV of numbers means; strtod also
 * takes hexadecimal ("0x10" is 16, "0x1p3" is 8) and the words below. */
static bool is_decimal(const char *s)
{
    size_t digits = 0;
    if (*s == '+' || *s == '-')
        s++;
    for (; is_digit(*s); s++)
        digits++;
    if (*s == '.')
        for (s++; is_digit(*s); s++)
            digits++;
    if (digits == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!is_digit(*s))
            return false;
        while (is_digit(*s))
            s++;
    }
    return *s == '\0';
}

/* True when s is one of numpy's spellings of a non-finite value: an
 * optional sign and "nan", "inf" or "infinity" in any case (numpy.savetxt
 * writes nan, inf, -inf; numpy.loadtxt reads these through Python's
 * float; glibc's printf, which save uses, writes "-nan" for a NaN whose
 * sign bit is set, such as 0/0 on x86). strtod's "nan(chars)" is not
 * one. */
static bool is_nonfinite_word(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    return strcasecmp(s, "nan") == 0 || strcasecmp(s, "inf") == 0 ||
           strcasecmp(s, "infinity") == 0;
}

/* What a CSV field holds. */
typedef enum {
    CELL_OK,        /* a finite number, in *x */
    CELL_NAN,       /* a NaN word (in *x) */
    CELL_INF,       /* an infinity word (in *x) */
    CELL_HEX,       /* a hexadecimal number */
    CELL_OVERFLOW,  /* a decimal beyond the largest double */
    CELL_UNDERFLOW, /* a nonzero decimal that would read as 0 */
    CELL_OTHER,     /* not a number at all */
} Cell;

/* Classifies the field s (trimmed). Underflow: strtod sets ERANGE both
 * when the result is a subnormal (digits lost, but the value kept to
 * within 4.9e-324: gradual underflow, which IEEE arithmetic and numpy
 * accept and so does ovp) and when a nonzero number rounds to 0 (below
 * 2.5e-324: the value itself is lost), which is refused like overflow.
 * "0e-999" is an exact zero, for which strtod sets no error. */
static Cell parse_cell(const char *s, double *x)
{
    if (is_decimal(s)) {
        errno = 0;
        *x = strtod(s, NULL);
        if (errno == ERANGE && isinf(*x))
            return CELL_OVERFLOW;
        if (errno == ERANGE && *x == 0)
            return CELL_UNDERFLOW;
        return CELL_OK;
    }
    if (is_nonfinite_word(s)) {
        *x = strtod(s, NULL);
        return isnan(*x) ? CELL_NAN : CELL_INF;
    }
    const char *p = s + (*s == '+' || *s == '-');
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && looks_number(s))
        return CELL_HEX;
    return CELL_OTHER;
}

/* The size n as "64 GiB", "1 MiB" or "1000 bytes" into buf. */
static const char *size_text(size_t n, char *buf, size_t cap)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (u < 4 && n >= 1024 && n % 1024 == 0) {
        n /= 1024;
        u++;
    }
    snprintf(buf, cap, "%zu %s", n, unit[u]);
    return buf;
}

/* The default cap on the text of a CSV file, 32 bytes for each of the
 * MAT_MAX_ELEMS elements a matrix may hold: 64 GiB by default, 32 MB in
 * the fuzzing build. Why 32: the longest text that gives a double
 * exactly is 24 bytes with "%.17g", which save writes
 * ("-2.2250738585072014e-308"), and 26 with numpy.savetxt's default
 * "%.18e" ("-1.000000000000000000e+308"); with the comma, a blank after
 * it and a share of "\r\n" a cell stays within 32. A larger file is not
 * a CSV of a matrix that load could return, and without a cap a FIFO fed
 * for ever would be read until memory ran out. A file under the cap can
 * still exceed the memory of the machine, since the text is held whole:
 * that ends the run with "out of memory" (base/alloc.h), not a crash. */
size_t dio_max_text(void)
{
    return MAT_MAX_ELEMS <= SIZE_MAX / 64 ? 32 * MAT_MAX_ELEMS : SIZE_MAX / 2;
}

/* Reports text over the cap. The reason is given with the default cap;
 * a test's smaller one is just a number. */
static int too_much_text(const Ctx *cx)
{
    char size[32];
    size_text(cx->max_text, size, sizeof size);
    if (cx->max_text != dio_max_text())
        return fail(cx, ": more than %s of text, the limit for a CSV file", size);
    return fail(cx, ": more than %s of text, the limit for a CSV file (32 bytes for each "
                "of the %zu elements a matrix may hold)", size, (size_t)MAT_MAX_ELEMS);
}

/* Reads the whole stream into a malloc'd NUL-terminated buffer of at
 * most cx->max_text bytes of text. It reads to the end instead of trusting
 * st_size, which is 0 for a pipe and for many files under /proc; but a
 * regular file larger than the cap is refused before anything is read,
 * and otherwise its size is the first guess at the buffer. Each chunk is
 * searched for a NUL as it arrives, so a binary stream fails at its first
 * chunk rather than after the whole of it has been read. The allocators
 * end the run when memory runs out (base/alloc.h), so they are not
 * checked here. */
static char *slurp(const Ctx *cx, FILE *f, const struct stat *st, size_t *len)
{
    size_t max = cx->max_text, cap = 4096, n = 0;
    if (S_ISREG(st->st_mode) && st->st_size > 0) {
        if ((uintmax_t)st->st_size > max) {
            too_much_text(cx);
            return NULL;
        }
        /* room for the NUL, and one byte more to meet the end of the file */
        if ((size_t)st->st_size + 2 > cap)
            cap = (size_t)st->st_size + 2;
    }
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap - 1) /* full: max + 2 bytes let a read pass the cap */
            buf = xrealloc(buf, cap = cap <= (max + 2) / 2 ? cap * 2 : max + 2);
        size_t want = cap - 1 - n, got = fread(buf + n, 1, want, f);
        const char *nul = memchr(buf + n, '\0', got);
        if (nul) {
            fail(cx, ": not a text file (NUL byte at offset %zu)", (size_t)(nul - buf));
            free(buf);
            return NULL;
        }
        n += got;
        if (n > max) {
            too_much_text(cx);
            free(buf);
            return NULL;
        }
        if (got < want)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fail(cx, ": read error: %s", strerror(last_error()));
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The text of a CSV file, NUL-terminated; NULL after reporting. */
static char *read_text(const Ctx *cx, size_t *len)
{
    struct stat st;
    FILE *f = open_read(cx, &st);
    if (!f)
        return NULL;
    char *buf = slurp(cx, f, &st, len);
    fclose(f); /* read-only: nothing can be lost */
    return buf;
}

/* Turns each '\n' of buf into '\0'; returns the number of lines up to and
 * including the last non-blank one. */
static size_t split_lines(char *buf, size_t len)
{
    size_t lines = 0, last = 0;
    char *p = buf, *end = buf + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl)
            *nl = '\0';
        lines++;
        if (!is_blank_line(p))
            last = lines;
        if (!nl)
            break;
        p = nl + 1;
    }
    return last;
}

/* The end of the field that starts at s: the next separator, or the end
 * of the line. With sep ' ' a field is a run of non-blank characters. */
static char *field_end(char *s, char sep)
{
    if (sep != ' ')
        return strchr(s, sep);
    while (*s && !is_blank_char(*s))
        s++;
    return *s ? s : NULL;
}

/* Where the field after a separator at c starts: just past it, or with
 * sep ' ' past the whole run of blanks (NULL when only blanks are left). */
static char *next_field(char *c, char sep)
{
    c++;
    if (sep == ' ') {
        while (is_blank_char(*c))
            c++;
        if (!*c)
            return NULL;
    }
    return c;
}

/* The number of fields of line. Every separator counts (quoted fields
 * holding commas are not supported, which is why header names may not
 * contain one, check_names); with sep ' ' runs of blanks count once and
 * blanks around the line none. */
static size_t count_fields(const char *line, char sep)
{
    char *copy = xstrdup(line), *s = copy;
    if (sep == ' ')
        while (is_blank_char(*s))
            s++;
    size_t n = 1;
    for (char *c = field_end(s, sep); c; c = field_end(s, sep)) {
        s = next_field(c, sep);
        if (!s)
            break;
        n++;
    }
    free(copy);
    return n;
}

/* Splits line in place at its separators, storing up to max trimmed
 * fields in f; returns the number of fields, also those beyond max. */
static size_t split_fields(char *line, char **f, size_t max, char sep)
{
    size_t n = 0;
    if (sep == ' ')
        while (is_blank_char(*line))
            line++;
    for (;;) {
        char *c = field_end(line, sep);
        char *next = c ? next_field(c, sep) : NULL;
        if (c)
            *c = '\0';
        if (n < max)
            f[n] = trim(line);
        n++;
        if (!next)
            return n;
        line = next;
    }
}

/* A CSV being parsed: its lines are NUL-separated in one buffer. */
typedef struct {
    const Ctx *cx;
    char *line;    /* the current line */
    char *next;    /* the line after it */
    size_t lineno; /* its number, from 1 */
    size_t cols;   /* fields per row */
    char **fields; /* cols slots for the current line's fields */
} CsvIn;

/* Moves to the next line and splits it; -1 after reporting a blank line.
 * *nf counts every field, also those beyond the slots, so the message can
 * give the line's real count. */
static int csv_next(CsvIn *in, size_t *nf)
{
    in->line = in->next;
    in->next = in->line + strlen(in->line) + 1;
    in->lineno++;
    if (is_blank_line(in->line))
        return fail(in->cx, ":%zu: blank line", in->lineno);
    *nf = split_fields(in->line, in->fields, in->cols, in->cx->sep);
    return 0;
}

/* The separator (',', ';', tab, space or '|', other than the one in use)
 * that splits s into two or more numbers, or 0: a file written with
 * another separator than the one expected. */
static char other_separator(const char *s, char in_use)
{
    static const char seps[] = ",;\t |";
    for (const char *sep = seps; *sep; sep++) {
        if (*sep == in_use || !strchr(s, *sep))
            continue;
        /* strtok writes into its string; s is still needed for the message */
        char *copy = xstrdup(s);
        bool all = copy != NULL;
        size_t parts = 0;
        for (char *tok = copy ? strtok(copy, (char[]){*sep, 0}) : NULL; tok && all;
             tok = strtok(NULL, (char[]){*sep, 0}), parts++) {
            all = looks_number(trim(tok));
        }
        free(copy);
        if (all && parts >= 2)
            return *sep;
    }
    return 0;
}

static const char *sep_name(char sep)
{
    switch (sep) {
    case ',': return "commas";
    case '\t': return "tabs";
    case ' ': return "spaces";
    case ';': return "';'";
    default: return "'|'";
    }
}

static int wrong_separator(const CsvIn *in, size_t j, char sep)
{
    return fail(in->cx, ":%zu: field %zu is \"%.40s\": the values look separated by "
                "%s, not by %s (give sep = %s)", in->lineno, j + 1, in->fields[j],
                sep_name(sep), sep_name(in->cx->sep),
                sep == '\t' || sep == ' ' ? "\" \"" : sep == ',' ? "\",\""
                : sep == ';' ? "\";\"" : "\"|\"");
}

/* Reports field j of the current line, which parse_cell classified as c
 * (not CELL_OK). */
static int bad_field(const CsvIn *in, size_t j, Cell c)
{
    const char *s = in->fields[j];
    size_t line = in->lineno, field = j + 1;
    switch (c) {
    case CELL_NAN:
    case CELL_INF:
        return fail(in->cx, ":%zu: field %zu is %s: \"%.40s\" (NaN and infinities are "
                    "refused unless nan = \"allow\")", line, field,
                    c == CELL_NAN ? "NaN" : "infinite", s);
    case CELL_HEX:
        return fail(in->cx, ":%zu: field %zu is a hexadecimal number: \"%.40s\" (only "
                    "decimal numbers are read)", line, field, s);
    case CELL_OVERFLOW:
        return fail(in->cx, ":%zu: field %zu is out of range: \"%.40s\" (larger in "
                    "magnitude than 1.8e308, the largest double)", line, field, s);
    case CELL_UNDERFLOW:
        return fail(in->cx, ":%zu: field %zu is out of range: \"%.40s\" (nonzero but "
                    "smaller in magnitude than 4.9e-324, the smallest double above 0)",
                    line, field, s);
    default:
        break;
    }
    if (*s == '\0')
        return fail(in->cx, ":%zu: field %zu is empty", line, field);
    char sep = other_separator(s, in->cx->sep);
    if (sep)
        return wrong_separator(in, j, sep);
    return fail(in->cx, ":%zu: field %zu is not a number: \"%.40s\"", line, field, s);
}

/* Stores the nf fields of the current line as row r of m. NaN and the
 * infinities pass only with nan = "allow"; everything else parse_cell
 * does not call a number is an error. */
static int csv_row(const CsvIn *in, Matrix *m, size_t r, size_t nf)
{
    if (nf != m->cols)
        return fail(in->cx, ":%zu: row has %zu field%s, expected %zu", in->lineno, nf,
                    nf == 1 ? "" : "s", m->cols);
    for (size_t j = 0; j < nf; j++) {
        Cell c = parse_cell(in->fields[j], &MAT_AT(m, r, j));
        bool ok = c == CELL_OK ||
                  ((c == CELL_NAN || c == CELL_INF) && in->cx->allow_nonfinite);
        if (!ok)
            return bad_field(in, j, c);
    }
    return 0;
}

/* A malloc'd copy of s without one pair of surrounding double quotes. */
static char *dup_unquoted(const char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    char *d = xmalloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* The header names of the current (first) line, or NULL when it is data
 * (some field is a number). *oom is set when copying failed; *bad when the
 * line is numbers with another separator (reported). */
static char **csv_header(const CsvIn *in, bool *oom, bool *bad)
{
    *oom = *bad = false;
    for (size_t j = 0; j < in->cols; j++)
        if (looks_number(in->fields[j]))
            return NULL;
    for (size_t j = 0; j < in->cols; j++) {
        char sep = other_separator(in->fields[j], in->cx->sep);
        if (sep) {
            wrong_separator(in, j, sep);
            *bad = true;
            return NULL;
        }
    }
    char **h = xcalloc(in->cols, sizeof *h);
    for (size_t j = 0; h && j < in->cols; j++) {
        h[j] = dup_unquoted(in->fields[j]);
        if (!h[j]) {
            dio_free_header(h, j);
            h = NULL;
        }
    }
    *oom = !h;
    return h;
}

/* Parses the rows of m: the current line first when it is data (first_is_data),
 * then the following lines. */
static int csv_rows(CsvIn *in, Matrix *m, bool first_is_data)
{
    size_t nf = in->cols;
    for (size_t r = 0; r < m->rows; r++) {
        if ((r > 0 || !first_is_data) && csv_next(in, &nf) != 0)
            return -1;
        if (csv_row(in, m, r, nf) != 0)
            return -1;
    }
    return 0;
}

/* Parses from the first line (already split) on; nlines counts the lines
 * that matter. *names gets the header or NULL. */
static Matrix *csv_body(CsvIn *in, size_t nlines, char ***names)
{
    bool oom, bad;
    *names = csv_header(in, &oom, &bad);
    size_t rows = nlines - (*names ? 1 : 0);
    Matrix *m = NULL;
    if (bad)
        return NULL;
    if (oom)
        fail(in->cx, ": out of memory");
    else if (!mat_size_ok(rows, in->cols))
        fail(in->cx, ": %zu rows of %zu fields is too large", rows, in->cols);
    else if (!(m = mat_new_uninit(rows, in->cols)))
        fail(in->cx, ": out of memory for %zu x %zu", rows, in->cols);
    if (m && csv_rows(in, m, !*names) != 0) {
        mat_unref(m);
        m = NULL;
    }
    if (!m) {
        dio_free_header(*names, in->cols);
        *names = NULL;
    }
    return m;
}

/* Parses the text of a CSV file (modified in place). */
static Matrix *csv_parse(const Ctx *cx, char *buf, size_t len, char ***names)
{
    /* a UTF-8 byte-order mark (spreadsheets write one) is not data */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    size_t nlines = split_lines(buf, len);
    if (nlines == 0) {
        Matrix *m = mat_new(0, 0);
        if (!m)
            fail(cx, ": out of memory");
        return m;
    }
    if (is_blank_line(buf)) {
        fail(cx, ":1: blank line");
        return NULL;
    }
    /* the first line fixes the number of fields; mat_size_ok bounds it
     * before the slots are allocated */
    CsvIn in = {cx, buf, buf + strlen(buf) + 1, 1, count_fields(buf, cx->sep), NULL};
    if (!mat_size_ok(1, in.cols) || !(in.fields = xmalloc(in.cols * sizeof *in.fields))) {
        fail(cx, ":1: too many fields (%zu)", in.cols);
        return NULL;
    }
    split_fields(buf, in.fields, in.cols, cx->sep);
    Matrix *m = csv_body(&in, nlines, names);
    free(in.fields);
    return m;
}

Matrix *dio_load_csv_opts(const char *path, const DioLoadOpts *opts, char ***header,
                          size_t *nheader, char *err, size_t errlen)
{
    Ctx cx = load_ctx(path, opts, err, errlen);
    if (header)
        *header = NULL;
    if (nheader)
        *nheader = 0;
    size_t len;
    char *buf = read_text(&cx, &len);
    if (!buf)
        return NULL;
    char **names = NULL;
    Matrix *m = csv_parse(&cx, buf, len, &names);
    size_t n = m ? m->cols : 0;
    free(buf);
    if (names && header && nheader) {
        *header = names;
        *nheader = n;
    } else {
        dio_free_header(names, n);
    }
    return m;
}

Matrix *dio_load_csv(const char *path, char ***header, size_t *nheader, char *err,
                     size_t errlen)
{
    return dio_load_csv_opts(path, &keep_all, header, nheader, err, errlen);
}

void dio_free_header(char **header, size_t n)
{
    if (!header)
        return;
    for (size_t i = 0; i < n; i++)
        free(header[i]);
    free(header);
}

/* True when a header name must be quoted to read back as itself. */
static bool needs_quotes(const char *s)
{
    size_t n = strlen(s);
    return n == 0 || s[0] == '"' || is_blank_char(s[0]) || is_blank_char(s[n - 1]) ||
           looks_number(s);
}

/* Checks that every name can be written; -1 after reporting. */
static int check_names(const Ctx *cx, char *const *header, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        if (!header[j])
            return fail(cx, ": header name %zu is missing", j + 1);
        if (strpbrk(header[j], ",\r\n"))
            return fail(cx, ": header name %zu contains a comma or a line break", j + 1);
    }
    return 0;
}

/* Writes the header line; 0 or an errno value. */
static int csv_write_header(FILE *f, char *const *header, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        const char *q = needs_quotes(header[j]) ? "\"" : "";
        if (fprintf(f, "%s%s%s%s", j ? "," : "", q, header[j], q) < 0)
            return last_error();
    }
    return fputc('\n', f) == EOF ? last_error() : 0;
}

/* Writes the rows of m; 0 or an errno value. */
static int csv_write_rows(FILE *f, const Matrix *m)
{
    if (m->cols == 0)
        return 0;
    for (size_t i = 0; i < m->rows; i++) {
        for (size_t j = 0; j < m->cols; j++)
            if (fprintf(f, "%s%.17g", j ? "," : "", MAT_AT(m, i, j)) < 0)
                return last_error();
        if (fputc('\n', f) == EOF)
            return last_error();
    }
    return 0;
}

int dio_save_csv(const char *path, const Matrix *m, char *const *header, size_t nheader,
                 char *err, size_t errlen)
{
    Ctx cx = {path, err, errlen, false, 0, ','};
    if (header && nheader != m->cols)
        return fail(&cx, ": header has %zu name%s but the matrix has %zu column%s", nheader,
                    nheader == 1 ? "" : "s", m->cols, m->cols == 1 ? "" : "s");
    if (header && check_names(&cx, header, nheader) != 0)
        return -1;
    FILE *f = open_write(&cx);
    if (!f)
        return -1;
    errno = 0;
    int e = header ? csv_write_header(f, header, nheader) : 0;
    if (e == 0)
        e = csv_write_rows(f, m);
    return close_write(&cx, f, e);
}

/* ------------------------------------------------------------------ */
/* NumPy .npy                                                          */

/* What the .npy header dictionary says. */
typedef struct {
    char descr[32];
    bool fortran;
    size_t ndim;
    uint64_t dims[2]; /* the first two dimensions */
    unsigned seen;    /* bit 0 descr, 1 fortran_order, 2 shape */
} NpyHeader;

/* Reads exactly n bytes of the header part `what`; -1 after reporting. */
static int read_exact(const Ctx *cx, FILE *f, void *buf, size_t n, const char *what)
{
    if (fread(buf, 1, n, f) == n)
        return 0;
    if (ferror(f))
        return fail(cx, ": read error: %s", strerror(last_error()));
    return fail(cx, ": truncated: file ends inside the %s", what);
}

/* Checks the magic and version; returns the header text length or -1.
 * Version 1.0 stores that length in 2 bytes, 2.0 and 3.0 in 4 (3.0 only
 * allows UTF-8 in the header text), little-endian. */
static long long npy_prefix(const Ctx *cx, FILE *f)
{
    unsigned char b[12];
    size_t got = fread(b, 1, 8, f);
    if (got < 8 && ferror(f))
        return fail(cx, ": read error: %s", strerror(last_error()));
    if (got < 6 || memcmp(b, "\x93NUMPY", 6) != 0) {
        const char *hint = got >= 2 && b[0] == 'P' && b[1] == 'K' ? " (a zip/.npz archive?)" : "";
        return fail(cx, ": not a .npy file (no \\x93NUMPY magic)%s", hint);
    }
    if (got < 8)
        return fail(cx, ": truncated: file ends inside the version");
    unsigned major = b[6], minor = b[7];
    if (major < 1 || major > 3)
        return fail(cx, ": unsupported .npy format version %u.%u", major, minor);
    size_t lenbytes = major == 1 ? 2 : 4;
    if (read_exact(cx, f, b + 8, lenbytes, "header length") != 0)
        return -1;
    size_t hlen = (size_t)load_uint(b + 8, (unsigned)lenbytes, false);
    if (hlen > NPY_MAX_HEADER)
        return fail(cx, ": implausible header length %zu", hlen);
    return (long long)hlen;
}

/* The header text (NUL-terminated, malloc'd); NULL after reporting. */
static char *npy_text(const Ctx *cx, FILE *f)
{
    long long hlen = npy_prefix(cx, f);
    if (hlen < 0)
        return NULL;
    char *text = xmalloc((size_t)hlen + 1);
    if (!text) {
        fail(cx, ": out of memory");
        return NULL;
    }
    if (read_exact(cx, f, text, (size_t)hlen, "header") != 0) {
        free(text);
        return NULL;
    }
    text[hlen] = '\0';
    return text;
}

/* Skips Python whitespace. */
static void skip_ws(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

/* Reports a header that is not the expected dictionary, quoting up to 20
 * characters from where it went wrong, cut at the end of the line (the
 * header ends in one) so that the message stays on one line. */
static int malformed(const Ctx *cx, const char *what, const char *at)
{
    int len = 0;
    while (len < 20 && at[len] && at[len] != '\n' && at[len] != '\r')
        len++;
    return fail(cx, ": malformed header: expected %s at \"%.*s\"", what, len, at);
}

/* Skips whitespace and the character c; -1 after reporting. */
static int expect(const Ctx *cx, const char **p, char c)
{
    skip_ws(p);
    if (**p != c) {
        char what[8] = {'\'', c, '\'', '\0'};
        return malformed(cx, what, *p);
    }
    (*p)++;
    return 0;
}

/* Reads a quoted Python string (no escapes) into out (cap bytes). numpy
 * writes the keys and the dtype as plain repr strings, which need none. */
static int py_string(const Ctx *cx, const char **p, char *out, size_t cap)
{
    skip_ws(p);
    char q = **p;
    if (q != '\'' && q != '"')
        return malformed(cx, "a string", *p);
    const char *s = *p + 1, *e = strchr(s, q);
    if (!e)
        return malformed(cx, "the end of the string", s);
    if ((size_t)(e - s) >= cap)
        return fail(cx, ": malformed header: string \"%.20s...\" is too long", s);
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = '\0';
    *p = e + 1;
    return 0;
}

/* Reads True or False. */
static int py_bool(const Ctx *cx, const char **p, bool *b)
{
    skip_ws(p);
    if (strncmp(*p, "True", 4) == 0 || strncmp(*p, "False", 5) == 0) {
        *b = **p == 'T';
        *p += *b ? 4 : 5;
        return 0;
    }
    return malformed(cx, "True or False", *p);
}

/* Reads a non-negative integer (an 'L' suffix, from Python 2, allowed). */
static int py_uint(const Ctx *cx, const char **p, uint64_t *v)
{
    skip_ws(p);
    if (**p < '0' || **p > '9')
        return malformed(cx, "a non-negative integer", *p);
    uint64_t x = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++) {
        unsigned d = (unsigned)(**p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return fail(cx, ": dimension too large in the shape");
        x = x * 10 + d;
    }
    if (**p == 'L')
        (*p)++;
    *v = x;
    return 0;
}

/* Reads the shape tuple, counting all dimensions, keeping the first two.
 * A trailing comma is allowed, as in (n,); () is a scalar, ndim 0. */
static int py_shape(const Ctx *cx, const char **p, NpyHeader *h)
{
    if (expect(cx, p, '(') != 0)
        return -1;
    h->ndim = 0;
    for (skip_ws(p); **p != ')'; skip_ws(p)) {
        uint64_t d = 0;
        if (py_uint(cx, p, &d) != 0)
            return -1;
        if (h->ndim < 2)
            h->dims[h->ndim] = d;
        h->ndim++;
        skip_ws(p);
        if (**p == ',')
            (*p)++;
        else if (**p != ')')
            return malformed(cx, "',' or ')' in the shape", *p);
    }
    (*p)++;
    return 0;
}

/* Reads the value of key into h. */
static int npy_value(const Ctx *cx, const char **p, const char *key, NpyHeader *h)
{
    skip_ws(p);
    if (strcmp(key, "descr") == 0) {
        h->seen |= 1;
        if (**p == '[')
            return fail(cx, ": structured dtypes are not supported");
        return py_string(cx, p, h->descr, sizeof h->descr);
    }
    if (strcmp(key, "fortran_order") == 0) {
        h->seen |= 2;
        return py_bool(cx, p, &h->fortran);
    }
    if (strcmp(key, "shape") == 0) {
        h->seen |= 4;
        return py_shape(cx, p, h);
    }
    return fail(cx, ": malformed header: unknown key '%s'", key);
}

/* Parses the header dictionary text into h. */
static int npy_dict(const Ctx *cx, const char *text, NpyHeader *h)
{
    const char *p = text;
    if (expect(cx, &p, '{') != 0)
        return -1;
    for (skip_ws(&p); *p != '}'; skip_ws(&p)) {
        char key[32];
        if (py_string(cx, &p, key, sizeof key) != 0 || expect(cx, &p, ':') != 0 ||
            npy_value(cx, &p, key, h) != 0)
            return -1;
        skip_ws(&p);
        if (*p == ',')
            p++;
        else if (*p != '}')
            return malformed(cx, "',' or '}'", p);
    }
    p++;
    skip_ws(&p);
    if (*p != '\0')
        return malformed(cx, "the end of the header", p);
    if (h->seen != 7)
        return fail(cx, ": malformed header: '%s' is missing",
                    !(h->seen & 1) ? "descr" : !(h->seen & 2) ? "fortran_order" : "shape");
    return 0;
}

/* True on a big-endian host (for the '=' byte order). */
static bool host_big_endian(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 0;
}

/* Understands a descr string such as "<f8" or "|b1". '|' (byte order
 * not applicable) is read as little-endian, which is the same thing for
 * one-byte types; '=' is the writer's native order, taken as this host's.
 * The size < 100 bound stops a long digit string from overflowing. */
static int npy_dtype(const Ctx *cx, const char *descr, Dtype *t)
{
    const char *s = descr;
    char order = '<';
    if (*s == '<' || *s == '>' || *s == '|' || *s == '=')
        order = *s++;
    char kind = *s ? *s++ : '\0';
    unsigned size = 0;
    for (; *s >= '0' && *s <= '9' && size < 100; s++)
        size = size * 10 + (unsigned)(*s - '0');
    if (*s != '\0' || !dtype_ok(kind, size))
        return fail(cx, ": unsupported dtype '%s' (supported: float16/32/64, "
                        "int and uint of 8 to 64 bits, bool)", descr);
    t->kind = kind;
    t->size = size;
    t->big = order == '>' || (order == '=' && host_big_endian());
    return 0;
}

/* The matrix shape for h: () 1x1, (n,) n x 1, (r, c) r x c. Each side is
 * compared with MAT_MAX_ELEMS before the cast, as size_t may be narrower
 * than the 64-bit dimensions. */
static int npy_shape(const Ctx *cx, const NpyHeader *h, size_t *rows, size_t *cols)
{
    if (h->ndim > 2)
        return fail(cx, ": array has %zu dimensions; at most 2 are supported", h->ndim);
    uint64_t r = h->ndim >= 1 ? h->dims[0] : 1, c = h->ndim == 2 ? h->dims[1] : 1;
    if (r > MAT_MAX_ELEMS || c > MAT_MAX_ELEMS || !mat_size_ok((size_t)r, (size_t)c))
        return fail(cx, ": shape %llux%llu is too large (at most %zu elements)",
                    (unsigned long long)r, (unsigned long long)c, MAT_MAX_ELEMS);
    *rows = (size_t)r;
    *cols = (size_t)c;
    return 0;
}

/* Describes the promised payload, e.g. "3x4 float64", into buf. */
static void npy_desc(const NpyHeader *h, const Dtype *t, char *buf, size_t cap)
{
    char name[16];
    dtype_name(t, name, sizeof name);
    unsigned long long r = h->dims[0], c = h->dims[1];
    if (h->ndim == 0)
        snprintf(buf, cap, "a scalar %s", name);
    else if (h->ndim == 1)
        snprintf(buf, cap, "%llu %s", r, name);
    else
        snprintf(buf, cap, "%llux%llu %s", r, c, name);
}

/* Bytes left in a regular file after the current position; -1 if unknown.
 * Compared with the promised size before allocating, so a corrupt header
 * claiming a huge array fails at once instead of allocating it. */
static long long bytes_left(FILE *f, const struct stat *st)
{
    off_t pos = ftello(f);
    if (!S_ISREG(st->st_mode) || pos < 0 || pos > st->st_size)
        return -1;
    return (long long)(st->st_size - pos);
}

/* Reads the payload of a .npy file whose header has been parsed. */
static Matrix *npy_data(const Ctx *cx, FILE *f, const struct stat *st, const NpyHeader *h,
                        const Dtype *t)
{
    size_t rows = 0, cols = 0;
    if (npy_shape(cx, h, &rows, &cols) != 0)
        return NULL;
    char desc[96];
    npy_desc(h, t, desc, sizeof desc);
    size_t need = rows * cols * t->size;
    long long left = bytes_left(f, st);
    if (left >= 0 && (unsigned long long)left < need) {
        truncated(cx, desc, need, (size_t)left);
        return NULL;
    }
    Matrix *m = mat_new_uninit(rows, cols);
    if (!m) {
        fail(cx, ": out of memory for %zu x %zu", rows, cols);
        return NULL;
    }
    m->logical = t->kind == 'b';
    /* a 1-D array has the same order either way */
    Reader r = {file_read, f, *t, h->ndim == 2 && !h->fortran, 1.0, desc};
    PosStyle pos = h->ndim == 0 ? POS_NPY0 : h->ndim == 1 ? POS_NPY1 : POS_NPY2;
    if (read_elems(cx, &r, m) != 0 || (t->kind == 'f' && check_finite(cx, m, pos) != 0)) {
        mat_unref(m);
        return NULL;
    }
    return m;
}

/* Reads a whole .npy file from an open stream. */
static Matrix *npy_read(const Ctx *cx, FILE *f, const struct stat *st)
{
    char *text = npy_text(cx, f);
    if (!text)
        return NULL;
    NpyHeader h;
    memset(&h, 0, sizeof h);
    int rc = npy_dict(cx, text, &h);
    free(text);
    Dtype t;
    if (rc != 0 || npy_dtype(cx, h.descr, &t) != 0)
        return NULL;
    return npy_data(cx, f, st, &h, &t);
}

Matrix *dio_load_npy_opts(const char *path, const DioLoadOpts *opts, char *err,
                          size_t errlen)
{
    Ctx cx = load_ctx(path, opts, err, errlen);
    struct stat st;
    FILE *f = open_read(&cx, &st);
    if (!f)
        return NULL;
    Matrix *m = npy_read(&cx, f, &st);
    fclose(f); /* read-only: nothing can be lost */
    return m;
}

Matrix *dio_load_npy(const char *path, char *err, size_t errlen)
{
    return dio_load_npy_opts(path, &keep_all, err, errlen);
}

/* Builds the version 1.0 preamble and header for an r x c float64 Fortran
 * array into buf (at least 256 bytes); returns its length, a multiple of 64.
 * The length counts the 10-byte preamble (magic, version, header length),
 * the dictionary and the final '\n'; with two numbers of at most 20 digits
 * the dictionary fits dict, and the whole fits 256 bytes. */
static size_t npy_header(unsigned char *buf, size_t rows, size_t cols)
{
    static const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    char dict[160];
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '<f8', 'fortran_order': True, 'shape': (%zu, %zu), }", rows,
                     cols);
    size_t len = n > 0 ? (size_t)n : 0;
    size_t total = (10 + len + 1 + 63) / 64 * 64;
    memcpy(buf, magic, sizeof magic);
    buf[8] = (unsigned char)((total - 10) & 0xff);
    buf[9] = (unsigned char)((total - 10) >> 8);
    memcpy(buf + 10, dict, len);
    memset(buf + 10 + len, ' ', total - 10 - len - 1);
    buf[total - 1] = '\n';
    return total;
}

/* Writes n doubles little-endian whatever the host's order, as '<f8' in
 * the header promises; 0 or an errno value. */
static int write_doubles(FILE *f, const double *x, size_t n)
{
    unsigned char buf[CHUNK];
    while (n > 0) {
        size_t k = n < CHUNK / 8 ? n : CHUNK / 8;
        for (size_t i = 0; i < k; i++) {
            uint64_t u;
            memcpy(&u, &x[i], sizeof u);
            for (unsigned b = 0; b < 8; b++)
                buf[8 * i + b] = (unsigned char)(u >> (8 * b));
        }
        if (fwrite(buf, 8, k, f) != k)
            return last_error();
        x += k;
        n -= k;
    }
    return 0;
}

int dio_save_npy(const char *path, const Matrix *m, char *err, size_t errlen)
{
    Ctx cx = {path, err, errlen, false, 0, ','};
    unsigned char head[256];
    size_t hlen = npy_header(head, m->rows, m->cols);
    FILE *f = open_write(&cx);
    if (!f)
        return -1;
    errno = 0;
    int e = fwrite(head, 1, hlen, f) == hlen ? 0 : last_error();
    if (e == 0)
        e = write_doubles(f, m->data, m->rows * m->cols);
    return close_write(&cx, f, e);
}

/* ------------------------------------------------------------------ */
/* IDX                                                                 */

/* What an IDX header says. */
typedef struct {
    Dtype t;
    unsigned ndim;     /* 1 to 3 */
    uint32_t dims[3];
    unsigned char code; /* the element type byte */
} IdxHeader;

/* Reports the error of a failed gzread. */
static int gz_fail(const Ctx *cx, gzFile gz)
{
    int code;
    const char *msg = gzerror(gz, &code);
    if (code == Z_ERRNO)
        return fail(cx, ": read error: %s", strerror(last_error()));
    /* zlib prefixes the stream's name: the path, or "<fd:N>" after gzdopen */
    size_t n = strlen(cx->path);
    if (strncmp(msg, cx->path, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
        msg += n + 2;
    else if (strncmp(msg, "<fd:", 4) == 0 && strstr(msg, ">: "))
        msg = strstr(msg, ">: ") + 3;
    return fail(cx, ": gzip error: %s", msg);
}

/* ReadFn for a zlib stream (n is at most CHUNK, so the cast to unsigned
 * is exact). A file that is not gzip-compressed is read through as it is
 * (gzdirect), so one path serves both. */
static long long gz_read(const Ctx *cx, void *src, unsigned char *buf, size_t n)
{
    int got = gzread((gzFile)src, buf, (unsigned)n);
    if (got < 0)
        return gz_fail(cx, (gzFile)src);
    return got;
}

/* Reads exactly n header bytes; -1 after reporting. */
static int gz_exact(const Ctx *cx, gzFile gz, unsigned char *buf, size_t n)
{
    long long got = gz_read(cx, gz, buf, n);
    if (got < 0)
        return -1;
    if ((size_t)got < n)
        return fail(cx, ": truncated: file ends inside the IDX header");
    return 0;
}

/* The element type of IDX type code c; false when unknown. IDX data are
 * big-endian whatever the type. */
static bool idx_type(unsigned char c, Dtype *t)
{
    static const struct { unsigned char code; char kind; unsigned size; } types[] = {
        {0x08, 'u', 1}, {0x09, 'i', 1}, {0x0B, 'i', 2},
        {0x0C, 'i', 4}, {0x0D, 'f', 4}, {0x0E, 'f', 8},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].code == c) {
            *t = (Dtype){types[i].kind, types[i].size, true};
            return true;
        }
    return false;
}

/* Reads and checks the magic number and dimensions. */
static int idx_header(const Ctx *cx, gzFile gz, IdxHeader *h)
{
    unsigned char b[12];
    if (gz_exact(cx, gz, b, 4) != 0)
        return -1;
    unsigned long magic = (unsigned long)load_uint(b, 4, true);
    if (b[0] != 0 || b[1] != 0)
        return fail(cx, ": not an IDX file (magic 0x%08lx)", magic);
    h->code = b[2];
    if (!idx_type(b[2], &h->t))
        return fail(cx, ": unknown IDX element type 0x%02x (magic 0x%08lx)", b[2], magic);
    h->ndim = b[3];
    if (h->ndim < 1 || h->ndim > 3)
        return fail(cx, ": IDX file has %u dimensions; 1 to 3 are supported", h->ndim);
    if (gz_exact(cx, gz, b, 4 * h->ndim) != 0)
        return -1;
    for (unsigned k = 0; k < h->ndim; k++)
        h->dims[k] = (uint32_t)load_uint(b + 4 * k, 4, true);
    return 0;
}

/* Describes n items of h, e.g. "10 items of 28x28 uint8", into buf. */
static void idx_desc(const IdxHeader *h, size_t n, char *buf, size_t cap)
{
    char name[16];
    dtype_name(&h->t, name, sizeof name);
    if (h->ndim == 1)
        snprintf(buf, cap, "%zu %s items", n, name);
    else if (h->ndim == 2)
        snprintf(buf, cap, "%zu item%s of %lu %s", n, n == 1 ? "" : "s",
                 (unsigned long)h->dims[1], name);
    else
        snprintf(buf, cap, "%zu item%s of %lux%lu %s", n, n == 1 ? "" : "s",
                 (unsigned long)h->dims[1], (unsigned long)h->dims[2], name);
}

/* Checks that a plain (not gzipped) file holds need bytes after the header.
 * A gzip file's size says nothing about its contents; truncation there
 * shows up while reading. */
static int idx_size_check(const Ctx *cx, gzFile gz, const struct stat *st,
                          const IdxHeader *h, size_t need, const char *desc)
{
    if (!gzdirect(gz) || !S_ISREG(st->st_mode))
        return 0;
    long long left = (long long)st->st_size - 4 - 4 * (long long)h->ndim;
    if (left >= 0 && (unsigned long long)left < need)
        return truncated(cx, desc, need, (size_t)left);
    return 0;
}

/* Reads an IDX file from an open zlib stream. */
static Matrix *idx_read(const Ctx *cx, gzFile gz, const struct stat *st, size_t limit)
{
    IdxHeader h = {{0, 0, false}, 0, {0, 0, 0}, 0};
    if (idx_header(cx, gz, &h) != 0)
        return NULL;
    /* with a limit the rest of the file is never read, so a prefix of a
     * large file can be loaded; cols is 64-bit as r*c of two 32-bit
     * dimensions may not fit 32 bits */
    size_t n = limit > 0 && limit < h.dims[0] ? limit : h.dims[0];
    uint64_t cols = h.ndim == 1 ? 1 : (uint64_t)h.dims[1] * (h.ndim == 3 ? h.dims[2] : 1);
    char desc[96];
    idx_desc(&h, n, desc, sizeof desc);
    if (cols > MAT_MAX_ELEMS || !mat_size_ok(n, (size_t)cols)) {
        fail(cx, ": %s is too large (at most %zu elements)", desc, MAT_MAX_ELEMS);
        return NULL;
    }
    if (idx_size_check(cx, gz, st, &h, n * (size_t)cols * h.t.size, desc) != 0)
        return NULL;
    Matrix *m = mat_new_uninit(n, (size_t)cols);
    if (!m) {
        fail(cx, ": out of memory for %s", desc);
        return NULL;
    }
    bool scale = h.t.kind == 'u' && h.ndim >= 2;
    Reader r = {gz_read, gz, h.t, true, scale ? 255.0 : 1.0, desc};
    if (read_elems(cx, &r, m) != 0 ||
        (h.t.kind == 'f' && check_finite(cx, m, POS_MATRIX) != 0)) {
        mat_unref(m);
        return NULL;
    }
    return m;
}

int dio_load_idx_opts(const char *path, size_t limit, const DioLoadOpts *opts, Matrix **out,
                      char *err, size_t errlen)
{
    Ctx cx = load_ctx(path, opts, err, errlen);
    *out = NULL;
    struct stat st;
    int fd = open_fd(&cx, &st);
    if (fd < 0)
        return -1;
    /* gzdopen takes over fd: gzclose closes it */
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return fail(&cx, ": out of memory opening the file");
    }
    *out = idx_read(&cx, gz, &st, limit);
    gzclose(gz); /* read-only: the data are already checked */
    return *out ? 0 : -1;
}

int dio_load_idx(const char *path, size_t limit, Matrix **out, char *err, size_t errlen)
{
    return dio_load_idx_opts(path, limit, &keep_all, out, err, errlen);
}
