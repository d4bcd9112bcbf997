"""Java and Kotlin: Spring Retry's ``@Retryable``, resilience4j's ``RetryConfig`` builder, and the
per-attempt timeouts of the common HTTP clients.

- ``@Retryable(maxAttempts = 3, backoff = @Backoff(delay = 100, multiplier = 2))``: ``maxAttempts``
  counts every call (default 3); ``@Backoff`` waits ``delay`` (or ``value``) ms, 1000 when not said,
  times ``multiplier`` after each retry when it is above 1 (then at most ``maxDelay``, default 30 s);
  ``random = true`` is jitter; ``retryFor`` / ``include`` / ``value`` name the exceptions retried.
- ``RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(500))`` and
  ``IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2)``.
- Project Reactor: ``Retry.backoff(3, Duration.ofMillis(100))`` (3 retries, exponential ×2, jitter 0.5
  unless ``.jitter(0)``, ``.maxBackoff(…)``), ``Retry.fixedDelay(3, …)``, ``Retry.max(3)``.
- Ktor's ``HttpRequestRetry``: ``retryOnServerErrors(maxRetries = 3)``, ``retryOnException(…)``,
  ``exponentialDelay()`` (2 s, 4 s … at most 60 s, jittered) and ``constantDelay(millis = …)``.
- Timeouts: ``.timeout(Duration.ofSeconds(2))`` (``java.net.http``, WebClient), ``.callTimeout(…)``,
  ``.timeoutDuration(…)`` (TimeLimiter), ``setResponseTimeout(…)``, Ktor's ``requestTimeoutMillis = …``
  bound a whole attempt; without one, a connect timeout and a read (socket) timeout add up, as both can
  run out (``.connectTimeout(10, TimeUnit.SECONDS)``, ``.setConnectTimeout(5000)``, ``.readTimeout(…)``).
  A connect timeout alone bounds the connect, not the call: it is ``connect_timeout_ms``, no per-attempt
  timeout.
  A duration is ``Duration.ofSeconds(30)``, ``Timeout.ofSeconds(30)``, ``30.seconds``,
  ``30, TimeUnit.SECONDS`` or a bare number of milliseconds.
"""

from __future__ import annotations

import re

from ._code import NUM, PRODUCT, Code, product
from ._draft import MAX_TEXT, Draft

__all__ = ["read_jvm"]

