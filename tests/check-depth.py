#!/usr/bin/env python3
"""Depth limits (RELIABILITY.md R8): deep nesting and deep recursion give a
named error, never a crash, also with a 1 MB stack.

The parser allows 1000 open brackets and blocks and expression trees 2000
levels deep; calls nest 1000 deep. Each construct is generated just under
its limit (must run and print the right value), just over it and 10^5 deep
(must give the named error, exit status 2 for syntax, 1 for recursion).
"""
import os
import resource
import subprocess
import sys
import tempfile

OVP = os.path.abspath(os.environ.get("OVP", "./ovp"))
BLOCKS = 1000       # open brackets and blocks
LEVELS = 2000       # expression depth
NEST_ERR = "nesting too deep (more than 1000 open brackets and blocks)"
EXPR_ERR = "expression nested too deeply (more than 2000 levels)"
# 1000 nested calls, or fewer when the C stack would overflow first (a
# sanitizer build's larger frames with a 1 MB stack): both are named errors
CALL_ERR = "error: recursion too deep ("


def paren(n): return "x = " + "(" * n + "1" + ")" * n + "\nprintf(\"%g\\n\", x)\n", "1"
def bracket(n): return "x = " + "[" * n + "1" + "]" * n + "\nprintf(\"%g\\n\", x)\n", "1"
def if_block(n): return "x = 0\n" + "if true\n" * n + "x = 1\n" + "end\n" * n + "printf(\"%g\\n\", x)\n", "1"
def for_block(n): return "x = 0\n" + "for i in 1:1\n" * n + "x = 1\n" + "end\n" * n + "printf(\"%g\\n\", x)\n", "1"
def fn_block(n): return "f = " + "fn() " * n + "7" + " end" * n + "\nprintf(\"ok\\n\")\n", "ok"
def negation(n): return "x = " + "- " * n + "1\nprintf(\"%g\\n\", x)\n", "1" if n % 2 == 0 else "-1"
def plus_chain(n): return "x = " + "+".join(["1"] * n) + "\nprintf(\"%g\\n\", x)\n", str(n)
def index_chain(n): return "a = 5\nx = a" + "[1]" * n + "\nprintf(\"%g\\n\", x)\n", "5"
def field_chain(n):
    build = "r = 3\nfor i in 1:%d\n    r = {b: r}\nend\n" % n
    return build + "x = r" + ".b" * n + "\nprintf(\"%g\\n\", x)\n", "3"
def transpose_chain(n): return "x = 2" + "'" * n + "\nprintf(\"%g\\n\", x)\n", "2"

# (name, generator, limit, margin below the limit that must run, error text)
CASES = [
    ("parentheses", paren, BLOCKS, 1, NEST_ERR),
    ("brackets", bracket, BLOCKS, 1, NEST_ERR),
    ("if blocks", if_block, BLOCKS, 1, NEST_ERR),
    ("for blocks", for_block, BLOCKS, 1, NEST_ERR),
    ("fn blocks", fn_block, BLOCKS, 1, NEST_ERR),
    ("unary minus", negation, LEVELS, 5, EXPR_ERR),
    ("index chain", index_chain, LEVELS, 5, EXPR_ERR),
    ("field chain", field_chain, LEVELS, 5, EXPR_ERR),
    ("transposes", transpose_chain, LEVELS, 5, EXPR_ERR),
]

