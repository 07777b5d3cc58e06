/* bi_data.c: files: load/save (CSV, NumPy .npy) and load_idx (MNIST-style
 * IDX, gzipped or not). The formats live in dataio.c; this file reads
 * arguments and reports errors.
 *
 * Loaded data are checked as R14 of RELIABILITY.md asks: NaN and the
 * infinities (CSV cells "nan", "inf", "-inf"; NaN or infinite elements of
 * float .npy and IDX data) are errors naming the file and the position
 * unless nan = "allow" is given; hexadecimal and out-of-range CSV numbers
 * are errors whatever nan says (dataio.h has the details).
 *
 * dataio's messages already start with the path and say what is wrong
 * ("x.csv:3: row has 2 fields, expected 3"), so they are passed on as
 * they are, after the built-in's name. Paths are relative to the working
 * directory, not to the script. */
#include <stdlib.h>
#include <string.h>

#include "eval/builtin.h"
#include "numeric/coltab.h"
#include "numeric/dataio.h"
#include "value/ops.h"

/* The format is chosen by the extension, case-sensitively: ".CSV" is not
 * recognised. */
static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The nan argument (slot i) into o: "error", the default, refuses NaN
 * and infinities in the data; "allow" keeps them. Anything else is an
 * error listing the two, so a misspelt "allow" is not taken as "error"
 * (or the reverse) without a word. */
static bool nan_arg(Interp *I, const Args *a, int i, DioLoadOpts *o)
{
    *o = (DioLoadOpts){DIO_NAN_ERROR, 0, 0};
    if (!arg_given(a, i))
        return true;
    Value v = a->v[i];
    if (v.kind != VAL_STR) {
        arg_type_error(I, a, i, "\"error\" or \"allow\"");
        return false;
    }
    const char *s = v.as.str->s;
    if (strcmp(s, "allow") == 0)
        o->nan = DIO_NAN_ALLOW;
    else if (strcmp(s, "error") != 0) {
        bi_error(I, a, "nan must be \"error\" (the default: NaN or infinity in the data "
                 "is an error) or \"allow\" (they are kept), got \"%.40s\"", s);
        return false;
    }
    return true;
}

/* The sep argument (slot i) of a CSV: one of , ; | tab, or " " for runs of
 * blanks (NumPy's savetxt default). A .npy has no separator to give. */
static bool sep_arg(Interp *I, const Args *a, int i, bool csv, DioLoadOpts *o)
{
    if (!arg_given(a, i))
        return true;
    Value v = a->v[i];
    const char *s = v.kind == VAL_STR ? v.as.str->s : NULL;
    if (!csv) {
        bi_error(I, a, "sep applies to CSV and text files only");
        return false;
    }
    if (!s || strlen(s) != 1 || !strchr(",;| \t", s[0])) {
        arg_type_error(I, a, i, "one of \",\" \";\" \"|\" \"\\t\" or \" \" (runs of blanks)");
        return false;
    }
    o->sep = s[0] == '\t' ? ' ' : s[0];
    return true;
}

/* A column of a table as a value: numbers as an n x 1 matrix, text as a
 * list of strings. */
static Value column_value(const ColColumn *c, size_t nrows)
{
    if (c->numeric) {
        Matrix *m = mat_from(nrows, 1, c->num);
        return m ? val_mat(m) : val_error;
    }
    Value l = val_list_new(nrows);
    for (size_t i = 0; i < nrows; i++)
        list_push(l.as.list, val_str(c->text[i]));
    return l;
}

/* load_table(path): a record of the file's columns (coltab.h), in the
 * file's order. */
static Value bi_load_table(Interp *I, const Args *a)
{
    const char *path = arg_str(I, a, 0);
    if (!path)
        return val_error;
    ColTable t;
    char err[512];
    if (!coltab_load(path, &t, err, sizeof err))
        return bi_error(I, a, "%s", err);
    if (!mat_size_ok(t.nrows, 1)) {
        coltab_free(&t);
        return bi_error(I, a, "'%s' has too many rows", path);
    }
    Value r = val_rec_new();
    for (size_t i = 0; i < t.ncols; i++) {
        Value col = column_value(&t.cols[i], t.nrows);
        if (VAL_IS_ERR(col)) {
            val_unref(r);
            coltab_free(&t);
            return bi_error(I, a, "out of memory reading '%s'", path);
        }
        rec_set(r.as.rec, t.cols[i].name, col);
    }
    coltab_free(&t);
    return r;
}

/* load returns the matrix alone, so a CSV header line is read and freed
 * here. Any other extension is refused with the list of known ones; the
 * message points to load_idx since IDX files have no fixed extension. */
static Value bi_load(Interp *I, const Args *a)
{
    const char *path = arg_str(I, a, 0);
    DioLoadOpts opts;
    if (!path || !nan_arg(I, a, 1, &opts) ||
        !sep_arg(I, a, 2, ends_with(path, ".csv") || ends_with(path, ".txt"), &opts))
        return val_error;
    char err[512];
    Matrix *m = NULL;
    if (ends_with(path, ".npy")) {
        m = dio_load_npy_opts(path, &opts, err, sizeof err);
    } else if (ends_with(path, ".csv") || ends_with(path, ".txt")) {
        char **header = NULL;
        size_t nh = 0;
        m = dio_load_csv_opts(path, &opts, &header, &nh, err, sizeof err);
        dio_free_header(header, nh);
    } else {
        return bi_error(I, a, "%s: unknown format (use .csv, .txt or .npy; "
                        "load_idx reads IDX files)", path);
    }
    return m ? val_mat(m) : bi_error(I, a, "%s", err);
}

