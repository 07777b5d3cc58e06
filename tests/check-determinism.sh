#!/bin/sh
# Determinism (RELIABILITY.md R15). The same script and seed must give
#  (a) byte-identical output over repeated runs with one BLAS thread, also
#      with the heap layout perturbed (MALLOC_PERTURB_), and
#  (b) with the other BLAS thread count (1 <-> 2; the run above uses the
#      environment's, default 1), the same PASS/FAIL verdicts and the same
#      words, and every printed number that is meant to be stable within
#      1e-9 relative. BLAS and LAPACK may sum in another order with another
#      thread count (or CPU kernel), which moves every result by a few
#      units of round-off times its condition number. What these scripts
#      print below 1e-8 in magnitude is round-off itself: residuals, errors
#      and slacks relative to O(1) quantities, eigenvalues of singular
#      matrices (1e-16 .. 1e-9), whose digits are noise in any order. Those
#      are compared only through the verdicts of the checks made on them.
#      Quantities above 1e-8 here have condition numbers below ~1e6, so
#      1e-9 relative leaves a margin of 1e3 over double round-off.
# The scripts are quick theorem scripts that draw from the random stream,
# train, factorise and print many numbers; their figures go to a scratch folder.
ovp=${OVP:-./ovp}
case $ovp in /*) ;; *) ovp=$(pwd)/$ovp ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts="shallow_model_jacobian covariance_kappa balanced_init linear_least_squares
random_features balancedness_preserved deficiency_margin necessity_claims
schur_product_bounds linear_net_gradients non_strict_saddle hermite_lemma"
status=0
# the thread count of the comparison run: the other one of 1 and 2
other=2
[ "${OPENBLAS_NUM_THREADS:-1}" = 2 ] && other=1
fail() { echo "FAIL: $1"; status=1; }

# run NAME THREADS TAG [ENV...]: stdout and stderr of one run into $work/NAME.TAG
run() {
    name=$1 threads=$2 tag=$3
    shift 3
    mkdir -p "$work/run.$tag"
    (cd "$work/run.$tag" &&
     env OPENBLAS_NUM_THREADS="$threads" "$@" "$ovp" "$top/examples/theorems/$name.ovp" \
         > "$work/$name.$tag" 2>&1)
    code=$?
    [ "$code" = 0 ] || [ "$code" = 3 ] || fail "$name ($tag) exited with status $code"
}

# numbers of two outputs agree to 1e-9 relative, those below 1e-8 (noise)
# not compared, and the words are the same
numdiff() {
    awk -v tol=1e-9 -v floor=1e-8 '
        function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
        function absv(x) { return x < 0 ? -x : x }
        NR == FNR { a[FNR] = $0; na = FNR; next }
        {
            nb = FNR
            n1 = split(a[FNR], x, /[][ ,:;=()\/|]+/); n2 = split($0, y, /[][ ,:;=()\/|]+/)
            if (n1 != n2) { printf "line %d: different fields\n", FNR; bad = 1; next }
            for (i = 1; i <= n1; i++) {
                if (x[i] == y[i]) continue
                if (isnum(x[i]) && isnum(y[i])) {
                    d = absv(x[i] - y[i]); s = absv(x[i]) > absv(y[i]) ? absv(x[i]) : absv(y[i])
                    if (d <= tol * s || s < floor) continue
                }
                printf "line %d: %s vs %s\n", FNR, x[i], y[i]; bad = 1
            }
        }
        END { if (na != nb) { print "different line counts"; bad = 1 } exit bad }' "$1" "$2"
}

for s in $scripts; do
    run "$s" "${OPENBLAS_NUM_THREADS:-1}" a
    run "$s" "${OPENBLAS_NUM_THREADS:-1}" b
    run "$s" "${OPENBLAS_NUM_THREADS:-1}" p MALLOC_PERTURB_=165
    run "$s" "$other" t
    cmp -s "$work/$s.a" "$work/$s.b" || fail "$s: two runs with the same thread count differ"
    cmp -s "$work/$s.a" "$work/$s.p" || fail "$s: MALLOC_PERTURB_ changes the output"
    grep -E '^(PASS|FAIL)' "$work/$s.a" > "$work/v1"
    grep -E '^(PASS|FAIL)' "$work/$s.t" > "$work/v2"
    [ -s "$work/v1" ] || fail "$s: no checks in its output"
    cut -c1-4 "$work/v1" > "$work/c1"; cut -c1-4 "$work/v2" > "$work/c2"
    cmp -s "$work/c1" "$work/c2" || fail "$s: verdicts differ between 1 and 2 BLAS threads"
    numdiff "$work/$s.a" "$work/$s.t" > "$work/diff" || { fail "$s: 1 vs 2 threads beyond 1e-9"; head -5 "$work/diff"; }
done
n=$(echo $scripts | wc -w)
echo "determinism: $n scripts, 4 runs each (${OPENBLAS_NUM_THREADS:-1} thread(s) twice, perturbed heap, $other thread(s))"
exit $status
