"""The Jupyter kernel, driven through jupyter_client as a notebook would:
cell output, the value of the last expression (text and an HTML table),
a located error that keeps the earlier variables, completion of record
fields and named arguments, inspection, is_complete, an inline figure,
interrupting a long loop (within a second, the kernel alive after), and
restart. Then every notebook of examples/notebooks runs headless with
nbclient. Skipped (77) where Debian's Jupyter packages are missing
(apt-get install python3-ipykernel python3-jupyter-client python3-nbclient).
"""
import os
import subprocess
import sys
import tempfile
import time

try:
    import jupyter_client
    import nbclient
    import nbformat
except ImportError:
    # the packages are Debian's, for /usr/bin/python3; a python3 earlier
    # on PATH (a virtual environment) may not see them
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("SKIP: jupyter_client, nbclient or nbformat missing")
    sys.exit(77)

OVP = os.path.abspath(os.environ.get("OVP", "./ovp"))
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
passed = failed = 0


def report(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("PASS:", what)
    else:
        failed += 1
        print("FAIL:", what)


def run_cell(kc, code, timeout=60):
    """Executes code; returns (reply content, [iopub messages])."""
    msg_id = kc.execute(code)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind in ("stream", "execute_result", "display_data", "error"):
            outputs.append(msg)
    reply = kc.get_shell_msg(timeout=timeout)
    return reply["content"], outputs


def interrupted(km, kc, code, after):
    """Runs code, interrupts it after `after` seconds; returns its msg_id,
    its execute reply and how long the reply took after the interrupt."""
    msg_id = kc.execute(code)
    time.sleep(after)
    t0 = time.time()
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=30)
    return msg_id, reply, time.time() - t0


def text_of(outputs, kind="stream"):
    return "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == kind)


def result_data(outputs):
    for m in outputs:
        if m["msg_type"] == "execute_result":
            return m["content"]["data"]
    return {}


