#!/bin/sh
# Canaries (RELIABILITY.md R2): a sanitizer run that reports nothing proves
# nothing unless each detector is seen to fire. Compiles three planted bugs
# (a leak, a heap overflow, a signed overflow) and a leaking Criterion test
# with the flags of ./configure --enable-sanitizers, runs them, and requires
# each to be reported. With valgrind installed, the leak is also shown to be
# caught by valgrind's --errors-for-leak-kinds=definite (make check-valgrind).
top=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
fail() { echo "FAIL: $1"; status=1; }

# canary SOURCE PATTERN [LIBS [FLAGS [ANY_EXIT]]]: the program must fail
# (any exit status when ANY_EXIT is set) and print PATTERN
canary() {
    src=$1 pattern=$2 libs=$3 cflags=${4:-$flags} any_exit=$5
    name=$(basename "$src" .c)
    if ! $cc $cflags -o "$work/$name" "$top/tests/canary/$src" $libs 2> "$work/$name.cc"; then
        echo "SKIP: $name (the compiler cannot build it with sanitizers)"
        cat "$work/$name.cc"
        return
    fi
    "$work/$name" > "$work/$name.out" 2>&1
    code=$?
    if { [ "$code" != 0 ] || [ -n "$any_exit" ]; } && grep -q "$pattern" "$work/$name.out"; then
        echo "detected: $name ($pattern)"
    else
        fail "$name not reported (exit $code)"
        head -5 "$work/$name.out"
    fi
}

canary leak.c "LeakSanitizer"
# ASan alone: with UBSan on, its object-size check reports this write first
canary heap_overflow.c "heap-buffer-overflow" "" "-g -O1 -fsanitize=address -fno-omit-frame-pointer"
canary int_overflow.c "signed integer overflow"
# Criterion runs each test in a forked worker and does not pass on the
# worker's LeakSanitizer exit status (Snaipe/Criterion#362): the report is in
# the test's log but the test passes. So only the report is required here,
# and a sanitizer run must grep the unit-test logs for "LeakSanitizer".
if pkg-config --exists criterion 2>/dev/null; then
    canary criterion_leak.c "LeakSanitizer" "$(pkg-config --libs criterion)" "$flags" any
fi

if command -v valgrind > /dev/null; then
    $cc -g -O0 -o "$work/leak_plain" "$top/tests/canary/leak.c"
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
        "$work/leak_plain" > /dev/null 2>&1
    if [ $? = 99 ]; then echo "detected: leak (valgrind)"; else fail "valgrind missed the leak"; fi
fi
exit $status
