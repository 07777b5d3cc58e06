#!/bin/sh
# Output that cannot be written and command-line values that do not parse
# are errors, never silently accepted (audit issue 10):
#  - stdout on /dev/full or closed: every mode (script, -e, stdin, the
#    REPL, --dump-ast, --help, --version, --reference, --builtin-names,
#    ovp suite) exits 1 with "ovp: error: cannot write to standard
#    output: REASON", without crashing or hanging; a run that writes
#    nothing to a closed stdout is fine;
#  - a closed or unreadable stdin is an error too;
#  - --seed takes only the digits of 0..2^53, and ovp's options after the
#    program are an error unless after --;
#  - ovp suite's -j, --timeout and --seeds are checked whole, with ranges;
#    a log or report that cannot be written is an error.
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

# expect WHAT CODE PATTERN REDIRECT cmd...: run cmd with stdout sent as
# REDIRECT says (full: /dev/full, closed: >&-, file: out.txt, null), and
# check its exit status and that PATTERN (fixed text) is on stderr.
expect() {
    what=$1 want=$2 pat=$3 how=$4
    shift 4
    n=$((n + 1))
    case $how in
        full) $limit "$@" > /dev/full 2> err.txt ;;
        closed) $limit "$@" >&- 2> err.txt ;;
        file) $limit "$@" > out.txt 2> err.txt ;;
        null) $limit "$@" > /dev/null 2> err.txt ;;
    esac
    code=$?
    if [ "$code" != "$want" ]; then
        fail "$what: exit status $code, expected $want"
        cat err.txt
        return
    fi
    if [ -n "$pat" ] && ! grep -qF -- "$pat" err.txt; then
        fail "$what: no '$pat' on stderr:"
        cat err.txt
        return
    fi
    echo "ok: $what"
}
full='ovp: error: cannot write to standard output: No space left on device'
closed='ovp: error: cannot write to standard output: Bad file descriptor'

# ---- 1. write errors on stdout, in every mode ----
printf 'print(1)\n' > p.ovp
printf 'x = 1\n' > quiet.ovp
expect "-e to /dev/full" 1 "$full" full "$ovp" -e 'print(1)'
expect "-e to a closed stdout" 1 "$closed" closed "$ovp" -e 'print(1)'
expect "script to /dev/full" 1 "$full" full "$ovp" p.ovp
expect "script to a closed stdout" 1 "$closed" closed "$ovp" p.ovp
expect "long output to /dev/full (the error flag, not the last flush)" 1 "$full" full \
    "$ovp" -e 'for i in 1:100000 print(i) end'
expect "long output to a closed stdout" 1 "$closed" closed \
    "$ovp" -e 'for i in 1:100000 print(i) end'
# print notices the failed write itself (within stdio's buffer), so the
# script stops at the print, with a located error, instead of running on
expect "print stops the script where the write failed" 1 \
    "-e:1:16: error: print: cannot write the output: No space left on device" full \
    "$ovp" -e 'for i in 1:1e9 print(i) end'
expect "printf and check too" 1 "error: printf: cannot write the output" full \
    "$ovp" -e 'for i in 1:1e9 printf("%d\n", i) end'
n=$((n + 1))
$limit "$ovp" - < p.ovp > /dev/full 2> err.txt
code=$?
[ "$code" = 1 ] && grep -qF "$full" err.txt && echo "ok: program from stdin to /dev/full" ||
    { fail "program from stdin to /dev/full: exit status $code"; cat err.txt; }
expect "--dump-ast to /dev/full" 1 "$full" full "$ovp" --dump-ast p.ovp
expect "--help to /dev/full" 1 "$full" full "$ovp" --help
expect "--help to a closed stdout" 1 "$closed" closed "$ovp" --help
expect "--version to /dev/full" 1 "$full" full "$ovp" --version
expect "--version to a closed stdout" 1 "$closed" closed "$ovp" --version
expect "--reference to /dev/full" 1 "$full" full "$ovp" --reference
expect "--builtin-names to a closed stdout" 1 "$closed" closed "$ovp" --builtin-names
expect "a failed check and lost output: 1, not 3" 1 "$full" full \
    "$ovp" -e 'print(1); check(false, "lost")'
expect "a runtime error and lost output: both reported, status 1" 1 "undefined variable" full \
    "$ovp" -e 'print(1); x = nothing_here'
