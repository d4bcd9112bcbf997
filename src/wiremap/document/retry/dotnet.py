"""C#: Polly's fluent policies, as .NET teams write them in ``AddPolicyHandler``.

- ``.WaitAndRetryAsync(3, attempt => TimeSpan.FromMilliseconds(200 * attempt))`` (or ``WaitAndRetry``,
  ``RetryAsync(3)``, ``Retry(3)``): 3 retries; the pause is the lambda's: ``200 * attempt`` ms is
  linear from 200 ms, ``Math.Pow(2, attempt)`` seconds exponential ×2 from 2 s, a constant
  ``TimeSpan.FromSeconds(1)`` constant; ``RetryAsync`` retries at once.
- What is retried: ``HttpPolicyExtensions.HandleTransientHttpError()`` (5xx, 408 and
  ``HttpRequestException``), ``.Handle<SomeException>()``, ``.OrResult(r => (int)r.StatusCode >= 500)``,
  ``r.StatusCode == HttpStatusCode.TooManyRequests`` (429) and the other named or numbered statuses.
- ``Policy.TimeoutAsync(TimeSpan.FromSeconds(2))`` added after the retry (so inside it) bounds each
  attempt; added before it (outside), or ``HttpClient.Timeout``, all attempts together.
- ``.CircuitBreakerAsync(5, TimeSpan.FromSeconds(30))``: open after 5 failures in a row, for 30 s.

Polly's configuration keys (``MaxRetryAttempts``, ``BackoffType`` …) are read by the config reader.
"""

from __future__ import annotations

import re

from ._code import PRODUCT, Code, closing, product
from ._draft import MAX_TEXT, Draft

__all__ = ["read_dotnet"]

_UNIT_MS = {"Milliseconds": 1.0, "Seconds": 1000.0, "Minutes": 60_000.0, "Hours": 3_600_000.0}
_SPAN = rf"TimeSpan\.From(Milliseconds|Seconds|Minutes|Hours)\(\s*({PRODUCT})\s*\)"
_RETRY = re.compile(r"\.(WaitAndRetry|Retry)(?:Async)?(?:<[^<>()]{0,80}>)?\(\s*(\d{1,6})\b")
_FOREVER = re.compile(r"\.(?:WaitAndRetry|Retry)Forever(?:Async)?\b")
# the pause lambda: ``attempt => TimeSpan.FromMilliseconds(200 * attempt)``, ``… Math.Pow(2, attempt)``
_LAMBDA = re.compile(
    r"\(?\s*(\w+)(?:\s*,\s*\w+)*\s*\)?\s*=>\s*TimeSpan\.From(Milliseconds|Seconds|Minutes|Hours)\("
)
_TIMEOUT = re.compile(rf"\bTimeout(?:Async)?(?:<[^<>()]{{0,80}}>)?\(\s*(?:{_SPAN}|(\d{{1,6}})\s*[,)])")
_CLIENT_TIMEOUT = re.compile(rf"\.Timeout\s*=\s*{_SPAN}")
_BREAKER = re.compile(rf"\.CircuitBreaker(?:Async)?(?:<[^<>()]{{0,80}}>)?\(\s*(\d{{1,6}})\s*,\s*{_SPAN}")
_HANDLE = re.compile(r"\.(?:Handle|Or)<\s*([\w.]{1,80})\s*>")
_TRANSIENT = re.compile(r"\bHandleTransientHttpError\(\)")
_STATUS_AT_LEAST = re.compile(r"StatusCode\s*>=?\s*(\d{3})")
_STATUS_NUMBER = re.compile(r"StatusCode\s*==\s*(\d{3})")
_STATUS_NAMED = re.compile(r"HttpStatusCode\.(\w+)")
_NAMED = {
    "TooManyRequests": "429",
    "RequestTimeout": "408",
    "ServiceUnavailable": "503",
    "BadGateway": "502",
    "GatewayTimeout": "504",
    "InternalServerError": "500",
    "Conflict": "409",
}


def _span_ms(unit: str, number: str) -> float | None:
    n = product(number)
    return None if n is None else n * _UNIT_MS[unit]


