/* fuzz_load.c: libFuzzer harness for the data readers (R4): the same bytes
 * go through the CSV, .npy and IDX readers of src/numeric/dataio.c and the
 * table reader of src/numeric/coltab.c (as CSV and as JSON lines, which it
 * tells apart by the file name). Their API takes a path, so the input is
 * written to temporary files, made once per process. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "numeric/coltab.h"
#include "numeric/dataio.h"

static char path[] = "/tmp/ovp-fuzz-load-XXXXXX";
static char csv_path[] = "/tmp/ovp-fuzz-table-XXXXXX.csv";
static char jsonl_path[] = "/tmp/ovp-fuzz-table-XXXXXX.jsonl";

static void remove_file(void)
{
    unlink(path);
    unlink(csv_path);
    unlink(jsonl_path);
}

/* The bytes as the file at p (made from its template on the first call). */
static void write_as(char *p, int suffix, int *fd, const uint8_t *data, size_t size)
{
    if (*fd < 0 && (*fd = mkstemps(p, suffix)) < 0)
        abort();
    if (ftruncate(*fd, 0) != 0 || pwrite(*fd, data, size, 0) != (ssize_t)size)
        abort();
}

static void load_tables(const uint8_t *data, size_t size)
{
    static int csv_fd = -1, jsonl_fd = -1;
    write_as(csv_path, 4, &csv_fd, data, size);
    write_as(jsonl_path, 6, &jsonl_fd, data, size);
    char err[256];
    ColTable t;
    if (coltab_load(csv_path, &t, err, sizeof err))
        coltab_free(&t);
    if (coltab_load(jsonl_path, &t, err, sizeof err))
        coltab_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0) {
        if ((fd = mkstemp(path)) < 0)
            abort();
        atexit(remove_file);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    char err[256];
    /* both NaN policies; every seventh input with a small text cap, so the
     * cap's path is reached too */
    for (int mode = 0; mode < 2; mode++) {
        DioLoadOpts o = {mode ? DIO_NAN_ALLOW : DIO_NAN_ERROR, size % 7 == 0 ? 64 : 0};
        char **header = NULL;
        size_t nheader = 0;
        mat_unref(dio_load_csv_opts(path, &o, &header, &nheader, err, sizeof err));
        dio_free_header(header, nheader);
        mat_unref(dio_load_npy_opts(path, &o, err, sizeof err));
        Matrix *m = NULL;
        dio_load_idx_opts(path, size % 3, &o, &m, err, sizeof err);   /* limits 0, 1, 2 */
        mat_unref(m);
    }
    load_tables(data, size);
    return 0;
}