grep -qF "$full" err.txt || fail "the runtime error hid the write error"
expect "a syntax error keeps status 2" 2 "error:" full "$ovp" -e 'print(1'
expect "nothing written to a closed stdout is no error" 0 "" closed "$ovp" quiet.ovp
expect "the same run to a working stdout" 0 "" file "$ovp" p.ovp
[ "$(cat out.txt)" = 1 ] || fail "p.ovp printed '$(cat out.txt)', expected 1"
# A closed stdout must not hand its descriptor to the script's files.
expect "a closed stdout and a saved file" 1 "$closed" closed \
    "$ovp" -e 'save("m.csv", [1, 2; 3, 4]); print("to stdout")'
grep -q "to stdout" m.csv 2> /dev/null && fail "stdout's output went into m.csv"
[ -s m.csv ] || fail "m.csv was not written"

# the REPL stops after the input whose output was lost
n=$((n + 1))
printf 'print(1)\nprint(2)\n' | $limit "$ovp" --repl > /dev/full 2> err.txt
code=$?
[ "$code" = 1 ] && grep -qF "$full" err.txt && echo "ok: the REPL to /dev/full" ||
    { fail "the REPL to /dev/full: exit status $code"; cat err.txt; }
n=$((n + 1))
printf 'print(1)\nprint(2)\n' | $limit "$ovp" --repl >&- 2> err.txt
code=$?
[ "$code" = 1 ] && grep -qF "$closed" err.txt && echo "ok: the REPL to a closed stdout" ||
    { fail "the REPL to a closed stdout: exit status $code"; cat err.txt; }
n=$((n + 1))
printf 'x = 5\nfor i in 1:3\nprint(i)\nend\n' | $limit "$ovp" --repl > out.txt 2> err.txt
code=$?
[ "$code" = 0 ] && grep -qx 3 out.txt && echo "ok: the REPL to a working stdout" ||
    { fail "the REPL to a working stdout: exit status $code"; cat out.txt err.txt; }

# standard input that cannot be read
expect "a closed stdin" 2 "ovp: error: cannot read standard input: Bad file descriptor" null \
    sh -c 'exec "$0" - <&-' "$ovp"
expect "a directory as stdin" 2 "ovp: error: cannot read standard input: Is a directory" null \
    sh -c 'exec "$0" - < .' "$ovp"

# A reader that leaves a pipe early, with SIGPIPE ignored (as under some
# process managers): print stops the script with the located reason, and
# no second line repeats the failure without one.
n=$((n + 1))
(trap '' PIPE; $limit "$ovp" -e 'for i in 1:100000 print(i) end' 2> err.txt | head -1 > /dev/null)
if grep -qF 'print: cannot write the output: Broken pipe' err.txt &&
   ! grep -q 'cannot write to standard output$' err.txt &&
   [ "$(grep -c 'error:' err.txt)" = 1 ]; then
    echo "ok: broken pipe told once, with its reason"
else
    fail "broken pipe with SIGPIPE ignored:"
    cat err.txt
fi

# ---- 2. --seed, and options after the program ----
seedmsg="ovp: --seed needs an integer from 0 to 9007199254740992 (2^53), written in digits only"
for bad in "" " -5" "-5" "+5" "5x" "0x10" "1e3" "12345678901234567890123" \
    "9007199254740993" "18446744073709551615"; do
    expect "--seed '$bad' is refused" 2 "$seedmsg, got '$bad'" null "$ovp" --seed "$bad" -e 'print(rand())'
done
expect "--seed without a value" 2 "ovp: --seed needs a value" null "$ovp" --seed
for good in 0 7 9007199254740992; do
    expect "--seed $good" 0 "" file "$ovp" --seed "$good" -e 'print(rand())'
    a=$(cat out.txt)
    "$ovp" -e "seed($good); print(rand())" > out.txt 2>&1
    [ "$a" = "$(cat out.txt)" ] || fail "--seed $good and seed($good) differ: $a, $(cat out.txt)"
