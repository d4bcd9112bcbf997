"""The one error tree for talking to a destination (laid out as httpx's ``_exceptions.py``).

    WiremapError
    └── DestinationError          talking to host:port failed (kind: protocol unless a subclass says)
        ├── ConnectError          no connection (kind: refused)
        │   ├── RefusedError      nothing listens: the peer refused (refused)
        │   ├── DNSError          the name does not resolve (dns)
        │   └── UnreachableError  no route to the host or its network (refused)
        ├── DeadlineError         no answer before the deadline (timeout)
        │   ├── ConnectDeadlineError  ... while connecting (TCP, TLS, the protocol's handshake)
        │   └── ReadDeadlineError     ... while waiting for an answer on an open connection
        ├── TLSError              the TLS handshake or the certificate failed (tls)
        ├── AuthError             the destination refused the credentials (auth)
        ├── ResetError            the connection was reset or closed mid-exchange (refused)
        └── InvalidResponseError  the peer spoke, but not the protocol or not the documented answer (protocol)

Each error carries ``host``, ``port``, its :class:`ErrorKind` (a class attribute) and ``detail``, what
happened in the protocol module's words ("connection refused", "CONNACK: Not authorized").
``str(error)`` is the one-line message that names host:port (:func:`name_where`, the one place that
wording is made; the verify engine uses it for probe results too).

They are made in one place per protocol (``wiremap.protocols.<name>``), from the driver's exception
types and error codes; :func:`os_error` is the one mapping of socket and ssl errors they all share.
They never reach the CLI (probes turn them into results, ``measure`` counts them); one that did would be
a failed check there (exit 1), not a usage error.
"""

from __future__ import annotations

import enum
import errno
import re
import socket
import ssl
from typing import ClassVar

from .._errors import WiremapError

__all__ = [
    "AnsweredError",
    "AuthError",
    "ConnectDeadlineError",
    "ConnectError",
    "DNSError",
    "DeadlineError",
    "DestinationError",
    "ErrorKind",
    "InvalidResponseError",
    "ReadDeadlineError",
    "RefusedError",
    "ResetError",
    "TLSError",
    "UnreachableError",
    "describe",
    "hostport",
    "name_where",
    "os_error",
    "root_cause",
]


class ErrorKind(enum.StrEnum):
    TIMEOUT = "timeout"
    REFUSED = "refused"
    DNS = "dns"
    TLS = "tls"
    AUTH = "auth"
    PROTOCOL = "protocol"
    CONTRACT = "contract"


def hostport(host: str, port: int | None) -> str:
    """``db:5432``, ``[::1]:5432``; the host alone without a port."""
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown


def name_where(detail: str, host: str, port: int | None) -> str:
    """``detail`` naming host:port: ``connection to db:5432 refused``, ``db:5432: TLS failed: …``
    (unchanged when it already names the host)."""
    if not host or host in detail:
        return detail
    where = hostport(host, port)
    if detail == "connection refused":
        return f"connection to {where} refused"
    return f"{where}: {detail}"


