"""What a reader collects while it reads one Retry Strategy, field by field with the doc line of each.

Shared by every form's reader: the draft, durations written the ways configs write them, status codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...model import CircuitBreaker, RetryBackoff, RetryPolicy

__all__ = ["MAX_TEXT", "Draft", "duration_ms", "grpc_codes", "status_codes"]

MAX_TEXT = 20_000  # a Retry Strategy is a few lines: beyond this it is not read (untrusted input)
_MAX_ATTEMPTS = 1_000_000

_BACKOFF_KEYS = frozenset(RetryBackoff.model_fields)
_BREAKER_KEYS = {"failure_threshold", "failure_rate_percent", "cool_down_ms"}


@dataclass(slots=True)
class Draft:
    """Fields read so far; the first value read for a field is kept (and its line)."""

    form: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    unread_text: list[tuple[str, int]] = field(default_factory=list)  # (sentence, line): read no further
    # pauses written out one by one ("back off 250ms, 500ms, 1s"), and the line: the count of retries when
    # no count is said (a reader of prose sets it; no model field of its own)
    listed_pauses: tuple[int, int] | None = None

    def set(self, name: str, value: Any, line: int, *, replace: bool = False) -> None:
        if value is None or (name in self.values and not replace):
            return
        if isinstance(value, float) and name.endswith("_ms"):
            value = round(value, 6)  # 0.1 s + 0.2 s is 300 ms, not 300.00000000000006
        self.values[name] = value
        self.lines.setdefault(name, line)

    def add(self, name: str, items: list[str], line: int) -> None:
        if items:
            have = self.values.setdefault(name, [])
            have.extend(x for x in items if x not in have)
            self.lines.setdefault(name, line)

    def unread(self, sentence: str, line: int) -> None:
        """A sentence that says something about the strategy (a duration) this reader did not understand."""
        # once per sentence: "… (how many times is not said)" already lists it
        listed = any(s.startswith(sentence) for s, _ in self.unread_text)
        if sentence and len(self.unread_text) < 20 and not listed:
            self.unread_text.append((sentence, line))

    def merge(self, other: Draft) -> None:
        """Fields only ``other`` read, and what it did not understand, join this draft's."""
        for key, value in other.values.items():
            if isinstance(value, list):
                self.add(key, value, other.lines[key])
            else:
                self.set(key, value, other.lines[key])
        for sentence, line in other.unread_text:
            self.unread(sentence, line)
        self.line = min(self.line, other.line)

    def attempts(self, total: float | None, line: int) -> None:
        """Total attempts, the first call included."""
        if total is not None and 1 <= total <= _MAX_ATTEMPTS and float(total).is_integer():
            self.set("max_attempts", int(total), line)

    def retries(self, count: float | None, line: int) -> None:
        """Retries after the first call."""
        if count is not None and 0 <= count < _MAX_ATTEMPTS and float(count).is_integer():
            self.set("max_attempts", int(count) + 1, line)

    def empty(self) -> bool:
        return not self.values

    def policy(self) -> RetryPolicy:
        v = dict(self.values)
        backoff = {k[len("backoff.") :]: v.pop(k) for k in list(v) if k.startswith("backoff.")}
        breaker = {k[len("breaker.") :]: v.pop(k) for k in list(v) if k.startswith("breaker.")}
        lines = {_public(k): n for k, n in self.lines.items()}
        if (attempts := v.get("max_attempts")) is not None:
            v["retries"] = attempts - 1
            lines["retries"] = lines["max_attempts"]
        for n, (_, line) in enumerate(self.unread_text):
            lines[f"unread.{n}"] = line
        backoff = {k: x for k, x in backoff.items() if k in _BACKOFF_KEYS}
        breaker = {k: x for k, x in breaker.items() if k in _BREAKER_KEYS}
        return RetryPolicy(
            form=self.form,
            backoff=RetryBackoff(**backoff),
            circuit_breaker=CircuitBreaker(**breaker) if breaker else None,
            line=self.line,
            lines=lines,
            unread=[sentence for sentence, _ in self.unread_text],
            **v,
        )


def _public(key: str) -> str:
    return key.replace("breaker.", "circuit_breaker.")


_DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)?\s*$",
    re.IGNORECASE,
)
_UNITS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_ISO = re.compile(r"^\s*PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?\s*$", re.IGNORECASE)
_TIMESPAN = re.compile(r"^\s*(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)\s*$")


def _unit(word: str) -> float:
    w = word.lower()
    if w in _UNITS:
        return _UNITS[w]
    if w.startswith("milli"):
        return 1.0
    return _UNITS.get(w[0], 1.0) if w[0] in "smh" else 1.0


def duration_ms(value: Any, bare_unit_ms: float) -> float | None:
    """``0.1`` (in the bare unit), ``"0.1s"``, ``"500ms"``, ``"PT0.5S"``, ``"00:00:02"`` -> milliseconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        ms = float(value) * bare_unit_ms
        return ms if 0 <= ms < 1e15 else None
    if not isinstance(value, str) or len(value) > 40:
        return None
    if m := _DURATION.match(value):
        ms = float(m.group(1)) * (_unit(m.group(2)) if m.group(2) else bare_unit_ms)
    elif (m := _ISO.match(value)) and any(m.groups()):
        h, mi, s = (float(x or 0) for x in m.groups())
        ms = (h * 3600 + mi * 60 + s) * 1000
    elif m := _TIMESPAN.match(value):
        d, h, mi, s = float(m.group(1) or 0), float(m.group(2)), float(m.group(3)), float(m.group(4))
        ms = (((d * 24 + h) * 60 + mi) * 60 + s) * 1000
    else:
        return None
    return round(ms, 6) if ms < 1e15 else None


_STATUS = re.compile(r"\b([1-5](?:\d\d|xx|XX))\b")


def status_codes(values: Any) -> list[str]:
    """HTTP statuses from ints, strings (``"503"``, ``"5xx"``) or lists of them."""
    items = values if isinstance(values, list | tuple | set | frozenset) else [values]
    out: list[str] = []
    for x in list(items)[:100]:
        if isinstance(x, int) and not isinstance(x, bool) and 100 <= x <= 599:
            out.append(str(x))
        elif isinstance(x, str):
            out.extend(m.lower() for m in _STATUS.findall(x))
    return sorted(set(out), key=out.index)


GRPC_CODES = frozenset(
    {
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    }
)


def grpc_codes(values: Any) -> list[str]:
    """gRPC status names (any case, as gRPC service configs accept them)."""
    items = values if isinstance(values, list | tuple) else [values]
    out = [x.upper() for x in list(items)[:100] if isinstance(x, str) and x.upper() in GRPC_CODES]
    return list(dict.fromkeys(out))
