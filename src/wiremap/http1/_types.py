"""Errors, limits, the response and request encoding of the HTTP/1.1 client."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from .._version import __version__

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


class Waiter(Protocol):
    """Where a response goes: an :class:`asyncio.Future`, or a load generator's callbacks (no future
    made per request)."""

    def done(self) -> bool: ...

    def set_result(self, result: Response, /) -> None: ...

    def set_exception(self, exception: BaseException, /) -> None: ...


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
BAD_VALUE = re.compile(r"[\x00\r\n]")
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
            if BAD_VALUE.search(value):
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
