"""A small, fast HTTP/1.1 client on :class:`asyncio.Protocol` (no httpx, no aiohttp on the hot path).

One :class:`Connection` carries one request at a time (no pipelining) and is kept alive between
requests when the server allows it, so a load generator can open once, send many requests and
``close()``. :func:`request` is the one-shot form a probe uses.

Framing follows RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304; ``Transfer-Encoding: chunked``
wins over ``Content-Length``; otherwise ``Content-Length``; otherwise the body ends when the server
closes. Interim 1xx responses (``100 Continue``) are skipped. Anything that is not HTTP/1.x, or that
breaks a :class:`Limits` cap, raises :class:`ProtocolError`.

Timing: ``timer.mark()`` is called for ``dns`` (``loop.getaddrinfo``; an IP literal skips the
resolver), ``connect`` (TCP), ``tls`` (the handshake, when there is one) and ``first_byte``.
"""

from __future__ import annotations

from ._connection import Connection, request
from ._parser import _HTTPProtocol
from ._types import (
    DEFAULT_LIMITS,
    USER_AGENT,
    ConnectionClosed,
    IncompleteResponse,
    Limits,
    Marker,
    ProtocolError,
    Response,
    Waiter,
    encode_request,
)

__all__ = [
    "DEFAULT_LIMITS",
    "USER_AGENT",
    "Connection",
    "ConnectionClosed",
    "IncompleteResponse",
    "Limits",
    "Marker",
    "ProtocolError",
    "Response",
    "Waiter",
    "_HTTPProtocol",
    "encode_request",
    "request",
]
