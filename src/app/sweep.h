/* sweep.h: `ovp sweep`, a script run over a grid of parameters, one
 * fresh interpreter per point, its emitted rows gathered into one file
 * in grid order whatever process ran each point. See doc/manual.md,
 * "Sweeps". */
#ifndef OVP_SWEEP_H
#define OVP_SWEEP_H

/* Exit statuses: the number of points that did not come out ok (capped
 * at SWEEP_MAX_FAILED), SWEEP_USAGE when the sweep could not start, 130
 * when interrupted. */
#define SWEEP_MAX_FAILED 100
#define SWEEP_USAGE 101

#include <stdbool.h>

#include "app/sweep_point.h"
#include "app/sweep_table.h"

/* A sweep as its command line gave it. */
typedef struct {
    const char *script;
    char *text;            /* the script, read once */
    size_t len;
    Grid grid;
    char *out;             /* the results file */
    TableFormat format;
    bool format_given;
    long jobs;
    double timeout;
    bool resume;
    bool mpi;
    unsigned long long seed;
    const char *logs;      /* NULL: the points' output is discarded */
    /* what --slurm writes and its tasks and --collect read back */
    const char **specs;    /* the --grid arguments as given */
    size_t nspecs;
    const char *slurm_dir; /* --slurm DIR: write the job, run nothing */
    const char *partition, *time_limit, *mem;   /* passed to sbatch */
    long array_max;        /* --array-max K: at most K tasks at once */
    const char *task_dir;  /* --task-dir DIR --task-id I: one array task */
    long task_id;
    const char *collect_dir;   /* --collect DIR: merge the tasks' results */
} Sweep;

/* Runs `ovp sweep SCRIPT --grid NAME=VALUES ... [options]`; argv[0] is
 * "sweep". self is this binary's path (the MPI build is found beside
 * it). */
int sweep_main(int argc, char **argv, const char *self);

/* Runs point `point` in this process (a fresh interpreter, one BLAS
 * thread), its output to --logs when given. */
void sweep_run_point(const Sweep *s, size_t point, PointResult *r);

/* The summary on stderr and the exit status, for table t of sweep s;
 * completed is false after an interruption, written false when the
 * file could not be written. */
int sweep_finish(const Sweep *s, const SweepTable *t, double seconds, bool completed,
                 bool written);

/* Slurm job arrays (sweep_slurm.c). The job's folder holds sweep.args
 * (the sweep's own arguments, one per line, read back by the tasks and
 * by --collect), points (the points to run, one per task), sweep.sbatch,
 * logs/ and results/. */
int sweep_slurm_write(Sweep *s, const SweepTable *t);
int sweep_slurm_task(Sweep *s);
int sweep_slurm_collect(Sweep *s, SweepTable *t);
/* The arguments saved in DIR/sweep.args, after argv[0]: a new argv
 * (malloc'd strings, NULL-terminated) with *argc set; NULL, explained on
 * stderr, when it cannot be read. */
char **sweep_saved_args(const char *dir, int *argc);

/* The MPI backend, defined only in the binary built with MPI (ovp-mpi,
 * sweep_mpi.c); a weak reference here, so plain ovp sees NULL. Runs the
 * points table t lacks across the ranks and returns the exit status
 * (rank 0 writes the file). */
int sweep_mpi_run(Sweep *s, SweepTable *t) __attribute__((weak));

#endif
