/* Canary for LeakSanitizer: a block that is never freed. */
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *lost = malloc(64);
    strcpy(lost, "never freed");
    lost = NULL;
    return 0;
}
