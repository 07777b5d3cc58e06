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
grep -q "3 runs: 2 checks passed, 1 failed; 1 runs errored" "$dir/out.txt" || fail "summary"
grep -q "A result that holds." "$dir/r/report.md" || fail "statement in the report"
grep -q "measured 42" "$dir/r/report.md" || fail "output in the report"
grep -q "undefined variable" "$dir/r/report.md" || fail "error in the report"
grep -q "<h2>b_fail</h2>" "$dir/r/report.html" || fail "html report"
rm "$dir/s/b_fail.ovp" "$dir/s/c_error.ovp"
"$ovp" suite "$dir/s" --report "$dir/r2" > /dev/null 2>&1 || fail "all passing gives status 0"

# --seeds: a seeded script runs once per seed, a deterministic one once;
# the sweep names each check that failed somewhere, its seeds and numbers
cat > "$dir/s/d_seeded.ovp" <<'X'
# A check that holds only on some seeds.
s = param("seed", 1)
seed(s)
check(s != 2 && s != 4, "seed %d is neither 2 nor 4", s)
check(rand() >= 0, "uniform numbers are non-negative")
X
"$ovp" suite "$dir/s" --seeds 1:4 --report "$dir/r3" > "$dir/seeds.txt" 2>&1
code=$?
[ "$code" = 3 ] || fail "--seeds with a failing check: exit status $code, expected 3"
[ "$(grep -c '^d_seeded ' "$dir/seeds.txt")" = 4 ] || fail "d_seeded runs once per seed"
[ "$(grep -c '^a_pass ' "$dir/seeds.txt")" = 1 ] || fail "a_pass (no seed) runs once"
grep -q "| d_seeded | 4 seeds | 2 | 1 | FAIL |" "$dir/seeds.txt" || fail "sweep row of d_seeded"
grep -q "| a_pass | 1 (no seed) | 1 | 1 | ok |" "$dir/seeds.txt" || fail "sweep row of a_pass"
grep -q "d_seeded, check 1 failed on 2 of 4 seeds" "$dir/seeds.txt" || fail "the failing check"
grep -q "seed 4: FAIL: seed 4 is neither 2 nor 4" "$dir/seeds.txt" || fail "its seeds and numbers"
grep -q "## Seed sweep" "$dir/r3/report.md" || fail "the sweep in the report"
grep -q "<td>d_seeded</td>" "$dir/r3/report.html" || fail "the sweep as an HTML table"
"$ovp" suite "$dir/s" --seeds 3:1 > /dev/null 2>&1
[ $? = 2 ] || fail "--seeds 3:1 is a usage error"
"$ovp" suite "$dir/s" --seeds 1,x > /dev/null 2>&1
[ $? = 2 ] || fail "--seeds 1,x is a usage error"
"$ovp" suite "$dir/s" --seeds 5,6 --report "$dir/r4" > /dev/null 2>&1 ||
    fail "--seeds 5,6 (checks pass there) gives status 0"
[ $status = 0 ] || cat "$dir/out.txt" "$dir/seeds.txt"
exit $status
