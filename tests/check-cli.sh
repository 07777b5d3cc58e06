#!/bin/sh
# The command line (src/app/main.c): each mode and each usage mistake,
# checked by exit status and the exact text on stdout and stderr.
#  - --help/-h, --version, --builtin-names: what they print, on stdout;
#  - a program from FILE, -e CODE, `-` or a piped stdin, and argv;
#  - --dump-ast on a file, -e and stdin, and a syntax error there;
#  - exit statuses 0, 1, 2 and 3 with the check summary on stderr;
#  - usage errors (unknown option, an option without its value, a repeated
#    --param, ovp's option after the program) and files that cannot be
#    read (missing, a directory, a path through a file, a read error);
#  - `suite` is a subcommand only as the first argument;
#  - output lost to a closed pipe: print's error says so, once.
# Complements check-params.sh (parameters) and check-output-errors.sh
# (stdout that cannot be written, --seed values, options after the
# program): only what those leave out is checked here.
ovp=${OVP:-./ovp}
case $ovp in /*) ;; *) ovp=$(pwd)/$ovp ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
status=0
n=0
fail() { echo "FAIL: $1"; status=1; }
if command -v timeout > /dev/null 2>&1; then limit="timeout 10"; else limit=; fi

# run cmd...: runs it with stdin from /dev/null unless "in" names a file,
# stdout to out.txt, stderr to err.txt; $code is its status.
in=/dev/null
run() {
    $limit "$@" < "$in" > out.txt 2> err.txt
    code=$?
    in=/dev/null
}
# expect WHAT CODE OUT ERR cmd...: the exit status is CODE, stdout is
# exactly the text of file OUT and stderr of file ERR (- for empty).
expect() {
    what=$1 want=$2 wout=$3 werr=$4
    shift 4
    n=$((n + 1))
    run "$@"
    [ "$wout" = - ] && wout=/dev/null
    [ "$werr" = - ] && werr=/dev/null
    if [ "$code" != "$want" ]; then
        fail "$what: exit status $code, expected $want"
        cat out.txt err.txt
    elif ! cmp -s "$wout" out.txt; then
        fail "$what: stdout differs:"
        diff "$wout" out.txt
    elif ! cmp -s "$werr" err.txt; then
        fail "$what: stderr differs:"
        diff "$werr" err.txt
    else
        echo "ok: $what"
    fi
}

# ---- 1. --help, --version, --builtin-names ----
cat > usage.txt <<'X'
usage: ovp [options] [FILE [NAME=VALUE | args...]]
       ovp suite [DIR] [--seeds A:B] [--report DIR] [-j N]   (the theorem suite)
       ovp sweep SCRIPT --grid NAME=VALUES ... [options]     (a parameter grid)
       ovp [options] -e CODE [args...]
       ovp [options] -            (program from standard input)

With no FILE, ovp opens the REPL on a terminal and reads a program
from standard input otherwise.

options (before FILE or -e CODE; after it they are an error, and
after -- every argument is the script's, in argv):
  -e CODE       run CODE
  --seed N      seed the random generator with N, an integer from 0 to
                9007199254740992 (2^53); the default is 0
  --param NAME=VALUE  a script parameter, read by param("NAME", default);
                NAME=VALUE after FILE or -e CODE does the same, and the
                other arguments after it are the script's, in argv
  --dump-ast    print the syntax tree instead of running
  --repl        the REPL even when standard input is not a terminal
  --kernel      serve the Jupyter kernel's requests (JSON lines; see
                doc/jupyter.md); ovp --install-kernel [--user] installs it
  --reference   print the built-in reference (Markdown)
  --builtin-names  print the built-in names, one per line
  --help        this text
  --version     version and random stream

exit status: 0 ok, 1 runtime error (or output that could not be
written), 2 usage or syntax error, 3 a check failed, 130 interrupted
X
# every option the usage lists must be one ovp knows (none is unknown)
n=$((n + 1))
known=ok
for opt in $(sed -n 's/^  \(-[-a-z]*\).*/\1/p' usage.txt); do
    "$ovp" "$opt" < /dev/null 2>&1 | grep -q "unknown option" && { known=; fail "usage lists $opt, ovp refuses it"; }
