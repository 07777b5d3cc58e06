#!/usr/bin/env python3
"""coverage-messages.py SRCDIR BUILDDIR: which error messages of the C
source no test reaches (RELIABILITY.md R18), after `make check` in a tree
built with --enable-coverage (make coverage runs it).

A message is a string literal passed to one of the functions that raise an
error (rt_raise, interp_error, bi_error, parse_fail, the file and figure
modules' fail, ...). It counts as reached when gcov saw the line that
starts the call run. A call that shares its line with other code (a
ternary) may be counted as reached when only that code ran, so the list
errs on the side of too few. Prints each unreached message as
file:line: text, then the totals."""
import json
import os
import re
import subprocess
import sys
import tempfile

srcdir, builddir = sys.argv[1], sys.argv[2]
RAISERS = r"(?:rt_raise|interp_error|bi_error|parse_fail|lex_error|fail|arg_type_error|set_error|syntax_error)"
CALL = re.compile(RAISERS + r"\s*\(")
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')

with tempfile.NamedTemporaryFile(suffix=".json") as out:
    subprocess.run(["gcovr", "-r", srcdir, "--object-directory", builddir,
                    "-e", "grammar/.*", "-e", "tests/.*", "--json", "-o", out.name],
                   check=True)
    report = json.load(open(out.name))

counts = {}
for f in report["files"]:
    counts[f["file"]] = {l["line_number"]: l["count"] for l in f["lines"]}

total = reached = 0
unreached = []
for path in sorted(counts):
    if not path.startswith("src/"):
        continue
    lines = open(os.path.join(srcdir, path), encoding="utf-8", errors="replace").read().split("\n")
    for i, text in enumerate(lines, 1):
        if not CALL.search(text) or text.lstrip().startswith(("/*", "*", "//")):
            continue
        # the message: the first literal of the call, on this line or the next
        lit = LITERAL.search(text[CALL.search(text).end():]) or \
            (i < len(lines) and LITERAL.search(lines[i]))
        if not lit:
            continue
        count = counts[path].get(i)
        if count is None:
            continue   # not an executable line for gcov
        total += 1
        if count > 0:
            reached += 1
        else:
            unreached.append("%s:%d: %s" % (path, i, lit.group(1)[:90]))

for u in unreached:
    print(u)
print("error messages: %d in the source, %d reached by a test, %d not reached"
      % (total, reached, total - reached))
