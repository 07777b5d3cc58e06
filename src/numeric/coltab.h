/* coltab.h: tables of named columns from a CSV file with a header line
 * (RFC 4180: quoted fields may hold commas, quotes and line breaks) or
 * from JSON lines (one object per line), such as ovp sweep writes.
 *
 * A column is numeric when every non-empty cell reads as a number (nan,
 * inf included) or as true/false (1 and 0), and one cell at least is not
 * empty; its empty cells are NaN. Any other column is text, its empty
 * cells "" (so a sweep's message column is text even when every point
 * came out ok). In JSON lines a key
 * missing from a line is an empty cell, null is NaN, and the columns
 * come in the order their keys first appear. */
#ifndef OVP_COLTAB_H
#define OVP_COLTAB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name;
    bool numeric;
    double *num;     /* nrows numbers (numeric columns) */
    char **text;     /* nrows strings (text columns) */
} ColColumn;

typedef struct {
    ColColumn *cols;
    size_t ncols, nrows;
} ColTable;

/* Reads path: JSON lines when its name ends in .jsonl or .json, CSV
 * otherwise. Returns false with a message in err ("FILE: line N: ...")
 * on a missing file, a malformed line, a row of the wrong length or a
 * duplicate column name. */
bool coltab_load(const char *path, ColTable *t, char *err, size_t errlen);
void coltab_free(ColTable *t);

/* The fields of the CSV record at *p (RFC 4180 quoting), malloc'd into
 * *fields; *p moves past the record and its line break. Returns their
 * number (at least 1; a blank line is one empty field). */
size_t coltab_csv_record(const char **p, char ***fields);
void coltab_fields_free(char **fields, size_t n);

#endif
