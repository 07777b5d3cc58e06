#!/bin/sh
# The balanced-initialisation sweep (theory.md B8): the init scales
# s = 1e-4, 1e-3, 1e-2, 0.05 times 200 seeds, one draw of Procedure 1 and
# one GD run per point, then the figure of the fractions per s.
#     OVP=path/to/ovp OUT=dir sh run.sh [more ovp sweep options, e.g. --jobs 2]
# QUICK=1: two scales and 10 seeds, a few seconds (what the test suite runs).
. "$(dirname "$0")/../common.sh"
if [ "${QUICK:-0}" != 0 ]; then
    scales=1e-3,0.05
    seeds=1:10
else
    scales=1e-4,1e-3,1e-2,0.05
    seeds=1:200
fi
grid="--grid s=$scales --grid seed=$seeds"
run_sweep balanced_init "$@"
draw figure="$out/balanced_init.svg"