def check_kernel(km, kc):
    reply, out = run_cell(kc, 'x = 3\nprintf("x is %d\\n", x)\nx * [1, 2; 3, 4]')
    report(reply["status"] == "ok" and text_of(out) == "x is 3\n", "a cell's output")
    data = result_data(out)
    report(data.get("text/plain", "").startswith("2x2 matrix") and
           "<table" in data.get("text/html", ""), "the last value as text and an HTML table")
    reply, out = run_cell(kc, "y = 1\nz = no_such_name + 1")
    err = [m["content"] for m in out if m["msg_type"] == "error"]
    report(reply["status"] == "error" and err and
           "undefined variable 'no_such_name'" in err[0]["evalue"] and
           any("^" in line for line in err[0]["traceback"]) and
           err[0]["evalue"].startswith("cell[2]:2:5:"),
           "an error: located (cell, line, column) with its caret")
    reply, out = run_cell(kc, "x + y")
    report(result_data(out).get("text/plain") == "4",
           "variables before and inside the failed cell are kept")
    run_cell(kc, "run = {loss: 1, dist: 2}")
    c = kc.complete("run.lo", 6, reply=True, timeout=30)["content"]
    report(c["matches"] == ["loss"] and c["cursor_start"] == 4, "completion of a record field")
    c = kc.complete("gd(f, x, mom", 12, reply=True, timeout=30)["content"]
    report("momentum = " in c["matches"], "completion of a named argument")
    i = kc.inspect("det(A)", 1, reply=True, timeout=30)["content"]
    report(i["found"] and "determinant" in i["data"]["text/plain"], "inspect shows the help")
    kc.is_complete("for i in 1:3")
    r = kc.get_shell_msg(timeout=30)["content"]
    kc.is_complete("for i in 1:3\nend")
    r2 = kc.get_shell_msg(timeout=30)["content"]
    report(r["status"] == "incomplete" and r2["status"] == "complete", "is_complete")
    reply, out = run_cell(kc, "plot((1:10)', ((1:10) .^ 2)', title = \"squares\")")
    figs = [m["content"]["data"] for m in out if m["msg_type"] == "display_data"]
    report(reply["status"] == "ok" and figs and "<svg" in figs[0].get("image/svg+xml", ""),
           "plot without a file shows an inline SVG")
    with tempfile.TemporaryDirectory() as figdir:
        path = os.path.join(figdir, "sq.png")
        reply, out = run_cell(kc, 'plot([1, 2, 3], file = "%s")' % path)
        figs = [m["content"]["data"] for m in out if m["msg_type"] == "display_data"]
        report(os.path.exists(path) and figs and "image/png" in figs[0] and
               result_data(out).get("text/plain") == path,
               "plot with a file writes it, shows it and returns its path")
    reply, out = run_cell(kc, 'check(x == 3, "x is %d", x)')
    badges = [m["content"]["data"] for m in out if m["msg_type"] == "display_data"]
    report(badges and "PASS" in badges[0].get("text/html", "") and
           badges[0].get("text/plain") == "PASS: x is 3", "a check shows as a PASS badge")
    # a long gd: its progress is one live line, updated in place; an
    # interrupt stops it within a second and the kernel lives on
    msg_id, reply, took = interrupted(
        km, kc, "run = gd(fn(w) sumsq(w) end, randn(300, 300), steps = 100000000, lr = 1e-7)",
        2.5)
    # as in the REPL, gd stops and returns what it recorded, marked interrupted
    report(took < 1.0, "an interrupt stops a running gd within a second (%.2f s)" % took)
    live = []
    while True:
        try:
            m = kc.get_iopub_msg(timeout=2)
        except Exception:
            break
        if m["parent_header"].get("msg_id") == msg_id and \
                m["msg_type"] in ("display_data", "update_display_data"):
            live.append(m)
    report(len(live) >= 2 and live[0]["msg_type"] == "display_data" and
           all(m["msg_type"] == "update_display_data" for m in live[1:]) and
           "gd: step" in live[-1]["content"]["data"]["text/plain"],
           "gd's progress is one display updated in place (%d updates)" % len(live))
    # a loop: the cell stops with ovp's located "interrupted" error
    msg_id, reply, took = interrupted(km, kc, "n = 0\nwhile true\n    n = n + 1\nend", 1.0)
    report(reply["content"]["status"] == "error" and "interrupted" in
           reply["content"].get("evalue", "") and took < 1.0,
           "an interrupt stops a loop with a located error (%.2f s)" % took)
    # ipykernel aborts requests queued within a moment of a failed cell
    # (stop_on_error), as a notebook's "run all" stops at an error
    time.sleep(0.5)
    reply, out = run_cell(kc, "x == 3 && n > 0 && run.interrupted && run.steps > 0")
    report(result_data(out).get("text/plain") == "true",
           "after the interrupt the next cell runs: variables kept, the run marked "
           "interrupted (%s)"
           % (result_data(out).get("text/plain") or text_of(out, "error") or reply))
    km.restart_kernel(now=True)
    kc.wait_for_ready(timeout=60)
    reply, out = run_cell(kc, "x")
    report(reply["status"] == "error", "restart clears the variables")


def check_notebooks(spec_dir):
    books = sorted(p for p in os.listdir(os.path.join(SRC, "examples", "notebooks"))
                   if p.endswith(".ipynb"))
    report(len(books) >= 3, "examples/notebooks has the tour and two theorem notebooks")
    for name in books:
        nb = nbformat.read(os.path.join(SRC, "examples", "notebooks", name), as_version=4)
        client = nbclient.NotebookClient(nb, timeout=600, kernel_name="ovp",
                                         resources={"metadata": {"path": spec_dir}})
        try:
            client.execute()
            ok, why = True, ""
        except Exception as e:   # a cell that raised: the notebook fails
            ok, why = False, str(e).splitlines()[0] if str(e) else type(e).__name__
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        figures = [o for o in outputs if o.get("output_type") == "display_data" and
                   ("image/svg+xml" in o.get("data", {}) or "image/png" in o.get("data", {}))]
        fails = [o for o in outputs if "FAIL" in o.get("text", "")]
        report(ok and figures and not fails,
               "%s runs top to bottom (%d outputs, %d figures%s)" %
               (name, len(outputs), len(figures), ", " + why if why else ""))


def main():
    with tempfile.TemporaryDirectory() as prefix:
        r = subprocess.run([OVP, "--install-kernel", "--prefix", prefix],
                           capture_output=True, text=True)
        report(r.returncode == 0, "ovp --install-kernel --prefix DIR: " + r.stdout.strip())
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        km = jupyter_client.KernelManager(kernel_name="ovp")
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            check_kernel(km, kc)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        with tempfile.TemporaryDirectory() as work:
            check_notebooks(work)
    print("jupyter: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
