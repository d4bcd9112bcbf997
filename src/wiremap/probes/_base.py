"""What a probe is: an async function from a :class:`ProbeContext` to a :class:`ProbeResult`.

A probe never raises for anything the destination does: refused, silent, garbage, wrong
password, TLS mismatch and contract drift are all *results* (gatus' habit). Exceptions are
for bugs. :func:`classify` maps driver and socket exceptions to the one set of error kinds,
in one place (httpx's ``_transports`` habit).
"""

from __future__ import annotations

import asyncio
import enum
import errno
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..model import Integration
from ..trust.credentials import CredentialsWithheld, Withheld

__all__ = [
    "ErrorKind",
    "Probe",
    "ProbeContext",
    "ProbeResult",
    "Target",
    "Timer",
    "classify",
    "failure",
    "is_loopback",
    "root_cause",
    "skipped",
    "success",
    "writes_allowed",
]


class ErrorKind(enum.StrEnum):
    TIMEOUT = "timeout"
    REFUSED = "refused"
    DNS = "dns"
    TLS = "tls"
    AUTH = "auth"
    PROTOCOL = "protocol"
    CONTRACT = "contract"


@dataclass(frozen=True, slots=True)
class Target:
    """Where to probe. ``url`` is the full URL when one is known (``https://h:443/v1/x``)."""

    host: str
    port: int | None
    scheme: str | None = None
    url: str | None = None
    path: str | None = None
    explicit: bool = False  # from --target or WIREMAP_TARGET_<ID>: the user chose it

    @property
    def hostport(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port else host


@dataclass(frozen=True, slots=True)
class ProbeContext:
    integration: Integration
    target: Target
    timeout_s: float
    settings: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    allow_writes: bool = False
    # secrets of the runner's environment that do not belong to this target (name -> why), left out of
    # ``env`` by :class:`wiremap.trust.credentials.SecretGate`; see :meth:`secret`
    withheld: Mapping[str, Withheld] = field(default_factory=dict)
    repeated: bool = False  # serve and measure send the same request again and again
    # why the value of a variable may not be sent to this target as a credential (None: it may);
    # :meth:`wiremap.trust.credentials.SecretGate.reason_for` bound to the target
    secret_check: Callable[[str], str | None] | None = None

    def secret(self, name: str) -> str | None:
        """The value of ``name``, to be sent to this target as a credential; raises
        :class:`CredentialsWithheld` when the runner's value exists but does not belong to this target
        (the check is then skipped, with the reason)."""
        held = self.withheld.get(name)
        if held is not None:
            raise CredentialsWithheld(held.reason)
        value = self.env.get(name) or None
        if value is not None and self.secret_check is not None:
            reason = self.secret_check(name)
            if reason is not None:
                raise CredentialsWithheld(reason)
        return value


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One check's outcome. ``ok`` is None for a skipped check (with the reason in ``message``)."""

    name: str
    ok: bool | None
    connected: bool = False
    duration_ms: float = 0.0
    phases_ms: Mapping[str, float] = field(default_factory=dict)
    error_kind: ErrorKind | None = None
    message: str = ""
    timestamp: float = field(default_factory=time.time)

    @property
    def skipped(self) -> bool:
        return self.ok is None


class Probe(Protocol):
    async def __call__(self, ctx: ProbeContext) -> list[ProbeResult]: ...


ProbeFn = Callable[[ProbeContext], Awaitable[list[ProbeResult]]]


class Timer:
    """Monotonic nanosecond timing of a probe and its phases (dns, connect, tls, first_byte)."""

    def __init__(self) -> None:
        self.start = time.perf_counter_ns()
        self._last = self.start
        self.phases: dict[str, float] = {}

    def mark(self, phase: str) -> None:
        now = time.perf_counter_ns()
        self.phases[phase] = (now - self._last) / 1e6
        self._last = now

    @property
    def elapsed_ms(self) -> float:
        return (time.perf_counter_ns() - self.start) / 1e6


def success(name: str, timer: Timer, message: str = "", *, connected: bool = True) -> ProbeResult:
    return ProbeResult(name, True, connected, timer.elapsed_ms, dict(timer.phases), None, message)


def failure(
    name: str, timer: Timer | None, kind: ErrorKind, message: str, *, connected: bool = False
) -> ProbeResult:
    elapsed = timer.elapsed_ms if timer else 0.0
    phases = dict(timer.phases) if timer else {}
    return ProbeResult(name, False, connected, elapsed, phases, kind, message)


def skipped(name: str, reason: str) -> ProbeResult:
    return ProbeResult(name, None, False, 0.0, {}, None, reason)


_AUTH_WORDS = (
    "password",
    "authentication",
    "auth",
    "access refused",
    "not authorized",
    "permission denied",
    "noauth",
)


def classify(exc: BaseException) -> tuple[ErrorKind, str]:
    """Map an exception from a socket or a driver to an error kind and a one-line message."""
    text = str(exc) or type(exc).__name__
    kind = getattr(exc, "kind", None)
    if isinstance(kind, ErrorKind):  # already classified where the driver's own codes were known
        return kind, text
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return ErrorKind.TIMEOUT, "no answer before the deadline"
    if isinstance(exc, socket.gaierror):
        return ErrorKind.DNS, f"name does not resolve: {text}"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return ErrorKind.TLS, f"TLS failed: {text}"
    if isinstance(exc, ConnectionRefusedError):
        return ErrorKind.REFUSED, "connection refused"
    if isinstance(exc, OSError) and exc.errno in (errno.ECONNREFUSED,):
        return ErrorKind.REFUSED, "connection refused"
    if isinstance(exc, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return ErrorKind.REFUSED, f"connection reset by the peer: {text}"
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return ErrorKind.REFUSED, f"unreachable: {text}"
    lowered = text.lower()
    if any(w in lowered for w in _AUTH_WORDS):
        return ErrorKind.AUTH, text
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return ErrorKind.DNS, text
    if "refused" in lowered:
        return ErrorKind.REFUSED, text
    if "ssl" in lowered or "tls" in lowered or "certificate" in lowered:
        return ErrorKind.TLS, text
    return ErrorKind.PROTOCOL, f"{type(exc).__name__}: {text}"


def root_cause(exc: BaseException) -> BaseException | None:
    """The socket-level error under a driver's wrapper (``gaierror`` under ``ConnectionError``):
    TLS, DNS and refusal first, else the deepest OS error with an errno."""
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and all(cur is not seen for seen in chain) and len(chain) < 16:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    for specific in (ssl.SSLError, socket.gaierror, ConnectionRefusedError):
        for err in chain:
            if isinstance(err, specific):
                return err
    for err in reversed(chain):  # the deepest OS error, not a driver's OSError subclass wrapping it
        if isinstance(err, OSError) and err.errno is not None and not isinstance(err, TimeoutError):
            return err
    return None


def writes_allowed(ctx: ProbeContext) -> bool:
    """May a non-idempotent request (POST, a published message) go to ``ctx.target``?

    Once (verify): to loopback, to a target the runner chose, or under the runner's --allow-writes.
    Repeated (serve every interval, measure's load): only under the runner's --allow-writes for this
    integration; loopback is often a port-forward to production."""
    if ctx.repeated:
        return ctx.allow_writes
    return ctx.allow_writes or ctx.target.explicit or is_loopback(ctx.target.host)


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
