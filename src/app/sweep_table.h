/* sweep_table.h: the grid of a sweep and the table of its results, as
 * one CSV or JSON-lines file in grid order.
 *
 * The file: one line per emitted row (one for a point that emitted none),
 * the grid's values first, then the fields the script emitted (in the
 * order they first appear, in grid order), then checks_passed,
 * checks_failed, status (ok, check, error, timeout, crashed) and message.
 * Numbers are written in the shortest form that reads back exactly. A
 * field the script emits under a grid parameter's name fills that
 * parameter's column. In JSON lines a NaN or infinity is null (JSON has no
 * such numbers) and a missing field is left out. */
#ifndef OVP_SWEEP_TABLE_H
#define OVP_SWEEP_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "app/sweep_point.h"

typedef struct {
    char *name;
    char **values;       /* as given (or as a range expanded them) */
    size_t n;
} GridAxis;

/* The Cartesian product of the axes, the first varying slowest (as
 * nested loops in the order the axes were given). */
typedef struct {
    GridAxis *axes;
    size_t naxes;
    size_t npoints;
} Grid;

/* Most points a grid may have. */
#define GRID_MAX_POINTS 10000000

/* Adds the axis "NAME=V1,V2,..." where each V is a value or a range A:B
 * or A:STEP:B of numbers (inclusive). Returns NULL, or a message (in
 * buf) saying what is wrong. */
const char *grid_add(Grid *g, const char *spec, char *buf, size_t n);
const char *grid_value(const Grid *g, size_t point, size_t axis);
void grid_free(Grid *g);

typedef enum { FORMAT_CSV, FORMAT_JSONL } TableFormat;

typedef struct {
    const Grid *grid;
    TableFormat format;
    PointResult *results;   /* one per point */
    bool *have;             /* results[i] is set */
} SweepTable;

void table_init(SweepTable *t, const Grid *grid, TableFormat format);
void table_free(SweepTable *t);
/* Takes r as point i's result. */
void table_set(SweepTable *t, size_t point, PointResult *r);
/* Writes every point that has a result, in grid order, to path (through
 * a temporary file renamed over it, so the file is always whole). Returns
 * false with errno set when it cannot be written. */
bool table_write(const SweepTable *t, const char *path);
/* Reads the points an earlier run of the same grid wrote to path (for
 * --resume). A missing file is no error (nothing to resume). Returns NULL
 * or a message (in buf). */
const char *table_resume(SweepTable *t, const char *path, char *buf, size_t n);
/* The points with a result. */
size_t table_count(const SweepTable *t);

#endif
