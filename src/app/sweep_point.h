/* sweep_point.h: one point of `ovp sweep`: the script run once, in a
 * fresh interpreter, with the point's grid values as its parameters, and
 * what came of it (its emitted rows, its checks, its status).
 *
 * Every backend runs points through point_run, in whatever process it
 * uses, and passes results between processes in the text form of
 * point_result_write, so a result is the same bytes whichever backend,
 * worker or order produced it. */
#ifndef OVP_SWEEP_POINT_H
#define OVP_SWEEP_POINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/strbuf.h"

typedef enum { CELL_NONE, CELL_NUM, CELL_BOOL, CELL_STR } CellKind;

/* One value of a row. s is owned (CELL_STR only). */
typedef struct {
    CellKind kind;
    double num;
    bool b;
    char *s;
} Cell;

typedef struct {
    char *name;
    Cell cell;
} Field;

/* An emitted row: its fields in the order the script wrote them. */
typedef struct {
    Field *f;
    size_t n, cap;
} Row;

typedef enum {
    POINT_OK,          /* ran to the end, every check passed */
    POINT_CHECK,       /* ran to the end, a check failed */
    POINT_ERROR,       /* a syntax or runtime error, or an unread parameter */
    POINT_TIMEOUT,     /* stopped at --timeout */
    POINT_CRASHED      /* its process died (a signal, no result) */
} PointStatus;

typedef struct {
    PointStatus status;
    char *message;                 /* why it is not ok; NULL when ok */
    unsigned long passed, failed;  /* checks */
    Row *rows;
    size_t nrows, caprows;
} PointResult;

/* What every point of a sweep shares. */
typedef struct {
    const char *script;            /* its path, as diagnostics name it */
    const char *text;              /* its text, read once */
    size_t len;
    unsigned long long seed;       /* --seed: the generator's seed */
    double timeout;                /* seconds; 0: none */
} PointJob;

/* Runs point `index` with parameters names[i]=values[i]. The script's
 * own output goes to log (NULL: discarded). The random stream is the
 * seed's stream number `index` (rng_set_stream). A timeout stops the
 * script as Ctrl-C would, at its next poll. */
void point_run(const PointJob *job, size_t index, const char *const *names,
               const char *const *values, size_t nparams, FILE *log, PointResult *out);

void point_result_free(PointResult *r);
/* A result of its own for a point whose process could not report one. */
void point_result_failed(PointResult *r, PointStatus status, const char *message);
const char *point_status_name(PointStatus s);
/* The status named s (as point_status_name spells it); false if none. */
bool point_status_parse(const char *s, PointStatus *out);

/* The text form of a result, and back. point_result_read returns false
 * on anything it did not write (a cut or foreign file). */
void point_result_write(StrBuf *out, const PointResult *r);
bool point_result_read(const char *text, PointResult *r);

void cell_free(Cell *c);
/* The shortest text that reads back as x (%.15g, %.16g or %.17g); nan,
 * inf and -inf spelt so. buf holds at least 32 bytes. */
void format_exact(char *buf, size_t n, double x);

#endif
