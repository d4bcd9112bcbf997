"""The fault grammar of ``wiremap stub --fault``, the seeded plan that applies it, and which faults fit
which protocol.

Grammar (``FAULT`` is one of the faults below; a schedule wraps it)::

    PLAN  := FAULT                      always
           | first:N:FAULT              the first N attempts fail, then the stub answers
           | every:N:FAULT              attempts N, 2N, 3N … fail
           | p:P:FAULT                  each attempt fails with probability P (0 < P <= 1), seeded
    FAULT := timeout | refused | reset | slow:MS | close-mid-body[:BYTES] | garbage | invalid[:not-json]
           | status:CODE | status:429:retry-after=S | grpc:CODE_NAME | disconnect

An *attempt* is numbered from 1 by the stub (:meth:`StubContext.next_attempt`): one request (an HTTP
request, a gRPC call, a Redis command, a WebSocket message), or one connection for protocols without
requests (``tcp``, the proxy). A ``p:`` plan decides each attempt from ``(seed, attempt)`` alone, so the
same seed gives the same failures whatever the order or the thread the attempts arrive in.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass

from .._errors import UsageError

__all__ = [
    "GRPC_CODES",
    "NO_FAULT",
    "SUPPORT",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "Schedule",
    "check_supported",
    "parse_fault",
    "supported_faults",
]


class FaultKind(enum.StrEnum):
    TIMEOUT = "timeout"  # accept (and read the request), never answer
    REFUSED = "refused"  # nothing listens
    RESET = "reset"  # RST after the request: SO_LINGER 0, then close
    SLOW = "slow"  # answer after ``delay_ms``
    CLOSE_MID_BODY = "close-mid-body"  # promise more than is sent, close (``cut_after`` bytes: proxy)
    GARBAGE = "garbage"  # bytes that are not the protocol
    INVALID = "invalid"  # valid protocol, response not of the documented shape
    STATUS = "status"  # HTTP status (``status``), optionally with ``Retry-After`` (``retry_after_s``)
    GRPC = "grpc"  # a gRPC status (``grpc_code``)
    DISCONNECT = "disconnect"  # a broker (or the proxy) drops the connection


class Schedule(enum.StrEnum):
    ALWAYS = "always"
    FIRST = "first"
    EVERY = "every"
    PROBABILITY = "p"


GRPC_CODES: dict[str, int] = {
    "OK": 0,
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
    "OUT_OF_RANGE": 11,
    "UNIMPLEMENTED": 12,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "DATA_LOSS": 15,
    "UNAUTHENTICATED": 16,
}


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault; the parameter fields are set only for the kinds that take them."""

    kind: FaultKind
    delay_ms: int | None = None  # slow:MS
    cut_after: int | None = None  # close-mid-body:BYTES (None: the server's own choice)
    status: int | None = None  # status:CODE
    retry_after_s: int | None = None  # status:429:retry-after=S
    grpc_code: str | None = None  # grpc:UNAVAILABLE (a key of GRPC_CODES)
    not_json: bool = False  # invalid:not-json (HTTP): the documented status, a body that is no JSON at all

    def __str__(self) -> str:
        k = self.kind
        if k is FaultKind.SLOW:
            return f"slow:{self.delay_ms}"
        if k is FaultKind.CLOSE_MID_BODY and self.cut_after is not None:
            return f"close-mid-body:{self.cut_after}"
        if k is FaultKind.STATUS:
            extra = f":retry-after={self.retry_after_s}" if self.retry_after_s is not None else ""
            return f"status:{self.status}{extra}"
        if k is FaultKind.GRPC:
            return f"grpc:{self.grpc_code}"
        if k is FaultKind.INVALID and self.not_json:
            return "invalid:not-json"
        return k.value

    @property
    def grpc_number(self) -> int | None:
        """The numeric gRPC status of a ``grpc:`` fault."""
        return GRPC_CODES[self.grpc_code] if self.grpc_code is not None else None


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Which attempts fail, and how. ``fault`` None is the plan that never fails (:data:`NO_FAULT`)."""

    fault: Fault | None
    schedule: Schedule = Schedule.ALWAYS
    n: int = 0  # first:N / every:N
    p: float = 0.0  # p:P
    seed: int = 0  # p:P only

    def decide(self, attempt: int) -> Fault | None:
        """The fault for attempt ``attempt`` (1, 2, 3 …), or None: answer as documented."""
        if self.fault is None:
            return None
        s = self.schedule
        if s is Schedule.ALWAYS:
            return self.fault
        if s is Schedule.FIRST:
            return self.fault if attempt <= self.n else None
        if s is Schedule.EVERY:
            return self.fault if attempt >= 1 and attempt % self.n == 0 else None
        return self.fault if _draw(self.seed, attempt) < self.p else None

    @property
    def kind(self) -> FaultKind | None:
        return self.fault.kind if self.fault is not None else None

    def __str__(self) -> str:
        if self.fault is None:
            return "none"
        s = self.schedule
        if s is Schedule.ALWAYS:
            return str(self.fault)
        if s is Schedule.PROBABILITY:
            return f"p:{self.p:g}:{self.fault}"
        return f"{s.value}:{self.n}:{self.fault}"


NO_FAULT = FaultPlan(None)


def _draw(seed: int, attempt: int) -> float:
    """A uniform number in [0, 1) from ``(seed, attempt)`` alone: reproducible, order-free, thread-free."""
    digest = hashlib.blake2b(f"{seed}:{attempt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


# ---------------------------------------------------------------------------------------------
# Parsing

_VALID = (
    "valid faults: timeout, refused, reset, slow:MS, close-mid-body[:BYTES], garbage, invalid[:not-json], "
    "status:CODE, status:429:retry-after=S, grpc:CODE (e.g. grpc:UNAVAILABLE), disconnect; "
    "schedules: first:N:FAULT, every:N:FAULT, p:0.3:FAULT"
)
_PLAIN = {
    k.value: k
    for k in (
        FaultKind.TIMEOUT,
        FaultKind.REFUSED,
        FaultKind.RESET,
        FaultKind.GARBAGE,
        FaultKind.INVALID,
        FaultKind.DISCONNECT,
    )
}
_INT = re.compile(r"^[0-9]{1,9}$")
_RETRY_AFTER = re.compile(r"^retry-after=([0-9]{1,9})$", re.IGNORECASE)


def _bad(text: str, why: str) -> UsageError:
    return UsageError(f"--fault {text!r}: {why}; {_VALID}")


def _parse_one(whole: str, text: str) -> Fault:
    head, _, rest = text.partition(":")
    head = head.strip().lower()
    rest = rest.strip()
    if head == "invalid" and rest.lower() == "not-json":
        return Fault(FaultKind.INVALID, not_json=True)
    if head in _PLAIN:
        if rest:
            raise _bad(whole, f"{head} takes no parameter" + (" but not-json" if head == "invalid" else ""))
        return Fault(_PLAIN[head])
    if head == "slow":
        if not _INT.match(rest):
            raise _bad(whole, "slow wants milliseconds (slow:500)")
        return Fault(FaultKind.SLOW, delay_ms=int(rest))
    if head == "close-mid-body":
        if not rest:
            return Fault(FaultKind.CLOSE_MID_BODY)
        if not _INT.match(rest) or int(rest) < 1:
            raise _bad(whole, "close-mid-body takes a byte count of 1 or more (close-mid-body:16)")
        return Fault(FaultKind.CLOSE_MID_BODY, cut_after=int(rest))
    if head == "status":
        code, _, extra = rest.partition(":")
        if not _INT.match(code) or not 100 <= int(code) <= 599:
            raise _bad(whole, "status wants an HTTP status from 100 to 599 (status:503)")
        retry_after = None
        if extra:
            m = _RETRY_AFTER.match(extra.strip())
            if not m:
                raise _bad(whole, "only retry-after=SECONDS may follow the status (status:429:retry-after=2)")
            retry_after = int(m.group(1))
        return Fault(FaultKind.STATUS, status=int(code), retry_after_s=retry_after)
    if head == "grpc":
        name = rest.upper().removeprefix("STATUSCODE.")
        if name not in GRPC_CODES or name == "OK":
            names = ", ".join(list(GRPC_CODES)[1:])
            raise _bad(whole, f"grpc wants a gRPC status name other than OK ({names})")
        return Fault(FaultKind.GRPC, grpc_code=name)
    raise _bad(whole, f"unknown fault {head!r}")


def parse_fault(text: str, *, seed: int = 0) -> FaultPlan:
    """``first:2:status:503`` -> a :class:`FaultPlan`; anything else is a :class:`UsageError` (one line
    that names what is valid). ``seed`` seeds ``p:`` plans (``--seed``)."""
    t = text.strip()
    if not t:
        raise _bad(text, "empty")
    head, _, rest = t.partition(":")
    head = head.lower()
    if head in ("first", "every"):
        n, _, inner = rest.partition(":")
        if not _INT.match(n) or int(n) < 1:
            raise _bad(text, f"{head} wants a count of 1 or more ({head}:2:FAULT)")
        if not inner:
            raise _bad(text, f"{head}:{n} wants a fault after it ({head}:{n}:timeout)")
        return FaultPlan(_parse_one(text, inner), Schedule(head), n=int(n))
    if head == "p":
        p, _, inner = rest.partition(":")
        try:
            prob = float(p)
        except ValueError:
            prob = -1.0
        if not 0.0 < prob <= 1.0:
            raise _bad(text, "p wants a probability above 0 and at most 1 (p:0.3:FAULT)")
        if not inner:
            raise _bad(text, f"p:{p} wants a fault after it (p:{p}:reset)")
        return FaultPlan(_parse_one(text, inner), Schedule.PROBABILITY, p=prob, seed=seed)
    return FaultPlan(_parse_one(text, t))


# ---------------------------------------------------------------------------------------------
# Which faults each protocol's stub can apply

_CONNECTION = frozenset(
    {FaultKind.TIMEOUT, FaultKind.REFUSED, FaultKind.RESET, FaultKind.SLOW, FaultKind.GARBAGE}
)

# One row per stub server (``stub/servers/<protocol>.py``) and one for the proxy (``--proxy-to``).
SUPPORT: dict[str, frozenset[FaultKind]] = {
    "http": _CONNECTION | {FaultKind.CLOSE_MID_BODY, FaultKind.INVALID, FaultKind.STATUS},
    "grpc": _CONNECTION | {FaultKind.INVALID, FaultKind.GRPC, FaultKind.DISCONNECT},
    "websocket": _CONNECTION | {FaultKind.CLOSE_MID_BODY, FaultKind.INVALID, FaultKind.DISCONNECT},
    "redis": _CONNECTION | {FaultKind.CLOSE_MID_BODY, FaultKind.INVALID, FaultKind.DISCONNECT},
    "nats": _CONNECTION | {FaultKind.CLOSE_MID_BODY, FaultKind.INVALID, FaultKind.DISCONNECT},
    "mqtt": _CONNECTION | {FaultKind.CLOSE_MID_BODY, FaultKind.INVALID, FaultKind.DISCONNECT},
    "tcp": _CONNECTION | {FaultKind.CLOSE_MID_BODY, FaultKind.DISCONNECT},
    "proxy": _CONNECTION | {FaultKind.CLOSE_MID_BODY, FaultKind.DISCONNECT},
}


def supported_faults(protocol: str) -> frozenset[FaultKind]:
    """The faults the stub of ``protocol`` (or ``"proxy"``) can apply; empty for an unknown one."""
    return SUPPORT.get(protocol, frozenset())


def check_supported(plan: FaultPlan, protocol: str) -> None:
    """A :class:`UsageError` when ``plan``'s fault does not fit ``protocol`` (``status:`` on Redis)."""
    kind = plan.kind
    if kind is None or kind in supported_faults(protocol):
        return
    fits = sorted(k.value for k in supported_faults(protocol))
    where = "the proxy" if protocol == "proxy" else f"a {protocol} stub"
    raise UsageError(f"--fault {kind.value} does not apply to {where}; it takes: {', '.join(fits)}")
