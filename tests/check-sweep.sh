#!/bin/sh
# ovp sweep with the local pool: the same bytes whatever the number of
# workers, in CSV and JSON lines; every kind of failed point recorded with
# its message; Ctrl-C keeps the finished points and --resume completes the
# file to the same bytes as an uninterrupted run; bad command lines
# refused. Python reads both formats back (numbers exact).
ovp=${OVP:-./ovp}
ovp=$(cd "$(dirname "$ovp")" && pwd)/$(basename "$ovp")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 99
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; }
expect() { if eval "$2"; then ok; else bad "$1"; fi; }

cat > grid.ovp <<'X'
# a point's rows: one per point, two where k = 40; a check that fails at
# one corner; the draw shows each point has a stream of its own
k = param("k", 10)
act = param("act", "tanh")
w = randn(3, 1)
emit({k: k, loss: 1 / k, draw: w[1], act: act, big: k > 30})
if k == 40
    emit({loss: 0.1, note: "a \"quoted\", comma"})
end
check(k != 80 || act != "relu", "the failing corner")
X
grid="--grid k=20,40,80 --grid act=tanh,relu"
"$ovp" sweep grid.ovp $grid --jobs 1 --out one.csv 2> one.err
code=$?
"$ovp" sweep grid.ovp $grid --jobs 2 --out two.csv 2> /dev/null
"$ovp" sweep grid.ovp $grid --jobs 2 --out two.jsonl 2> /dev/null
"$ovp" sweep grid.ovp $grid --jobs 1 --format jsonl --out one.json 2> /dev/null
expect "status 1: one point failed a check (got $code)" '[ $code = 1 ]'
expect "one and two workers write the same CSV bytes" 'cmp -s one.csv two.csv'
expect "one and two workers write the same JSON lines" 'cmp -s one.json two.jsonl'
expect "the summary counts the statuses" 'grep -q "6 of 6 points in one.csv: 5 ok, 1 check" one.err'
expect "the header" '[ "$(head -n 1 one.csv)" = "k,act,loss,draw,big,note,checks_passed,checks_failed,status,message" ]'
expect "rows in grid order, two for k = 40" \
    '[ "$(cut -d, -f1,2 one.csv | tr "\n" " ")" = "k,act 20,tanh 20,relu 40,tanh 40,tanh 40,relu 40,relu 80,tanh 80,relu " ]'
expect "the failed check is the last point's status" \
    'tail -n 1 one.csv | grep -q ",0,1,check,1 of 1 checks failed$"'
expect "a string with quotes and a comma is quoted" \
    'grep -q "\"a \"\"quoted\"\", comma\"" one.csv'

if python3 -c 'import csv, json' 2> /dev/null; then
    python3 - <<'X' > py.out 2>&1
import csv, json
rows = list(csv.DictReader(open("one.csv", newline="")))
lines = [json.loads(l) for l in open("one.json")]
assert len(rows) == len(lines) == 8, (len(rows), len(lines))
for r, j in zip(rows, lines):
    assert float(r["k"]) == j["k"] and r["act"] == j["act"] and r["status"] == j["status"]
    if r["draw"]:
        # the shortest text that reads back: the same double in both files
        assert float(r["draw"]) == j["draw"], (r["draw"], j["draw"])
draws = {r["draw"] for r in rows if r["draw"]}
assert len(draws) == 6, "each point draws from a stream of its own"
assert lines[3]["note"] == 'a "quoted", comma' and "draw" not in lines[3]
print("python read both")
X
    expect "Python's csv and json read the files back ($(tail -n 1 py.out))" 'grep -q "python read both" py.out'
fi

# every way a point can fail, one point each
cat > fail.ovp <<'X'
how = param("how", "ok")
emit({before: 1})
if how == "error"
    x = undefined_name
elseif how == "check"
    check(false, "a failing check")
elseif how == "slow"
    tic()
    while toc() < 30
    end
end
emit({after: 2})
X
"$ovp" sweep fail.ovp --grid how=ok,error,check,slow --timeout 0.5 --out fail.csv 2> fail.err
code=$?
expect "status 3: three points failed (got $code)" '[ $code = 3 ]'
expect "an error: its located message, rows before it kept" \
    'grep -q "^error,1,,0,0,error,fail.ovp:4:9: error: undefined variable .undefined_name.$" fail.csv'
expect "a timeout: stopped, rows before it kept" \
    'grep -q "^slow,1,,0,0,timeout,stopped after the timeout of 0.5 s$" fail.csv'
