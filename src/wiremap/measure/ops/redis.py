"""Redis operation: one redis-py (asyncio) connection per operation, ``PING`` per call.

Connection options and errors are :mod:`wiremap.protocols.redis`'s, as the probe's: credentials and
database number from the first ``redis://``/``rediss://`` URL the doc names as an environment variable,
RESP2, TLS for ``rediss`` targets or a doc that says TLS, no retries; passwords masked in messages.

redis-py opens the connection (TCP, TLS, AUTH, SELECT); then the operation takes its transport over and
drives it by callbacks, as the load engine's wire path wants (:meth:`RedisPing.start`: a pre-packed
``PING`` written, the reply's ``data_received`` answers; no task, future or timer per request: the
awaited ``client.ping()`` cost ~67 µs of client CPU a request, 0.32× redis-benchmark, issue 14). Calls
are made one at a time, as the engine makes them. An error reply (``-ERR``, ``-NOAUTH``) is mapped as
redis-py maps it and keeps the connection; a lost or abandoned connection is opened again by the next
call (its connect time is then part of that call's latency). The factory raises ConfigError for a
database that is not a number or without the driver.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..._errors import ConfigError
from ...probes._base import ProbeContext
from ...protocols import DRIVER_MISSING, InvalidResponseError, ResetError
from ...protocols.redis import BadDatabase, Redis
from .._base import Operation
from ._callback import CallbackOperation
from ._driver import require_driver

__all__ = ["RedisPing", "factory"]


class RedisPing(CallbackOperation, asyncio.Protocol):
    def __init__(self, ctx: ProbeContext) -> None:
        super().__init__()
        require_driver("redis", "redis")
        self._timeout_s = ctx.timeout_s
        try:
            self._redis = Redis(ctx, "wiremap-measure")
        except BadDatabase as exc:
            raise ConfigError(f"redis: {exc}") from None
        self._transport: asyncio.Transport | None = None
        self._writer: Any = None  # the stream writer redis-py opened the transport with
        self._buffer = b""
        self._stray: Exception | None = None  # a reply that came with no request in flight
        self._answered = 0  # PINGs answered on the connection

    async def open(self) -> None:
        self._drop()
        try:
            client = self._redis.client()  # it opens the connection; the operation drives it
        except ImportError as exc:
            raise RuntimeError(f"redis: {DRIVER_MISSING}") from exc
        try:
            try:
                async with asyncio.timeout(self._timeout_s):
                    await self._redis.connect(client)  # TCP, TLS, AUTH, SELECT
            except TimeoutError as exc:
                # the deadline of opening it: a TLS hello a plaintext port never answers is ``tls``, as
                # verify says (measure said ``timeout``: round 64)
                raise self._redis.error(TimeoutError("Timeout connecting to server")) from exc
        except BaseException:
            try:
                async with asyncio.timeout(1.0):
                    await client.aclose()
            except Exception:  # best effort: the error raised is the one to report
                pass
            raise
        conn = client.connection
        transport = conn._writer.transport
        transport.set_protocol(self)  # its bytes come here now, not to redis-py's reader
        # redis-py lets go of it: the operation closes it (no "unclosed client" warning on collection);
        # its stream writer is kept, or collecting it would close the transport
        self._writer, conn._reader, conn._writer = conn._writer, None, None
        self.reopens += 1  # opened: only a connection made counts (round 67)
        client.connection = None
        self._transport, self._buffer, self._answered = transport, b"", 0

    def _ready(self) -> Exception | None:
        stray, self._stray = self._stray, None  # the replies out of step: this request fails with it
        return stray

    def _connected(self) -> bool:
        return self._transport is not None and not self._transport.is_closing()

    def _send(self) -> None:
        if self._transport is not None:
            self._transport.write(_PING)

    def _open_error(self, exc: Exception) -> Exception:
        return self._redis.error(exc)

    def deadline_error(self) -> Exception | None:
        """Why the request in flight missed its deadline, when the operation knows better than "no answer":
        its connection was still being opened over TLS (a plaintext port never answers the hello)."""
        if self._task is not None and self._redis.options.get("ssl"):
            return self._redis.error(TimeoutError("Timeout connecting to server"))
        return None

    def _drop(self) -> None:
        transport, self._transport, self._writer = self._transport, None, None
        self._buffer = b""
        if transport is not None:
            transport.abort()

    # -- asyncio.Protocol: the taken-over connection ----------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._done is None:
            # bytes no request asked for: the replies are out of step with the PINGs (the one before may
            # have taken a stray reply for its answer). Not a Redis server's behaviour: the connection is
            # closed and the next request fails with it, so the run says so (round 64)
            self._drop()
            shown = data[:40]
            self._stray = InvalidResponseError(
                f"a reply no PING asked for ({shown!r}): the replies are out of step with the requests",
                self._redis.host,
                self._redis.port,
            )
            return
        buffer = self._buffer + data if self._buffer else data
        end = buffer.find(b"\r\n")
        if end < 0:
            self._buffer = buffer
            return
        line, rest = buffer[:end], buffer[end + 2 :]
        self._buffer = b""
        if line == b"$4" and len(rest) < len(_BULK_PONG) and _BULK_PONG.startswith(rest):
            self._buffer = buffer  # PONG as a bulk string, its second line still to come
            return
        if (line == b"+PONG" and not rest) or (line == b"$4" and rest == _BULK_PONG):
            # PONG as a simple string, or as a bulk one (a proxy's; redis-py's ping, verify's, takes both:
            # measure failed every PING of a destination verify called ok: round 64)
            self._answered += 1
            self._finish(None)
        elif (
            line[:1] == b"-" and not rest
        ):  # an error reply, mapped as redis-py maps it: the connection holds
            from redis._parsers.base import BaseParser

            message = line[1:].decode("utf-8", "replace")
            self._finish(self._redis.error(BaseParser.parse_error(message)))  # type: ignore[no-untyped-call]
        else:
            self._drop()
            host, port = self._redis.host, self._redis.port
            self._finish(InvalidResponseError(f"PING answered {buffer[:40]!r}", host, port))

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._transport = None
            if self._answered and self._done is not None:
                # closed by a server that had answered on it: a Redis server dropping the connection, not
                # "not a Redis server?" (round 64)
                why = f"the server closed the connection after {self._answered} answer(s) on it"
                self._finish(ResetError(why, self._redis.host, self._redis.port))
                return
            if exc is None:
                from redis.exceptions import ConnectionError as Closed

                exc = Closed("Connection closed by server.")
            self._finish(self._redis.error(exc))

    def eof_received(self) -> bool:
        return False  # the transport closes; connection_lost says so


_PING = b"*1\r\n$4\r\nPING\r\n"
_BULK_PONG = b"PONG\r\n"  # after ``$4\r\n``


def factory(ctx: ProbeContext) -> Operation:
    return RedisPing(ctx)