done
after="after the program would be the script's argument, not ovp's option"
expect "--seed after the script" 2 "ovp: '--seed' $after" null "$ovp" p.ovp --seed 5
expect "--seed=5 after -e CODE" 2 "ovp: '--seed=5' $after" null "$ovp" -e 'print(argv)' --seed=5
expect "--param after the script" 2 "ovp: '--param' $after" null "$ovp" p.ovp --param k=1
expect "--help after the script" 2 "ovp: '--help' $after" null "$ovp" p.ovp --help
expect "-e after the script" 2 "ovp: '-e' $after" null "$ovp" p.ovp -e 1
expect "options after -- are the script's" 0 "" file "$ovp" -e 'print(argv)' -- --seed 5 k=3
[ "$(cat out.txt)" = '{"--seed", "5", "k=3"}' ] || fail "argv after --: $(cat out.txt)"
expect "other dashed arguments are the script's" 0 "" file "$ovp" -e 'print(argv)' -x -5
[ "$(cat out.txt)" = '{"-x", "-5"}' ] || fail "argv with -x -5: $(cat out.txt)"

# ---- 3. ovp suite: values checked whole, with ranges; write errors ----
mkdir s
printf 'check(true, "holds")\n' > s/a.ovp
printf 's = param("seed", 1)\nseed(s)\ncheck(rand() >= 0, "uniform")\n' > s/b.ovp
jmsg="ovp suite: -j needs an integer from 1 to 1000"
for bad in "" 0 2x " 2" -1 1001 99999999999; do
    expect "suite -j '$bad'" 2 "$jmsg, got '$bad'" null "$ovp" suite s --report r -j "$bad"
done
tmsg="ovp suite: --timeout needs a number of seconds greater than 0"
for bad in "" 0 -1 5s " 5" inf nan 1e999; do
    expect "suite --timeout '$bad'" 2 "$tmsg, got '$bad'" null "$ovp" suite s --report r --timeout "$bad"
done
smsg="ovp suite: --seeds needs A:B (A <= B) or a list A,B,C: at most 1000 integers from 0 to 9007199254740992"
for bad in "" " 1:3" "1: 3" "-1:3" "3:1" "0:1000" "1:99999999999999999999999" "1,,2" "1," \
    ",1" "1,x" "9007199254740993"; do
    expect "suite --seeds '$bad'" 2 "$smsg, got '$bad'" null "$ovp" suite s --report r --seeds "$bad"
done
expect "suite -j without a value" 2 "ovp suite: -j needs a value" null "$ovp" suite s -j
expect "suite, an unknown option" 2 "ovp suite: unknown option '--bogus'" null "$ovp" suite s --bogus
expect "suite, two folders" 2 "ovp suite: one DIR only" null "$ovp" suite s s
expect "suite --help" 0 "" file "$ovp" suite --help
grep -q "^usage: ovp suite" out.txt || fail "suite --help prints no usage on stdout"
expect "suite, values at their limits" 0 "" file "$ovp" suite s --report r0 -j 1000 \
    --timeout 30 --seeds 0,9007199254740992
grep -q '^b  *9007199254740992 ' out.txt || fail "the seed 2^53 row is missing"
expect "suite, table to /dev/full: no run starts" 1 "$full" full "$ovp" suite s --report r1
[ -z "$(ls r1/logs)" ] || fail "suite ran scripts with nowhere to print the table"
expect "suite, table to a closed stdout" 1 "$closed" closed "$ovp" suite s --report r2
mkdir -p r3/report.md
expect "suite, a report that cannot be written" 1 "ovp suite: cannot write 'r3/report.md': Is a directory" \
    file "$ovp" suite s --report r3
mkdir -p r4/logs/a.out
expect "suite, a log that cannot be written: the run is an ERROR" 1 \
    "ovp suite: cannot write 'r4/logs/a.out': Is a directory" file "$ovp" suite s --report r4
grep -q '^a .* ERROR' out.txt || fail "the run without a log is not an ERROR"
# With the runner's stderr closed, a run's logs once took descriptor 2 and
# the error log was lost: the closed descriptors are held now.
mkdir s2
printf 'x = nothing_here\n' > s2/c.ovp
n=$((n + 1))
$limit "$ovp" suite s2 --report r5 > /dev/null 2>&-
code=$?
[ "$code" = 1 ] && grep -q "undefined variable 'nothing_here'" r5/logs/c.err &&
    echo "ok: suite with a closed stderr keeps the runs' error logs" ||
    fail "suite with a closed stderr: exit status $code, c.err: $(cat r5/logs/c.err)"

[ $status = 0 ] && echo "output errors: all $n cases behave"
exit $status
