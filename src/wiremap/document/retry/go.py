"""Go: the per-attempt timeout of ``http.Client{Timeout: 30 * time.Second}`` (or ``client.Timeout = …``),
``context.WithTimeout(ctx, 2*time.Second)`` and ``grpc.WithTimeout(5 * time.Second)``; go-retryablehttp's
``RetryMax`` / ``RetryWaitMin`` / ``RetryWaitMax`` (its default backoff: exponential ×2 from 1 s to 30 s);
nats.go's ``MaxReconnects`` / ``ReconnectWait`` (a reconnect policy: it runs the connection again).

A duration is a ``time`` unit times a number, either way round (``30 * time.Second``,
``time.Duration(500) * time.Millisecond``, ``time.Second``). Go's retry loops are written by hand and
said in comments: those are read as prose by :func:`wiremap.document.retry.read_retry`, and this timeout
completes what they say.
"""

from __future__ import annotations

import re

from ._code import PRODUCT, Code, product
from ._draft import MAX_TEXT, Draft

__all__ = ["read_go"]

_UNIT_MS = {
    "Nanosecond": 1e-6,
    "Microsecond": 1e-3,
    "Millisecond": 1.0,
    "Second": 1000.0,
    "Minute": 60_000.0,
    "Hour": 3_600_000.0,
}
_N = rf"(?:time\.Duration\(\s*)?({PRODUCT})\)?"
_DURATION = (
    rf"(?:{_N}\s*\*\s*)?time\.(Nanosecond|Microsecond|Millisecond|Second|Minute|Hour)\b(?:\s*\*\s*{_N})?"
)
_TIMEOUTS = (
    re.compile(rf"\bTimeout\s*:\s*{_DURATION}"),  # http.Client{Timeout: …}
    re.compile(rf"\.Timeout\s*=\s*{_DURATION}"),  # client.Timeout = …
    re.compile(rf"\bcontext\.WithTimeout\(\s*[\w.()]{{1,80}}\s*,\s*{_DURATION}\s*\)"),
    re.compile(rf"\bgrpc\.WithTimeout\(\s*{_DURATION}\s*\)"),
    re.compile(rf"\bnats\.Timeout\(\s*{_DURATION}\s*\)"),  # nats.go: the connect's, and each request's
)


def _ms(m: re.Match[str]) -> float | None:
    before, unit, after = m.group(1), m.group(2), m.group(3)
    n = product(before) if before else product(after) if after else 1.0
    if n is None:
        return None
    ms = n * _UNIT_MS[unit]
    return ms if ms > 0 else None


# hashicorp/go-retryablehttp: ``client.RetryMax = 3`` (retries), ``RetryWaitMin`` / ``RetryWaitMax``
# (its default backoff: exponential from the min, ×2, capped at the max)
_RETRY_MAX = re.compile(r"\bRetryMax\s*[:=]\s*(\d{1,7})\b")
_WAIT_MIN = re.compile(rf"\bRetryWaitMin\s*[:=]\s*{_DURATION}")
_WAIT_MAX = re.compile(rf"\bRetryWaitMax\s*[:=]\s*{_DURATION}")


def _retryablehttp(code: Code) -> Draft | None:
    if (m := _RETRY_MAX.search(code.text)) is None:
        return None
    line = code.line(m.start())
    d = Draft("go-retryablehttp", line)
    d.retries(float(m.group(1)), line)
    d.set("backoff.kind", "exponential", line)
    d.set("backoff.multiplier", 2.0, line)
    low, high = _WAIT_MIN.search(code.text), _WAIT_MAX.search(code.text)
    d.set(
        "backoff.initial_ms", (_ms(low) if low else None) or 1000.0, code.line(low.start()) if low else line
    )
    d.set(
        "backoff.max_ms", (_ms(high) if high else None) or 30_000.0, code.line(high.start()) if high else line
    )
    if not re.search(r"\bCheckRetry\s*[:=]", code.text):
        # its DefaultRetryPolicy: connection errors and timeouts, 429, and 5xx but 501 (never a 401)
        d.add("retry_on_status", ["429", "500", "502", "503", "504", "5xx"], line)
        d.add("retry_on_failures", ["timeout", "connection_refused", "connection_lost", "http_status"], line)
    return d


# nats.go: ``nats.MaxReconnects(10)`` (reconnects after a lost connection; -1: for ever),
# ``nats.ReconnectWait(2*time.Second)`` (the pause between them; its default is 2 s)
_MAX_RECONNECTS = re.compile(r"\bMaxReconnects\(\s*(-?\d{1,7})\s*\)")
_RECONNECT_WAIT = re.compile(rf"\bReconnectWait\(\s*{_DURATION}\s*\)")


def _nats(code: Code) -> Draft | None:
    """A reconnect policy: what it runs again is the connection, never a publish."""
    if (m := _MAX_RECONNECTS.search(code.text)) is None or int(m.group(1)) < 0:
        return None
    line = code.line(m.start())
    d = Draft("nats-go", line)
    d.retries(float(m.group(1)), line)
    d.add("retry_on_failures", ["connection_lost", "connection_refused"], line)
    d.add("retried_calls", ["connect"], line)
    wait = _RECONNECT_WAIT.search(code.text)
    d.set("backoff.kind", "constant", line)
    d.set(
        "backoff.initial_ms",
        (_ms(wait) if wait else None) or 2000.0,
        code.line(wait.start()) if wait else line,
    )
    return d


def read_go(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT:
        return None
    code = Code(text, first_line)
    d = _retryablehttp(code) or _nats(code)
    found: list[tuple[int, float]] = []
    for pattern in _TIMEOUTS:
        for m in pattern.finditer(code.text):
            if (ms := _ms(m)) is not None:
                found.append((m.start(), ms))
    if not found:
        return d
    pos, ms = min(found)
    d = d or Draft("go", code.line(pos))
    d.set("timeout_ms", ms, code.line(pos))
    return d
