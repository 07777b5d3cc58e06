#!/bin/sh
# The sweep examples (examples/sweeps/*/run.sh) on their quick grids
# (QUICK=1): each sweep runs with no point in error, and its figure
# script draws the phase diagram (the figure and the gnuplot script
# beside it exist). The full grids take minutes each; their times are in
# each example's README.
ovp=${OVP:-./ovp}
ovp=$(cd "$(dirname "$ovp")" && pwd)/$(basename "$ovp")
src=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v gnuplot > /dev/null; then
    echo "SKIP: gnuplot not installed (the examples draw figures)"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
passed=0 failed=0
for run in "$src"/examples/sweeps/*/run.sh; do
    [ -f "$run" ] || continue
    name=$(basename "$(dirname "$run")")
    out="$dir/$name"
    mkdir "$out"
    QUICK=1 OVP="$ovp" OUT="$out" sh "$run" --jobs 2 > "$out/log" 2>&1
    code=$?
    csv=$(ls "$out"/*.csv 2> /dev/null | head -n 1)
    fig=$(ls "$out"/*.svg "$out"/*.png 2> /dev/null | head -n 1)
    why=
    [ -n "$csv" ] || why="no results file"
    [ -z "$why" ] && grep -q ",error," "$csv" && why="a point in error: $(grep -m 1 ",error," "$csv")"
    [ -z "$why" ] && [ -z "$fig" ] && why="no figure"
    [ -z "$why" ] && [ ! -s "${fig%.*}.gp" ] && why="no gnuplot script beside the figure"
    [ -z "$why" ] && [ "$code" -gt 100 ] && why="run.sh exit status $code"
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        echo "ok: $name ($(($(wc -l < "$csv") - 1)) rows, $(basename "$fig"), status $code)"
    else
        failed=$((failed + 1))
        echo "FAIL: $name: $why"
        tail -n 15 "$out/log"
    fi
done
echo "sweep examples: $passed passed, $failed failed"
[ "$passed" -gt 0 ] && [ "$failed" = 0 ]
