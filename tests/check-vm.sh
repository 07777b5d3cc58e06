#!/bin/sh
# The loop compiler (src/eval/vm.c) against the tree walker: every script
# of tests/vm/ must print the same bytes on stdout and stderr and end with
# the same status with the compiler on (the default) and off (OVP_VM=0).
# Then the counted loop's sum against its closed form, and Ctrl-C inside a
# compiled loop: the located "interrupted" error (at a statement of the
# body, or at the loop between iterations) and status 130 in both.
ovp=${OVP:-./ovp}
here=$(dirname "$0")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0
fail() { echo "FAIL: $1"; status=1; }

# run MODE SCRIPT: its stdout, stderr and status into $dir/MODE.* (a
# loop that never ends is stopped, and its status 124 differs)
run() {
    if [ "$1" = walker ]; then
        OVP_VM=0 timeout 60 "$ovp" "$2" > "$dir/$1.out" 2> "$dir/$1.err"
    else
        timeout 60 "$ovp" "$2" > "$dir/$1.out" 2> "$dir/$1.err"
    fi
    echo $? > "$dir/$1.status"
}

n=0
for script in "$here"/vm/*.ovp; do
    case $script in */interrupt.ovp) continue ;; esac
    run vm "$script"
    run walker "$script"
    name=$(basename "$script")
    for part in out err status; do
        cmp -s "$dir/vm.$part" "$dir/walker.$part" ||
            { fail "$name: the $part differs"; diff "$dir/vm.$part" "$dir/walker.$part" | head -20; }
    done
    [ -s "$dir/vm.out" ] || [ -s "$dir/vm.err" ] || fail "$name printed nothing"
    n=$((n + 1))
done
echo "$n scripts: the compiled loops and the walker agree"

# sum of i/2 for i = 1..N is N(N+1)/4, exact in doubles at this size
cat > "$dir/sum.ovp" <<'X'
s = 0
for i in 1:100000
    s = s + i * 0.5
end
k = 0
while k < 1000
    k += 1
end
printf("%.17g %d %d\n", s, i, k)
X
got=$("$ovp" "$dir/sum.ovp")
[ "$got" = "2500025000 100000 1000" ] || fail "closed form: got '$got'"

for mode in vm walker; do
    if [ $mode = walker ]; then OVP_VM=0; export OVP_VM; fi
    "$ovp" "$here/vm/interrupt.ovp" > "$dir/int.out" 2>&1 &
    pid=$!
    sleep 0.5
    kill -INT $pid
    wait $pid
    code=$?
    unset OVP_VM
    [ $code = 130 ] || fail "$mode: Ctrl-C gave status $code, expected 130"
    grep -qE "interrupt.ovp:[5-7]:[15]: error: interrupted" "$dir/int.out" ||
        { fail "$mode: no located 'interrupted' error"; cat "$dir/int.out"; }
done
[ $status = 0 ] && echo "PASS: check-vm"
exit $status
