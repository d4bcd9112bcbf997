"""Rust: reqwest's per-request timeouts and reqwest-retry's policy.

- ``Client::builder().timeout(Duration::from_secs(10))`` bounds a whole request (connect included);
  ``.connect_timeout(Duration::from_millis(500))`` the connect alone (``connect_timeout_ms``).
- reqwest-retry: ``ExponentialBackoff::builder().build_with_max_retries(3)`` (3 retries; its pauses grow
  ×2 from ``retry_bounds``' first value, 1 s unless given, up to its second), and what it retries:
  timeouts, connection errors and the 5xx, 408 and 429 answers (``DefaultRetryableStrategy``).
"""

from __future__ import annotations

import re

from ._code import PRODUCT, Code, product
from ._draft import MAX_TEXT, Draft

__all__ = ["read_rust"]

_UNIT_MS = {
    "secs": 1000.0,
    "secs_f64": 1000.0,
    "secs_f32": 1000.0,
    "millis": 1.0,
    "micros": 0.001,
    "nanos": 1e-6,
}
_DURATION = rf"Duration::from_(secs_f64|secs_f32|secs|millis|micros|nanos)\(\s*({PRODUCT})\s*\)"
_TIMEOUT = re.compile(rf"\.timeout\(\s*{_DURATION}")
_CONNECT = re.compile(rf"\.connect_timeout\(\s*{_DURATION}")
_MAX_RETRIES = re.compile(r"\bbuild_with_max_retries\(\s*(\d{1,6})\s*\)")
_BOUNDS = re.compile(rf"\bretry_bounds\(\s*{_DURATION}\s*,\s*{_DURATION}\s*\)")


def _ms(unit: str, number: str) -> float | None:
    n = product(number)
    return None if n is None else n * _UNIT_MS[unit]


def read_rust(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT:
        return None
    code = Code(text, first_line)
    d: Draft | None = None
    if (m := _MAX_RETRIES.search(code.text)) is not None:
        line = code.line(m.start())
        d = Draft("reqwest-retry", line)
        d.retries(float(m.group(1)), line)
        d.set("backoff.kind", "exponential", line)
        d.set("backoff.multiplier", 2.0, line)
        bounds = _BOUNDS.search(code.text)
        first = _ms(bounds.group(1), bounds.group(2)) if bounds else 1000.0
        d.set("backoff.initial_ms", first, line)
        if bounds is not None:
            d.set("backoff.max_ms", _ms(bounds.group(3), bounds.group(4)), code.line(bounds.start()))
        d.add("retry_on_status", ["5xx", "408", "429"], line)
        d.add("retry_on_failures", ["timeout", "connection_refused", "connection_lost", "http_status"], line)
    for pattern, field in ((_TIMEOUT, "timeout_ms"), (_CONNECT, "connect_timeout_ms")):
        if (t := pattern.search(code.text)) is not None and (ms := _ms(t.group(1), t.group(2))):
            d = d or Draft("rust", code.line(t.start()))
            d.set(field, ms, code.line(t.start()))
    return d
