/* fuzz_load.c: libFuzzer harness for the data readers (R4): the same bytes
 * go through the CSV, .npy and IDX readers of src/numeric/dataio.c. Their API takes
 * a path, so the input is written to one temporary file per process. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "numeric/dataio.h"

static char path[] = "/tmp/ovp-fuzz-load-XXXXXX";

static void remove_file(void) { unlink(path); }

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
    return 0;
}
