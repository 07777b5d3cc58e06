#!/usr/bin/env python3
"""Runaway input (RELIABILITY.md R1): programs of about a megabyte that are
wide rather than deep -- 100 000 parameters, locals, captured names or
record fields -- must run in well under R1's 10 seconds with the right
output. Names are found through hash indexes (src/base/names.c); a lookup
that scans would make each of these quadratic (minutes). The bound is a
hang detector, not a benchmark: each case takes a fraction of a second.
"""
import os
import subprocess
import sys
import tempfile

OVP = os.path.abspath(os.environ.get("OVP", "./ovp"))
N = 100000
LIMIT = 10.0
# A sanitizer build maps shadow memory for every large frame and array
# (seconds of system time for 100 000 slots): a fifth of the size and a
# longer bound there still tell linear from quadratic (25 times slower).
if os.environ.get("OVP_SANITIZED") == "yes":
    N, LIMIT = 20000, 60.0


def params():
    names = ", ".join("p%d" % i for i in range(N))
    args = ", ".join(str(i) for i in range(N))
    return "fn f(%s)\n    p%d + p7\nend\nprint(f(%s))\n" % (names, N - 1, args), str(N - 1 + 7)


def locals_():
    body = "".join("    v%d = %d\n" % (i, i) for i in range(N))
    return "fn f()\n%s    v%d - v3\nend\nprint(f())\n" % (body, N - 1), str(N - 4)


def upvalues():
    n = N // 5
    body = "".join("    u%d = %d\n" % (i, i) for i in range(n))
    uses = " + ".join("u%d" % i for i in range(0, n, 1000))
    want = sum(range(0, n, 1000)) + n - 1
    return ("fn outer()\n%s    g = fn() u%d + %s end\n    g()\nend\nprint(outer())\n"
            % (body, n - 1, uses)), str(want)


def record_literal():
    fields = ", ".join("f%d: %d" % (i, i) for i in range(N))
    return "r = {%s}\nprint(r.f%d + r.f5)\n" % (fields, N - 1), str(N - 1 + 5)


def record_fields_assigned():
    body = "".join("r.g%d = %d\n" % (i, i) for i in range(N))
    return "r = {a: 1}\n%sprint(r.g%d)\n" % (body, N - 1), str(N - 1)


CASES = [params, locals_, upvalues, record_literal, record_fields_assigned]
failed = 0
with tempfile.TemporaryDirectory() as d:
    for case in CASES:
        text, want = case()
        path = os.path.join(d, case.__name__ + ".ovp")
        with open(path, "w") as f:
            f.write(text)
        try:
            p = subprocess.run([OVP, path], capture_output=True, timeout=LIMIT)
            out = p.stdout.decode().strip()
            ok = p.returncode == 0 and out == want
            detail = "exit %d, output %r (want %r) %s" % (p.returncode, out[:60], want,
                                                         p.stderr.decode()[:200])
        except subprocess.TimeoutExpired:
            ok, detail = False, "still running after %g s" % LIMIT
        print("%s: %s (%d KB of source)%s" % ("ok" if ok else "FAIL", case.__name__,
                                              len(text) // 1024, "" if ok else ": " + detail))
        failed += not ok
sys.exit(1 if failed else 0)
