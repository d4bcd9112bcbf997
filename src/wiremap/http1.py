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

import asyncio
import re
import socket
import ssl as ssl_
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

from ._version import __version__

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
    "encode_request",
    "request",
]

USER_AGENT = f"wiremap/{__version__}"


class ProtocolError(ValueError):
    """The server's bytes are not HTTP/1.x, or break one of the :class:`Limits`."""


class IncompleteResponse(ProtocolError):
    """The connection ended before a complete response arrived."""


class ConnectionClosed(ConnectionError):
    """A request was sent on a :class:`Connection` that is already closed."""


class Marker(Protocol):
    """What :func:`request` needs of a timer (``wiremap.probes._base.Timer`` is one)."""

    def mark(self, phase: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Limits:
    max_header_bytes: int = 64 * 1024  # status line + headers (each interim response counted apart)
    max_headers: int = 256
    max_body_bytes: int = 16 * 1024 * 1024
    max_chunk_line: int = 4096


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class Response:
    status: int
    reason: str
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    version: str = "HTTP/1.1"


# ---------------------------------------------------------------------------------------------
# Request encoding

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BAD_VALUE = re.compile(r"[\x00\r\n]")
_BAD_TARGET = re.compile(r"[\x00-\x20\x7f]")


def encode_request(
    method: str,
    host: str,
    port: int | None,
    path: str,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    *,
    default_port: int = 80,
) -> bytes:
    """The bytes of one request. ``Host``, ``User-Agent`` and ``Accept`` are added unless given;
    ``Content-Length`` is always computed (sent as 0 for a body-less POST/PUT/PATCH). Raises
    ValueError for a method, path or header that would break the message (CR/LF injection)."""
    if not _TOKEN.fullmatch(method):
        raise ValueError(f"bad HTTP method {method!r}")
    if not path or _BAD_TARGET.search(path):
        raise ValueError(f"bad request target {path!r}")
    lower = {k.lower() for k in headers} if headers else set()
    lines = [f"{method} {path} HTTP/1.1"]
    if "host" not in lower:
        name = f"[{host}]" if ":" in host and not host.startswith("[") else host
        lines.append(f"Host: {name}" if port in (None, default_port) else f"Host: {name}:{port}")
    if "user-agent" not in lower:
        lines.append(f"User-Agent: {USER_AGENT}")
    if "accept" not in lower:
        lines.append("Accept: */*")
    if headers:
        for name, value in headers.items():
            if not _TOKEN.fullmatch(name):
                raise ValueError(f"bad header name {name!r}")
            if _BAD_VALUE.search(value):
                raise ValueError(f"bad value for header {name}")
            if name.lower() not in ("content-length", "transfer-encoding"):
                lines.append(f"{name}: {value}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    elif method in ("POST", "PUT", "PATCH"):
        lines.append("Content-Length: 0")
    lines.append("\r\n")
    head = "\r\n".join(lines).encode("latin-1")
    return head + body if body else head


# ---------------------------------------------------------------------------------------------
# Response parsing

_IDLE, _HEAD, _LENGTH, _CHUNKED, _UNTIL_CLOSE = range(5)
_SIZE, _DATA, _DATA_END, _TRAILER = range(4)

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_STATUS = re.compile(r"HTTP/(1\.[01]) ([0-9]{3})(?:[ \t]([^\x00\r\n]*))?")
_HEADER = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\x00\r\n]*?)[ \t]*")
_HEADER_BLOCK = re.compile(
    r"[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\x00\r\n]*(?:\r\n[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\x00\r\n]*)*"
)
_HEADER_PAIR = re.compile(r"([^:\r\n]+):([^\r\n]*)")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")


def _shorten(text: str | bytes, n: int = 60) -> str:
    s = text.decode("latin-1") if isinstance(text, bytes | bytearray) else text
    return repr(s[:n] + "…" if len(s) > n else s)


