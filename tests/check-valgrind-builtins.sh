#!/bin/sh
# Every built-in under valgrind: no leak, no invalid read or write.
#  1. tests/valgrind/every_builtin.ovp must call each name that
#     `ovp --builtin-names` lists (a new built-in without a call there fails
#     this test, naming it);
#  2. the script runs under valgrind, with files and figures in a scratch
#     folder under /tmp; it ends with error() raised inside a function, so
#     exit status 1 with its message is the expected outcome;
#  3. error paths of built-ins that allocate before they fail, each an
#     `ovp -e` run that must exit with status 1, print the expected error
#     and make valgrind report nothing.
# Skipped (77) without valgrind or on a sanitizer build (OVP_SANITIZED=yes:
# valgrind cannot run one). OVP names the binary (default ./ovp).
ovp=${OVP:-./ovp}
case $ovp in /*) ;; *) ovp=$(pwd)/$ovp ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
script=$top/tests/valgrind/every_builtin.ovp
fashion=/usr/share/datasets/fashion-mnist
status=0
fail() { echo "FAIL: $1"; status=1; }

# ---- 1. coverage: NAME( in the script, outside comment lines and fields
names=$("$ovp" --builtin-names) || { echo "FAIL: $ovp --builtin-names"; exit 1; }
code=$(grep -v '^[[:space:]]*#' "$script")
count=0
for name in $names; do
    count=$((count + 1))
    printf '%s\n' "$code" | grep -Eq "(^|[^A-Za-z0-9_.])$name\(" ||
        fail "built-in '$name' is not called in tests/valgrind/every_builtin.ovp"
done
[ $status = 0 ] && echo "coverage: all $count built-ins are called"

# without valgrind only the coverage is checked: a gap still fails
skip() { echo "SKIP: $1"; [ $status = 0 ] && exit 77; exit $status; }
valgrind=$(command -v valgrind) || skip "valgrind is not installed"
[ "$OVP_SANITIZED" = yes ] && skip "a sanitizer build cannot run under valgrind"
vg="$valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
work=$(mktemp -d /tmp/ovp-valgrind.XXXXXX) || exit 99
trap 'rm -rf "$work"' EXIT

# ---- 2. the script
# an int32 C-order .npy of [1, 2, 3; 4, 5, 6] (header padded to 64 bytes)
header="{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }"
while [ $(((10 + ${#header} + 1) % 64)) != 0 ]; do header="$header "; done
len=$((${#header} + 1))
{
    printf '\223NUMPY\001\000'
    printf "\\$(printf %o $((len % 256)))\\$(printf %o $((len / 256)))"
    printf '%s\n' "$header"
    for v in 1 2 3 4 5 6; do printf "\\$(printf %o $v)\\000\\000\\000"; done
} > "$work/i4.npy"
set -- dir="$work" i4="$work/i4.npy"
command -v gnuplot > /dev/null && set -- "$@" plots=true
if [ -f "$fashion/t10k-labels-idx1-ubyte.gz" ] && [ -f "$fashion/t10k-images-idx3-ubyte.gz" ]; then
    set -- "$@" fashion="$fashion"
    gzip -dc "$fashion/t10k-labels-idx1-ubyte.gz" > "$work/labels.idx" &&
        set -- "$@" raw_idx="$work/labels.idx"
fi
(cd "$work" && $vg "$ovp" "$script" "$@" > out 2> err < /dev/null)
code=$?
if [ $code != 1 ] || ! grep -q "error: every_builtin: done" "$work/err" ||
   ! grep -q "^checks: [0-9]* passed, 0 failed" "$work/err" || grep -q "^FAIL" "$work/out"; then
    fail "every_builtin.ovp: exit status $code (1 expected, with its final error and no failed check)"
    cat "$work/err"
    grep "^FAIL" "$work/out"
else
    echo "every_builtin.ovp: $(grep -c '^PASS' "$work/out") checks passed, no valgrind report"
fi

# ---- 3. error paths: "MESSAGE :: PROGRAM", the error must contain MESSAGE
printf '1,2,3\n4,5\n' > "$work/ragged.csv"
head -c 140 "$work/i4.npy" > "$work/short.npy"
[ -f "$fashion/t10k-images-idx3-ubyte.gz" ] &&
    head -c 3000 "$fashion/t10k-images-idx3-ubyte.gz" > "$work/short.gz"
errors=0
# expect_error MESSAGE PROGRAM [ENV...]: exit 1, MESSAGE, no valgrind report
expect_error() {
    msg=$1 prog=$2
    shift 2
    errors=$((errors + 1))
    (cd "$work" && env "$@" $vg "$ovp" -e "$prog" > case.out 2> case.err < /dev/null)
    code=$?
    if [ $code != 1 ] || ! grep -qF -- "$msg" "$work/case.err"; then
        fail "exit status $code (1 expected, with '$msg') from: $prog"
        cat "$work/case.err"
    fi
}
while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    expect_error "${line%% :: *}" "${line#* :: }"
done <<EOF
# built-ins that fail after allocating their inputs, workspace or results
vertical concatenation needs equal columns :: A = randn(30, 4); cat(1, A, 2 * A, randn(3, 5))
matrix is singular :: A = randn(20, 20); A[:, 3] = A[:, 1]; solve(A, randn(20, 2))
not positive definite :: A = randn(12, 12); chol(A + A')
not positive semidefinite :: A = randn(12, 12); mpow(A + A', 0.5)
matrix is singular :: mpow(zeros(8), -1)
cannot be formatted :: printf("%g %s\n", randn(6, 3), {1, 2})
horizontal concatenation needs equal rows :: X = randn(40, 5); Ws = {randn(8, 5), randn(3, 8)}; [X, e2e(Ws)]
# errors raised inside user functions, closures and callbacks
bottom of 30 :: fn deep(n, acc) if n == 0; error("bottom of %d", numel(acc)); end; deep(n - 1, append(acc, randn(4))) end; deep(30, {})
inside the loss :: grad(fn(W) sumsq(tanh(randn(20, 6) * W')) + error("inside the loss") end, randn(8, 6))
no derivative rule :: grad(fn(A) sum(sum(chol(A * A' + eye(6)))) end, randn(6))
maxmem :: jacobian(fn(x) tanh(randn(40, 6) * x) end, randn(6, 1), maxmem = 100)
small at :: gd(fn(x) if sumsq(x) < 1; error("small at %g", sumsq(x)); end; sumsq(x) end, randn(5, 1) * 3, lr = 0.1, steps = 100, every = 2)
track failed :: gd(fn(x) sumsq(x) end, randn(5, 1) * 3, lr = 0.1, steps = 50, track = {t: fn(x) if sumsq(x) < 0.5; error("track failed"); end; norm(x) end})
stop(state) must return true or false :: gd(fn(x) sumsq(x) end, randn(5, 1), lr = 0.1, steps = 50, stop = fn(s) "yes" end)
batch with 7 :: sgd(fn(x, idx) if any(idx == 7); error("batch with 7"); end; sumsq(x) * numel(idx) end, randn(5, 1), 30, batch = 4, epochs = 3)
far out :: hermite(fn(z) if z > 3; error("far out at %g", z); end; tanh(z) end, 10)
the activation must map a matrix :: covariance(sphere(12, 4), fn(z) z[1:2, :] end, k = 300)
jumps :: covariance(sphere(12, 4), step)
# theory built-ins given inconsistent shapes
cannot build a balanced net :: init("balanced", dims = [6, 4, 3], target = randn(2, 2))
W3 must have 3 columns :: e2e({randn(4, 6), randn(3, 4), randn(3, 4)})
dims must have N + 1 :: balance(randn(3, 6), 2, dims = [6, 2])
# files: a writer with a bad header, readers of a ragged CSV, short .npy and .gz
header has 2 names :: save("$work/h.csv", randn(20, 3), header = {"a", "b"})
row has 2 fields :: load("$work/ragged.csv")
short.npy: truncated :: load("$work/short.npy")
EOF
[ -f "$work/short.gz" ] && expect_error "short.gz: truncated" "load_idx(\"$work/short.gz\", 20)"
expect_error "series 2" 'plot({1:5, 1:8}, {rand(5, 1), rand(3, 1)}, file = "f.svg")'
expect_error "gnuplot is not installed" 'plot(1:10, randn(10, 3), file = "f.svg")' PATH=/nonexistent
echo "error paths: $errors runs"
exit $status
