/* Canary for UndefinedBehaviorSanitizer: signed integer overflow. */
#include <limits.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argv;
    int x = INT_MAX - 1 + argc;
    x += 1;
    printf("%d\n", x);
    return 0;
}
