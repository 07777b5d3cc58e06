/* fuzz_eval.c: libFuzzer harness for parse + resolve + evaluate (R4).
 * Limits: the fuzz build sets MAT_MAX_ELEMS = 1e5 and
 * INTERP_MAX_CALL_DEPTH = 200 (Makefile.am, FUZZ_CPPFLAGS); here a budget of
 * 2e4 loop iterations and calls, a 25 ms (wall) watchdog that raises the
 * SIGINT flag (so gd, sgd and loops stop at their next poll, as on Ctrl-C;
 * work that does not poll still hits libFuzzer's -timeout), output to
 * /dev/null, and no file, plot or process I/O: those built-ins are unbound. */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "eval/interp.h"
#include "builtins/registry.h"
#include "base/strbuf.h"

/* Small budgets keep an input that loops or builds big values to a few
 * milliseconds, so an hour runs over a million inputs; 2e4 steps still
 * build values nested past every depth limit (1000, 2000). */
#define FUZZ_STEP_BUDGET 20000UL

static const char *const no_io[] = {"load", "save", "load_idx", "plot", "tic", "toc"};

static void on_watchdog(int sig) { (void)sig; ovp_interrupted = 1; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    static timer_t timer;   /* SIGUSR1: libFuzzer's -timeout has SIGALRM */
    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
    if (!devnull && (!(devnull = fopen("/dev/null", "w")) || signal(SIGUSR1, on_watchdog) == SIG_ERR
                     || timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0))
        abort();
    Interp *I = interp_new(builtin_families);
    I->out = devnull;
    I->step_budget = FUZZ_STEP_BUDGET;
    for (size_t i = 0; i < sizeof no_io / sizeof *no_io; i++)
        sym_intern(I, no_io[i])->builtin = NULL;
    ovp_interrupted = 0;
    struct itimerspec watchdog = {{0, 0}, {0, 25000000}}, off = {{0, 0}, {0, 0}};
    timer_settime(timer, 0, &watchdog, NULL);
    StrBuf diag;
    sb_init(&diag);
    interp_run_source(I, "<fuzz>", (const char *)data, size, &diag);
    timer_settime(timer, 0, &off, NULL);
    sb_free(&diag);
    interp_free(I);
    return 0;
}
