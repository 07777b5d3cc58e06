/* Canary for AddressSanitizer: a write one past the end of a heap block. */
#include <stdlib.h>

int main(int argc, char **argv)
{
    (void)argv;
    volatile int *a = malloc(4 * sizeof *a);
    a[4 + argc - 1] = 1;
    free((void *)a);
    return 0;
}
