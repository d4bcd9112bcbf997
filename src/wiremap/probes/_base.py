"""What a probe is: an async function from a :class:`ProbeContext` to a :class:`ProbeResult`.

A probe never raises for anything the destination does: refused, silent, garbage, wrong
password, TLS mismatch and contract drift are all *results* (gatus' habit). Exceptions are
for bugs. What went wrong talking to the destination comes typed from :mod:`wiremap.protocols`
(its error tree, each error with its :class:`ErrorKind`); :func:`failed` turns one into a result.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..model import Integration
from ..protocols import DestinationError, ErrorKind, hostport
from ..trust.credentials import CredentialsWithheld, Withheld

__all__ = [
    "ErrorKind",
    "Probe",
    "ProbeContext",
    "ProbeResult",
    "Target",
    "Timer",
    "connected_as",
    "failed",
    "failure",
    "is_loopback",
    "skipped",
    "success",
    "writes_allowed",
]


@dataclass(frozen=True, slots=True)
class Target:
    """Where to probe. ``url`` is the full URL when one is known (``https://h:443/v1/x``)."""

    host: str
    port: int | None
    scheme: str | None = None
    url: str | None = None
    path: str | None = None
    explicit: bool = False  # from --target or WIREMAP_TARGET_<ID>: the user chose it
    # query parameters of the doc's Endpoint that carry a credential (``api_key``), left out of ``path``
    # and ``url``: a credential is never read from a doc (verify skips, measure refuses, saying so)
    doc_credentials: tuple[str, ...] = ()

    @property
    def hostport(self) -> str:
        return hostport(self.host, self.port)


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


def connected_as(result: ProbeResult, note: str) -> list[ProbeResult]:
    """A successful connection, and, when the doc's URL was not set where wiremap runs (``note``, from
    :meth:`~wiremap.protocols.credentials.Credentials.unset_note`), the doc's user and database as a
    check of their own, *skipped*: an AMQP doc naming vhost ``payments``, which does not exist, was a
    plain "ok" in the table and in JUnit (new user, round 36)."""
    if not note:
        return [result]
    why = note.removeprefix("; ").strip()
    return [result, skipped(f"{result.name} credentials", f"not checked: {why}")]


def failed(name: str, timer: Timer | None, err: DestinationError, *, connected: bool = False) -> ProbeResult:
    """The failed check a protocol error makes: its kind, its detail (the verify engine names host:port)."""
    return failure(name, timer, err.kind, err.detail, connected=connected)


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
