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

/* Runs `ovp sweep SCRIPT --grid NAME=VALUES ... [options]`; argv[0] is
 * "sweep". */
int sweep_main(int argc, char **argv);

#endif
