#!/bin/sh
# The width x sample-size phase diagram of theory.md A4: ovp sweep runs
# point.ovp over k x n x seed, then figure.ovp draws width_vs_n.svg (heatmap
# over k and n) and width_vs_n_kdn.svg (success against k d / n).
#   OVP    the ovp binary (default: ovp on the PATH)
#   OUT    the folder for the results and figures (default: .)
#   QUICK  set (and not 0): a 12-point grid, a few seconds (the test suite's run)
# Other arguments go to ovp sweep (--jobs 2, --resume, --timeout 60, ...).
# Exit status: the sweep's (the number of points that were not ok), or the
# figure's when the sweep was ok and the figure failed.
. "$(dirname "$0")/../common.sh"

case ${QUICK:-0} in
0)  # theory.md A4 gives d = 20, T = 3000 and seeds 1..5 at n = 40; the grid
    # spreads n around it and takes k down to where k d < n (no interpolation),
    # so k d / n runs from 0.25 to 256 and k d = 2 n falls inside every row.
    # All five seeds are kept: 1.5-3 minutes with --jobs 2 on two cores.
    grid="--grid n=20,30,40,60,80,120,160 --grid k=2,4,8,16,32,64,128,256 --grid seed=1:5" ;;
*)  grid="--grid n=20,40 --grid k=2,4,16 --grid seed=1:2" ;;
esac

run_sweep width_vs_n "$@"
draw figure="$out/width_vs_n.svg" curve="$out/width_vs_n_kdn.svg"
