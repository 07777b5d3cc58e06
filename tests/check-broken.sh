#!/bin/sh
# Checks that can fail, do fail: theory.md lists broken variants of some
# experiments (a step 10x too small, a preconditioner without its norm
# factor, shuffled labels, ...). Each theorem script that has such variants
# runs one when given `broken=NAME` on the command line, and each line of
# tests/broken/*.txt says which check must then fail:
#     SCRIPT  NAME  TEXT
# SCRIPT (in examples/theorems) run with broken=NAME must exit with status 3
# and print a FAIL line containing TEXT. Blank lines and '#' lines are skipped.
ovp=${OVP:-./ovp}
case $ovp in /*) ;; *) ovp=$(pwd)/$ovp ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0 count=0
for table in "$top"/tests/broken/*.txt; do
    [ -f "$table" ] || continue
    while read -r script name text; do
        case "$script" in ''|'#'*) continue ;; esac
        count=$((count + 1))
        (cd "$work" && OVP_FIGDIR="$work" "$ovp" "$top/examples/theorems/$script" \
            "broken=$name" > out 2> err)
        code=$?
        if [ "$code" != 3 ]; then
            echo "FAIL: $script broken=$name exited with $code, not 3 (a failed check)"
            tail -3 "$work/err"
            status=1
        elif ! grep '^FAIL:' "$work/out" | grep -qF -- "$text"; then
            echo "FAIL: $script broken=$name: no failed check mentions '$text'"
            grep '^FAIL:' "$work/out"
            status=1
        else
            echo "ok: $script broken=$name fails '$text'"
        fi
    done < "$table"
done
[ "$count" -gt 0 ] || { echo "FAIL: no broken variants listed"; status=1; }
echo "broken variants: $count checked"
exit $status
