#!/bin/sh
# The label-noise sweep (theory.md A13): corruption levels rho times seeds
# 1..5, one GD run of T = 20000 steps per point, then the figure of the
# clean accuracy at the early-stopping time and at T against rho.
#     OVP=path/to/ovp OUT=dir sh run.sh [more ovp sweep options, e.g. --jobs 2]
# QUICK=1: two levels, two seeds and T = 2000, a few seconds (what the
# test suite runs).
#
# The rho grid is theory.md's {0, 0.1, 0.2, 0.3} plus 0.4: with two
# classes, labels flipped at rho = 0.5 carry no information, so early
# stopping must break somewhere below; at 0.4 a cluster of 20 points has
# its majority flipped with probability about 1/4 (8 flips expected, sd
# about 2), which the grid up to 0.3 would not show.
. "$(dirname "$0")/../common.sh"
if [ "${QUICK:-0}" != 0 ]; then
    rhos=0,0.3
    seeds=1:2
    T=2000
else
    rhos=0:0.1:0.4
    seeds=1:5
    T=20000
fi
grid="--grid rho=$rhos --grid T=$T --grid seed=$seeds"
run_sweep label_noise "$@"
draw figure="$out/label_noise.svg"
