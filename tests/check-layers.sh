#!/bin/sh
# The layers of src/ (src/README.md): each folder is a layer, and a file
# may include headers and call functions of its own layer and the layers
# below it, never one above. Headers are included with their folder
# ("value/ops.h"), so every include line names the layer it reaches.
#
# Two checks: the #include lines of every source (a header from a higher
# layer, or one named without its folder, fails), and the symbols of the
# built library (nm): every function or object a module uses must be
# defined in its own layer or one below. A call through a function pointer
# (a built-in's C function, the evaluator's callback that lets the tape
# call user code) is data and does not show, which is the point: the
# lower layer is handed what it calls.
top=$(cd "$(dirname "$0")/.." && pwd)
layers='
base 1
numeric 2
value 3
ad 4
front 5
grammar 5
eval 6
builtins 7
app 8
'
layer() { printf '%s\n' "$layers" | awk -v m="$1" '$1 == m { print $2 }'; }
# The folder of a module (a file name without its extension).
folder_of() {
    for d in "$top"/src/*/ "$top"/grammar/; do
        [ -e "$d$1.c" ] || [ -e "$d$1.h" ] || [ -e "$d$1.y" ] || [ -e "$d$1.l" ] &&
            { basename "$d"; return; }
    done
}
status=0
nincl=0
for f in "$top"/src/*/*.[ch] "$top"/grammar/parser.y "$top"/grammar/lexer.l; do
    dir=$(basename "$(dirname "$f")")
    lf=$(layer "$dir")
    [ -n "$lf" ] || { echo "FAIL: src/$dir is not a layer (add it to tests/check-layers.sh and src/README.md)"; status=1; continue; }
    for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
        case $h in
        config.h|parser.h) continue ;;   # generated: configure, Bison
        */*) ;;
        *) echo "FAIL: ${f#$top/} includes \"$h\" without its folder"; status=1; continue ;;
        esac
        nincl=$((nincl + 1))
        lh=$(layer "${h%%/*}")
        [ -n "$lh" ] || { echo "FAIL: ${f#$top/} includes $h, which is in no layer"; status=1; continue; }
        [ "$lh" -le "$lf" ] ||
            { echo "FAIL: ${f#$top/} (layer $lf, $dir) includes $h (layer $lh)"; status=1; }
    done
done
[ "$nincl" -gt 100 ] || { echo "FAIL: only $nincl includes found"; status=1; }
echo "layers: $nincl include lines checked"

lib=${OVP_LIB:-libovp.a}
if [ ! -f "$lib" ]; then
    echo "FAIL: $lib not found (run from the build folder after make)"
    exit 1
fi
defs=$(mktemp) uses=$(mktemp)
trap 'rm -f "$defs" "$uses"' EXIT
nm -A --defined-only "$lib" |
    awk '$2 ~ /^[TDBRVW]$/ { n = split($1, p, ":"); print $3, p[n - 1] }' |
    sort -u > "$defs"
nm -A --undefined-only "$lib" |
    awk '{ n = split($1, p, ":"); print $NF, p[n - 1] }' | sort -u > "$uses"
ncalls=0
for pair in $(join "$uses" "$defs" | awk '$2 != $3 { print $2 ":" $3 ":" $1 }'); do
    user=${pair%%:*}; rest=${pair#*:}; owner=${rest%%:*}; sym=${rest#*:}
    du=$(folder_of "${user%.o}"); do=$(folder_of "${owner%.o}")
    lu=$(layer "$du"); lo=$(layer "$do")
    ncalls=$((ncalls + 1))
    [ -n "$lu" ] && [ -n "$lo" ] ||
        { echo "FAIL: $user or $owner has no folder with a layer"; status=1; continue; }
    [ "$lo" -le "$lu" ] ||
        { echo "FAIL: $du/${user%.o} (layer $lu) uses $sym from $do/${owner%.o} (layer $lo)"; status=1; }
done
[ "$ncalls" -gt 100 ] ||
    { echo "FAIL: only $ncalls cross-module uses found in $lib: is nm working?"; status=1; }
echo "layers: $ncalls cross-module uses checked"
exit $status
