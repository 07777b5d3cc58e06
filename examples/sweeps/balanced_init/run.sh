#!/bin/sh
# The balanced-initialisation sweep (theory.md B8): the init scales
# s = 1e-4, 1e-3, 1e-2, 0.05 times 200 seeds, one draw of Procedure 1 and
# one GD run per point, then the figure of the fractions per s.
#     OVP=path/to/ovp OUT=dir sh run.sh [more ovp sweep options, e.g. --jobs 2]
# QUICK=1: two scales and 10 seeds, a few seconds (what the test suite runs).
ovp=${OVP:-ovp}
out=${OUT:-.}
here=$(dirname "$0")
if [ "${QUICK:-0}" != 0 ]; then
    scales=1e-3,0.05
    seeds=1:10
else
    scales=1e-4,1e-3,1e-2,0.05
    seeds=1:200
fi
"$ovp" sweep "$here/point.ovp" --grid s=$scales --grid seed=$seeds \
    --out "$out/balanced_init.csv" "$@"
status=$?
# A sweep that could not start (101) or was interrupted (130) left no
# table worth drawing. Otherwise the figure is drawn from the points that
# came out ok, and the exit status is the sweep's (the number of failed
# points), or the figure's when every point was ok.
[ $status -gt 100 ] && exit $status
"$ovp" "$here/figure.ovp" results="$out/balanced_init.csv" figure="$out/balanced_init.svg"
figure=$?
[ $status -ne 0 ] && exit $status
exit $figure