_UNIT_MS = {
    "nanos": 1e-6,
    "nanoseconds": 1e-6,
    "micros": 1e-3,
    "microseconds": 1e-3,
    "millis": 1.0,
    "milliseconds": 1.0,
    "seconds": 1000.0,
    "minutes": 60_000.0,
    "hours": 3_600_000.0,
}
# Duration.ofSeconds(30) | Timeout.ofMilliseconds(500) | 30.seconds | 30, TimeUnit.SECONDS | 5000 (ms)
_DURATION = (
    rf"(?:(?:Duration|Timeout)\.of(Nanos|Micros|Millis|Milliseconds|Seconds|Minutes|Hours)\(\s*({PRODUCT})\s*\)|"
    rf"({NUM})\.(nanoseconds|microseconds|milliseconds|seconds|minutes|hours)\b|"
    rf"({PRODUCT})\s*,\s*(?:TimeUnit\.)?(NANOSECONDS|MICROSECONDS|MILLISECONDS|SECONDS|MINUTES|HOURS)\b|"
    rf"({PRODUCT})(?=\s*[),;\n]))"
)
_CALL = (
    re.compile(
        r"\.(?:timeout|callTimeout|requestTimeout|setRequestTimeout|timeoutDuration|responseTimeout|"
        rf"setResponseTimeout)\(\s*{_DURATION}"
    ),
    re.compile(rf"\bwithTimeout(?:OrNull)?\(\s*{_DURATION}"),  # Kotlin coroutines
    re.compile(rf"\brequestTimeoutMillis\s*=\s*({PRODUCT})"),  # Ktor
)
_CONNECT = (
    re.compile(rf"\.(?:connectTimeout|setConnectTimeout|setConnectionTimeout)\(\s*{_DURATION}"),
    re.compile(rf"\bconnectTimeoutMillis\s*=\s*({PRODUCT})"),
)
_READ = (
    re.compile(rf"\.(?:readTimeout|setReadTimeout|socketTimeout|setSocketTimeout)\(\s*{_DURATION}"),
    re.compile(rf"\bsocketTimeoutMillis\s*=\s*({PRODUCT})"),
)
_RETRYABLE = re.compile(r"@Retryable\b\s*(\()?")
_MAX_ATTEMPTS = re.compile(r"\bmaxAttempts\s*[=(]\s*(\d{1,7})\b")
_BACKOFF = re.compile(r"\bbackoff\s*=\s*@?Backoff\s*\(([^()]{0,400})\)")
_EXCEPTIONS = re.compile(r"\b(?:retryFor|include|value)\s*=\s*(?:\{|\[|arrayOf\()?([^}\])=]{0,400})")
_CLASS = re.compile(r"([A-Za-z_][\w.]*)(?:\.class|::class)")
_R4J = re.compile(r"\bRetryConfig\b")
_WAIT = re.compile(rf"\.waitDuration\(\s*{_DURATION}")
_EXPO = re.compile(
    rf"\bofExponential(?:Random)?Backoff\(\s*(?:{_DURATION})?(?:\s*,\s*({NUM}))?(?:\s*,\s*({NUM}))?"
)


def _ms(m: re.Match[str], first: int = 1) -> float | None:
    """The duration a :data:`_DURATION` match (its groups from ``first``) says, in milliseconds."""
    g = [m.group(first + i) for i in range(7)]
    if g[0] and g[1]:
        n, unit = product(g[1]), _UNIT_MS[g[0].lower()]
    elif g[2] and g[3]:
        n, unit = product(g[2]), _UNIT_MS[g[3]]
    elif g[4] and g[5]:
        n, unit = product(g[4]), _UNIT_MS[g[5].lower()]
    elif g[6]:
        n, unit = product(g[6]), 1.0
    else:
        return None
    return None if n is None or n <= 0 else n * unit


def _limit(patterns: tuple[re.Pattern[str], ...], code: Code) -> tuple[float, int] | None:
    """The first timeout (ms, line) one of the patterns finds in the code."""
    found: list[tuple[int, float]] = []
    for pattern in patterns:
        for m in pattern.finditer(code.text):
            ms = _ms(m) if pattern.groups > 1 else product(m.group(1))
            if ms:
                found.append((m.start(), ms))
                break
    if not found:
        return None
    pos, ms = min(found)
    return ms, code.line(pos)


def _parens(text: str, start: int) -> str:
    """What the parenthesis opening at ``start`` holds, up to its match (at most 2000 characters)."""
    depth = 0
    for i in range(start, min(len(text), start + 2000)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i]
    return text[start + 1 : start + 2000]


def _kv(name: str, text: str) -> float | None:
    m = re.search(rf"\b{name}\s*=\s*({NUM})", text)
    return product(m.group(1)) if m else None


