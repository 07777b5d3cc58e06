/* failmalloc.c: an LD_PRELOAD shim that makes one chosen allocation of
 * ovp fail, for tests/check-alloc-failure.sh.
 *
 * Only allocations called from the ovp executable itself are counted (the
 * interpreter is linked into it statically); those made inside libc,
 * OpenBLAS or the dynamic loader pass through, since their failure is
 * their own business. Environment:
 *   OVP_FAILMALLOC=N          the N-th counted allocation (1-based) returns
 *                             NULL; 0 or unset: none does
 *   OVP_FAILMALLOC_PERSIST=1  every counted allocation from the N-th on
 *                             fails, not only the N-th
 *   OVP_FAILMALLOC_COUNT=FILE at a normal exit, write how many
 *                             allocations were counted to FILE
 *   OVP_FAILMALLOC_UNTIL_EXIT=1  stop counting (and failing) once exit()
 *                             starts: for a coverage build, whose gcov
 *                             writer runs at exit inside the executable
 *                             and must not be the one that fails
 * The shim removes itself from LD_PRELOAD so that programs ovp starts
 * (gnuplot) run normally, and puts itself back when ovp runs itself again
 * (execv of /proc/self/exe, to choose OpenBLAS's kernels), so that the new
 * run is the one counted. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

/* The executable segments of the main program. */
#define MAX_SEGMENTS 8
static struct { unsigned long lo, hi; } text[MAX_SEGMENTS];
static int ntext;
static int ready;
static unsigned long counted, fail_at;
static int persist;
static const char *count_file;
static char *own_preload;   /* LD_PRELOAD as it was, to restore on re-exec */

static int find_main_text(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size, (void)data;
    for (int i = 0; i < info->dlpi_phnum && ntext < MAX_SEGMENTS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            text[ntext].lo = info->dlpi_addr + ph->p_vaddr;
            text[ntext].hi = text[ntext].lo + ph->p_memsz;
            ntext++;
        }
    }
    return 1;   /* the first object listed is the main program */
}

/* exit runs atexit handlers in the reverse order of their registration.
 * gcov's writer registers in the executable's constructors, after this
 * shim's constructor, so stop_counting is registered later still: at the
 * first allocation counted once main runs its code, so that it runs
 * first at exit. */
static int until_exit, registered;

static void stop_counting(void)
{
    ready = 0;
}

__attribute__((constructor)) static void failmalloc_init(void)
{
    dl_iterate_phdr(find_main_text, NULL);
    const char *n = getenv("OVP_FAILMALLOC");
    fail_at = n ? strtoul(n, NULL, 10) : 0;
    persist = getenv("OVP_FAILMALLOC_PERSIST") != NULL;
    count_file = getenv("OVP_FAILMALLOC_COUNT");
    until_exit = getenv("OVP_FAILMALLOC_UNTIL_EXIT") != NULL;
    const char *pre = getenv("LD_PRELOAD");
    own_preload = pre ? strdup(pre) : NULL;
    unsetenv("LD_PRELOAD");
    ready = 1;
}

__attribute__((destructor)) static void failmalloc_report(void)
{
    if (!count_file)
        return;
    FILE *f = fopen(count_file, "w");
    if (f) {
        fprintf(f, "%lu\n", counted);
        fclose(f);
    }
}

/* True when this allocation, called from caller, is to fail. */
static int should_fail(const void *caller)
{
    if (!ready)
        return 0;
    unsigned long a = (unsigned long)caller;
    int ours = 0;
    for (int i = 0; i < ntext && !ours; i++)
        ours = a >= text[i].lo && a < text[i].hi;
    if (!ours)
        return 0;
    if (until_exit && !registered) {
        registered = 1;   /* first: atexit may allocate, and come back here */
        atexit(stop_counting);
    }
    counted++;
    return fail_at && (counted == fail_at || (persist && counted > fail_at));
}

void *malloc(size_t n)
{
    if (should_fail(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    if (should_fail(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (should_fail(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    if (should_fail(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (should_fail(__builtin_return_address(0)))
        return ENOMEM;
    void *p = __libc_memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

int execv(const char *path, char *const argv[])
{
    static int (*real_execv)(const char *, char *const[]);
    if (!real_execv)
        real_execv = (int (*)(const char *, char *const[]))dlsym(RTLD_NEXT, "execv");
    if (own_preload && strcmp(path, "/proc/self/exe") == 0)
        setenv("LD_PRELOAD", own_preload, 1);
    return real_execv(path, argv);
}
