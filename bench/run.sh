#!/bin/bash
# bench/run.sh [WORKLOAD...]: times ovp on the benchmark workloads beside the
# plain-C floor and the NumPy peer, side by side in one run, and prints
# each median wall time and the ratios ovp/C and ovp/NumPy.
#   BENCH_REF  folder with ref.c and ref_numpy.py (default ../shared/bench)
#   RUNS       runs per command (default 3; the median is reported)
cd "$(dirname "$0")/.." || exit 2
ref=${BENCH_REF:-../shared/bench}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

have_c=no
if [ -f "$ref/ref.c" ] && gcc -O2 -march=native -o "$work/ref" "$ref/ref.c" \
        -lopenblas -llapacke -lm 2>/dev/null; then
    have_c=yes
fi
oct=""
command -v octave-cli > /dev/null && [ -f "$ref/ref_octave.m" ] && oct=octave-cli
py=""
for p in /usr/bin/python3 python3; do
    if "$p" -c "import numpy" 2>/dev/null && [ -f "$ref/ref_numpy.py" ]; then py=$p; break; fi
done

# median wall seconds of a command over $runs runs ("-" when it fails)
median() {
    local times=()
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" > /dev/null 2>&1 || { echo "-"; return; }
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    printf "%.3f\n" "${times[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p"
}

ratio() { [ "$1" = - ] || [ "$2" = - ] && echo "-" || printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

workloads=${*:-W1 W2 W3 W4 W5 W6 W7}
printf '%-4s %9s %9s %9s %9s %9s %9s %10s\n' id ovp C NumPy Octave ovp/C ovp/NumPy ovp/Octave
for w in $workloads; do
    lw=$(echo "$w" | tr 'W' 'w')
    o=$(median ./ovp "bench/$lw.ovp")
    c=-; n=-; q=-
    case $w in W1|W2|W3|W4)
        [ $have_c = yes ] && c=$(median "$work/ref" "$w")
        [ -n "$py" ] && n=$(median "$py" "$ref/ref_numpy.py" "$w")
        [ -n "$oct" ] && q=$(cd "$ref" && median "$oct" --no-gui --quiet ref_octave.m "$w") ;;
    esac
    printf '%-4s %9s %9s %9s %9s %9s %9s %10s\n' "$w" "$o" "$c" "$n" "$q" "$(ratio "$o" "$c")" \
        "$(ratio "$o" "$n")" "$(ratio "$o" "$q")"
done
