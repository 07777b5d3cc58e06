/* bi_data.c: files: load/save (CSV, NumPy .npy) and load_idx (MNIST-style
 * IDX, gzipped or not). The formats live in dataio.c; this file reads
 * arguments and reports errors.
 *
 * dataio's messages already start with the path and say what is wrong
 * ("x.csv:3: row has 2 fields, expected 3"), so they are passed on as
 * they are, after the built-in's name. Paths are relative to the working
 * directory, not to the script. */
#include <stdlib.h>
#include <string.h>

#include "eval/builtin.h"
#include "numeric/dataio.h"
#include "value/ops.h"

/* The format is chosen by the extension, case-sensitively: ".CSV" is not
 * recognised. */
static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* load returns the matrix alone, so a CSV header line is read and freed
 * here. Any other extension is refused with the list of known ones; the
 * message points to load_idx since IDX files have no fixed extension. */
static Value bi_load(Interp *I, const Args *a)
{
    const char *path = arg_str(I, a, 0);
    if (!path)
        return val_error;
    char err[512];
    Matrix *m = NULL;
    if (ends_with(path, ".npy")) {
        m = dio_load_npy(path, err, sizeof err);
    } else if (ends_with(path, ".csv") || ends_with(path, ".txt")) {
        char **header = NULL;
        size_t nh = 0;
        m = dio_load_csv(path, &header, &nh, err, sizeof err);
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
        bi_error(I, a, "header has %zu names but the matrix has %zu columns",
                 l.as.list->n, cols);
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
    if (!path || (arg_given(a, 1) && !arg_count(I, a, 1, &limit)))
        return val_error;
    char err[512];
    Matrix *m = NULL;
    if (dio_load_idx(path, limit, &m, err, sizeof err) != 0)
        return bi_error(I, a, "%s", err);
    return val_mat(m);
}

const Builtin builtins_data[] = {
    {"load", 1, 1, "load(path)", "a matrix from a CSV file (.csv or .txt: numbers "
     "separated by commas, an optional header line of names) or a NumPy .npy file "
     "(float64/32, int64/32/8, uint8, bool; C or Fortran order; a 1-D array becomes "
     "a column)", bi_load},
    {"save", 2, 3, "save(path, A, header)", "writes A to .csv (%.17g, so values "
     "round-trip; header = {\"name\", ...} adds a first line) or .npy (float64, "
     "Fortran order, readable by numpy.load)", bi_save},
    {"load_idx", 1, 2, "load_idx(path, n)", "an IDX file (MNIST, Fashion-MNIST), "
     "gzipped or not: images as an n x (rows*cols) matrix scaled to [0, 1], one image "
     "per row; labels as an n x 1 column; n limits how many are read", bi_load_idx},
    BUILTIN_END,
};
