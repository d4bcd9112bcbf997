"""What a stub server is: ``async def start(spec, ctx) -> RunningStub`` in ``stub/servers/<protocol>.py``.

- :class:`StubContext`: what every server is given: the recorder, the fault plan, the attempt and
  connection counters, the address to bind (always 127.0.0.1; port 0: any free port).
- :class:`RunningStub`: what ``start`` returns: ``host``, ``port``, ``url`` and ``async close()``.
- :func:`listen`: an asyncio stream listener that also implements ``refused``: while the next attempt
  is to be refused, its port is held by a bound socket that does not listen (the kernel answers a SYN
  with RST: ECONNREFUSED) and it listens again once the refused attempts are counted
  (:meth:`RunningStub.note_refused`). A refused attempt never reaches the stub: it is not recorded and
  not counted here; whoever sees the SYNs (:mod:`wiremap.faults.syns`) calls ``note_refused``.
- :func:`reset`, :func:`hang`, :data:`GARBAGE`, :func:`peer_of`: connection-level faults on streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .._errors import UsageError
from .faults import NO_FAULT, Fault, FaultKind, FaultPlan
from .record import Recorder

__all__ = [
    "GARBAGE",
    "LOOPBACK",
    "Handler",
    "RunningStub",
    "StartFn",
    "StubContext",
    "hang",
    "listen",
    "peer_of",
    "reset",
]

LOOPBACK = "127.0.0.1"
# Not HTTP, not RESP, not a NATS/MQTT frame, not TLS: a client must fail to parse it.
GARBAGE = b"\x00\xff\xfe\x01GARBAGE\x7f\x80 not the protocol \xde\xad\xbe\xef\x00\r\n\r\n"


@dataclass
class StubContext:
    """Shared by one stub's server, its recorder and its caller. Counters are thread-safe."""

    recorder: Recorder = field(default_factory=Recorder)
    plan: FaultPlan = NO_FAULT
    host: str = LOOPBACK
    port: int = 0  # 0: any free port
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _attempts: int = field(default=0, repr=False)
    _connections: int = field(default=0, repr=False)
    _hooks: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.host != LOOPBACK:
            raise UsageError(f"a stub listens on {LOOPBACK} only, not {self.host}")
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port {self.port}: want 0 (any free port) to 65535")

    def next_attempt(self) -> tuple[int, Fault | None]:
        """Number the attempt that just arrived (1, 2 …) and say which fault it gets (None: answer)."""
        with self._lock:
            self._attempts += 1
            n = self._attempts
        self.recorder.started(n)  # the attempt's start, before its fault is applied
        for hook in self._hooks:
            hook()
        return n, self.plan.decide(n)

    def on_attempt(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` after each attempt is numbered, on the thread that numbered it (the listener
        closes there, at once, when the next attempt is to be refused)."""
        self._hooks.append(hook)

    def next_connection(self) -> int:
        """Number a connection just accepted (1, 2 …)."""
        with self._lock:
            self._connections += 1
            return self._connections

    def skip_attempt(self) -> int:
        """Count an attempt that never reached the stub (a refused one, seen on the wire)."""
        with self._lock:
            self._attempts += 1
            return self._attempts

    @property
    def attempts(self) -> int:
        with self._lock:
            return self._attempts

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    def next_is_refused(self) -> bool:
        """Whether the next attempt is to be refused (then the listener closes, and a server should
        close its kept-alive connections after the current answer)."""
        fault = self.plan.decide(self.attempts + 1)
        return fault is not None and fault.kind is FaultKind.REFUSED


class RunningStub:
    """A started stub. ``url`` is ``scheme://127.0.0.1:PORT`` plus the documented path when the
    protocol has one. ``close`` stops listening and drops every open connection. ``cafile``: for a
    TLS stub, the self-signed certificate to trust (:mod:`wiremap.stub.tls`)."""

    def __init__(
        self,
        host: str,
        port: int,
        url: str,
        close: Callable[[], Awaitable[None]],
        note_refused: Callable[[int], Awaitable[None]] | None = None,
        cafile: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.url = url
        self.cafile = cafile  # the certificate a client trusts, for a TLS stub (self-signed at start)
        # time.monotonic() since when nothing listens (a SYN after it is a refused attempt), None: listening
        self.refusing_since: float | None = None
        self._close = close
        self._note_refused = note_refused
        self._closed = False

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._close()

    async def note_refused(self, n: int = 1) -> None:
        """``n`` refused attempts were seen (by a SYN counter): count them, and listen again when the
        next attempt is no longer to be refused. Without a ``refused`` fault: nothing."""
        if self._note_refused is not None:
            await self._note_refused(n)

    async def __aenter__(self) -> RunningStub:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"RunningStub({self.url})"


StartFn = Callable[["object", StubContext], Awaitable[RunningStub]]  # (StubSpec, StubContext)
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


def peer_of(writer: asyncio.StreamWriter) -> str:
    """``127.0.0.1:54321`` of a connection."""
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a RST (SO_LINGER 0): the client's next read or write gets ECONNRESET."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Never answer: read and drop whatever comes until the client gives up (or the stub closes)."""
    with contextlib.suppress(ConnectionError, OSError):
        while await reader.read(65536):
            pass
    writer.close()


def _reserve(host: str, port: int) -> socket.socket:
    """A socket bound to ``(host, port)`` that does not listen: the port is ours, SYNs get RST."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


async def listen(
    ctx: StubContext,
    handler: Handler,
    *,
    scheme: str,
    path: str = "",
    ssl_context: ssl.SSLContext | None = None,
    on_close: Callable[[], None] | None = None,
) -> RunningStub:
    """Serve ``handler(reader, writer, connection_number)`` on ``ctx.host:ctx.port``, with ``refused``
    done by closing the listener while the next attempt is to be refused (see the module doc).
    ``on_close`` runs after the stub closed (removing a certificate)."""
    sock = _reserve(ctx.host, ctx.port)
    port: int = sock.getsockname()[1]
    server: asyncio.Server | None = None
    writers: set[asyncio.StreamWriter] = set()
    tasks: set[asyncio.Task[None]] = set()
    lock = asyncio.Lock()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            tasks.add(task)
        writers.add(writer)
        try:
            await handler(reader, writer, ctx.next_connection())
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        finally:
            writers.discard(writer)
            if task is not None:
                tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def open_() -> None:
        nonlocal server, sock
        if server is not None:
            return
        listening = sock if sock.fileno() != -1 else _reserve(ctx.host, port)
        listening.listen(128)
        listening.setblocking(False)
        server = await asyncio.start_server(on_connect, sock=listening, ssl=ssl_context)
        running.refusing_since = None

    def close_listener() -> None:
        nonlocal server, sock
        if server is None:
            return
        s, server = server, None
        s.close()  # the listening socket is closed at once; open connections live on
        sock = _reserve(ctx.host, port)
        running.refusing_since = time.monotonic()

    def after_attempt() -> None:
        if ctx.next_is_refused():
            close_listener()

    async def gate() -> None:
        """Listen unless the next attempt is to be refused."""
        async with lock:
            if ctx.next_is_refused():
                close_listener()
            else:
                await open_()

    async def note_refused(n: int) -> None:
        for _ in range(n):
            if not ctx.next_is_refused():
                break
            ctx.skip_attempt()
        await gate()

    async def close() -> None:
        nonlocal server
        async with lock:
            if server is not None:
                server.close()
                server = None
            with contextlib.suppress(OSError):
                sock.close()
        for w in list(writers):
            w.transport.abort()
        for t in list(tasks):
            t.cancel()
        if tasks:
            await asyncio.wait(list(tasks), timeout=2)
        if on_close is not None:
            on_close()

    ctx.port = port
    running = RunningStub(ctx.host, port, f"{scheme}://{ctx.host}:{port}{path}", close, note_refused)
    running.refusing_since = time.monotonic()
    ctx.on_attempt(after_attempt)
    await gate()
    return running