/* The header argument: a list of strings, one per column.
 * *h is a malloc'd array of pointers borrowed from the list's strings
 * (alive for the call); the caller frees the array only. Which names can
 * be written (no comma or line break) is dio_save_csv's check. */
static bool header_arg(Interp *I, const Args *a, int i, size_t cols, char ***h, size_t *n)
{
    *h = NULL;
    *n = 0;
    if (!arg_given(a, i))
        return true;
    Value l = a->v[i];
    if (l.kind != VAL_LIST) {
        arg_type_error(I, a, i, "a list of column names");
        return false;
    }
    if (l.as.list->n != cols) {
        bi_error(I, a, "header has %zu name%s but the matrix has %zu column%s",
                 l.as.list->n, l.as.list->n == 1 ? "" : "s", cols, cols == 1 ? "" : "s");
        return false;
    }
    *h = xcalloc(cols ? cols : 1, sizeof **h);
    for (size_t k = 0; k < cols; k++) {
        Value s = l.as.list->items[k];
        if (s.kind != VAL_STR) {
            free(*h);
            *h = NULL;
            bi_error(I, a, "header item %zu is not a string", k + 1);
            return false;
        }
        (*h)[k] = s.as.str->s;
    }
    *n = cols;
    return true;
}

/* The header's length and item types are checked before the file is
 * opened, so that mistake leaves no file behind. An unknown extension is
 * refused rather than guessed: a CSV written as x.dat would not load. */
static Value bi_save(Interp *I, const Args *a)
{
    const char *path = arg_str(I, a, 0);
    Matrix *m = path ? arg_mat(I, a, 1) : NULL;
    if (!m)
        return val_error;
    char err[512], **header = NULL;
    size_t nh = 0;
    Value r = val_nil;
    if (!header_arg(I, a, 2, m->cols, &header, &nh))
        r = val_error;
    else if (ends_with(path, ".npy") ? dio_save_npy(path, m, err, sizeof err) != 0
             : ends_with(path, ".csv") || ends_with(path, ".txt")
                 ? dio_save_csv(path, m, header, nh, err, sizeof err) != 0
                 : (snprintf(err, sizeof err, "%s: unknown format (use .csv, .txt or "
                             ".npy)", path), true))
        r = bi_error(I, a, "%s", err);
    free(header);
    mat_unref(m);
    return r;
}

/* n = 0, the default, reads every item. Images (u8 with two or more
 * dimensions) come scaled to [0, 1] and flattened row-major into one row
 * per image; labels come unscaled as a column (dataio.h). */
static Value bi_load_idx(Interp *I, const Args *a)
{
    const char *path = arg_str(I, a, 0);
    size_t limit = 0;
    DioLoadOpts opts;
    if (!path || (arg_given(a, 1) && !arg_count(I, a, 1, &limit)) || !nan_arg(I, a, 2, &opts))
        return val_error;
    char err[512];
    Matrix *m = NULL;
    if (dio_load_idx_opts(path, limit, &opts, &m, err, sizeof err) != 0)
        return bi_error(I, a, "%s", err);
    return val_mat(m);
}

const Builtin builtins_data[] = {
    {"load", 1, 3, "load(path, nan, sep)", "a matrix from a CSV file (.csv or .txt: decimal "
     "numbers separated by commas, or by sep = \";\", \"|\", or \" \" for runs of spaces "
     "and tabs as NumPy's savetxt writes; an optional header line of names) or a NumPy .npy "
     "file (float64/32/16, integers, bool; C or Fortran order; a 1-D array becomes a "
     "column); a regular file or a named pipe. NaN or infinity in the data (CSV nan, "
     "inf, -inf) is an error naming the file and where (CSV line and field, .npy row "
     "and column) unless nan = \"allow\" (default \"error\"); hexadecimal and "
     "out-of-range CSV numbers are always errors",
     bi_load},
    {"save", 2, 3, "save(path, A, header)", "writes A to .csv (%.17g, so values "
     "round-trip; header = {\"name\", ...} adds a first line) or .npy (float64, "
     "Fortran order, readable by numpy.load)", bi_save},
    {"load_table", 1, 1, "load_table(path)", "a record of the named columns of a CSV "
     "file with a header line (quoted fields allowed) or of a JSON-lines file (.jsonl), "
     "such as ovp sweep writes: a column of numbers (true/false as 1/0, empty cells NaN) "
     "is an n x 1 matrix, any other a list of strings", bi_load_table},
    {"load_idx", 1, 3, "load_idx(path, n, nan)", "an IDX file (MNIST, Fashion-MNIST), "
     "gzipped or not: images as an n x (rows*cols) matrix scaled to [0, 1], one image "
     "per row; labels as an n x 1 column; n limits how many are read; NaN or infinity "
     "in float data is an error unless nan = \"allow\"", bi_load_idx},
    BUILTIN_END,
};
