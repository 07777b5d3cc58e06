#!/usr/bin/env python3
"""The REPL survives bad lines (RELIABILITY.md R6).

10 000 lines go through `ovp --repl`: 70 % are `x = x + 1`, 30 % are bad
lines drawn from the bad-input catalogue (syntax, undefined names, shapes,
wrong arity and type, bad files, NaN). Every good line must be evaluated
(the final `x` equals their count), every bad line must give exactly one
located diagnostic, and the session must end normally.

When valgrind is installed, the live heap is measured too: the bytes still
in use at exit after 1 500 and after 4 000 lines must agree within 1 KiB (a
session that keeps something per line grows; valgrind counts live blocks,
not RSS). The REPL keeps the last 1 000 lines of history, so both runs
hold a full history. Set OVP_SKIP_VALGRIND=1 to skip that part.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

OVP = os.environ.get("OVP", "./ovp")

BAD_LINES = [
    "x = ",
    "= 3",
    "fn f(a,,b) end",
    "[1 2; 3]",
    "gd(,)",
    "1 + )",
    "undefined_name + 1",
    "ones(2, 3) * ones(2, 3)",
    "[1, 2] + [1, 2, 3]",
    "zeros(\"a\")",
    "seed(1, 2)",
    "gd(1, 2)",
    "reshape(1:6, 4, 2)",
    "chol(-eye(2))",
    "load(\"/nonexistent/file.csv\")",
    "import \"nosuch_module\"",
    "x(0)",
    "x[1.5]",
    "log(\"a\")",
    "sum(1, 2, 3, 4, 5)",
    "@",
]


def session(n_lines, seed):
    rng = random.Random(seed)
    lines = ["x = 0"]
    good = bad = 0
    for _ in range(n_lines):
        if rng.random() < 0.7:
            lines.append("x = x + 1")
            good += 1
        else:
            lines.append(rng.choice(BAD_LINES))
            bad += 1
    lines.append("printf(\"final %d\\n\", x)")
    return "\n".join(lines) + "\n", good, bad


def run(cmd, text):
    with tempfile.TemporaryDirectory() as home:     # the history file goes here
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", HOME=home)
        return subprocess.run(cmd, input=text, capture_output=True, text=True,
                              env=env, timeout=600)


def check_counts(failures):
    text, good, bad = session(10000, 7)
    p = run([OVP, "--repl"], text)
    if p.returncode != 0:
        failures.append("exit status %d" % p.returncode)
    m = re.search(r"final (\d+)", p.stdout)
    if not m or int(m.group(1)) != good:
        failures.append("final x = %s, expected %d" % (m.group(1) if m else "?", good))
    errors = re.findall(r"^<repl>:\d+:\d+: error: ", p.stderr, re.M)
    if len(errors) != bad:
        failures.append("%d diagnostics for %d bad lines" % (len(errors), bad))
    carets = len(re.findall(r"^ *\| *\^", p.stderr, re.M))
    if carets != bad:
        failures.append("%d carets for %d bad lines" % (carets, bad))
    print("REPL 10k mixed lines: good %d evaluated, %d bad lines, %d diagnostics"
          % (good, bad, len(errors)))


def live_bytes(n_lines):
    text, _, _ = session(n_lines, 7)
    p = run(["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite",
             "--error-exitcode=99", OVP, "--repl"], text)
    m = re.search(r"in use at exit: ([\d,]+) bytes", p.stderr)
    lost = re.search(r"definitely lost: ([\d,]+) bytes", p.stderr)
    return (int(m.group(1).replace(",", "")) if m else 0,
            int(lost.group(1).replace(",", "")) if lost else 0, p.returncode)


def check_heap(failures):
    if (os.environ.get("OVP_SKIP_VALGRIND") or os.environ.get("OVP_SANITIZED") == "yes"
            or not shutil.which("valgrind")):
        print("live heap: skipped (no valgrind, or a sanitizer build)")
        return
    small, lost_small, rc_small = live_bytes(1500)
    large, lost_large, rc_large = live_bytes(4000)
    print("live heap at exit: %d bytes after 1500 lines, %d after 4000; "
          "(delta %+d); definitely lost %d / %d" % (small, large, large - small, lost_small, lost_large))
    # the two histories hold different lines, so a few bytes either way
    if large > small + 1024:
        failures.append("live heap grows with the session: %d -> %d bytes" % (small, large))
    if lost_small or lost_large or rc_small == 99 or rc_large == 99:
        failures.append("valgrind reports errors or definite leaks")


def main():
    failures = []
    check_counts(failures)
    check_heap(failures)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
