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
    char **header = NULL;
    size_t nheader = 0;
    mat_unref(dio_load_csv(path, &header, &nheader, err, sizeof err));
    dio_free_header(header, nheader);
    mat_unref(dio_load_npy(path, err, sizeof err));
    Matrix *m = NULL;
    dio_load_idx(path, size % 3, &m, err, sizeof err);   /* limits 0, 1, 2 */
    mat_unref(m);
    return 0;
}
