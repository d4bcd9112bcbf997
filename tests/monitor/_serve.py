"""Helpers of the ``wiremap serve`` process tests: generated HTTP docs, a tarpit, a webhook receiver, RSS."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests._paths import EXAMPLE_DOCS

__all__ = ["Counting", "Hooks", "Tarpit", "doc_id", "get_json", "http_doc", "rss_kb", "write_docs"]

_EXAMPLE = EXAMPLE_DOCS / "checkout-service-to-payments-api.md"


def _json_block(text: str, label: str, value: Any) -> str:
    pattern = re.compile(rf"(\*\*{label}:\*\*\n```json\n).*?(\n```)", re.DOTALL)
    new, n = pattern.subn(lambda m: m.group(1) + json.dumps(value, indent=2) + m.group(2), text, count=1)
    assert n == 1, f"{_EXAMPLE.name}: no JSON {label} example"
    return new


def http_doc(tag: str, port: int) -> str:
    """The example payments doc as ``Service TAG → API TAG``: ``GET /healthz`` on 127.0.0.1:PORT, answering
    ``{"status": "ok"}`` (what :class:`tests.web._live.Destination` answers)."""
    text = _EXAMPLE.read_text(encoding="utf-8")
    for old, new in (
        ("# Integration: Checkout Service → Payments API", f"# Integration: Service {tag} → API {tag}"),
        ("Payments API (127.0.0.1:8081)", f"API {tag} (127.0.0.1:{port})"),
        ("127.0.0.1:8081", f"127.0.0.1:{port}"),
        ("POST /v1/charges", "GET /healthz"),
    ):
        assert old in text, f"{_EXAMPLE.name} changed: {old!r} not found"
        text = text.replace(old, new)
    text = _json_block(text, "Request", {"method": "GET", "path": "/healthz"})
    return _json_block(text, "Response", {"status": "ok"})


def doc_id(tag: str) -> str:
    return f"service-{tag}-to-api-{tag}"


def write_docs(folder: Path, tags: list[str], port: int) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for tag in tags:
        path = folder / f"{doc_id(tag)}.md"
        path.write_text(http_doc(tag, port), encoding="utf-8")
        out[tag] = path
    return out


def get_json(url: str, timeout: float = 10) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


class Tarpit:
    """Accepts TCP connections on 127.0.0.1 and never answers (nor closes them)."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.port = self._sock.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True, name=f"tarpit-{self.port}")
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)
            if len(self._held) > 2000:  # the client gave up on the old ones long ago
                self._held.pop(0).close()

    def stop(self) -> None:
        self._sock.close()
        for conn in self._held:
            conn.close()


class Hooks:
    """A webhook receiver on 127.0.0.1: every POSTed JSON body, in order."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def events(self, event: str, integration: str | None = None) -> list[dict[str, Any]]:
        return [
            b
            for b in list(self.bodies)
            if b.get("event") == event and (integration is None or b.get("integration") == integration)
        ]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Counting:
    """An HTTP destination on 127.0.0.1 (a fixed port, so it can stop and start again) answering
    ``{"status": "ok"}``; ``times`` holds when each request arrived."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.times: list[float] = []
        self._server: ThreadingHTTPServer | None = None
        self.start()

    def start(self) -> None:
        body = json.dumps({"status": "ok"}).encode()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.times.append(time.time())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def between(self, start: float, end: float) -> int:
        return sum(1 for t in list(self.times) if start <= t < end)

    def first_after(self, ts: float) -> float | None:
        return next((t for t in list(self.times) if t > ts), None)
