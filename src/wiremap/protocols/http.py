"""HTTP/1.1 over :mod:`wiremap.http1`: one request on a fresh connection (:func:`request`), or a kept-alive
connection (:func:`connect`); :func:`error` is the one mapping of http1's exceptions to the error tree.

* :class:`wiremap.http1.ProtocolError` (bytes that are not HTTP/1.x, a response cut short) ->
  :class:`InvalidResponseError`;
* socket and ssl errors -> :func:`wiremap.protocols.os_error` (a reset during the TLS handshake is an
  ``ssl.SSLError`` already, from http1: a TLS failure);
* an accepted connection whose answer has a status the doc does not accept -> :class:`StatusError`
  (:class:`NotAuthorized` for 401 and 403), made by the caller, who knows what it accepts.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping

from .. import http1
from ._errors import AuthError, DestinationError, ErrorKind, InvalidResponseError, os_error

__all__ = ["NotAuthorized", "NotJSON", "StatusError", "connect", "error", "request"]


class StatusError(InvalidResponseError, http1.ProtocolError):
    """A response whose status is not an accepted one (kind ``protocol``)."""

    def __init__(self, status: int, expected: str, host: str = "", port: int | None = None) -> None:
        super().__init__(f"status {status}, expected {expected}", host, port)
        self.status = status


class NotJSON(InvalidResponseError):
    """An accepted status whose body is declared not JSON where the doc documents JSON (kind ``contract``):
    a maintenance page answered with 200 is not the integration answering."""

    kind = ErrorKind.CONTRACT

    def __init__(self, content_type: str, host: str = "", port: int | None = None) -> None:
        super().__init__(f"response is not JSON (Content-Type: {content_type})", host, port)


class NotAuthorized(AuthError, StatusError):
    """401 or 403 (kind ``auth``)."""

    def __init__(self, status: int, expected: str, host: str = "", port: int | None = None) -> None:
        DestinationError.__init__(self, f"status {status}: not authorized", host, port)
        self.status = status


def error(exc: BaseException, host: str, port: int) -> DestinationError:
    """The one mapping of what http1 and the socket under it raise."""
    if isinstance(exc, http1.ProtocolError):  # StatusError is one, already typed
        return exc if isinstance(exc, DestinationError) else InvalidResponseError(str(exc), host, port)
    return os_error(exc, host, port)


async def request(
    method: str,
    host: str,
    port: int,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    ssl: ssl.SSLContext | None = None,
    timer: http1.Marker | None = None,
) -> http1.Response:
    """One request on a fresh connection. Raises a :class:`DestinationError`; ValueError for a request
    that cannot be written (nothing sent); a deadline is the caller's ``asyncio.timeout``."""
    try:
        return await http1.request(method, host, port, path, headers=headers, body=body, ssl=ssl, timer=timer)
    except http1.ProtocolError as exc:
        raise error(exc, host, port) from exc
    except OSError as exc:  # refused, unreachable, DNS, TLS (certificate errors included), reset
        raise error(exc, host, port) from exc


async def connect(host: str, port: int, ssl: ssl.SSLContext | None = None) -> http1.Connection:
    """A kept-alive connection (resolve, TCP, TLS); a :class:`DestinationError` when there is none."""
    try:
        return await http1.Connection.open(host, port, ssl=ssl)
    except OSError as exc:
        raise error(exc, host, port) from exc
