/* suite.h: `ovp suite`, the runner of the theorem suite. Each script runs
 * in its own ovp process (so one crash or hang cannot take the others
 * down), with its figures written to the report's figure folder; the
 * runner prints a table of checks passed and failed and writes a Markdown
 * and an HTML report. */
#ifndef OVP_SUITE_H
#define OVP_SUITE_H

/* Runs `ovp suite [DIR] [--report DIR] [-j N] [--timeout S] [--quick]`;
 * argv[0] is "suite". self is the path of the ovp binary to run scripts
 * with. Returns the exit status: 0 when every script ran and every check
 * passed, 3 when a check failed, 1 when a script errored, 2 on bad usage. */
int suite_main(int argc, char **argv, const char *self);

#endif
