#!/bin/sh
# The committed built-in reference must match the built-in tables.
top=$(cd "$(dirname "$0")/.." && pwd)
"${OVP:-./ovp}" --reference | diff -u "$top/doc/builtins.md" - || {
    echo "doc/builtins.md is stale: run ./ovp --reference > doc/builtins.md"
    exit 1
}