done
[ -n "$known" ] && echo "ok: every option the usage lists is known"
expect "--help prints the usage on stdout" 0 usage.txt - "$ovp" --help
expect "-h is --help" 0 usage.txt - "$ovp" -h
expect "--help after other options still prints and exits" 0 usage.txt - \
    "$ovp" --seed 3 --dump-ast --help -e 'print(1)'
# the version and the stream come from configure.ac and rng.h
version=$(sed -n 's/^AC_INIT(\[ovp\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
stream=$(sed -n 's/^#define RNG_STREAM_VERSION "\(.*\)"$/\1/p' "$top/src/base/rng.h")
if [ -n "$version" ] && [ -n "$stream" ]; then
    echo "ovp $version (random stream $stream)" > want.txt
    expect "--version names the version and the random stream" 0 want.txt - "$ovp" --version
else
    fail "cannot find the version in $top/configure.ac or the stream in src/base/rng.h"
fi
# --builtin-names: the names the reference documents, each one a builtin
n=$((n + 1))
run "$ovp" --builtin-names
sort out.txt > names.txt
"$ovp" --reference | sed -n 's/^- `\([A-Za-z_][A-Za-z_0-9]*\)(.*/\1/p' | sort -u > ref.txt
count=$(wc -l < names.txt)
if [ "$code" != 0 ] || [ -s err.txt ] || [ "$count" -lt 50 ]; then
    fail "--builtin-names: exit status $code, $count names"
elif [ -n "$(uniq -d names.txt)" ]; then
    fail "--builtin-names repeats $(uniq -d names.txt)"
elif ! cmp -s names.txt ref.txt; then
    fail "--builtin-names and the names --reference documents differ:"
    diff names.txt ref.txt
else
    echo "ok: --builtin-names lists the $count documented built-ins, once each"
fi
awk '{ printf "if type(%s) == \"builtin\" n = n + 1 end\n", $1 }' names.txt > types.ovp
printf 'n = 0\n' | cat - types.ovp > t.ovp
printf 'print(n)\n' >> t.ovp
echo "$count" > want.txt
expect "every name --builtin-names prints is a builtin value" 0 want.txt - "$ovp" t.ovp

# ---- 2. where the program comes from, and argv ----
printf 'print(argv)\n' > args.ovp
echo '{}' > want.txt
expect "FILE without arguments: argv is empty" 0 want.txt - "$ovp" args.ovp
echo '{"a", "-x", "-"}' > want.txt
in=args.ovp
expect "- reads the program from stdin; the rest is argv" 0 want.txt - "$ovp" - a -x -
echo '{}' > want.txt
in=args.ovp
expect "no FILE and stdin not a terminal: the program is read from stdin" 0 want.txt - "$ovp"
expect "-e with empty code runs nothing" 0 - - "$ovp" -e ''
expect "--repl with -e runs the code, no REPL (no echo of values)" 0 - - "$ovp" --repl -e '2 + 3'
printf '2 + 3\n' > sum.ovp
in=sum.ovp
expect "the same line as a piped program echoes nothing either" 0 - - "$ovp"
in=sum.ovp
n=$((n + 1))
run "$ovp" --repl
grep -q 5 out.txt && [ "$code" = 0 ] && echo "ok: --repl on a pipe is the REPL (it echoes 5)" ||
    fail "--repl on a pipe: exit status $code, output: $(cat out.txt)"
# only ovp's options themselves are refused after the program: a longer
# word that starts like one (--seeds is the suite's) is the script's
echo '{"--seeds", "1:3", "--helpful", "-ex", "--repl-x"}' > want.txt
expect "arguments that merely start like ovp's options go to argv" 0 want.txt - \
    "$ovp" -e 'print(argv)' --seeds 1:3 --helpful -ex --repl-x
# the main script counts as imported: a module importing it back does
# not run it a second time
printf 'print("main runs")\nimport "mod"\nprint(from_mod)\n' > main.ovp
printf 'import "main"\nfrom_mod = 5\n' > mod.ovp
printf 'main runs\n5\n' > want.txt
expect "a module importing the main script does not run it again" 0 want.txt - "$ovp" main.ovp
# `suite` is the subcommand only as the first argument
echo '{"suite"}' > want.txt
expect "suite after -e CODE is an argument" 0 want.txt - "$ovp" -e 'print(argv)' suite
printf 'print("the script called suite")\n' > suite
echo 'the script called suite' > want.txt
expect "./suite runs a script of that name" 0 want.txt - "$ovp" ./suite

# ---- 3. --dump-ast ----
printf 'y = -x[2, end]\nprint(y)\n' > tree.ovp
cat > want.txt <<'X'
block @1:1
  assign @1:1
    ident y @1:1
    unop - @1:5
      index @1:6
        ident x @1:6
        num 2 @1:8
        end @1:11
  expr @2:1
    call @2:1
      ident print @2:1
      ident y @2:7
X
expect "--dump-ast FILE prints the tree and runs nothing" 0 want.txt - "$ovp" --dump-ast tree.ovp
in=tree.ovp
expect "--dump-ast on stdin" 0 want.txt - "$ovp" --dump-ast
cat > want.txt <<'X'
block @1:1
  expr @1:1
    binop * @1:2
      num 1 @1:1
      binop - @1:5
        num 2 @1:4
        num 3 @1:6
X
expect "--dump-ast -e" 0 want.txt - "$ovp" --dump-ast -e '1*(2-3)'
n=$((n + 1))
run "$ovp" --dump-ast -e 'x = ('
if [ "$code" = 2 ] && [ ! -s out.txt ] && head -n 1 err.txt | grep -q '^-e:1:[0-9]*: error: ' &&
    grep -q '^    1 | x = ($' err.txt; then
    echo "ok: --dump-ast of a syntax error: exit status 2, a located diagnostic"
else
    fail "--dump-ast of a syntax error: exit status $code"; cat out.txt err.txt
fi
cat > want.txt <<'X'
ovp: error: cannot read 'nothing.ovp': No such file or directory
X
expect "--dump-ast of a missing file" 2 - want.txt "$ovp" --dump-ast nothing.ovp

# ---- 4. exit statuses and the check summary ----
printf 'print(1)\ncheck(true, "holds")\ncheck(1 > 2, "fails")\nprint(2)\n' > chk.ovp
printf '1\nPASS: holds\nFAIL: fails\n2\n' > want.txt
echo 'checks: 1 passed, 1 failed' > werr.txt
expect "a failed check: the script runs on, exit status 3, the summary on stderr" 3 want.txt werr.txt \
    "$ovp" chk.ovp
printf 'check(true, "a")\ncheck(true, "b")\n' > pass.ovp
printf 'PASS: a\nPASS: b\n' > want.txt
echo 'checks: 2 passed, 0 failed' > werr.txt
expect "checks that pass: exit status 0 and the summary" 0 want.txt werr.txt "$ovp" pass.ovp
cat > werr.txt <<'X'
ovp: error: parameter 'k' was given on the command line but the script never reads it with param("k", ...)
checks: 1 passed, 1 failed
X
n=$((n + 1))
run "$ovp" chk.ovp k=1
[ "$code" = 2 ] && cmp -s err.txt werr.txt && echo "ok: a failed check and an unread parameter: 2, not 3" ||
    { fail "a failed check and an unread parameter: exit status $code"; cat err.txt; }
printf 'print("before")\nx = [1, 2] * [3, 4]\nprint("after")\n' > rt.ovp
echo before > want.txt
n=$((n + 1))
run "$ovp" rt.ovp
[ "$code" = 1 ] && cmp -s out.txt want.txt && head -n 1 err.txt | grep -q '^rt.ovp:2:12: error: operator \*' &&
    echo "ok: a runtime error: exit status 1, the output before it, a located error" ||
    { fail "a runtime error: exit status $code"; cat out.txt err.txt; }
printf 'print("never")\nx = = 1\n' > syn.ovp
n=$((n + 1))
run "$ovp" syn.ovp
[ "$code" = 2 ] && [ ! -s out.txt ] && head -n 1 err.txt | grep -q '^syn.ovp:2:5: error: ' &&
    echo "ok: a syntax error: exit status 2 and nothing run" ||
    { fail "a syntax error: exit status $code"; cat out.txt err.txt; }

# ---- 5. usage errors: the message, then the usage on stderr ----
{ echo "ovp: unknown option '--bogus'"; cat usage.txt; } > werr.txt
expect "an unknown option" 2 - werr.txt "$ovp" --bogus p.ovp
{ echo "ovp: unknown option '-x'"; cat usage.txt; } > werr.txt
expect "an unknown short option" 2 - werr.txt "$ovp" -x
{ echo "ovp: -e needs a value (the code to run)"; cat usage.txt; } > werr.txt
expect "-e without its code" 2 - werr.txt "$ovp" -e
{ echo "ovp: --seed needs a value (an integer from 0 to 9007199254740992)"; cat usage.txt; } > werr.txt
expect "--seed without a value: the whole message and the usage" 2 - werr.txt "$ovp" --seed
{ echo "ovp: --param needs a value (NAME=VALUE)"; cat usage.txt; } > werr.txt
expect "--param without a value: the whole message and the usage" 2 - werr.txt "$ovp" --param
# errors explained in full are not followed by the usage
echo "ovp: bad parameter 'k=2': this parameter is given twice" > werr.txt
expect "--param given twice before the program" 2 - werr.txt "$ovp" --param k=1 --param k=2 -e 'print(param("k", 0))'
echo "ovp: '--dump-ast' after the program would be the script's argument, not ovp's option: put ovp's options before FILE or -e CODE, or write -- before it to pass it to the script in argv" > werr.txt
expect "ovp's option after -e CODE: the whole message" 2 - werr.txt "$ovp" -e 'print(1)' --dump-ast
echo "ovp: '--builtin-names' after the program would be the script's argument, not ovp's option: put ovp's options before FILE or -e CODE, or write -- before it to pass it to the script in argv" > werr.txt
in=args.ovp
expect "ovp's option after -" 2 - werr.txt "$ovp" - --builtin-names

# ---- 6. files that cannot be read: exit status 2 ----
echo "ovp: error: cannot read 'missing.ovp': No such file or directory" > werr.txt
expect "a missing file" 2 - werr.txt "$ovp" missing.ovp
mkdir sub
echo "ovp: error: cannot read 'sub': Is a directory" > werr.txt
expect "a directory" 2 - werr.txt "$ovp" sub
echo "ovp: error: cannot read 'args.ovp/x.ovp': Not a directory" > werr.txt
expect "a path through a file" 2 - werr.txt "$ovp" args.ovp/x.ovp
if [ -r /proc/self/mem ]; then
    # opens, but reading at offset 0 (unmapped) fails
    echo "ovp: error: cannot read '/proc/self/mem': Input/output error" > werr.txt
    expect "a file that opens but cannot be read" 2 - werr.txt "$ovp" /proc/self/mem
fi
if [ "$(id -u)" != 0 ]; then
    printf 'print(1)\n' > locked.ovp
    chmod 000 locked.ovp
    echo "ovp: error: cannot read 'locked.ovp': Permission denied" > werr.txt
    expect "a file without read permission" 2 - werr.txt "$ovp" locked.ovp
fi

# ---- 7. output lost to a pipe nobody reads ----
# With SIGPIPE ignored the writes fail with EPIPE; print stops the script,
# and the final check finds the stream's error flag but no reason to give
# (a write of nothing to the pipe succeeds).
n=$((n + 1))
sh -c 'trap "" PIPE; { "$0" -e "for i in 1:1e7 print(i) end" 2> err.txt; echo $? > rc.txt; } | head -c 1 > /dev/null' "$ovp"
if [ "$(cat rc.txt)" = 1 ] && grep -q '^-e:1:16: error: print: cannot write the output: Broken pipe$' err.txt &&
    ! grep -q 'cannot write to standard output' err.txt; then
    echo "ok: a closed pipe: status 1 and the print error, told once"
else
    fail "a closed pipe: exit status $(cat rc.txt)"; cat err.txt
fi

# ---- 8. -- before the program ends ovp's options ----
printf 'printf("%%d %%s\\n", numel(argv), argv[1])\n' > -dash.ovp
printf '1 x\n' > dash.out
expect "-- before FILE: a program whose name starts with -" 0 dash.out - "$ovp" -- -dash.ovp x
printf 'ovp: -- must be followed by the program (a FILE)\n' > dash.err
n=$((n + 1))
run "$ovp" --
if [ "$code" = 2 ] && head -n 1 err.txt | cmp -s - dash.err; then
    echo "ok: -- with nothing after it"
else
    fail "-- with nothing after it: exit status $code"; cat err.txt
fi

[ $status = 0 ] && echo "cli: all $n cases behave"
exit $status
