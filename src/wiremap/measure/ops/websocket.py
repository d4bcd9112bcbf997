"""WebSocket operation: one connection per operation; a call is one round trip on it.

The round trip is the documented Request example sent as one text message and the first message that
comes back; without a Request example it is a ping and its pong. A Request that may not be sent (the
probe's rule for repeated sends, :func:`wiremap.probes.websocket.may_send`: ``--allow-writes``) is a
ConfigError, as an HTTP write is: its pings are not what the doc's figures measure. URL,
``Authorization`` header, TLS settings and errors are :mod:`wiremap.protocols.websocket`'s, as the probe's.

A reply is taken to answer the oldest unanswered Request: a server that also pushes messages of its own
makes round trips look shorter than they are. A call abandoned before its reply (the engine's deadline)
leaves the reply owed; the next call reads it first, so replies never pair with the wrong request (the
engine reopens the connection after a failed call anyway). The factory raises ConfigError with a TLS
file it cannot load or without the driver.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from ..._errors import ConfigError
from ...probes._base import ProbeContext
from ...probes.websocket import may_send
from ...protocols import DRIVER_MISSING, os_error
from ...protocols import websocket as ws_protocol
from .._base import Operation
from ._driver import require_driver

__all__ = ["WebSocketRoundTrip", "factory"]


class _NotOpen(Exception):
    """Never raised: what ``__call__`` catches before :meth:`WebSocketRoundTrip.open`."""


class WebSocketRoundTrip:
    def __init__(self, ctx: ProbeContext) -> None:
        require_driver("websocket", "websockets")
        self._ctx = ctx
        url = ws_protocol.url(ctx)
        try:
            context = ws_protocol.ssl_context(ctx.settings) if url.startswith("wss://") else None
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"websocket: cannot load a TLS file of the settings: {exc}") from exc
        headers, unset = ws_protocol.auth_header(ctx)
        self._endpoint = ws_protocol.Endpoint(url, headers=headers, unset=unset, context=context)
        request = ctx.integration.request
        documented = request is not None and bool(request.text.strip())
        if documented and not may_send(ctx):
            # the doc's figures are the Request's round trip: pings in its place were "ok" against them and
            # written into the doc (new user, round 51); refused as an HTTP write is
            raise ConfigError(
                "websocket: the documented Request may publish: it is sent as load only with --allow-writes "
                "(a ping would not be the round trip the doc's figures are about)"
            )
        self._message: str | None = request.text if documented and request is not None else None
        self._ws: Any = None
        self._closed: type[BaseException] = _NotOpen  # websockets' ConnectionClosed once open
        self._lock = asyncio.Lock()
        self._owed = 0  # replies of requests sent by abandoned calls, not read yet

    @property
    def mode(self) -> str:
        """``request`` (the documented Request, one reply) or ``ping`` (ping, pong)."""
        return "ping" if self._message is None else "request"

    async def open(self) -> None:
        try:
            from websockets.asyncio.client import connect  # noqa: F401 - is the driver there?
            from websockets.exceptions import ConnectionClosed
        except ImportError as exc:
            raise RuntimeError(f"websocket: {DRIVER_MISSING}") from exc
        await self.close()
        self._owed = 0
        timeout_s = self._ctx.timeout_s
        self._ws = await self._endpoint.connect(timeout_s, max(0.01, min(1.0, timeout_s / 10)))
        self._closed = ConnectionClosed

    async def __call__(self) -> None:
        ws = self._ws
        try:
            if self._message is None:
                pong = await ws.ping()
                await pong
                return
            async with self._lock:  # one round trip at a time: concurrent recv() is not allowed
                while self._owed:
                    await ws.recv()
                    self._owed -= 1
                self._owed += 1
                await ws.send(self._message)
                await ws.recv()
                self._owed -= 1
        except self._closed as exc:
            raise self._endpoint.closed(exc) from exc
        except OSError as exc:
            raise os_error(exc, self._endpoint.host, self._endpoint.port) from exc

    async def close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is None:
            return
        try:
            async with asyncio.timeout(2 * max(0.01, min(1.0, self._ctx.timeout_s / 10))):
                await ws.close()
        except Exception:  # best effort: nothing is measured any more
            pass


def factory(ctx: ProbeContext) -> Operation:
    return WebSocketRoundTrip(ctx)
