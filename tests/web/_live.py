"""Live helpers for the browser test: fake HTTP destinations and a ``wiremap serve`` subprocess."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests._paths import ROOT

CHROMIUM_FALLBACK = "/usr/bin/chromium"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip with ``reason``; fail instead under ``WIREMAP_REQUIRE_SERVICES=1`` (as tests/services.py)."""
    if os.environ.get("WIREMAP_REQUIRE_SERVICES") == "1":
        pytest.fail(f"WIREMAP_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


class Destination:
    """A tiny HTTP server on 127.0.0.1 (port chosen by the OS) answering 200 with ``body`` as JSON to
    any GET, HEAD or POST. HTTP/1.0: every connection is closed after its answer, so once
    :meth:`stop` closes the listening socket, new probes are refused."""

    def __init__(self, body: Any = None) -> None:
        payload = json.dumps({"status": "ok"} if body is None else body).encode()
        self.requests = 0

        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, with_body: bool) -> None:
                outer.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if with_body:
                    self.wfile.write(payload)

            def do_GET(self) -> None:
                self._answer(True)

            def do_POST(self) -> None:
                self._answer(True)

            def do_HEAD(self) -> None:
                self._answer(False)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"dest-{self.port}", daemon=True
        )
        self._thread.start()
        self.running = True

    def stop(self) -> None:
        """Stop serving and close the listening socket (connections are refused from now on)."""
        if not self.running:
            return
        self.running = False
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class Serve:
    """``wiremap serve`` in a subprocess; :meth:`start` returns once the dashboard is announced."""

    ANNOUNCE = "dashboard on "

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
        env.pop("WIREMAP_TOKEN", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wiremap", "serve", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: list[str] = []  # stdout and stderr, as they come
        self._queue: queue.Queue[str] = queue.Queue()
        self._readers = [
            threading.Thread(target=self._read, args=(stream, tag), daemon=True)
            for stream, tag in ((self.proc.stdout, "out"), (self.proc.stderr, "err"))
        ]
        for t in self._readers:
            t.start()
        self.url = ""

    def _read(self, stream: Any, tag: str) -> None:
        for line in stream:
            self.lines.append(f"[{tag}] {line.rstrip()}")
            if tag == "err":
                self._queue.put(line)

    def output(self) -> str:
        return "\n".join(self.lines) or "(no output)"

    def start(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if self.ANNOUNCE in line:
                self.url = line.split(self.ANNOUNCE, 1)[1].split()[0].rstrip("/")
                return self.url
        code = self.proc.poll()
        if code is not None:  # let the readers drain what it wrote before it exited
            for t in self._readers:
                t.join(timeout=2)
        state = f"exited with {code}" if code is not None else f"not up after {timeout:g} s"
        raise AssertionError(f"wiremap serve {state}; its output:\n{self.output()}")

    def stop(self, grace: float = 10.0) -> int:
        """SIGTERM, then SIGKILL after ``grace`` seconds; the exit code (negative: killed by a signal)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
                self.lines.append(f"[test] killed: still running {grace:g} s after SIGTERM")
        for t in self._readers:
            t.join(timeout=2)
        return self.proc.returncode


def wait_until(what: str, check: Any, timeout: float = 20.0) -> Any:
    """Poll ``check`` every 0.1 s until it returns something true; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout:g} s (last: {last!r})")
