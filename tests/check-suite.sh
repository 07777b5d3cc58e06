#!/bin/sh
# The suite runner on a small folder: a passing, a failing and an erroring
# script; checks the table, the exit status and the report.
ovp=${OVP:-./ovp}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/s"
cat > "$dir/s/a_pass.ovp" <<'X'
# A result that holds.
check(1 + 1 == 2, "arithmetic")
printf("measured 42\n")
X
cat > "$dir/s/b_fail.ovp" <<'X'
# A result whose check fails.
check(false, "this fails")
check(true, "this passes")
X
cat > "$dir/s/c_error.ovp" <<'X'
# A script with a runtime error.
x = undefined_name + 1
X
"$ovp" suite "$dir/s" --report "$dir/r" > "$dir/out.txt" 2>&1
code=$?
status=0
fail() { echo "FAIL: $1"; status=1; }
[ "$code" = 1 ] || fail "exit status $code, expected 1 (a script errored)"
grep -q "^a_pass .* 1 .* 0 .* ok" "$dir/out.txt" || fail "a_pass row"
grep -q "^b_fail .* 1 .* 1 .* FAIL" "$dir/out.txt" || fail "b_fail row"
grep -q "^c_error .* ERROR" "$dir/out.txt" || fail "c_error row"
grep -q "3 scripts: 2 checks passed, 1 failed; 1 scripts errored" "$dir/out.txt" || fail "summary"
grep -q "A result that holds." "$dir/r/report.md" || fail "statement in the report"
grep -q "measured 42" "$dir/r/report.md" || fail "output in the report"
grep -q "undefined variable" "$dir/r/report.md" || fail "error in the report"
grep -q "<h2>b_fail</h2>" "$dir/r/report.html" || fail "html report"
rm "$dir/s/b_fail.ovp" "$dir/s/c_error.ovp"
"$ovp" suite "$dir/s" --report "$dir/r2" > /dev/null 2>&1 || fail "all passing gives status 0"
[ $status = 0 ] || cat "$dir/out.txt"
exit $status
