/* Canary for LeakSanitizer inside a Criterion test (each test runs in a
 * forked child, which must not hide the report). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(canary, leaks_a_block)
{
    char *lost = malloc(64);
    strcpy(lost, "never freed");
    cr_expect(lost != NULL);
    lost = NULL;
}
