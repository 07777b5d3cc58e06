#!/bin/sh
# Error messages of plot (src/numeric/plot.c, src/builtins/bi_plot.c) that
# a golden test in tests/errors cannot reach, because they need an
# environment such a test cannot set up. A fake gnuplot (a small script
# named gnuplot, first on PATH) stands in for the real one, so the real
# gnuplot is never needed:
#  - no gnuplot on PATH;
#  - figure files that cannot be written: the .dat through a regular file
#    (via OVP_FIGDIR), the .gp a directory, either one a symlink to
#    /dev/full; TMPDIR through a regular file for a text plot;
#  - gnuplot failing: an error line "SCRIPT" line N: (with a warning
#    before it, skipped, and a "system error:" line after it, appended),
#    another last line, a gnuplot that cannot be executed (no #! line),
#    an exit status with nothing on stderr, a kill by a signal;
#  - the run itself failing: SIGCHLD ignored (inherited through exec), so
#    waitpid finds no child (skipped without env --ignore-signal or perl);
#  - temporary files: no file descriptor left for gnuplot's stderr file
#    (ulimit -n); /tmp read-only in a private mount namespace (skipped
#    where unshare -m is not permitted);
#  - a text plot: its copy to stdout on /dev/full; gnuplot's output file
#    unreadable, as gnuplot sets O_DIRECT on it and ovp's read into an
#    unaligned stdio buffer fails (skipped without perl, where /tmp's file
#    system refuses O_DIRECT or accepts any buffer, as tmpfs does, or where
#    every buffer tried happens to be aligned).
# Each case checks the exit status (1) and the whole stderr.
ovp=${OVP:-./ovp}
case $ovp in /*) ;; *) ovp=$(pwd)/$ovp ;; esac
LC_ALL=C
export LC_ALL
unset OVP_FIGDIR
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
status=0
n=0
fail() { echo "FAIL: $1"; status=1; }
# A hang must fail the test, not stall make check.
if command -v timeout > /dev/null 2>&1; then limit="timeout 10"; else limit=; fi
mkdir bin
path=$dir/bin:$PATH

# fake BODY: bin/gnuplot becomes a shell script running BODY.
fake() {
    printf '#!/bin/sh\n%s\n' "$1" > bin/gnuplot
    chmod +x bin/gnuplot
}
# want CODE MSG [LINE]: the stderr of `ovp -e CODE` failing with
# "plot: MSG" (CODE is one call, underlined whole), then LINE if given.
want() {
    printf '%s\n' "-e:1:1: error: plot: $2" "    1 | $1" \
        "      | $(printf '%s' "$1" | sed 's/./~/g; s/^~/^/')"
    [ $# -gt 2 ] && printf '%s\n' "$3"
    return 0
}
# run cmd...: stdin /dev/null, stdout out.txt, stderr err.txt; $code.
run() {
    $limit "$@" < /dev/null > out.txt 2> err.txt
    code=$?
}
# verdict WHAT: the last run exited 1 with stderr exactly want.txt.
verdict() {
    n=$((n + 1))
    if [ "$code" != 1 ]; then
        fail "$1: exit status $code, expected 1"
        cat err.txt
    elif ! cmp -s want.txt err.txt; then
        fail "$1: stderr differs:"
        diff want.txt err.txt
    else
        echo "ok: $1"
    fi
}
# expect WHAT MSG CODE [VAR=VALUE...]: `ovp -e CODE` with the fake
# gnuplot first on PATH and the variables set fails with "plot: MSG".
expect() {
    what=$1 msg=$2 code_=$3
    shift 3
    want "$code_" "$msg" > want.txt
    run env PATH="$path" "$@" "$ovp" -e "$code_"
    verdict "$what"
}

# ---- 1. no gnuplot (plot.c: plot_render) ----
want 'plot(1:3, file = "none.svg")' \
    'gnuplot is not installed (apt-get install gnuplot-nox)' > want.txt
run env PATH=/nonexistent "$ovp" -e 'plot(1:3, file = "none.svg")'
verdict "no gnuplot on PATH"
[ -e none.dat ] && fail "no gnuplot on PATH: none.dat was written"

# ---- 2. files that cannot be written ----
fake 'exit 0'
: > x_file
expect "the .dat through a regular file (OVP_FIGDIR)" \
    'cannot write x_file/fig.dat: Not a directory' 'plot(1:3, file = "fig.svg")' \
    OVP_FIGDIR=x_file
mkdir isdir.gp
expect "the .gp is a directory" \
    'cannot write isdir.gp: Is a directory' 'plot(1:3, file = "isdir.svg")'
if [ -w /dev/full ]; then
    ln -s /dev/full full.dat
    expect "the .dat on a full disk (/dev/full)" \
        'cannot write full.dat: No space left on device' 'plot(1:3, file = "full.svg")'
    ln -s /dev/full fullgp.gp
    expect "the .gp on a full disk (/dev/full)" \
        'cannot write fullgp.gp: No space left on device' 'plot(1:3, file = "fullgp.svg")'
else
    echo "skip: files on a full disk (no /dev/full)"
fi
expect "a text plot with TMPDIR through a regular file" \
    'cannot create a temporary directory in x_file: Not a directory' 'plot(1:3)' \
    TMPDIR=x_file

# ---- 3. gnuplot fails ----
fake 'echo "\"./g.gp\" line 3: warning: a warning is not the error" >&2
echo "\"./g.gp\" line 7: cannot open file; output not changed" >&2
echo "system error: Is a directory" >&2
exit 1'
expect "gnuplot's error line, with its system error" \
    'gnuplot: line 7: cannot open file; output not changed; system error: Is a directory' \
    'plot(1:3, file = "g.svg")'
fake 'echo "something went wrong" >&2
echo " ^" >&2
exit 1'
expect "gnuplot's last line when no line is an error line" \
    'gnuplot: something went wrong' 'plot(1:3, file = "h.svg")'
printf 'exit 0\n' > bin/gnuplot   # executable, but no #!: execv fails
chmod +x bin/gnuplot
expect "a gnuplot that cannot be executed (the child's own message)" \
    'cannot execute gnuplot' 'plot(1:3, file = "e.svg")'
fake 'exit 3'
expect "gnuplot exits 3 and prints nothing" \
    'gnuplot: exited with status 3' 'plot(1:3, file = "s.svg")'
fake 'kill -KILL $$'
expect "gnuplot killed by signal 9" \
    'gnuplot: killed by signal 9' 'plot(1:3, file = "k.svg")'

# ---- 4. waitpid fails: SIGCHLD ignored, so the child is reaped at once ----
fake 'exit 0'
if env --ignore-signal=CHLD true > /dev/null 2>&1; then
    ignore="env --ignore-signal=CHLD"
elif command -v perl > /dev/null 2>&1; then
    ignore="perl -e \$SIG{CHLD}='IGNORE';exec(@ARGV)or(exit(127))"
else
    ignore=
fi
if [ -n "$ignore" ]; then
    want 'plot(1:3, file = "w.svg")' 'cannot run gnuplot: No child processes' > want.txt
    run env PATH="$path" $ignore "$ovp" -e 'plot(1:3, file = "w.svg")'
    verdict "waitpid with SIGCHLD ignored"
else
    echo "skip: waitpid with SIGCHLD ignored (neither env --ignore-signal nor perl)"
fi

# ---- 5. no file descriptor left for gnuplot's stderr file ----
# A text plot opens its output file first, then the stderr file: with one
# descriptor free the second fails. Which limit leaves one free depends on
# the descriptors inherited, so the smallest limits are tried in turn.
fake 'echo text'
want 'plot(1:3)' 'cannot create a temporary file: Too many open files' > want.txt
k=3
while [ $k -le 64 ]; do
    (ulimit -n $k && exec env PATH="$path" "$ovp" -e 'plot(1:3)') \
        < /dev/null > out.txt 2> err.txt
    code=$?
    cmp -s want.txt err.txt && break
    k=$((k + 1))
done
verdict "no descriptor for gnuplot's stderr file (ulimit -n)"

# ---- 6. /tmp (where tmpfile() creates its files) read-only ----
# In a private mount namespace: /tmp is bound read-only over itself and a
# fresh tmpfs on w/ holds the figure files and TMPDIR.
mkdir w
ns='mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp &&
    mount -t tmpfs ovp-msg-plot "$1/w" || exit 77
cd "$1" && exec env TMPDIR="$1/w" PATH="$2" "$3" -e "$4"'
if unshare -m true > /dev/null 2>&1 &&
   unshare -m sh -c "$ns" sh "$dir" "$path" "$ovp" '1' > /dev/null 2>&1; then
    fake 'echo text'
    want 'plot(1:3)' 'cannot create a temporary file: Read-only file system' > want.txt
    run unshare -m sh -c "$ns" sh "$dir" "$path" "$ovp" 'plot(1:3)'
    verdict "a text plot's output file with /tmp read-only"
    want 'plot(1:3, file = "w/f.svg")' \
        'cannot create a temporary file: Read-only file system' > want.txt
    run unshare -m sh -c "$ns" sh "$dir" "$path" "$ovp" 'plot(1:3, file = "w/f.svg")'
    verdict "a figure's stderr file with /tmp read-only"
else
    echo "skip: /tmp read-only (unshare -m or mount not permitted)"
fi

# ---- 7. a text plot that cannot be copied out ----
if [ -w /dev/full ]; then
    # more than any stdout buffer, so putc fails before the copy ends
    fake 'i=0
while [ $i -lt 2000 ]; do
    echo "0123456789012345678901234567890123456789012345678901234567890123456789"
    i=$((i + 1))
done'
    want 'plot(1:3)' 'cannot write the text plot: No space left on device' \
        'ovp: error: cannot write to standard output: No space left on device' > want.txt
    $limit env PATH="$path" "$ovp" -e 'plot(1:3)' < /dev/null > /dev/full 2> err.txt
    code=$?
    verdict "a text plot on a full stdout (/dev/full)"
else
    echo "skip: a text plot on a full stdout (no /dev/full)"
fi
if command -v perl > /dev/null 2>&1; then
    # gnuplot's stdout shares its open file description with ovp's file:
    # O_DIRECT set there makes ovp's read into an unaligned buffer fail
    fake 'echo "a text plot"
exec perl -e "use Fcntl; \$f = fcntl(STDOUT, F_GETFL, 0) or exit 42;
              fcntl(STDOUT, F_SETFL, \$f | O_DIRECT) or exit 42"'
    # the buffer is unaligned or not depending on the heap's layout, which
    # the lengths of TMPDIR (a text plot's file names) shift: a few are tried
    want 'plot(1:3)' "cannot read gnuplot's output: Invalid argument" > want.txt
    for t in t t1 t123 t1234567 t123456789abcdef t123456789abcdefghijklmnopqrstu; do
        mkdir "$t"
        run env PATH="$path" TMPDIR="$dir/$t" "$ovp" -e 'plot(1:3)'
        [ "$code" = 0 ] || break
    done
    if [ "$code" = 0 ] || grep -q 'exited with status 42' err.txt; then
        echo "skip: gnuplot's output unreadable (O_DIRECT refused or harmless in /tmp)"
    else
        verdict "gnuplot's output unreadable (O_DIRECT)"
    fi
else
    echo "skip: gnuplot's output unreadable (no perl)"
fi

[ $status = 0 ] && echo "msg-plot: all $n cases behave"
exit $status
