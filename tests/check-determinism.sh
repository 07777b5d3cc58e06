#!/bin/sh
# Determinism (RELIABILITY.md R15). The same script and seed must give
#  (a) byte-identical output over repeated runs with one BLAS thread, also
#      with the heap layout perturbed (MALLOC_PERTURB_), and
#  (b) with two BLAS threads, the same PASS/FAIL verdicts and every printed
#      number within 1e-12 relative (BLAS may sum in another order), plus
#      1e-10 absolute: residuals at round-off level (1e-15 .. 1e-9 here) are
#      made of summation-order noise and keep no digits across orders.
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

# numbers of two outputs agree to 1e-12 relative + 1e-10 absolute, and the
# words are the same
numdiff() {
    awk -v tol=1e-12 '
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
                    if (d <= tol * s + 1e-10) continue
                }
                printf "line %d: %s vs %s\n", FNR, x[i], y[i]; bad = 1
            }
        }
        END { if (na != nb) { print "different line counts"; bad = 1 } exit bad }' "$1" "$2"
}

for s in $scripts; do
    run "$s" 1 a
    run "$s" 1 b
    run "$s" 1 p MALLOC_PERTURB_=165
    run "$s" 2 t
    cmp -s "$work/$s.a" "$work/$s.b" || fail "$s: two single-thread runs differ"
    cmp -s "$work/$s.a" "$work/$s.p" || fail "$s: MALLOC_PERTURB_ changes the output"
    grep -E '^(PASS|FAIL)' "$work/$s.a" > "$work/v1"
    grep -E '^(PASS|FAIL)' "$work/$s.t" > "$work/v2"
    [ -s "$work/v1" ] || fail "$s: no checks in its output"
    cut -c1-4 "$work/v1" > "$work/c1"; cut -c1-4 "$work/v2" > "$work/c2"
    cmp -s "$work/c1" "$work/c2" || fail "$s: verdicts differ between 1 and 2 BLAS threads"
    numdiff "$work/$s.a" "$work/$s.t" > "$work/diff" || { fail "$s: 1 vs 2 threads beyond 1e-12"; head -5 "$work/diff"; }
done
n=$(echo $scripts | wc -w)
echo "determinism: $n scripts, 4 runs each (1 thread twice, perturbed heap, 2 threads)"
exit $status