class _HTTPProtocol(asyncio.Protocol):
    """Reads responses into a future, one request at a time."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.keep_alive = False
        self._buf = bytearray()
        self._waiter: asyncio.Future[Response] | None = None
        self._timer: Marker | None = None
        self._head_request = False
        self._state = _IDLE
        self._scan = 0
        self._received = False
        self._status = 0
        self._reason = ""
        self._version = "HTTP/1.1"
        self._headers: dict[str, str] = {}
        self._body = bytearray()
        self._remaining = 0
        self._chunk_state = _SIZE
        self._trailer_bytes = 0

    # -- asyncio callbacks ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not asyncio.Transport subclasses

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # unsolicited bytes between responses: the connection is unusable
            self.keep_alive = False
            self._close_transport()
            return
        if self._timer is not None:
            self._timer.mark("first_byte")
            self._timer = None
        self._received = True
        self._buf += data
        try:
            self._parse()
        except ProtocolError as exc:
            self._fail(exc)

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost finishes a close-delimited body

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.keep_alive = False
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._state == _UNTIL_CLOSE:
            self._finish()
        elif exc is not None:
            self._fail(exc)
        elif not self._received:
            self._fail(IncompleteResponse("the server closed the connection without a response"))
        else:
            self._fail(IncompleteResponse("the server closed the connection in the middle of the response"))

    # -- requests ------------------------------------------------------------------------------

    def begin(self, waiter: asyncio.Future[Response], head_request: bool, timer: Marker | None) -> None:
        self._waiter = waiter
        self._head_request = head_request
        self._timer = timer
        self._state = _HEAD
        self._scan = 0
        self._received = False
        self._headers = {}
        self._body = bytearray()

    def _close_transport(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _fail(self, exc: BaseException) -> None:
        self.keep_alive = False
        self._state = _IDLE
        waiter, self._waiter = self._waiter, None
        self._close_transport()
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def _finish(self) -> None:
        response = Response(self._status, self._reason, self._headers, bytes(self._body), self._version)
        self._state = _IDLE
        self._body = bytearray()
        if self._buf:  # bytes past the end of the response: nothing was asked for them
            self.keep_alive = False
            self._buf.clear()
        if not self.keep_alive:
            self._close_transport()
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(response)

    # -- parser --------------------------------------------------------------------------------

    def _parse(self) -> None:
        buf = self._buf
        while True:
            state = self._state
            if state == _HEAD:
                if not self._parse_head():
                    return
            elif state == _LENGTH:
                if not self._take(buf):
                    return
                self._finish()
                return
            elif state == _CHUNKED:
                if not self._parse_chunked():
                    return
                self._finish()
                return
            elif state == _UNTIL_CLOSE:
                self._body += buf
                buf.clear()
                if len(self._body) > self.limits.max_body_bytes:
                    raise ProtocolError(f"response body larger than {self.limits.max_body_bytes} bytes")
                return
            else:
                return

    def _take(self, buf: bytearray) -> bool:
        """Move up to ``_remaining`` bytes of ``buf`` into the body; True when all have come."""
        n = self._remaining
        if len(buf) <= n:
            self._body += buf
            self._remaining = n - len(buf)
            buf.clear()
        else:
            self._body += buf[:n]
            del buf[:n]
            self._remaining = 0
        return self._remaining == 0

    def _find_head_end(self, buf: bytearray) -> tuple[int, int]:
        """(end of the head, start of the body) in ``buf``, or (-1, -1) when the head is incomplete."""
        start = max(0, self._scan - 3)
        end = buf.find(b"\r\n\r\n", start)
        if end >= 0 and buf.find(b"\n\n", start, end) < 0:
            return end, end + 4
        m = _HEAD_END.search(buf, start)  # bare-LF line ends (tolerated, RFC 9112 §2.2)
        return (m.start(), m.end()) if m else (-1, -1)

    def _parse_head(self) -> bool:
        buf = self._buf
        while buf and buf[0] in (13, 10):  # tolerated empty lines (CR, LF) before the status line
            del buf[:1]
        max_bytes = self.limits.max_header_bytes
        end, body_start = self._find_head_end(buf)
        if end < 0:
            if len(buf) > max_bytes:
                raise ProtocolError(f"response headers larger than {max_bytes} bytes")
            self._scan = len(buf)
            return False
        if end > max_bytes:
            raise ProtocolError(f"response headers larger than {max_bytes} bytes")
        head = buf[:end].decode("latin-1")
        del buf[:body_start]
        self._scan = 0
        if body_start - end != 4 or head.count("\n") != head.count("\r\n"):  # bare LFs: make them CRLF
            head = head.replace("\r\n", "\n").replace("\n", "\r\n")
        status_line, _, block = head.partition("\r\n")
        status = _STATUS.fullmatch(status_line)
        if status is None:
            raise ProtocolError(f"not an HTTP/1.x status line: {_shorten(status_line)}")
        headers = self._parse_headers(block) if block else {}
        code = int(status.group(2))
        if 100 <= code < 200 and code != 101:  # interim response (100 Continue, 103 Early Hints)
            return True
        version = status.group(1)
        self._version = "HTTP/1.1" if version == "1.1" else "HTTP/1.0"
        self._status = code
        reason = status.group(3)
        self._reason = reason.strip() if reason else ""
        self._headers = headers
        self._set_framing(code, version, headers)
        if self._state == _IDLE:
            self._finish()
            return False
        return True

    def _parse_headers(self, block: str) -> dict[str, str]:
        """Header lines (CRLF-separated, no final CRLF) to a dict of lower-case names."""
        headers: dict[str, str] = {}
        if _HEADER_BLOCK.fullmatch(block):  # the common case: every line well-formed, no folding
            pairs = _HEADER_PAIR.findall(block)
            if len(pairs) > self.limits.max_headers:
                raise ProtocolError(f"more than {self.limits.max_headers} response headers")
            for name, value in pairs:
                name = name.lower()
                value = value.strip(" \t")
                if name in headers:
                    headers[name] = f"{headers[name]}, {value}"
                else:
                    headers[name] = value
            return headers
        lines = block.split("\r\n")
        if len(lines) > self.limits.max_headers:
            raise ProtocolError(f"more than {self.limits.max_headers} response headers")
        last = ""
        for line in lines:
            if line[:1] in (" ", "\t"):  # obsolete line folding: one header value on several lines
                if not last or _BAD_VALUE.search(line):
                    raise ProtocolError(f"malformed header line: {_shorten(line)}")
                headers[last] = f"{headers[last]} {line.strip()}".strip()
                continue
            hm = _HEADER.fullmatch(line)
            if hm is None:
                raise ProtocolError(f"malformed header line: {_shorten(line)}")
            name, value = hm.group(1).lower(), hm.group(2)
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
            last = name
        return headers

    def _set_framing(self, code: int, version: str, headers: dict[str, str]) -> None:
        connection = headers.get("connection")
        if connection is None:
            self.keep_alive = version == "1.1"
        else:
            tokens = {t.strip().lower() for t in connection.split(",")}
            self.keep_alive = "close" not in tokens if version == "1.1" else "keep-alive" in tokens
        if self._head_request or code in (204, 304) or code < 200:
            if code == 101:
                self.keep_alive = False  # switched protocols: not HTTP any more
            self._state = _IDLE
            return
        te = headers.get("transfer-encoding")
        cl = headers.get("content-length")
        if te is not None:
            if cl is not None:
                self.keep_alive = False  # RFC 9112 §6.3: both present; close after this response
            if te.rsplit(",", 1)[-1].strip().lower() == "chunked":
                self._state = _CHUNKED
                self._chunk_state = _SIZE
                self._trailer_bytes = 0
            else:
                self._state = _UNTIL_CLOSE
                self.keep_alive = False
            return
        if cl is not None:
            if not (cl.isascii() and cl.isdigit()):  # "5, 5" (a repeated header) is fine, "5, 6" is not
                values = {v.strip() for v in cl.split(",")}
                value = values.pop() if len(values) == 1 else ""
                if not (value.isascii() and value.isdigit()):
                    raise ProtocolError(f"bad Content-Length: {_shorten(cl)}")
                cl = value
            n = int(cl)
            if n > self.limits.max_body_bytes:
                raise ProtocolError(f"Content-Length {n} is over the {self.limits.max_body_bytes}-byte cap")
            self._remaining = n
            self._state = _LENGTH if n else _IDLE
            return
        self._state = _UNTIL_CLOSE
        self.keep_alive = False

    def _parse_chunked(self) -> bool:
        """Consume chunked framing from the buffer; True once the last chunk and trailers are in."""
        buf = self._buf
        limits = self.limits
        while True:
            cs = self._chunk_state
            if cs in (_SIZE, _TRAILER):
                nl = buf.find(b"\n")
                if nl < 0:
                    if len(buf) > limits.max_chunk_line:
                        raise ProtocolError("chunk size line too long")
                    return False
                line = bytes(buf[:nl]).rstrip(b"\r")
                del buf[: nl + 1]
                if cs == _TRAILER:
                    if not line:
                        return True
                    self._trailer_bytes += len(line)
                    if self._trailer_bytes > limits.max_header_bytes:
                        raise ProtocolError(f"trailers larger than {limits.max_header_bytes} bytes")
                    continue
                size_text = line.split(b";", 1)[0].strip()
                if not _CHUNK_SIZE.fullmatch(size_text):
                    raise ProtocolError(f"bad chunk size line: {_shorten(line)}")
                size = int(size_text, 16)
                if size == 0:
                    self._chunk_state = _TRAILER
                    continue
                if len(self._body) + size > limits.max_body_bytes:
                    raise ProtocolError(f"response body larger than {limits.max_body_bytes} bytes")
                self._remaining = size
                self._chunk_state = _DATA
            elif cs == _DATA:
                if not self._take(buf):
                    return False
                self._chunk_state = _DATA_END
            else:  # _DATA_END: the CRLF after a chunk's data
                if buf[:2] == b"\r\n":
                    del buf[:2]
                elif buf[:1] == b"\n":
                    del buf[:1]
                elif not buf or (len(buf) == 1 and buf[0] == 13):
                    return False  # the CRLF has not (fully) arrived yet
                else:
                    raise ProtocolError("chunk data not followed by CRLF")
                self._chunk_state = _SIZE


# ---------------------------------------------------------------------------------------------
# Connections


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
            raise ConnectionClosed(f"connection to {self.host}:{self.port} is closed")
        waiter: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        protocol.begin(waiter, head, timer)
        self._transport.write(data)
        try:
            return await waiter
        except BaseException:
            self.close()  # cancelled or failed mid-response: the stream's state is unknown
            raise

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
