/* npytool.c: drives dataio.c from the command line for tests/check-numpy.py.
 *
 *   npytool roundtrip IN.npy OUT.npy   load with dio_load_npy, save with dio_save_npy
 *   npytool csv IN.csv OUT.csv         load with dio_load_csv, save with dio_save_csv
 *   npytool idx IN OUT.npy [LIMIT]     load with dio_load_idx, save with dio_save_npy
 *
 * On success prints "ROWSxCOLS" (and " logical" for a logical matrix) and
 * exits 0; on failure prints the error message to stderr and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numeric/dataio.h"

/* Prints the shape of m; frees m. */
static int done(Matrix *m)
{
    printf("%zux%zu%s\n", m->rows, m->cols, m->logical ? " logical" : "");
    mat_unref(m);
    return 0;
}

/* Reports err and returns the failing exit status. */
static int failed(const char *err)
{
    fprintf(stderr, "npytool: %s\n", err);
    return 1;
}

static int roundtrip(const char *in, const char *out)
{
    char err[512];
    Matrix *m = dio_load_npy(in, err, sizeof err);
    if (!m)
        return failed(err);
    if (dio_save_npy(out, m, err, sizeof err) != 0) {
        mat_unref(m);
        return failed(err);
    }
    return done(m);
}

static int csv(const char *in, const char *out)
{
    char err[512], **names;
    size_t n;
    Matrix *m = dio_load_csv(in, &names, &n, err, sizeof err);
    if (!m)
        return failed(err);
    int rc = dio_save_csv(out, m, names, n, err, sizeof err);
    dio_free_header(names, n);
    if (rc != 0) {
        mat_unref(m);
        return failed(err);
    }
    return done(m);
}

static int idx(const char *in, const char *out, const char *limit)
{
    char err[512];
    Matrix *m;
    if (dio_load_idx(in, limit ? strtoul(limit, NULL, 10) : 0, &m, err, sizeof err) != 0)
        return failed(err);
    if (dio_save_npy(out, m, err, sizeof err) != 0) {
        mat_unref(m);
        return failed(err);
    }
    return done(m);
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "roundtrip") == 0)
        return roundtrip(argv[2], argv[3]);
    if (argc >= 4 && strcmp(argv[1], "csv") == 0)
        return csv(argv[2], argv[3]);
    if (argc >= 4 && strcmp(argv[1], "idx") == 0)
        return idx(argv[2], argv[3], argc >= 5 ? argv[4] : NULL);
    fprintf(stderr, "usage: npytool roundtrip|csv|idx IN OUT [LIMIT]\n");
    return 2;
}