def _spring(code: Code) -> Draft | None:
    m = _RETRYABLE.search(code.text)
    if m is None:
        return None
    line = code.line(m.start())
    args = _parens(code.text, m.start(1)) if m.group(1) else ""
    d = Draft("spring-retry", line)
    attempts = _MAX_ATTEMPTS.search(args)
    d.attempts(float(attempts.group(1)) if attempts else 3.0, line)
    backoff = _BACKOFF.search(args)
    b = backoff.group(1) if backoff else ""
    delay = _kv("delay", b) or _kv("value", b) or 1000.0
    multiplier = _kv("multiplier", b)
    max_delay = _kv("maxDelay", b)
    if multiplier is not None and multiplier > 1:
        d.set("backoff.kind", "exponential", line)
        d.set("backoff.multiplier", multiplier, line)
        d.set("backoff.max_ms", max_delay if max_delay and max_delay > delay else 30_000.0, line)
    elif max_delay and max_delay > delay:
        d.set("backoff.kind", "other", line)  # a random pause between delay and maxDelay
    else:
        d.set("backoff.kind", "constant", line)
    d.set("backoff.initial_ms", delay, line)
    if re.search(r"\brandom\s*=\s*true\b", b):
        d.set("backoff.jitter", "yes", line)
    unbacked = args[: backoff.start()] + args[backoff.end() :] if backoff else args
    if exc := _EXCEPTIONS.search(unbacked):
        d.add("retry_on_exceptions", _CLASS.findall(exc.group(1))[:50], line)
    return d


def _resilience4j(code: Code) -> Draft | None:
    if not _R4J.search(code.text):
        return None
    attempts, wait, expo = (p.search(code.text) for p in (_MAX_ATTEMPTS, _WAIT, _EXPO))
    if attempts is None and wait is None and expo is None:
        return None
    first = min(x.start() for x in (attempts, wait, expo) if x is not None)
    d = Draft("resilience4j", code.line(first))
    if attempts:
        d.attempts(float(attempts.group(1)), code.line(attempts.start()))
    else:
        d.attempts(3.0, d.line)  # resilience4j's default
    if expo:
        line = code.line(expo.start())
        d.set("backoff.kind", "exponential", line)
        d.set("backoff.initial_ms", _ms(expo) or 500.0, line)
        multiplier = product(expo.group(8)) if expo.group(8) else None
        d.set("backoff.multiplier", multiplier or 1.5, line)
        if "Random" in expo.group(0):
            d.set("backoff.jitter", "proportional", line)
    if wait and (ms := _ms(wait)) is not None:
        d.set("backoff.kind", "constant", code.line(wait.start()))
        d.set("backoff.initial_ms", ms, code.line(wait.start()))
    if not expo and not wait:
        d.set("backoff.kind", "constant", d.line)
        d.set("backoff.initial_ms", 500.0, d.line)  # resilience4j's default wait
    return d


# Project Reactor's retry specs: ``Retry.backoff(3, Duration.ofMillis(100))`` (exponential, ×2 with
# jitter 0.5 by default), ``Retry.fixedDelay(3, Duration.ofSeconds(1))``, ``Retry.max(3)``; ``.maxBackoff(…)``
_REACTOR = re.compile(rf"\bRetry\.(backoff|fixedDelay)\(\s*(\d{{1,7}})L?\s*,\s*{_DURATION}")
_REACTOR_MAX = re.compile(r"\bRetry\.(?:max|maxInARow)\(\s*(\d{1,7})L?\s*\)")
_MAX_BACKOFF = re.compile(rf"\.maxBackoff\(\s*{_DURATION}")
_JITTER = re.compile(rf"\.jitter\(\s*({NUM})\s*\)")


def _reactor(code: Code) -> Draft | None:
    if (m := _REACTOR.search(code.text)) is not None:
        line = code.line(m.start())
        d = Draft("reactor", line)
        d.retries(float(m.group(2)), line)
        d.set("backoff.initial_ms", _ms(m, 3), line)
        if m.group(1) == "backoff":
            d.set("backoff.kind", "exponential", line)
            d.set("backoff.multiplier", 2.0, line)
            jitter = _JITTER.search(code.text)
            factor = product(jitter.group(1)) if jitter else 0.5
            d.set("backoff.jitter", "proportional" if factor else "none", line)
            if (cap := _MAX_BACKOFF.search(code.text)) is not None:
                d.set("backoff.max_ms", _ms(cap), code.line(cap.start()))
        else:
            d.set("backoff.kind", "constant", line)
        return d
    if (m := _REACTOR_MAX.search(code.text)) is not None:
        line = code.line(m.start())
        d = Draft("reactor", line)
        d.retries(float(m.group(1)), line)
        d.set("backoff.kind", "none", line)
        return d
    return None