# Long runs of left-associative operators are flat, not nested (the
# parser's AST_CHAIN): they run at any length, also with a 256 KB stack.
FLAT = [
    ("+ chain", plus_chain),
    ("mixed chain", lambda n: ("x = 1" + "".join((" * 1", " - 1", " + 2", " / 1", " .* 1")[i % 5]
                                                for i in range(n)) + "\nprintf(\"%g\\n\", x)\n",
                               str(1 - (n + 3) // 5 + 2 * ((n + 2) // 5)))),
]

# Values nested far deeper than any limit (built in a loop, 200 000 levels)
# through every built-in and operator that walks a value: each must finish
# with its result or a named error, never a signal (the class of
# check_params' stack overflow). The C stack is 1 MB here.
DEEP_VALUES = 200000
DEEP_BUILD = ("p = 1\nq = 1\nr = 1\nfor i in 1:%d\n    p = {p}\n    q = {q}\n"
              "    r = {w: r, b: 1}\nend\n" % DEEP_VALUES)
DEEP_USES = [
    ("gd", "x = gd(fn(w) 0 end, p, steps = 1)", "nested more than 1000"),
    ("sgd", "x = sgd(fn(w, b) 0 end, r, [1; 2], batch = 1, epochs = 1)", "nested more than 1000"),
    ("grad", "x = grad(fn(w) 0 end)(r)", "nested more than 1000"),
    ("value_and_grad", "x = value_and_grad(fn(w) 0 end, p)", "nested more than 1000"),
    # p and q are equal structures, not the same list: compared item by
    # item all the way down (a depth cut-off once called them unequal)
    ("==", "print(p == q, r == r, p == {q}, {a: p} == {a: q})", None, "true\ntrue\nfalse\ntrue"),
    ("print", "print(p)", None),
    ("sprintf", "x = sprintf(\"%s\", p)", "cannot be formatted"),
    ("numel and for", "n = 0\nfor v in p\n    n = n + 1\nend\nprint(numel(p) + n)", None),
    ("freeing", "p = 0\nq = 0\nr = 0\nprint(1)", None),
]

RECURSION = [
    ("unbounded recursion", "fn f(n) f(n + 1) end\nf(0)\n"),
    ("mutual recursion", "fn f(n) g(n + 1) end\nfn g(n) f(n + 1) end\nf(0)\n"),
    ("recursion through a closure", "h = fn(n) h(n + 1) end\nh(0)\n"),
    ("recursion inside gd's loss",
     "fn r(n) r(n + 1) end\ngd(fn(w) r(0) + sumsq(w) end, 1, steps = 2)\n"),
]


def stack_of(size):
    return lambda: resource.setrlimit(resource.RLIMIT_STACK, (size, size))


def run(text, workdir, stack=1 << 20, env=None):
    path = os.path.join(workdir, "depth.ovp")
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run([OVP, path], capture_output=True, text=True, timeout=60,
                       preexec_fn=stack_of(stack), cwd=workdir, env=env)
    return p.returncode, p.stdout.strip(), p.stderr


def main():
    passed = failed = 0

    def report(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)

    with tempfile.TemporaryDirectory() as work:
        for name, gen, limit, margin, err in CASES:
            text, want = gen(limit - margin)
            code, out, errs = run(text, work)
            # a sanitizer build's larger frames may stop it first, by name
            stopped = (os.environ.get("OVP_SANITIZED") == "yes" and code in (1, 2)
                       and "deep" in errs and "depth.ovp:" in errs)
            report((code == 0 and out == want) or stopped,
                   "%s at %d: exit %d, output %r, %s" % (name, limit - margin, code, out[:40], errs[:200]))
            for depth in (limit + 1, 100000):
                text, _ = gen(depth)
                code, out, errs = run(text, work)
                report(code == 2 and ("depth.ovp:" in errs and err in errs),
                       "%s at %d: exit %d, %s" % (name, depth, code, errs[:200]))
        # a 256 KB stack cannot hold every limit: each construct just under
        # its limit either runs or stops with a named error, never a signal
        # (not in a sanitizer build, whose frames need the 1 MB the manual states)
        small = [] if os.environ.get("OVP_SANITIZED") == "yes" else CASES
        for name, gen, limit, margin, err in small:
            text, want = gen(limit - margin)
            code, out, errs = run(text, work, 256 << 10)
            report((code == 0 and out == want) or
                   (code in (1, 2) and "depth.ovp:" in errs and "deep" in errs),
                   "%s at %d with a 256 KB stack: exit %d, %s" % (name, limit - margin,
                                                                  code, errs[:200]))
            # the environment and arguments use the top of the same stack:
            # about 120 KB of them leave less room, and still no signal (a
            # make with a large environment crashed the resolver this way).
            # Linux refuses more than 128 KB of them under a 256 KB stack.
            used = sum(len(k) + len(v) + 2 for k, v in os.environ.items())
            big = dict(os.environ, OVP_DEPTH_FILLER="x" * max(0, 120000 - used))
            code, out, errs = run(text, work, 256 << 10, big)
            report((code == 0 and out == want) or
                   (code in (1, 2) and "depth.ovp:" in errs and "deep" in errs),
                   "%s at %d with a 256 KB stack and a 120 KB environment: exit %d, %s"
                   % (name, limit - margin, code, errs[:200]))
        for name, gen in FLAT:
            for n in (LEVELS + 1, 100000):
                text, want = gen(n)
                for stack in (1 << 20, 256 << 10):
                    code, out, errs = run(text, work, stack)
                    report(code == 0 and out == want,
                           "%s of %d operators, %d KB stack: exit %d, output %r (want %r), %s"
                           % (name, n, stack >> 10, code, out[:40], want, errs[:200]))
        for name, use, err, *want in DEEP_USES:
            code, out, errs = run(DEEP_BUILD + use + "\n", work)
            ok = code in (0, 1) and "Segmentation" not in errs and (
                (err is None and code == 0) or (err is not None and code == 1 and err in errs))
            ok = ok and (not want or out == want[0])
            report(ok, "%s on values nested %d deep: exit %d, %s" % (name, DEEP_VALUES, code, errs[:200]))
        for name, text in RECURSION:
            code, out, errs = run(text, work)
            report(code == 1 and CALL_ERR in errs and "called at" in errs,
                   "%s: exit %d, %s" % (name, code, errs[:200]))
    print("depth limits: %d passed, %d failed (1 MB and 256 KB stacks)" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
