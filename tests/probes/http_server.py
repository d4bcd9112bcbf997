"""Real HTTP servers for the HTTP probe tests: an event loop in a daemon thread hosting an aiohttp
app and raw asyncio servers that answer with canned bytes (chunked, close-delimited, garbage)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class ServerThread:
    """Servers on 127.0.0.1, port 0, served by one loop in a background thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="test-http-servers", daemon=True)
        self._thread.start()
        self._runners: list[web.AppRunner] = []
        self._servers: list[asyncio.Server] = []
        self._sockets: list[socket.socket] = []

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def aiohttp(self, app: web.Application, ssl_context: ssl.SSLContext | None = None) -> int:
        async def start() -> int:
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
            await site.start()
            self._runners.append(runner)
            port: int = runner.addresses[0][1]
            return port

        return self.run(start())

    def raw(self, handler: Handler) -> int:
        async def start() -> int:
            server = await asyncio.start_server(handler, "127.0.0.1", 0)
            self._servers.append(server)
            port: int = server.sockets[0].getsockname()[1]
            return port

        return self.run(start())

    def silent(self) -> int:
        """A listener that accepts (in the kernel backlog) and never says a word."""
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        self._sockets.append(sock)
        port: int = sock.getsockname()[1]
        return port

    def close(self) -> None:
        async def stop() -> None:
            for server in self._servers:
                server.close()
            for runner in self._runners:
                await runner.cleanup()

        self.run(stop())
        for sock in self._sockets:
            sock.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


def canned(pieces: Sequence[bytes], *, close: bool = True, pause: float = 0.002) -> Handler:
    """A raw handler: read one request head, write ``pieces`` (with small pauses, so the client
    sees them in separate reads), then close the connection (or keep it open)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            for piece in pieces:
                writer.write(piece)
                await writer.drain()
                if pause:
                    await asyncio.sleep(pause)
            if not close:
                await reader.read()  # until the client goes away
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    return handle


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def self_signed_cert(directory: Path) -> tuple[Path, Path] | None:
    """``(cert, key)`` for localhost and 127.0.0.1, made with the openssl CLI; None without it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key