class DestinationError(WiremapError):
    """Talking to ``host:port`` failed; ``kind`` says how (see the module's tree)."""

    kind: ClassVar[ErrorKind] = ErrorKind.PROTOCOL
    exit_code = 1  # a failed check, were one ever to reach the CLI

    def __init__(self, detail: str, host: str = "", port: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.host = host
        self.port = port

    def __str__(self) -> str:
        return name_where(self.detail, self.host, self.port)


class ConnectError(DestinationError):
    """No connection to the destination."""

    kind = ErrorKind.REFUSED


class RefusedError(ConnectError):
    """Nothing listens there: the connection was refused."""


class DNSError(ConnectError):
    """The destination's name does not resolve."""

    kind = ErrorKind.DNS


class UnreachableError(ConnectError):
    """No route to the host or to its network."""


class DeadlineError(DestinationError):
    """No answer before the deadline."""

    kind = ErrorKind.TIMEOUT


class ConnectDeadlineError(DeadlineError):
    """The deadline passed while connecting (TCP, TLS or the protocol's own handshake)."""


class ReadDeadlineError(DeadlineError):
    """The deadline passed while waiting for an answer on an open connection."""


class TLSError(DestinationError):
    """The TLS handshake failed: a certificate, a protocol version, or a plaintext port."""

    kind = ErrorKind.TLS


class AuthError(DestinationError):
    """The destination refused the credentials (or their absence)."""

    kind = ErrorKind.AUTH


class ResetError(DestinationError):
    """The connection was reset, or closed before the answer was complete."""

    kind = ErrorKind.REFUSED  # a connection failure, as a refusal is


class InvalidResponseError(DestinationError):
    """The peer answered, but not in the protocol, or not the answer the documentation promises."""


class AnsweredError(InvalidResponseError):
    """The peer answered in its protocol, and the answer is a failure (a gRPC NOT_SERVING, a Redis ``-ERR``
    reply): the connection is sound, and a load run keeps it (it reopened one after each, a connect and a
    handshake charged to the next request's latency and sent as load: round 58)."""


# asyncio 3.11's create_connection flattens the errors of several addresses (``localhost``: ::1 and
# 127.0.0.1) into ``OSError("Multiple exceptions: [Errno 111] ..., [Errno 111] ...")``, errno None and no
# cause: the errnos survive only in its text. Read there, as a last resort, and only when they all agree.
_MULTIPLE = "Multiple exceptions: "
_ERRNO = re.compile(r"\[Errno (\d+)\]")
_UNREACHABLE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN})
_RESET = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)


def os_error(exc: BaseException, host: str = "", port: int | None = None) -> DestinationError:
    """The socket-level mapping every protocol shares: by exception type and errno, never by text."""
    if isinstance(exc, DestinationError):
        return exc
    text = str(exc) or type(exc).__name__
    if type(exc) is OSError and exc.errno is None and text.startswith(_MULTIPLE):
        codes = set(_ERRNO.findall(text))
        if len(codes) == 1:
            exc = OSError(int(codes.pop()), text)
    if isinstance(exc, TimeoutError):  # asyncio.TimeoutError is TimeoutError since 3.11
        return DeadlineError("no answer before the deadline", host, port)
    if isinstance(exc, socket.gaierror):
        return DNSError(f"name does not resolve: {text}", host, port)
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return TLSError(f"TLS failed: {text}", host, port)
    if isinstance(exc, ConnectionRefusedError) or (
        isinstance(exc, OSError) and exc.errno == errno.ECONNREFUSED
    ):
        return RefusedError("connection refused", host, port)
    if isinstance(exc, _RESET) or (isinstance(exc, OSError) and exc.errno == errno.ECONNRESET):
        return ResetError(f"connection reset by the peer: {text}", host, port)
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE:
        return UnreachableError(f"unreachable: {text}", host, port)
    if isinstance(exc, EOFError):
        return ResetError(f"the connection closed: {text}", host, port)
    return DestinationError(f"{type(exc).__name__}: {text}", host, port)


def root_cause(exc: BaseException) -> BaseException | None:
    """The socket-level error under a driver's wrapper (``gaierror`` under ``ConnectionError``), by type
    along ``__cause__``/``__context__``: TLS, DNS and refusal first, then a deadline, else the deepest OS
    error with an errno. None when the chain has none."""
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and all(cur is not seen for seen in chain) and len(chain) < 16:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    for specific in (ssl.SSLError, socket.gaierror, ConnectionRefusedError, TimeoutError):
        for err in chain:
            if isinstance(err, specific):
                return err
    for err in reversed(chain):  # the deepest OS error, not a driver's OSError subclass wrapping it
        if isinstance(err, OSError) and err.errno is not None:
            return err
    return None


def describe(exc: BaseException) -> tuple[ErrorKind, str]:
    """Kind and detail of anything a protocol call raised: a :class:`DestinationError` says its own; a
    deadline (the caller's ``asyncio.timeout``) is ``timeout``; socket errors map as :func:`os_error`;
    anything else (a bug, a driver's surprise) is ``protocol`` with its type."""
    if isinstance(exc, DestinationError):
        return exc.kind, exc.detail
    if isinstance(exc, TimeoutError):
        return ErrorKind.TIMEOUT, "no answer before the deadline"
    err = os_error(exc)
    return err.kind, err.detail
