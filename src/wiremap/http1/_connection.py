"""Connecting (timed dns/connect/tls phases), keep-alive :class:`Connection` and one-shot :func:`request`."""

from __future__ import annotations

import asyncio
import socket
import ssl as ssl_
from collections.abc import Mapping
from typing import Any

from ._parser import _HTTPProtocol
from ._types import (
    DEFAULT_LIMITS,
    ConnectionClosed,
    Limits,
    Marker,
    ProtocolError,
    Response,
    Waiter,
    encode_request,
)


def _literal_addrinfo(host: str, port: int) -> list[tuple[Any, ...]] | None:
    """The addrinfo of an IP literal (no resolver round trip), else None."""
    bare = host.strip("[]")
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, bare)
        except OSError:
            continue
        addr: tuple[Any, ...] = (bare, port) if family == socket.AF_INET else (bare, port, 0, 0)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", addr)]
    return None


async def _connect_socket(host: str, port: int, timer: Marker | None) -> socket.socket:
    loop = asyncio.get_running_loop()
    infos: list[tuple[Any, ...]] | None = _literal_addrinfo(host, port)
    if infos is None:
        infos = list(await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    if timer is not None:
        timer.mark("dns")
    last: OSError | None = None
    for family, type_, proto, _, addr in infos:
        sock = socket.socket(family, type_, proto)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await loop.sock_connect(sock, addr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        except BaseException:
            sock.close()
            raise
        if timer is not None:
            timer.mark("connect")
        return sock
    raise last if last is not None else OSError(f"no address for {host}")


class Connection:
    """One HTTP/1.1 connection: ``await Connection.open(...)``, then any number of sequential
    ``await conn.request(...)`` while ``conn.reusable``, then ``conn.close()``."""

    __slots__ = ("_default_port", "_protocol", "_transport", "host", "port", "tls")

    def __init__(
        self, transport: asyncio.Transport, protocol: _HTTPProtocol, host: str, port: int, tls: bool
    ) -> None:
        self._transport = transport
        self._protocol = protocol
        self.host = host
        self.port = port
        self.tls = tls
        self._default_port = 443 if tls else 80

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        *,
        ssl: ssl_.SSLContext | None = None,
        server_hostname: str | None = None,
        timer: Marker | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> Connection:
        """Resolve (``dns``), connect (``connect``) and, with ``ssl``, shake hands (``tls``) with SNI
        ``server_hostname`` (default: ``host``)."""
        loop = asyncio.get_running_loop()
        sock = await _connect_socket(host, port, timer)
        try:
            if ssl is None:
                transport, protocol = await loop.create_connection(lambda: _HTTPProtocol(limits), sock=sock)
            else:
                sni = host.strip("[]") if server_hostname is None else server_hostname
                try:
                    transport, protocol = await loop.create_connection(
                        lambda: _HTTPProtocol(limits), sock=sock, ssl=ssl, server_hostname=sni
                    )
                except (ssl_.SSLError, ssl_.CertificateError, TimeoutError):
                    raise
                except (OSError, EOFError) as exc:  # reset or closed during the handshake
                    raise ssl_.SSLError(f"TLS handshake failed: {exc or type(exc).__name__}") from exc
                if timer is not None:
                    timer.mark("tls")
        except BaseException:
            sock.close()
            raise
        return cls(transport, protocol, host, port, ssl is not None)

    @property
    def closed(self) -> bool:
        return self._protocol.closed or self._transport.is_closing()

    @property
    def reusable(self) -> bool:
        """True when another request may be sent (the last response allowed keep-alive)."""
        return not self.closed and self._protocol.keep_alive

    def encode(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> bytes:
        """The request's bytes for this connection (a load generator encodes once, sends many)."""
        return encode_request(
            method, self.host, self.port, path, headers, body, default_port=self._default_port
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timer: Marker | None = None,
    ) -> Response:
        return await self.roundtrip(
            self.encode(method, path, headers, body), head=method == "HEAD", timer=timer
        )

    async def roundtrip(self, data: bytes, *, head: bool = False, timer: Marker | None = None) -> Response:
        """Send pre-encoded request bytes and read the response (``head``: no body will follow)."""
        protocol = self._protocol
        if protocol._waiter is not None:
            raise RuntimeError("a request is already in flight on this connection (no pipelining)")
        if self.closed:
            if protocol.spoke_first is not None:  # (an HTTP probe of a NATS port said "ConnectionClosed")
                raise ProtocolError(f"not an HTTP server? it spoke first: {protocol.spoke_first!r}")
            raise ConnectionClosed(f"connection to {self.host}:{self.port} is closed")
        waiter: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        protocol.begin(waiter, head, timer)
        self._transport.write(data)
        try:
            return await waiter
        except BaseException:
            self.close()  # cancelled or failed mid-response: the stream's state is unknown
            raise

    def start(self, data: bytes, waiter: Waiter, *, head: bool = False, lean: bool = False) -> None:
        """Send pre-encoded request bytes; the response (or the failure) goes to ``waiter``, from the
        event loop's callbacks: a load generator's way, with no future and no task per request. The
        caller closes the connection when it gives up on the response. ``lean``: the response's
        headers hold only ``content-length``, ``content-type`` and ``connection`` when it is a plain
        one (the parser's ``_lean_head``)."""
        protocol = self._protocol
        if protocol._waiter is not None:
            raise RuntimeError("a request is already in flight on this connection (no pipelining)")
        if self.closed:
            raise ConnectionClosed(f"connection to {self.host}:{self.port} is closed")
        protocol.begin(waiter, head, None, lean)
        self._transport.write(data)

    def close(self) -> None:
        self._protocol.keep_alive = False
        if not self._transport.is_closing():
            self._transport.close()

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


async def request(
    method: str,
    host: str,
    port: int,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    ssl: ssl_.SSLContext | None = None,
    server_hostname: str | None = None,
    timer: Marker | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Response:
    """One request on a fresh connection (``Connection: close`` unless ``headers`` say otherwise).
    The request is encoded before connecting: a bad header is a ValueError and no traffic.
    No timeout of its own: wrap it in ``asyncio.timeout``."""
    hdrs = dict(headers) if headers else {}
    if not any(k.lower() == "connection" for k in hdrs):
        hdrs["Connection"] = "close"
    data = encode_request(method, host, port, path, hdrs, body, default_port=80 if ssl is None else 443)
    conn = await Connection.open(
        host, port, ssl=ssl, server_hostname=server_hostname, timer=timer, limits=limits
    )
    try:
        return await conn.roundtrip(data, head=method == "HEAD", timer=timer)
    finally:
        conn.close()
