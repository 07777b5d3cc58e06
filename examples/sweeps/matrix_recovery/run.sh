#!/bin/sh
# The gamma x r phase diagram of theory.md A10 (nonconvex matrix recovery):
# ovp sweep runs point.ovp over gamma x r x seed, then figure.ovp draws
# matrix_recovery.svg (heatmap over gamma and r) and
# matrix_recovery_gamma.svg (success against gamma, a curve per r).
#   OVP    the ovp binary (default: ovp on the PATH)
#   OUT    the folder for the results and figures (default: .)
#   QUICK  set (and not 0): an 8-point grid, a few seconds (the test suite's run)
# Other arguments go to ovp sweep (--jobs 2, --resume, --timeout 60, ...).
# Exit status: the sweep's (the number of points that were not ok), or the
# figure's when the sweep was ok and the figure failed.
. "$(dirname "$0")/../common.sh"

case ${QUICK:-0} in
0)  # theory.md A10's grid and seeds, in full (6-15 s on two cores).
    grid="--grid gamma=0.25,0.5,0.75,1.0,1.25 --grid r=2,4,8 --grid seed=1:10" ;;
*)  grid="--grid gamma=0.5,1.25 --grid r=2,4 --grid seed=1:2" ;;
esac

run_sweep matrix_recovery "$@"
draw figure="$out/matrix_recovery.svg" curve="$out/matrix_recovery_gamma.svg"
