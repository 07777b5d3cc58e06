"""ovp_kernel.py: the Jupyter kernel for ovp.

A wrapper kernel: ipykernel speaks Jupyter's messaging protocol (ZeroMQ
sockets, signatures, heartbeat, comms) and this class forwards each
request to one long-lived `ovp --kernel` process, which keeps the
variables across cells (doc/jupyter.md gives the line protocol and why
the kernel is built this way). The kernelspec that `ovp --install-kernel`
writes runs this file with OVP_BIN set to the ovp binary.
"""
import json
import os
import queue
import signal
import subprocess
import sys
import threading

from ipykernel.kernelapp import IPKernelApp
from ipykernel.kernelbase import Kernel


def _byte_offset(text, chars):
    """Jupyter counts a cursor in characters, ovp in UTF-8 bytes."""
    return len(text[:chars].encode("utf-8"))


def _char_offset(text, nbytes):
    return len(text.encode("utf-8")[:nbytes].decode("utf-8", errors="ignore"))


class OvpKernel(Kernel):
    implementation = "ovp"
    implementation_version = "1"
    language = "ovp"
    language_version = "1"
    language_info = {
        "name": "ovp",
        "mimetype": "text/x-ovp",
        "file_extension": ".ovp",
        "codemirror_mode": "octave",
        "pygments_lexer": "matlab",
    }
    banner = "ovp: a language for the theory of deep learning (help lists the built-ins)"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._start()

    def _start(self):
        binary = os.environ.get("OVP_BIN", "ovp")
        self._proc = subprocess.Popen(
            [binary, "--kernel"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, bufsize=0)
        self._stderr = []
        self._stderr_lock = threading.Lock()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        # ovp's messages are read by a thread of their own: Jupyter's
        # interrupt raises KeyboardInterrupt in the main thread, which
        # must not land inside a read and lose half a line
        self._lines = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self):
        for line in iter(self._proc.stdout.readline, b""):
            self._lines.put(line)
        self._lines.put(b"")

    def _drain_stderr(self):
        """ovp's own standard error (rare: the interpreter's output goes
        through the protocol) is kept and shown with the next cell."""
        for line in iter(self._proc.stderr.readline, b""):
            with self._stderr_lock:
                self._stderr.append(line.decode("utf-8", errors="replace"))

    def _flush_stderr(self):
        with self._stderr_lock:
            text, self._stderr = "".join(self._stderr), []
        if text:
            self.send_response(self.iopub_socket, "stream", {"name": "stderr", "text": text})

    def _request(self, **fields):
        line = json.dumps(fields) + "\n"
        self._proc.stdin.write(line.encode("utf-8"))
        self._proc.stdin.flush()

    def _read(self):
        """The next message from ovp; an ovp that died ends the kernel's
        answer with a message saying so."""
        line = self._lines.get()
        if not line:
            return {"type": "reply", "status": "error", "dead": True}
        return json.loads(line.decode("utf-8"))

    def _forward_interrupt(self, signum, frame):
        """Jupyter's interrupt: ovp stops the running cell at its next
        poll, as Ctrl-C does in the REPL."""
        self._proc.send_signal(signal.SIGINT)

    def _until_reply(self, on_event=None):
        # While ovp works, SIGINT goes to a handler that forwards it. The
        # KeyboardInterrupt Python raises by default could land anywhere
        # in this loop: while an event was being sent or between reading
        # the reply and returning it, losing the cell's answer (the
        # kernel then hung, or answered the next cell with this one's).
        previous = signal.signal(signal.SIGINT, self._forward_interrupt)
        try:
            while True:
                msg = self._read()
                if msg.get("type") == "reply":
                    return msg
                if on_event:
                    on_event(msg)
        finally:
            signal.signal(signal.SIGINT, previous)

    def do_execute(self, code, silent, store_history=True, user_expressions=None,
                   allow_stdin=False):
        errors = []
        # one live progress line per training run, updated in place
        progress = {"id": None}

        def on_event(msg):
            kind = msg.get("type")
            if kind == "error":
                errors.append(msg)
            if silent:
                return
            if kind == "stream":
                self.send_response(self.iopub_socket, "stream",
                                   {"name": msg["name"], "text": msg["text"]})
            elif kind == "display":
                self.send_response(self.iopub_socket, "display_data",
                                   {"data": msg["data"], "metadata": {}})
            elif kind == "result":
                self.send_response(self.iopub_socket, "execute_result",
                                   {"execution_count": self.execution_count,
                                    "data": msg["data"], "metadata": {}})
            elif kind == "progress":
                data = {"text/plain": msg["text"]}
                if progress["id"] is None:
                    progress["id"] = "ovp-progress-%d-%d" % (os.getpid(), self.execution_count)
                    self.send_response(self.iopub_socket, "display_data", {
                        "data": data, "metadata": {},
                        "transient": {"display_id": progress["id"]}})
                else:
                    self.send_response(self.iopub_socket, "update_display_data", {
                        "data": data, "metadata": {},
                        "transient": {"display_id": progress["id"]}})
                if msg.get("done"):
                    progress["id"] = None
            elif kind == "error":
                self.send_response(self.iopub_socket, "error", {
                    "ename": msg["ename"], "evalue": msg["evalue"],
                    "traceback": msg["traceback"]})

        self._request(op="execute", code=code, count=self.execution_count)
        reply = self._until_reply(on_event)
        self._flush_stderr()
        if reply.get("dead"):
            errors.append({"ename": "KernelDied", "evalue": "the ovp process ended",
                           "traceback": ["the ovp process ended; restart the kernel"]})
            self.send_response(self.iopub_socket, "error", errors[-1])
        if reply.get("status") == "error" or errors:
            e = errors[-1] if errors else {"ename": "Error", "evalue": "", "traceback": []}
            return {"status": "error", "execution_count": self.execution_count,
                    "ename": e["ename"], "evalue": e["evalue"], "traceback": e["traceback"]}
        return {"status": "ok", "execution_count": self.execution_count, "payload": [],
                "user_expressions": {}}

    def do_complete(self, code, cursor_pos):
        self._request(op="complete", code=code, cursor=_byte_offset(code, cursor_pos))
        r = self._until_reply()
        return {"status": "ok", "matches": r.get("matches", []),
                "cursor_start": _char_offset(code, r.get("cursor_start", cursor_pos)),
                "cursor_end": cursor_pos, "metadata": {}}

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        self._request(op="inspect", code=code, cursor=_byte_offset(code, cursor_pos))
        r = self._until_reply()
        found = bool(r.get("found"))
        return {"status": "ok", "found": found, "metadata": {},
                "data": {"text/plain": r["text"]} if found else {}}

    def do_is_complete(self, code):
        self._request(op="is_complete", code=code)
        return {"status": self._until_reply().get("status", "unknown"), "indent": ""}

    def do_shutdown(self, restart):
        try:
            self._request(op="shutdown")
            self._proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self._proc.kill()
        return {"status": "ok", "restart": restart}


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=OvpKernel)