expect "an ok point has both rows" '[ "$(grep -c "^ok," fail.csv)" = 2 ]'
"$ovp" sweep fail.ovp --grid how=ok --grid typo=1 --out typo.csv 2> /dev/null
expect "a grid parameter the script never reads is an error" \
    'grep -q "error,.the script never reads the grid parameter .typo." typo.csv'

# a point whose process dies (here killed from outside with SIGKILL, which
# a sanitizer build's handlers cannot turn into an exit as they do SIGSEGV)
# is recorded as crashed, and the other points go on
cat > crash.ovp <<'X'
i = param("i", 1)
if i == 2
    tic()
    while toc() < 20
    end
end
emit({i: i})
X
"$ovp" sweep crash.ovp --grid i=1:3 --jobs 3 --out crash.csv 2> crash.err &
pid=$!
victim=
for _ in $(seq 50); do
    # the workers are the sweep's children; the one still running is i = 2
    sleep 0.1
    victim=$(pgrep -P $pid)
    [ "$(echo "$victim" | wc -w)" = 1 ] && break
done
kill -KILL $victim 2> /dev/null
wait $pid
code=$?
expect "a crashed point: status 1 (got $code)" '[ $code = 1 ]'
expect "a crashed point is recorded with its signal" \
    'grep -q "^2,0,0,crashed,its process died of signal 9 (Killed)$" crash.csv'
expect "the other points of a crash come out ok" '[ "$(grep -c ",ok,$" crash.csv)" = 2 ]'

# Ctrl-C, then --resume: the same bytes as one run
cat > nap.ovp <<'X'
i = param("i", 1)
tic()
while toc() < 0.2
end
emit({i: i, r: rand(1, 1)})
X
"$ovp" sweep nap.ovp --grid i=1:12 --jobs 2 --out full.csv 2> /dev/null
for fmt in csv jsonl; do
    "$ovp" sweep nap.ovp --grid i=1:12 --jobs 2 --out part.$fmt 2> part.err &
    pid=$!
    sleep 0.7
    kill -INT $pid
    wait $pid
    code=$?
    expect "$fmt: Ctrl-C gives status 130 (got $code)" '[ $code = 130 ]'
    expect "$fmt: the interrupted run says how to go on" 'grep -q -- "--resume" part.err'
    kept=$(wc -l < part.$fmt)
    expect "$fmt: the finished points are kept ($kept lines)" '[ "$kept" -ge 2 ] && [ "$kept" -le 12 ]'
    "$ovp" sweep nap.ovp --grid i=1:12 --jobs 2 --out part.$fmt --resume 2> resume.err
    expect "$fmt: --resume runs only the rest" 'grep -q "12 of 12 points" resume.err'
done
expect "--resume completes the CSV to the bytes of one run" 'cmp -s full.csv part.csv'
# progress: a line on a terminal (points, failures, elapsed, time left),
# nothing when stderr is a file
if command -v script > /dev/null; then
    script -qec "'$ovp' sweep nap.ovp --grid i=1:6 --jobs 2 --out tty.csv" /dev/null > tty.out 2>&1
    expect "on a terminal a progress line counts points and failures" \
        'grep -q "6/6 points, 0 failed, 0:0[0-9] elapsed" tty.out && grep -q "left" tty.out'
fi
"$ovp" sweep nap.ovp --grid i=1:3 --jobs 2 --out notty.csv 2> notty.err
expect "no progress line when stderr is not a terminal" '! grep -q "points, 0 failed" notty.err'
"$ovp" sweep nap.ovp --grid i=1:12 --jobs 2 --out full.jsonl 2> /dev/null
expect "--resume completes the JSON lines to the bytes of one run" 'cmp -s full.jsonl part.jsonl'
"$ovp" sweep nap.ovp --grid i=1:13 --out part.csv --resume 2> /dev/null
expect "--resume with a longer grid adds the new point" '[ "$(wc -l < part.csv)" = 14 ]'
"$ovp" sweep nap.ovp --grid i=1:3 --out part.csv --resume 2> wrong.err
code=$?
expect "--resume with a grid the file does not fit is refused" \
    '[ $code = 101 ] && grep -q "line 5 is a point that is not on this grid" wrong.err'

