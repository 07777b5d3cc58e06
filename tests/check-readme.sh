#!/bin/sh
# The README's example runs and prints what the README says it prints.
ovp=${OVP:-./ovp}
case $ovp in /*) ;; *) ovp=$(pwd)/$ovp ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^## A taste/ {on = 1; next} on && /^```/ {n++; if (n == 2) exit; next} on && n == 1' \
    "$top/README.md" > "$work/taste.ovp"
want=$(sed -n 's/^prints `\(.*\)` and `PASS: \.\.\.`\.$/\1/p' "$top/README.md")
[ -s "$work/taste.ovp" ] && [ -n "$want" ] || { echo "FAIL: no example found in README.md"; exit 1; }
(cd "$work" && "$ovp" taste.ovp > out.txt 2> err.txt)
code=$?
status=0
[ "$code" = 0 ] || { echo "FAIL: the example exits with $code"; cat "$work/err.txt"; status=1; }
grep -qxF "$want" "$work/out.txt" || { echo "FAIL: the example does not print: $want"; cat "$work/out.txt"; status=1; }
grep -q "^PASS: " "$work/out.txt" || { echo "FAIL: the example's check did not pass"; status=1; }
exit $status
