"""Real listeners for the attack tests: on 127.0.0.1 and on this machine's own interface address.

Traffic to the interface address stays on this machine; it stands for "a host the doc picked".
Each listener records every byte it receives, so a test can assert a secret never arrived.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def own_address() -> str:
    """This machine's non-loopback address (no packet is sent: a UDP connect only picks a route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only the routing table is consulted
            addr = str(s.getsockname()[0])
        except OSError:
            addr = ""
    if not addr or addr.startswith("127."):
        try:
            addr = next(
                a[4][0]
                for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
                if not str(a[4][0]).startswith("127.")
            )
        except (StopIteration, OSError):
            pytest.skip("this machine has no non-loopback IPv4 address to stand for a remote host")
    return addr


@contextmanager
def _serving(server: socketserver.BaseServer) -> Iterator[None]:
    """Serve in a daemon thread until the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


class Recorder:
    """Everything the listener received, across connections."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.connections = 0
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # HTTP: method, path, headers
        self._lock = threading.Lock()

    def add(self, chunk: bytes) -> None:
        with self._lock:
            self.data.extend(chunk)

    def saw(self, secret: str) -> bool:
        return secret.encode() in bytes(self.data)


@contextmanager
def tcp_sink(host: str, reply: bytes = b"") -> Iterator[tuple[int, Recorder]]:
    """A TCP listener that sends ``reply`` on connect, then records all it gets until the peer closes."""
    rec = Recorder()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            rec.connections += 1
            self.request.settimeout(3)
            try:
                if reply:
                    self.request.sendall(reply)
                while chunk := self.request.recv(65536):
                    rec.add(chunk)
                    if chunk.startswith(b"*") or b"AUTH" in chunk:  # a Redis command: answer it
                        self.request.sendall(b"+OK\r\n")
            except OSError:
                pass

    server = socketserver.ThreadingTCPServer((host, 0), Handler)
    server.daemon_threads = True
    with _serving(server):
        yield server.server_address[1], rec


@contextmanager
def http_recorder(host: str, body: object | None = None) -> Iterator[tuple[int, Recorder]]:
    """An HTTP/1.1 server answering 200 with ``body`` as JSON; it records each request and its headers."""
    rec = Recorder()
    payload = json.dumps(body if body is not None else {"status": "ok"}).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            rec.requests.append((self.command, self.path, {k: v for k, v in self.headers.items()}))
            rec.add(str(self.headers).encode() + raw)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    with _serving(server):
        yield server.server_address[1], rec


@contextmanager
def postgres_asking_password(host: str) -> Iterator[tuple[int, Recorder]]:
    """A PostgreSQL front end that answers the startup message with AuthenticationCleartextPassword and
    records the PasswordMessage (what libpq would send to a host the doc picked)."""
    rec = Recorder()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            rec.connections += 1
            self.request.settimeout(3)
            try:
                first = self.request.recv(65536)
                rec.add(first)
                if first[4:8] == b"\x04\xd2\x16\x2f":  # SSLRequest: no TLS here
                    self.request.sendall(b"N")
                    rec.add(self.request.recv(65536))
                self.request.sendall(b"R\x00\x00\x00\x08\x00\x00\x00\x03")  # cleartext password, please
                while chunk := self.request.recv(65536):
                    rec.add(chunk)
                    msg = b"SFATAL\x00C28P01\x00Mpassword authentication failed\x00\x00"
                    self.request.sendall(b"E" + (len(msg) + 4).to_bytes(4, "big") + msg)
                    return
            except OSError:
                pass

    server = socketserver.ThreadingTCPServer((host, 0), Handler)
    server.daemon_threads = True
    with _serving(server):
        yield server.server_address[1], rec
