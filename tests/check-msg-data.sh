#!/bin/sh
# Error messages of load, load_idx (src/numeric/dataio.c) and of
# src/builtins/bi_io.c that a golden test in tests/errors cannot reach,
# because they need a condition such a test cannot set up:
#  - a file that exists but cannot be opened (no read permission; run as
#    the user nobody when the test runs as root, or skipped);
#  - a read error after a successful open: /proc/self/mem reads fail with
#    EIO at offset 0, reached through symlinks named x.csv, x.npy, x.idx
#    (skipped where /proc/self/mem is absent);
#  - a CSV over the 64 GiB cap: a sparse file, refused by its size before
#    anything is read (skipped where the file system refuses the size);
#  - a CSV of more than 2^31 cells: only its line and field counts are
#    read first, but the file is still about 100 KB, too large a fixture;
#  - script parameters from the command line and a stdout that cannot be
#    written (also in check-params.sh and check-output-errors.sh).
# Each case checks the exit status and a fixed text on stderr.
ovp=${OVP:-./ovp}
case $ovp in /*) ;; *) ovp=$(pwd)/$ovp ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
status=0
n=0
fail() { echo "FAIL: $1"; status=1; }
# A hang must fail the test, not stall make check.
if command -v timeout > /dev/null 2>&1; then limit="timeout 10"; else limit=; fi

# expect WHAT CODE PATTERN cmd...: exit status CODE and PATTERN (fixed
# text) on stderr; stdout is discarded.
expect() {
    what=$1 want=$2 pat=$3
    shift 3
    n=$((n + 1))
    $limit "$@" < /dev/null > /dev/null 2> err.txt
    code=$?
    if [ "$code" != "$want" ]; then
        fail "$what: exit status $code, expected $want"
        cat err.txt
    elif ! grep -qF -- "$pat" err.txt; then
        fail "$what: no '$pat' on stderr:"
        cat err.txt
    else
        echo "ok: $what"
    fi
}

# ---- 1. a file that stat sees but open refuses (EACCES) ----
echo 1 > locked.csv
chmod 000 locked.csv
if [ "$(id -u)" != 0 ]; then
    expect "load: a file without read permission" 1 \
        "error: load: locked.csv: Permission denied" "$ovp" -e 'load("locked.csv")'
elif command -v setpriv > /dev/null 2>&1 && chmod 755 "$dir" &&
     setpriv --reuid=65534 --regid=65534 --clear-groups "$ovp" -e '1' > /dev/null 2>&1; then
    # root reads any file: run ovp as nobody (uid 65534)
    expect "load: a file without read permission (as nobody)" 1 \
        "error: load: locked.csv: Permission denied" \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$ovp" -e 'load("locked.csv")'
else
    echo "skip: a file without read permission (root, and cannot run ovp as nobody)"
fi

# ---- 2. read errors after a successful open ----
if [ -r /proc/self/mem ]; then
    ln -s /proc/self/mem mem.csv
    ln -s /proc/self/mem mem.npy
    ln -s /proc/self/mem mem.idx
    expect "load: a CSV that cannot be read" 1 \
        "error: load: mem.csv: read error: Input/output error" "$ovp" -e 'load("mem.csv")'
    expect "load: a .npy that cannot be read" 1 \
        "error: load: mem.npy: read error: Input/output error" "$ovp" -e 'load("mem.npy")'
    expect "load_idx: a file that cannot be read (through zlib)" 1 \
        "error: load_idx: mem.idx: read error: Input/output error" "$ovp" -e 'load_idx("mem.idx")'
else
    echo "skip: read errors (no /proc/self/mem)"
fi

# ---- 3. a CSV over the 64 GiB cap, as a sparse file ----
if truncate -s 65G big.csv 2> /dev/null; then
    expect "load: a CSV of more than 64 GiB" 1 \
        "error: load: big.csv: more than 64 GiB of text, the limit for a CSV file (32 bytes for each of the 2147483648 elements a matrix may hold)" \
        "$ovp" -e 'load("big.csv")'
else
    echo "skip: a CSV of more than 64 GiB (the file system refuses a sparse 65 GiB file)"
fi
rm -f big.csv

# ---- 4. a CSV of 32769 rows of 65536 fields (2^31 + 65536 cells) ----
# the first line is "0" and 65535 commas; the rows are not parsed before
# the size is checked, so all but the last of the other lines are blank
awk 'BEGIN { printf "0"; for (i = 1; i < 65536; i++) printf ","; printf "\n";
             for (i = 2; i < 32769; i++) printf "\n"; print "0" }' > wide.csv
expect "load: a CSV of more than 2^31 cells" 1 \
    "error: load: wide.csv: 32769 rows of 65536 fields is too large" "$ovp" -e 'load("wide.csv")'

# ---- 5. bi_io.c: parameters from the command line, a stdout that fails ----
expect "param: a non-number for a number default" 1 \
    "error: param: parameter k='abc' from the command line is not a number (its default is)" \
    "$ovp" -e 'param("k", 3)' k=abc
expect "param: a non-boolean for a boolean default" 1 \
    "error: param: parameter on='yes' from the command line is not true or false (its default is a boolean)" \
    "$ovp" -e 'param("on", false)' on=yes
if [ -w /dev/full ]; then
    expect "print: output that cannot be written" 1 \
        "error: print: cannot write the output: No space left on device" \
        sh -c 'exec "$1" -e "for i in 1:1e9 print(i) end" > /dev/full' sh "$ovp"
else
    echo "skip: output that cannot be written (no /dev/full)"
fi

[ $status = 0 ] && echo "msg-data: all $n cases behave"
exit $status
