#!/bin/sh
# The layers of src/ (src/README.md): a file may include headers of its own
# layer and the layers below it, never one above. The table gives each
# module its layer; a module missing from it fails the test, so a new file
# has to be placed. Known upward includes still being removed (issue 9)
# are listed below with the reason; the list may only shrink: a new upward
# include, or a listed one that is gone but still listed, fails the test.
top=$(cd "$(dirname "$0")/.." && pwd)
layers='
matrix 1
vecmath 1
rng 1
strbuf 1
params 1
op 1
diag 1
linalg 2
hermite 2
theory 2
dataio 2
plot 2
value 3
rterror 3
ops 3
index 3
format 3
ad 4
dispatch 4
ast 5
parse 5
parser 5
lexer 5
resolve 6
eval 6
interp 6
builtin 6
bi_ad 7
bi_core 7
bi_data 7
bi_io 7
bi_linalg 7
bi_math 7
bi_plot 7
bi_random 7
bi_theory 7
registry 7
bi_train 7
main 8
repl 8
suite 8
'
# FILE -> HEADER pairs still crossing upwards, with the reason; none left.
known='
'
layer() { printf '%s\n' "$layers" | awk -v m="$1" '$1 == m { print $2 }'; }
status=0
found=$(mktemp)
trap 'rm -f "$found"' EXIT
for f in "$top"/src/*.c "$top"/src/*.h "$top"/src/builtins/*.c "$top"/src/builtins/*.h "$top"/grammar/parser.y "$top"/grammar/lexer.l; do
    base=$(basename "$f"); mod=${base%.*}
    lf=$(layer "$mod")
    [ -n "$lf" ] || { echo "FAIL: $base has no layer in tests/check-layers.sh"; status=1; continue; }
    for h in $(sed -n 's/^#include "\([a-z_0-9]*\)\.h".*/\1/p' "$f"); do
        [ "$h" = config ] && continue
        lh=$(layer "$h")
        [ -n "$lh" ] || { echo "FAIL: $base includes $h.h, which has no layer"; status=1; continue; }
        [ "$lh" -le "$lf" ] && continue
        echo "$base $h.h" >> "$found"
        printf '%s\n' "$known" | grep -qx "$base $h.h" ||
            { echo "FAIL: $base (layer $lf) includes $h.h (layer $lh)"; status=1; }
    done
done
printf '%s\n' "$known" | while read -r a b; do
    [ -n "$a" ] || continue
    grep -qx "$a $b" "$found" ||
        { echo "FAIL: '$a $b' is listed as a known upward include but is gone: remove it from the list"; exit 1; }
done || status=1
echo "layers: $(wc -l < "$found") known upward includes left"

# Calls: every function or object a module of libovp.a uses must be
# defined in its own layer or one below (a call through a function
# pointer, such as a built-in or the evaluator's callback for the tape, is
# data and does not show here). Run from the build folder, where make
# check runs it.
lib=${OVP_LIB:-libovp.a}
if [ ! -f "$lib" ]; then
    echo "FAIL: $lib not found (run from the build folder after make)"
    exit 1
fi
defs=$(mktemp) uses=$(mktemp)
trap 'rm -f "$found" "$defs" "$uses"' EXIT
nm -A --defined-only "$lib" |
    awk '$2 ~ /^[TDBRVW]$/ { n = split($1, p, ":"); print $3, p[n - 1] }' |
    sort -u > "$defs"
nm -A --undefined-only "$lib" |
    awk '{ n = split($1, p, ":"); print $NF, p[n - 1] }' | sort -u > "$uses"
ncalls=0
for pair in $(join "$uses" "$defs" | awk '$2 != $3 { print $2 ":" $3 ":" $1 }'); do
    user=${pair%%:*}; rest=${pair#*:}; owner=${rest%%:*}; sym=${rest#*:}
    lu=$(layer "${user%.o}"); lo=$(layer "${owner%.o}")
    ncalls=$((ncalls + 1))
    [ -n "$lu" ] && [ -n "$lo" ] ||
        { echo "FAIL: $user or $owner has no layer"; status=1; continue; }
    [ "$lo" -le "$lu" ] ||
        { echo "FAIL: ${user%.o} (layer $lu) uses $sym from ${owner%.o} (layer $lo)"; status=1; }
done
[ "$ncalls" -gt 100 ] ||
    { echo "FAIL: only $ncalls cross-module uses found in $lib: is nm working?"; status=1; }
echo "layers: $ncalls cross-module uses checked"
exit $status