# MPI: the same bytes on 2 and 3 ranks as on the pool, and --resume
mpi=$(dirname "$ovp")/ovp-mpi
if command -v mpirun > /dev/null && [ -x "$mpi" ]; then
    # (as root in CI; OpenMPI's own start-up allocations are not ovp's to
    # free, so a sanitizer build's leak check is off for the ranks)
    mpirun_() { ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
                mpirun --allow-run-as-root --oversubscribe --quiet "$@"; }
    for np in 2 3; do
        mpirun_ -np $np "$ovp" sweep grid.ovp $grid --mpi --out mpi$np.csv > /dev/null 2> mpi.err
        code=$?
        expect "MPI, $np ranks: the pool's bytes (status $code, $(grep -c . mpi.err) lines on stderr)" \
            'cmp -s one.csv mpi$np.csv'
    done
    mpirun_ -np 2 "$ovp" sweep grid.ovp $grid --mpi --format jsonl --out mpi.jsonl > /dev/null 2>&1
    expect "MPI: the pool's JSON lines" 'cmp -s one.json mpi.jsonl'
    head -n 3 one.csv > mpi_part.csv   # two whole points
    mpirun_ -np 2 "$ovp" sweep grid.ovp $grid --mpi --resume --out mpi_part.csv > /dev/null 2> resume.err
    expect "MPI --resume: the rest of the points, the same bytes" \
        'cmp -s one.csv mpi_part.csv && grep -q "6 of 6 points" resume.err'
else
    echo "SKIP: MPI (mpirun or ovp-mpi missing: apt-get install openmpi-bin libopenmpi-dev, configure again)"
fi
"$ovp" sweep grid.ovp --grid k=1 --mpi --out x.csv > /dev/null 2> nompi.err
if [ ! -x "$mpi" ]; then
    expect "--mpi without the MPI build says how to get it" 'grep -q "needs ovp built with MPI" nompi.err'
fi

# --seed moves every point's stream; the same seed gives the same bytes
"$ovp" sweep grid.ovp $grid --seed 7 --out s7.csv 2> /dev/null
"$ovp" sweep grid.ovp $grid --seed 7 --jobs 1 --out s7b.csv 2> /dev/null
expect "--seed 7 twice: the same bytes" 'cmp -s s7.csv s7b.csv'
expect "--seed 7 draws other numbers than the default" '! cmp -s s7.csv one.csv'

# bad command lines: a message naming the problem, status 101, no file
while IFS='|' read -r args msg; do
    rm -f grid.csv
    # shellcheck disable=SC2086
    "$ovp" sweep $args > /dev/null 2> usage.err
    code=$?
    expect "sweep $args: status 101 and '$msg' (got $code: $(head -n 1 usage.err))" \
        '[ $code = 101 ] && grep -qF -- "$msg" usage.err && [ ! -e grid.csv ]'
done <<'X'
grid.ovp|no --grid given
grid.ovp --grid k|--grid takes NAME=VALUES with NAME an identifier, got 'k'
grid.ovp --grid 2k=1|NAME an identifier, got '2k=1'
grid.ovp --grid k=1,,2|--grid k=1,,2 has an empty value
grid.ovp --grid k=5:1|a range is empty
grid.ovp --grid k=1:0:5|a range's step must not be 0
grid.ovp --grid k=1:1e8|a range has too many values
grid.ovp --grid k=1:5000 --grid act=1:5000|the grid has more than 10000000 points
grid.ovp --grid status=1|'status' is a column ovp sweep writes itself
grid.ovp --grid k=1 --grid k=2|the grid names 'k' twice
grid.ovp --grid k=1 --jobs 0|--jobs takes a whole number from 1 to 1024, got '0'
grid.ovp --grid k=1 --timeout 0|--timeout takes seconds, a number above 0, got '0'
grid.ovp --grid k=1 --format xml|--format is csv or jsonl, got 'xml'
grid.ovp --grid k=1 --seed -1|--seed takes a whole number from 0 to 2^53
grid.ovp --grid k=1 --bogus|unknown option '--bogus'
grid.ovp other.ovp --grid k=1|one script only; 'other.ovp' is a second one
--grid k=1|no script given
missing.ovp --grid k=1|cannot read 'missing.ovp': No such file or directory
grid.ovp --grid|--grid needs a value
X
mkdir ro
"$ovp" sweep grid.ovp --grid k=1 --out ro/x/y.csv > /dev/null 2> ro.err
expect "an output that cannot be written is an error" 'grep -q "cannot write .ro/x/y.csv." ro.err'

echo "sweep: $passed passed, $failed failed"
[ "$failed" = 0 ]
