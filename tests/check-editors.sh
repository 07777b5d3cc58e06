#!/bin/sh
# The committed editor files must match what the built-in table generates.
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/editors/vim/syntax" "$tmp/editors/textmate"
OUTDIR=$tmp sh "$top/tools/gen-editors.sh" "${OVP:-./ovp}" || exit 1
for f in vim/syntax/ovp.vim textmate/ovp.tmLanguage.json; do
    diff -u "$top/editors/$f" "$tmp/editors/$f" || {
        echo "editors/$f is stale: run tools/gen-editors.sh ./ovp"
        exit 1
    }
done
