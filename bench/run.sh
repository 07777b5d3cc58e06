#!/bin/bash
# bench/run.sh [WORKLOAD...]: times ovp on the benchmark workloads beside the
# plain-C floor and the NumPy, Octave and Lua peers, side by side in one run,
# and prints each median wall time, the ratios, ovp's peak memory beside the
# floor's, and each time as a multiple of the machine's limit.
#   BENCH_REF  folder with ref.c, ref_numpy.py, ... (default ../shared/bench)
#   RUNS       runs per command (default 3; the median is reported; the
#              start-up row takes at least 21)
# Every tool runs at its own default settings: no thread count is imposed
# (set OPENBLAS_NUM_THREADS yourself to compare at equal counts).
cd "$(dirname "$0")/.." || exit 2
ref=${BENCH_REF:-../shared/bench}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

have_c=no
if [ -f "$ref/ref.c" ] && gcc -O2 -march=native -o "$work/ref" "$ref/ref.c" \
        -lopenblas -llapacke -lm 2>/dev/null; then
    have_c=yes
fi
oct=""
command -v octave-cli > /dev/null && [ -f "$ref/ref_octave.m" ] && oct=octave-cli
lua=""
command -v lua5.4 > /dev/null && [ -f "$ref/ref_lua.lua" ] && lua=lua5.4
py=""
for p in /usr/bin/python3 python3; do
    if "$p" -c "import numpy" 2>/dev/null; then py=$p; break; fi
done
[ -f "$ref/ref_numpy.py" ] || ref_py=no

# The machine's limits (bench/machine.c): dgemm GFLOP/s on every thread
# and the triad bandwidth. A workload's limit is its floating-point work at
# the dgemm rate: what no implementation on this machine can beat.
gemm=-
if gcc -O2 -march=native -o "$work/machine" bench/machine.c -lopenblas 2>/dev/null; then
    read -r _ g1 _ gemm _ triad _ nthr _ core < <("$work/machine")
    echo "machine: dgemm $g1 GFLOP/s on 1 thread, $gemm on $nthr ($core kernels); triad $triad GB/s"
fi
# floating-point operations of each workload's BLAS and LAPACK work
flops() {
    case $1 in
        W1) echo "100 * 2 * (2 * 1000 * 1000 * 100)" ;;                  # two products per step
        W2) echo "2*2000*4000*100 + 2000^2*4000 + 2000^2*100 + 4/3*2000^3" ;;
        W3) echo "5000 * (4 * 4000 * 128 + 2 * 128^3 + 6 * 128^2)" ;;
        W7) echo "2*2000*4000*100 + 2000^2*4000 + 2000^2*100 + 4/3*2000^3" ;;
        W8) echo "2*1000*100*500 + 4*1000*500*500 + 3*1000^2*500 + 1000^2*100 + 4/3*1000^3" ;;
        *) echo "" ;;
    esac
}

# median wall seconds of a command over $runs runs ("-" when it fails)
median() {
    local times=()
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$EPOCHREALTIME   # bash's clock: no process of its own to time
        "$@" > /dev/null 2>&1 || { echo "-"; return; }
        t1=$EPOCHREALTIME
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    printf "%.${digits:-3}f\n" "${times[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p"
}

# peak resident memory in MB of one run ("-" without GNU time)
peak() {
    [ -x /usr/bin/time ] || { echo "-"; return; }
    /usr/bin/time -f %M -o "$work/rss" "$@" > /dev/null 2>&1 || { echo "-"; return; }
    echo "$(( $(tail -1 "$work/rss") / 1024 ))"
}

# start-up: `ovp -e 1` beside `lua5.4 -e ''`, the median of at least 21
# runs each, in seconds with four decimals (a run is a few milliseconds)
start_up() {
    local saved=$runs o l
    runs=$(( runs > 21 ? runs : 21 ))
    o=$(digits=4 median ./ovp -e 1)
    l=-
    [ -n "$lua" ] && l=$(digits=4 median "$lua" -e "")
    runs=$saved
    printf "$fmt" start "$o" - - - "$l" - - - - "$(ratio "$o" "$l")" - "$(peak ./ovp -e 1)/-"
}

ratio() { [ "$1" = - ] || [ "$2" = - ] && echo "-" || printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

workloads=${*:-W1 W2 W3 W4 W5 W6 W7 W8 start}
fmt='%-4s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n'
printf "$fmt" id ovp C NumPy Octave Lua limit ovp/C ovp/NumPy ovp/Oct ovp/Lua ovp/limit "MB ovp/C"
for w in $workloads; do
    if [ "$w" = start ]; then start_up; continue; fi
    lw=$(echo "$w" | tr 'W' 'w')
    o=$(median ./ovp "bench/$lw.ovp")
    c=-; n=-; q=-; l=-; lim=-; mo=$(peak ./ovp "bench/$lw.ovp"); mc=-
    case $w in W1|W2|W3|W4)
        if [ $have_c = yes ]; then c=$(median "$work/ref" "$w"); mc=$(peak "$work/ref" "$w"); fi
        [ -n "$py" ] && [ "$ref_py" != no ] && n=$(median "$py" "$ref/ref_numpy.py" "$w")
        [ -n "$oct" ] && q=$(cd "$ref" && median "$oct" --no-gui --quiet ref_octave.m "$w") ;;
    esac
    [ "$w" = W4 ] && [ -n "$lua" ] && l=$(median "$lua" "$ref/ref_lua.lua")
    # W8 (issue 11) has its NumPy twin here, not in shared/bench
    [ "$w" = W8 ] && [ -n "$py" ] && n=$(median "$py" bench/w8_numpy.py)
    f=$(flops "$w")
    [ -n "$f" ] && [ "$gemm" != - ] && lim=$(printf '%.3f' "$(echo "($f) / ($gemm * 10^9)" | bc -l)")
    printf "$fmt" "$w" "$o" "$c" "$n" "$q" "$l" "$lim" "$(ratio "$o" "$c")" "$(ratio "$o" "$n")" \
        "$(ratio "$o" "$q")" "$(ratio "$o" "$l")" "$(ratio "$o" "$lim")" "$mo/$mc"
done
