"""Retry settings written as configuration: keys and values, whatever the syntax they came from.

The key names tell the form:

- gRPC service config (``retryPolicy``): ``maxAttempts`` (every attempt, the first included),
  ``initialBackoff``/``maxBackoff`` (``"0.1s"``), ``backoffMultiplier``, ``retryableStatusCodes``; gRPC
  draws each pause at random up to the current backoff (full jitter). The method's ``timeout`` bounds
  all attempts together.
- resilience4j: ``maxAttempts`` (every attempt), ``waitDuration`` (bare numbers are ms),
  ``enableExponentialBackoff`` / ``exponentialBackoffMultiplier``, ``exponentialMaxWaitDuration``,
  ``enableRandomizedWait``, ``retryExceptions``; circuit breaker ``failureRateThreshold`` (percent),
  ``waitDurationInOpenState``; time limiter ``timeoutDuration``.
- Polly: ``MaxRetryAttempts``/``RetryCount`` (retries), ``Delay``, ``MaxDelay``, ``BackoffType``,
  ``UseJitter``; ``FailureRatio`` (0-1), ``BreakDuration``; ``AttemptTimeout``, ``TotalRequestTimeout``.
- Envoy/Istio: ``num_retries``/``attempts`` (retries), ``per_try_timeout``/``perTryTimeout``,
  ``retry_on``/``retryOn``, ``base_interval``/``max_interval``.
- anything else with ``retries``/``max_retries`` (retries) or ``max_attempts`` (every attempt),
  ``timeout``, ``deadline``, ``initial_backoff``, ``max_backoff``, ``multiplier``, ``jitter``.

Keys are compared without case, ``-`` or ``_``. Durations without a unit are seconds unless said.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ._draft import Draft, duration_ms, grpc_codes, status_codes

__all__ = ["Pair", "read_pairs"]

Pair = tuple[tuple[str, ...], Any, int]  # key path, value, doc line

_GRPC = {"retrypolicy", "initialbackoff", "backoffmultiplier", "retryablestatuscodes", "maxbackoff"}
_POLLY = {
    "maxretryattempts",
    "retrycount",
    "backofftype",
    "usejitter",
    "failureratio",
    "breakduration",
    "attempttimeout",
    "totalrequesttimeout",
    "maxdelay",
}
_R4J = {
    "waitduration",
    "enableexponentialbackoff",
    "exponentialbackoffmultiplier",
    "failureratethreshold",
    "waitdurationinopenstate",
    "exponentialmaxwaitduration",
    "retryexceptions",
    "enablerandomizedwait",
    "timeoutduration",
}
# keys only Envoy's retry_policy has: "retry_on" and "max_interval" are everyone's ({max_attempts: 4,
# initial_interval: 200ms, retry_on: [502, 503]} was read as Envoy's, with its full jitter and ×2: new
# user, round 26)
_ENVOY = {"numretries", "pertrytimeout", "baseinterval", "retrybackoff"}
_GENERIC = {
    "retries",
    "maxretries",
    "maxattempts",
    "attempts",
    "retry",
    "backoff",
    "initialbackoff",
    "initialdelay",
    "maxbackoff",
    "timeout",
    "deadline",
}


def _norm(key: str) -> str:
    return re.sub(r"[-_\s]", "", key).lower()


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1"))


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _words(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(x).strip() for x in value[:100] if isinstance(x, str | int) and str(x).strip()]
    if isinstance(value, str):
        return [x.strip() for x in re.split(r"[,\s]+", value) if x.strip()]
    return []


def _form(keys: set[str]) -> str | None:
    for form, known in (
        ("envoy", _ENVOY),
        ("grpc_service_config", _GRPC),
        ("polly", _POLLY),
        ("resilience4j", _R4J),
    ):
        if keys & known:
            return form
    return "config" if keys & _GENERIC else None


Handler = Callable[[Draft, Any, int], None]


def _ms(key: str, unit_ms: float | None = 1000.0) -> Handler:
    def put(d: Draft, value: Any, line: int) -> None:
        if unit_ms is None and not isinstance(value, str):
            return  # a bare number in a TimeSpan setting says nothing sure
        d.set(key, duration_ms(value, unit_ms or 1000.0), line)

    return put


def _attempts(d: Draft, value: Any, line: int) -> None:
    d.attempts(_num(value), line)


def _retries(d: Draft, value: Any, line: int) -> None:
    d.retries(_num(value), line)


def _multiplier(d: Draft, value: Any, line: int) -> None:
    if (m := _num(value)) is not None and 0 < m < 1e6:
        d.set("backoff.multiplier", m, line)
        d.set("backoff.kind", "exponential" if m > 1 else "constant", line)


def _grpc_statuses(d: Draft, value: Any, line: int) -> None:
    d.add("retry_on_grpc_codes", grpc_codes(value), line)


def _exceptions(d: Draft, value: Any, line: int) -> None:
    d.add("retry_on_exceptions", _words(value), line)


# Envoy's / Istio's retry_on conditions that name failures, not statuses, by the kinds Failure Modes are
# classed in ("retryOn: 5xx,reset,connect-failure" kept 5xx alone: round 30)
_RETRY_ON_FAILURES = {
    "reset": "connection_lost",
    "connect-failure": "connection_refused",
    "refused-stream": "connection_refused",
    "reset-before-request": "connection_lost",
}
_RETRY_ON_STATUSES = {"gateway-error": ["502", "503", "504"], "retriable-4xx": ["409"]}


def _retry_on(d: Draft, value: Any, line: int) -> None:
    words = _words(value)
    d.add("retry_on_status", status_codes(words), line)
    d.add("retry_on_grpc_codes", grpc_codes([w.replace("-", "_") for w in words]), line)


def _envoy_retry_on(d: Draft, value: Any, line: int) -> None:
    """Envoy's (and Istio's) conditions: ``5xx`` also retries an upstream that does not answer at all
    (reset, read timeout, connect failure); ``gateway-error`` is 502/503/504 alone."""
    _retry_on(d, value, line)
    words = [w.lower() for w in _words(value)]
    d.add("retry_on_status", [c for w in words for c in _RETRY_ON_STATUSES.get(w, [])], line)
    failures = [f for w in words if (f := _RETRY_ON_FAILURES.get(w))]
    if "5xx" in words:
        failures += ["timeout", "connection_lost", "connection_refused"]
    d.add("retry_on_failures", list(dict.fromkeys(failures)), line)


def _rate(scale: float) -> Handler:
    def put(d: Draft, value: Any, line: int) -> None:
        if (r := _num(str(value).rstrip("%") if isinstance(value, str) else value)) is not None and r >= 0:
            d.set("breaker.failure_rate_percent", r * scale, line)

    return put


def _backoff_type(d: Draft, value: Any, line: int) -> None:
    kind = str(value).strip().lower()
    if kind in ("constant", "linear", "exponential"):
        d.set("backoff.kind", kind, line, replace=True)


def _jitter(d: Draft, value: Any, line: int) -> None:
    if isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false")):
        d.set("backoff.jitter", "yes" if _truthy(value) else "none", line)
    elif isinstance(value, str) and value.lower() in ("full", "equal", "decorrelated"):
        d.set("backoff.jitter", value.lower(), line)


def _enable_exponential(d: Draft, value: Any, line: int) -> None:
    if _truthy(value):
        d.set("backoff.kind", "exponential", line, replace=True)


def _randomized(d: Draft, value: Any, line: int) -> None:
    if _truthy(value):
        d.set("backoff.jitter", "proportional", line)


# form -> normalised key -> handler; "*" holds what every form reads
_KEYS: dict[str, dict[str, Handler]] = {
    "grpc_service_config": {
        "maxattempts": _attempts,
        "initialbackoff": _ms("backoff.initial_ms"),
        "maxbackoff": _ms("backoff.max_ms"),
        "backoffmultiplier": _multiplier,
        "retryablestatuscodes": _grpc_statuses,
        "timeout": _ms("deadline_ms"),
        "perattemptrecvtimeout": _ms("timeout_ms"),
    },
    "resilience4j": {
        "maxattempts": _attempts,
        "waitduration": _ms("backoff.initial_ms", 1.0),
        "exponentialbackoffmultiplier": _multiplier,
        "enableexponentialbackoff": _enable_exponential,
        "exponentialmaxwaitduration": _ms("backoff.max_ms", 1.0),
        "enablerandomizedwait": _randomized,
        "retryexceptions": _exceptions,
        "failureratethreshold": _rate(1.0),
        "waitdurationinopenstate": _ms("breaker.cool_down_ms", 1.0),
        "timeoutduration": _ms("timeout_ms", 1.0),
    },
    "polly": {
        "maxretryattempts": _retries,
        "retrycount": _retries,
        "delay": _ms("backoff.initial_ms", None),
        "maxdelay": _ms("backoff.max_ms", None),
        "backofftype": _backoff_type,
        "usejitter": _jitter,
        "failureratio": _rate(100.0),
        "breakduration": _ms("breaker.cool_down_ms", None),
        "attempttimeout": _ms("timeout_ms", None),
        "timeout": _ms("timeout_ms", None),
        "totalrequesttimeout": _ms("deadline_ms", None),
    },
    "envoy": {
        "numretries": _retries,
        "attempts": _retries,
        "pertrytimeout": _ms("timeout_ms"),
        "retryon": _envoy_retry_on,
        "baseinterval": _ms("backoff.initial_ms"),
        "maxinterval": _ms("backoff.max_ms"),
        "timeout": _ms("deadline_ms"),
    },
    "*": {
        "maxattempts": _attempts,
        "attempts": _attempts,
        "retries": _retries,
        "maxretries": _retries,
        "numretries": _retries,
        "timeout": _ms("timeout_ms", None),
        "pertrytimeout": _ms("timeout_ms", None),
        "attempttimeout": _ms("timeout_ms", None),
        "deadline": _ms("deadline_ms", None),
        "totaltimeout": _ms("deadline_ms", None),
        "initialbackoff": _ms("backoff.initial_ms", None),
        "initialdelay": _ms("backoff.initial_ms", None),
        "initialinterval": _ms("backoff.initial_ms", None),
        "maxbackoff": _ms("backoff.max_ms", None),
        "maxdelay": _ms("backoff.max_ms", None),
        "maxinterval": _ms("backoff.max_ms", None),
        "multiplier": _multiplier,
        "backoffmultiplier": _multiplier,
        "jitter": _jitter,
        "backoff": _backoff_type,
        "retryon": _retry_on,
        "statuscodes": _retry_on,
        "retryablestatuscodes": _retry_on,
        # ``retry_on_status: [503]`` (unread, ERR001 only, and faults retried timeouts too: round 52)
        "retryonstatus": _retry_on,
        "retryonstatuses": _retry_on,
        "retryonstatuscodes": _retry_on,
        "retrystatuses": _retry_on,
        "retrystatuscodes": _retry_on,
        "retryablestatuses": _retry_on,
        "failurethreshold": lambda d, v, n: d.set("breaker.failure_threshold", _int(v), n),
        "cooldown": _ms("breaker.cool_down_ms", None),
        "fallback": lambda d, v, n: d.set("fallback", v if isinstance(v, str) and v.strip() else None, n),
    },
}


# a key inside a ``backoff:`` map names a part of the backoff (``backoff: {initial_ms: 100, max: 2s}``:
# the initial pause was unread, ERR001, round 41); the key's unit suffix is the unit of a bare number
_BACKOFF_PARTS = {
    "initial": "backoff.initial_ms",
    "initialdelay": "backoff.initial_ms",
    "initialinterval": "backoff.initial_ms",
    "base": "backoff.initial_ms",
    "basedelay": "backoff.initial_ms",
    "start": "backoff.initial_ms",
    "min": "backoff.initial_ms",
    "mindelay": "backoff.initial_ms",
    "delay": "backoff.initial_ms",
    "interval": "backoff.initial_ms",
    "max": "backoff.max_ms",
    "maxdelay": "backoff.max_ms",
    "maxinterval": "backoff.max_ms",
    "cap": "backoff.max_ms",
    "ceiling": "backoff.max_ms",
    "step": "backoff.increment_ms",
    "increment": "backoff.increment_ms",
}
_UNIT_SUFFIXES = (
    ("millis", 1.0),
    ("ms", 1.0),
    ("seconds", 1000.0),
    ("secs", 1000.0),
    ("sec", 1000.0),
    ("s", 1000.0),
)


def _in_backoff(path: Sequence[str]) -> Handler | None:
    if len(path) < 2 or _norm(path[-2]) not in ("backoff", "backoffpolicy", "delay", "wait"):
        return None
    key = _norm(path[-1])
    for suffix, unit in _UNIT_SUFFIXES:
        part = key[: -len(suffix)] if key.endswith(suffix) and len(key) > len(suffix) else None
        if part is not None and part in _BACKOFF_PARTS:
            return _ms(_BACKOFF_PARTS[part], unit)
    field = _BACKOFF_PARTS.get(key)
    return _ms(field, None) if field is not None else None  # a bare number without a unit says nothing


def _int(value: Any) -> int | None:
    n = _num(value)
    return int(n) if n is not None and n.is_integer() and 0 <= n < 1e9 else None


def read_pairs(pairs: Sequence[Pair], first_line: int, *, missed: list[int] | None = None) -> Draft | None:
    """Read key/value pairs into a draft, or ``None`` when no key is a retry setting. ``missed``, when
    given, gets the index of each pair nothing here read (a key not known, a value not understood)."""
    keys = {_norm(k) for path, _, _ in pairs for k in path}
    form = _form(keys)
    if form is None:
        return None
    table = {**_KEYS["*"], **_KEYS.get(form, {})}
    d: Draft | None = None
    for n, (path, value, line) in enumerate(pairs):
        if not path:
            continue
        handler = table.get(_norm(path[-1])) or _in_backoff(path)
        if handler is None:
            if missed is not None:
                missed.append(n)
            continue
        if (
            form == "grpc_service_config"
            and _norm(path[-1]) == "timeout"
            and "retrypolicy" in map(_norm, path)
        ):
            continue
        d = d or Draft(form, line)
        before = (dict(d.values), len(d.unread_text))
        handler(d, value, line)
        if missed is not None and (d.values, len(d.unread_text)) == before:
            missed.append(n)
    if d is None or d.empty():
        return None
    if form == "grpc_service_config" and "backoff.initial_ms" in d.values:
        d.set("backoff.kind", "exponential", d.line)
        d.set("backoff.jitter", "full", d.line)
    elif form == "envoy" and "backoff.initial_ms" in d.values:
        d.set("backoff.kind", "exponential", d.line)
        d.set("backoff.multiplier", 2.0, d.line)
        d.set("backoff.jitter", "full", d.line)
    elif form == "polly":
        _polly_shape(d)
    elif form == "resilience4j" and "max_attempts" in d.values:
        d.set("backoff.initial_ms", 500.0, d.line)  # resilience4j's defaults: waitDuration 500 ms,
        d.set("backoff.kind", "constant", d.line)  # exponentialBackoffMultiplier 1.5
        if d.values["backoff.kind"] == "exponential":
            d.set("backoff.multiplier", 1.5, d.line)
    elif "backoff.initial_ms" in d.values:
        d.set("backoff.kind", "constant", d.line)
    return d


def _polly_shape(d: Draft) -> None:
    kind = d.values.get("backoff.kind")
    if kind is None and "backoff.initial_ms" in d.values:
        d.set("backoff.kind", "constant", d.line)
    elif kind == "linear":
        d.set("backoff.increment_ms", d.values.get("backoff.initial_ms"), d.line)
    elif kind == "exponential":
        d.set("backoff.multiplier", 2.0, d.line)
    if d.values.get("backoff.jitter") == "yes":
        d.set(
            "backoff.jitter",
            "decorrelated" if kind == "exponential" else "proportional",
            d.line,
            replace=True,
        )
