"""Go: the per-attempt timeout of ``http.Client{Timeout: 30 * time.Second}`` (or ``client.Timeout = …``),
``context.WithTimeout(ctx, 2*time.Second)`` and ``grpc.WithTimeout(5 * time.Second)``; go-retryablehttp's
``RetryMax`` / ``RetryWaitMin`` / ``RetryWaitMax`` (its default backoff: exponential ×2 from 1 s to 30 s);
nats.go's ``MaxReconnects`` / ``ReconnectWait`` (a reconnect policy: it runs the connection again).

A duration is a ``time`` unit times a number, either way round (``30 * time.Second``,
``time.Duration(500) * time.Millisecond``, ``time.Second``). Go's retry loops are written by hand and
said in comments (read as prose by :func:`wiremap.document.retry.read_retry`) or counted loops around a call
with a ``time.Sleep`` (read here); this timeout
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
    check = re.search(r"\bCheckRetry\s*[:=]\s*([\w.]+)", code.text)
    if check is None or check.group(1).rsplit(".", 1)[-1] in (
        "DefaultRetryPolicy",
        "ErrorPropagatedRetryPolicy",
    ):
        # its DefaultRetryPolicy (also when set by name: round 30 read it as no status at all): connection
        # errors and timeouts, 429, and 5xx but 501 (never a 401)
        d.add("retry_on_status", ["429", "500", "502", "503", "504", "5xx"], line)
        d.add("not_retried_status", ["501"], line)
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


# a counted loop around a call, sleeping between tries: ``for i := 0; i < 3; i++ { … time.Sleep(…) }``
# (round 30: read as nothing, no ERR001 either). The sleep's duration is the pause: constant
# (``200 * time.Millisecond``), linear in the counter (``time.Duration(i+1) * 100 * time.Millisecond``)
# or doubling (``time.Duration(1<<i) * 100 * time.Millisecond``).
_LOOP = re.compile(r"\bfor\s+(\w+)\s*:=\s*(\d{1,3})\s*;\s*\1\s*(<=?)\s*(\d{1,3})\s*;\s*\1\s*\+\+\s*\{")
_SLEEP = re.compile(r"\btime\.Sleep\(\s*(.{1,120}?)\)\s*(?:\n|;|$)", re.MULTILINE)
_SLEEP_LINEAR = re.compile(r"time\.Duration\(\s*(\w+)\s*\+\s*1\s*\)\s*\*\s*(\d{1,6})\s*\*\s*time\.(\w+)")
_SLEEP_DOUBLING = re.compile(
    r"time\.Duration\(\s*(?:1\s*<<\s*(?:uint\()?(\w+)\)?|math\.Pow\(\s*2\s*,\s*float64\(\s*(\w+)\s*\)\s*\))\s*\)"
    r"\s*\*\s*(\d{1,6})\s*\*\s*time\.(\w+)"
)
_CALL = re.compile(r"\b[\w.]+\.(?:Do|Get|Post|Invoke|Call|Publish|Send|Exec|Query|Dial|Connect)\w*\(")


def _loop(code: Code) -> Draft | None:
    m = _LOOP.search(code.text)
    if m is None:
        return None
    body = code.text[m.end() : m.end() + 2000]
    if _CALL.search(body) is None:
        return None
    counter, start, op, end = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
    attempts = end - start + (1 if op == "<=" else 0)
    if not 1 <= attempts <= 100:
        return None
    line = code.line(m.start())
    d = Draft("go", line)
    d.attempts(attempts, line)
    if (sleep := _SLEEP.search(body)) is None:
        d.set("backoff.kind", "none", line)
        return d
    arg = sleep.group(1)
    at = code.line(m.end() + sleep.start())
    if (lin := _SLEEP_LINEAR.search(arg)) and lin.group(1) == counter and lin.group(3) in _UNIT_MS:
        step = float(lin.group(2)) * _UNIT_MS[lin.group(3)]
        d.set("backoff.kind", "linear", at)
        d.set("backoff.initial_ms", step * (start + 1), at)
        d.set("backoff.increment_ms", step, at)
    elif (
        (dbl := _SLEEP_DOUBLING.search(arg))
        and counter in (dbl.group(1), dbl.group(2))
        and dbl.group(4) in _UNIT_MS
    ):
        d.set("backoff.kind", "exponential", at)
        d.set("backoff.initial_ms", float(dbl.group(3)) * _UNIT_MS[dbl.group(4)] * 2**start, at)
        d.set("backoff.multiplier", 2.0, at)
    elif (
        not re.search(rf"\b{re.escape(counter)}\b", arg)
        and (dur := re.search(_DURATION, arg))
        and (ms := _ms(dur)) is not None
    ):
        d.set("backoff.kind", "constant", at)
        d.set("backoff.initial_ms", ms, at)
    else:
        d.unread(f"time.Sleep({arg})", at)
    return d


def read_go(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT:
        return None
    code = Code(text, first_line)
    d = _retryablehttp(code) or _nats(code) or _loop(code)
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
