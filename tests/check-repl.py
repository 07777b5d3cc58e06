#!/usr/bin/env python3
"""Drives the REPL through a pseudo-terminal: echo, continuation lines,
help, errors that keep the session, Ctrl-C out of a loop, Ctrl-D."""
import os, pty, select, sys, time

OVP = os.path.abspath(os.environ.get("OVP", sys.argv[1] if len(sys.argv) > 1 else "./ovp"))

def start():
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = os.environ.get("TMPDIR", "/tmp")
        os.environ["TERM"] = "dumb"
        os.execv(OVP, [OVP])
    return pid, fd

def read_until(fd, marker, timeout=5.0):
    out = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if marker.encode() in out:
                break
    return out.decode(errors="replace")

failures = 0
passes = 0
def expect(text, needle, what):
    global failures, passes
    if needle not in text:
        failures += 1
        print(f"FAIL: {what}: {needle!r} not in {text!r}")
    else:
        passes += 1
        print(f"PASS: {what}")

pid, fd = start()
read_until(fd, "ovp> ")
def send(line, marker="ovp> "):
    os.write(fd, line.encode())
    return read_until(fd, marker)

expect(send("x = 3\n"), "ovp> ", "assignment prints nothing")
expect(send("x + 1\n"), "4", "expression is echoed")
expect(send("y + 1\n"), "undefined variable 'y'", "error is reported")
expect(send("x * 2\n"), "6", "session survives an error")
expect(send("fn f(a)\n", "...> "), "...> ", "open block asks for more")
send("a * 10\n", "...> ")
expect(send("end\n"), "ovp> ", "block completes")
expect(send("f(x)\n"), "30", "function defined over lines")
expect(send("help det\n"), "determinant", "help name")
expect(send("lins\t(0, 1, 3)\n"), "1x3 matrix", "Tab completes a built-in name")
expect(send("my_long_variable = 7\n"), "ovp> ", "a variable to complete")
expect(send("my_lo\t + 1\n"), "8", "Tab completes a variable name")
expect(send("[1, 2,\n", "...> "), "...> ", "open bracket continues")
expect(send("3]\n"), "1x3 matrix", "bracket completes")
os.write(fd, b"while true end\n")
time.sleep(0.5)
os.write(fd, b"\x03")
expect(read_until(fd, "ovp> "), "interrupted", "Ctrl-C stops a loop")
expect(send("x\n"), "3", "variables survive Ctrl-C")
os.write(fd, b"r = gd(fn(w) sumsq(w) end, 1, lr = 0.001, steps = 100000000)\n")
time.sleep(1.0)
os.write(fd, b"\x03")
expect(read_until(fd, "ovp> "), "returning the trajectory", "Ctrl-C stops gd")
expect(send("r.interrupted\n"), "true", "the interrupted run is kept")
os.write(fd, b"\x04")
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
expect(str(code), "0", "Ctrl-D exits with status 0")
print(f"{passes} passed, {failures} failed")
sys.exit(1 if failures else 0)