def _balanced(text: str, start: int) -> str | None:
    """What is between the ``(`` before ``start`` and its ``)`` (at most 200 characters)."""
    end = closing(text, start, "()", 200)
    return text[start:end].strip() if end is not None else None


def _pause(d: Draft, code: Code, m: re.Match[str]) -> None:
    """The backoff a pause lambda says (its argument is the retry's number, from 1)."""
    var, unit = m.group(1), m.group(2)
    body = _balanced(code.text, m.end())
    if body is None:
        return
    line = code.line(m.start())
    factor = _UNIT_MS[unit]
    if (n := product(body)) is not None:
        d.set("backoff.kind", "constant", line)
        d.set("backoff.initial_ms", n * factor, line)
        return
    linear = re.fullmatch(rf"(?:({PRODUCT})\s*\*\s*{var}|{var}\s*\*\s*({PRODUCT}))", body)
    if linear and (n := product(linear.group(1) or linear.group(2))) is not None:
        d.set("backoff.kind", "linear", line)
        d.set("backoff.initial_ms", n * factor, line)
        d.set("backoff.increment_ms", n * factor, line)
        return
    power = re.fullmatch(rf"(?:({PRODUCT})\s*\*\s*)?Math\.Pow\(\s*({PRODUCT})\s*,\s*{var}\s*\)", body)
    if power and (base := product(power.group(2))) is not None and base > 1:
        scale = product(power.group(1)) if power.group(1) else 1.0
        if scale is not None:
            d.set("backoff.kind", "exponential", line)
            d.set("backoff.initial_ms", scale * base * factor, line)
            d.set("backoff.multiplier", base, line)


def read_dotnet(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT:
        return None
    code = Code(text, first_line)
    src = code.text
    retry = _RETRY.search(src)
    d: Draft | None = None
    if retry is not None and not _FOREVER.search(src):
        line = code.line(retry.start())
        d = Draft("polly", line)
        d.retries(float(retry.group(2)), line)
        if retry.group(1) == "Retry":
            d.set("backoff.kind", "none", line)  # RetryAsync(n): again at once
        elif (pause := _LAMBDA.search(src, retry.end())) is not None:
            _pause(d, code, pause)
        if _TRANSIENT.search(src):
            d.add("retry_on_status", ["5xx", "408"], line)
            d.add("retry_on_exceptions", ["HttpRequestException"], line)
        d.add("retry_on_exceptions", [m.group(1).rsplit(".", 1)[-1] for m in _HANDLE.finditer(src)], line)
        statuses = [
            f"{m.group(1)[0]}xx" if m.group(1).endswith("00") else m.group(1)
            for m in _STATUS_AT_LEAST.finditer(src)
        ]
        statuses += [m.group(1) for m in _STATUS_NUMBER.finditer(src)]
        statuses += [_NAMED[m.group(1)] for m in _STATUS_NAMED.finditer(src) if m.group(1) in _NAMED]
        d.add("retry_on_status", statuses, line)
    if (t := _TIMEOUT.search(src)) is not None:
        ms = _span_ms(t.group(1), t.group(2)) if t.group(1) else float(t.group(3)) * 1000.0
        d = d or Draft("polly", code.line(t.start()))
        # a timeout policy added after the retry runs inside it: each attempt's; before it, all of them
        inside = retry is None or t.start() > retry.start()
        d.set("timeout_ms" if inside else "deadline_ms", ms, code.line(t.start()))
    if (c := _CLIENT_TIMEOUT.search(src)) is not None and (ms := _span_ms(c.group(1), c.group(2))):
        d = d or Draft("polly", code.line(c.start()))
        d.set("deadline_ms" if retry is not None else "timeout_ms", ms, code.line(c.start()))
    if (b := _BREAKER.search(src)) is not None:
        d = d or Draft("polly", code.line(b.start()))
        d.set("breaker.failure_threshold", int(b.group(1)), code.line(b.start()))
        d.set("breaker.cool_down_ms", _span_ms(b.group(2), b.group(3)), code.line(b.start()))
    return d
