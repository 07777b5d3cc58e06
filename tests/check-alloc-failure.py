#!/usr/bin/env python3
"""Allocation failure (RELIABILITY.md R11): every allocation ovp makes is
failed in turn, and each run must either succeed with the right output or
stop with exit status 1 and an "out of memory" error that says where --
never a signal, never another message.

tests/alloc/failmalloc.c is preloaded into ovp and fails the N-th
allocation made by ovp's own code (libc's and OpenBLAS's own allocations
are not counted). For each script of tests/alloc/ a clean run counts the
allocations; then every N from 1 to the count is failed once, and every
7th N is also failed for good (every allocation from N on fails), which
exercises the paths that run after the first failure. Prints the counts:
points tried, runs that succeeded, clean errors (located ones among them)
and crashes. Skipped (77) in a sanitizer build, whose allocator cannot be
replaced; sampled in a coverage build (see COVERAGE below).
"""
import concurrent.futures
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

# ovp linked to the shared OpenBLAS (Makefile.am): the shim tells ovp's
# allocations from the libraries' by the caller's address, and the ovp
# binary itself may carry OpenBLAS inside (configure's static OpenBLAS).
OVP = os.path.abspath(os.environ.get("OVP_SHARED", os.environ.get("OVP", "./ovp")))
HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = sorted(os.path.join(HERE, "alloc", f)
                 for f in os.listdir(os.path.join(HERE, "alloc")) if f.endswith(".ovp"))
LOCATED = re.compile(r"^\S+:\d+:\d+: error: out of memory", re.M)
STARTUP = re.compile(r"^ovp: error: out of memory", re.M)
PERSIST_EVERY = 7

if os.environ.get("OVP_SANITIZED") == "yes":
    print("SKIP: a sanitizer build replaces the allocator itself")
    sys.exit(77)
# A coverage build (make coverage) runs a sample: every COVERAGE_STRIDE-th
# point, failed once, not for good. gcov's exit-time writer is linked into
# ovp and allocates too; the shim stops counting when exit starts, and
# a single failure leaves the writer's allocations (made inside
# alloc_failed's __gcov_dump) free to succeed, so the counts of the
# out-of-memory paths reach the report.
COVERAGE = os.environ.get("OVP_COVERAGE") == "yes"
COVERAGE_STRIDE = 5

work = tempfile.mkdtemp(prefix="ovp-alloc-")
shim = os.path.join(work, "failmalloc.so")
cc = os.environ.get("CC", "cc")
subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", shim,
                os.path.join(HERE, "alloc", "failmalloc.c")], check=True)


def run(script, env_extra):
    """Runs script in a scratch folder with the shim; returns (rc, out, err)."""
    d = tempfile.mkdtemp(dir=work)
    env = dict(os.environ, LD_PRELOAD=shim, **env_extra)
    if COVERAGE:
        env["OVP_FAILMALLOC_UNTIL_EXIT"] = "1"
    p = subprocess.run([OVP, script], cwd=d, env=env, capture_output=True,
                       timeout=60)
    shutil.rmtree(d, ignore_errors=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def classify(script, n, persist, expected):
    extra = {"OVP_FAILMALLOC": str(n)}
    if persist:
        extra["OVP_FAILMALLOC_PERSIST"] = "1"
    rc, out, err = run(script, extra)
    if rc == 0 and out == expected:
        return "ok", None
    if rc == 1 and (LOCATED.search(err) or STARTUP.search(err)):
        return ("located" if LOCATED.search(err) else "startup"), None
    what = "signal %d" % -rc if rc < 0 else "exit %d" % rc
    return "bad", "%s N=%d%s: %s; stderr: %s" % (
        os.path.basename(script), n, " (persistent)" if persist else "", what,
        err.strip().splitlines()[-1:] or "(empty)")


counts = {"ok": 0, "located": 0, "startup": 0, "bad": 0}
failures = []
jobs = []
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    for script in SCRIPTS:
        cnt = os.path.join(work, "count")
        rc, expected, err = run(script, {"OVP_FAILMALLOC_COUNT": cnt})
        if rc != 0:
            print("FAIL: %s does not run cleanly: %s" % (script, err))
            sys.exit(1)
        total = int(open(cnt).read())
        print("%s: %d allocations" % (os.path.basename(script), total))
        for n in range(1, total + 1, COVERAGE_STRIDE if COVERAGE else 1):
            jobs.append(pool.submit(classify, script, n, False, expected))
            if n % PERSIST_EVERY == 0 and not COVERAGE:
                jobs.append(pool.submit(classify, script, n, True, expected))
    for j in jobs:
        kind, msg = j.result()
        counts[kind] += 1
        if msg:
            failures.append(msg)


def limited(limit_bytes):
    """A preexec function that caps the address space (ulimit -v)."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return cap


# Real exhaustion under ulimit -v: a matrix too big for the cap and a
# string doubled without end stop with the located error, after the
# output printed before them.
LIMIT = 400 << 20
ULIMIT_CASES = [
    ('print("before")\nA = zeros(10000, 10000)\nprint("after")\n',
     "before\n", "for a 10000x10000 matrix"),
    ('print("before")\nx = "ab"\nwhile true\n    x = x + x\nend\n',
     "before\n", "out of memory (allocating"),
]
for i, (text, want_out, want_err) in enumerate(ULIMIT_CASES):
    path = os.path.join(work, "ulimit%d.ovp" % i)
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run([OVP, path], capture_output=True, timeout=60,
                       preexec_fn=limited(LIMIT))
    err = p.stderr.decode(errors="replace")
    if p.returncode != 1 or p.stdout.decode() != want_out or want_err not in err \
            or not LOCATED.search(err):
        failures.append("ulimit -v %d MB, case %d: exit %d, stdout %r, stderr %r"
                        % (LIMIT >> 20, i, p.returncode, p.stdout, err))
shutil.rmtree(work, ignore_errors=True)

for msg in failures[:40]:
    print("FAIL:", msg)
if len(failures) > 40:
    print("... and %d more" % (len(failures) - 40))
print("points %d: succeeded %d, clean errors %d (located %d, at start-up %d), crashed or wrong %d"
      % (len(jobs), counts["ok"], counts["located"] + counts["startup"],
         counts["located"], counts["startup"], counts["bad"]))
sys.exit(1 if failures else 0)
