#!/bin/sh
# run-golden.sh OVP TEST.ovp: the log compiler for .ovp tests.
#   tests/scripts/NAME.ovp  stdout must equal NAME.out, exit status 0
#   tests/errors/NAME.ovp   stderr must equal NAME.err; exit status 1 unless
#                           the script's first line says "# exit: N"
#   tests/regress/NAME.ovp  like tests/errors, but exit status 0 unless the
#                           first line says "# exit: N" (fuzz findings)
#   anything else           must exit 0 (or "# exit: N")
# With OVP_VALGRIND=1 each run is under valgrind: any error or leak fails.
# tests/regress runs under valgrind whenever it is installed (leak findings).
ovp=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
test=$2
dir=$(dirname "$test")
name=$(basename "$test" .ovp)
cd "$dir" || exit 99

want_code=0
case "$dir" in */errors) want_code=1 ;; esac
first=$(head -n 1 "$name.ovp")
case "$first" in "# exit: "*) want_code=${first#"# exit: "} ;; esac

# (not on a sanitizer build: valgrind cannot run one)
case "$dir" in */regress) command -v valgrind >/dev/null && [ "$OVP_SANITIZED" != yes ] &&
    OVP_VALGRIND=${OVP_VALGRIND:-1} ;; esac
run=""
if [ "${OVP_VALGRIND:-0}" = 1 ]; then
    run="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
fi

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
$run "$ovp" "$name.ovp" >"$out" 2>"$err" </dev/null
code=$?

status=0
if [ "$code" != "$want_code" ]; then
    echo "FAIL: exit status $code, expected $want_code"
    status=1
fi
if [ -f "$name.out" ] && ! diff -u "$name.out" "$out"; then
    echo "FAIL: stdout differs from $name.out"
    status=1
fi
# the stdlib's folder differs from tree to tree: .err files spell it <stdlib>
if [ -n "$OVP_STDLIB" ]; then
    sed "s|$OVP_STDLIB|<stdlib>|g" "$err" > "$err.norm" && mv "$err.norm" "$err"
fi
if [ -f "$name.err" ] && ! diff -u "$name.err" "$err"; then
    echo "FAIL: stderr differs from $name.err"
    status=1
fi
if [ $status != 0 ] || [ "$code" -ge 99 ]; then
    echo "--- stderr ---"; cat "$err"
    [ "$code" -ge 99 ] && status=1
fi
exit $status