# Ktor's HttpRequestRetry: ``retryOnServerErrors(maxRetries = 3)`` (5xx), ``retryOnException(maxRetries =
# 3, retryOnTimeout = true)``, ``retryOnServerErrorsIfNot…``; ``exponentialDelay()`` waits base^n s (base 2,
# so 2 s, 4 s …, at most 60 s, plus up to 1 s at random), ``constantDelay(millis = 500)``
_KTOR = re.compile(r"\bretryOn(ServerErrors|Exception|ExceptionOrServerErrors)\s*\(([^()]{0,200})\)")
_KTOR_MAX = re.compile(r"\bmaxRetries\s*=\s*(\d{1,6})\b|^\s*(\d{1,6})\s*(?:,|$)")
_KTOR_EXPO = re.compile(r"\bexponentialDelay\s*\(([^()]{0,200})\)")
_KTOR_CONSTANT = re.compile(r"\bconstantDelay\s*\(\s*(?:millis\s*=\s*)?(\d{1,9})")


def _ktor(code: Code) -> Draft | None:
    m = _KTOR.search(code.text)
    if m is None:
        return None
    line = code.line(m.start())
    d = Draft("ktor", line)
    count = _KTOR_MAX.search(m.group(2))
    d.retries(float(count.group(1) or count.group(2)) if count else 3.0, line)  # Ktor's default: 3
    if m.group(1) in ("ServerErrors", "ExceptionOrServerErrors"):
        d.add("retry_on_status", ["5xx"], line)
    if m.group(1) == "ServerErrors":
        d.add("retry_on_failures", ["http_status"], line)
    if (e := _KTOR_EXPO.search(code.text)) is not None:
        base = re.search(r"\bbase\s*=\s*(\d+(?:\.\d+)?)", e.group(1))
        b = float(base.group(1)) if base else 2.0
        cap = re.search(r"\bmaxDelayMs\s*=\s*(\d{1,9})", e.group(1))
        d.set("backoff.kind", "exponential", code.line(e.start()))
        d.set("backoff.initial_ms", b * 1000.0, code.line(e.start()))
        d.set("backoff.multiplier", b, code.line(e.start()))
        d.set("backoff.max_ms", float(cap.group(1)) if cap else 60_000.0, code.line(e.start()))
        d.set("backoff.jitter", "yes", code.line(e.start()))
    elif (c := _KTOR_CONSTANT.search(code.text)) is not None:
        d.set("backoff.kind", "constant", code.line(c.start()))
        d.set("backoff.initial_ms", float(c.group(1)), code.line(c.start()))
    return d


def read_jvm(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT:
        return None
    code = Code(text, first_line)
    d = _spring(code) or _resilience4j(code) or _reactor(code) or _ktor(code)
    call = _limit(_CALL, code)
    connect, read = _limit(_CONNECT, code), _limit(_READ, code)
    # a connect timeout alone bounds the connect, not the call: it is no per-attempt timeout
    parts = [x for x in (connect, read) if x is not None] if read is not None else []
    timeout = call or ((sum(ms for ms, _ in parts), min(line for _, line in parts)) if parts else None)
    if timeout is None and connect is None:
        return d
    if d is None:
        d = Draft("jvm", min(x[1] for x in (timeout, connect) if x is not None))
    if timeout is not None:
        d.set("timeout_ms", timeout[0], timeout[1])
    if connect is not None:
        d.set("connect_timeout_ms", connect[0], connect[1])
    if call is None and read is not None and connect is not None:
        d.set("read_timeout_ms", read[0], read[1])  # the part after the connect (their sum is the timeout)
    return d
