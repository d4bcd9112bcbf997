"""A Retry Strategy said in words: "retry up to 5 times, 1 s apart", "3 retries with exponential backoff
starting at 100 ms", "no retries: the nightly run is re-triggered".

"N retries" / "retry N times" count retries; "N attempts" / "tries N times" count every attempt. Read
with regexes, sentence by sentence; what they do not find stays unread.
"""

from __future__ import annotations

import re

from ...values import parse_duration_ms
from ._draft import MAX_TEXT, Draft, grpc_codes, status_codes

__all__ = ["read_prose"]

_N = r"(\d{1,6}|one|two|three|four|five|six|seven|eight|nine|ten)"
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "once": 1,
    "twice": 2,
    "thrice": 3,
}
_DUR = r"(\d+(?:\.\d+)?\s*(?:ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)\b)"
_I = re.IGNORECASE

_NONE = re.compile(
    r"\b(?:no (?:automatic |auto[- ])?retr(?:y|ies)|not retried|never retried|without retr(?:y|ies)|"
    r"does not retry|doesn't retry|do not retry|don't retry|is not retried)\b",
    _I,
)
_RETRIES = re.compile(
    rf"\b(?:retr(?:y|ies|ied)\s+(?:up\s+to\s+|at\s+most\s+|max(?:imum)?\s+)?{_N}\s+times|"
    rf"(?:up\s+to\s+|at\s+most\s+|max(?:imum)?\s+)?{_N}\s+retr(?:y|ies)|retries\s*[:=]\s*{_N})\b",
    _I,
)
_ONCE = re.compile(r"\bretr(?:y|ies|ied)\s+(once|twice|thrice)\b", _I)
_ATTEMPTS = re.compile(
    rf"\b(?:(?:up\s+to\s+|at\s+most\s+|max(?:imum)?\s+)?{_N}\s+(?:total\s+)?(?:attempts|tries)|"
    rf"tries\s+{_N}\s+times|attempts\s*[:=]\s*{_N})\b",
    _I,
)
_APART = re.compile(
    rf"{_DUR}\s+(?:apart|between\s+(?:attempts|retries|tries))|"
    rf"(?:every|wait(?:ing)?|pause|sleep(?:ing)?)\s+(?:of\s+)?{_DUR}",
    _I,
)
_EXPO = re.compile(r"\bexponential(?:ly)?\b|\bdoubling\b|\bdoubles\b", _I)
_LINEAR = re.compile(r"\blinear(?:ly)?\b", _I)
_START = re.compile(
    rf"(?:start(?:ing|s)?\s+at|initial(?:ly)?(?:\s+(?:backoff|delay|wait))?(?:\s+of)?|from)\s+{_DUR}|"
    rf"{_DUR}\s+initial",
    _I,
)
_CAP = re.compile(
    rf"(?:capped\s+at|cap(?:ped)?\s+of|max(?:imum)?\s+(?:backoff|delay|wait|pause)?\s*(?:of\s+)?|"
    rf"at\s+most\s+)\s*{_DUR}",
    _I,
)
_MULT = re.compile(
    r"(?:multiplier|factor)\s+(?:of\s+)?(\d+(?:\.\d+)?)|\bx\s?(\d+(?:\.\d+)?)\b|×\s?(\d+(?:\.\d+)?)", _I
)
_JITTER = re.compile(r"\b(full|equal|decorrelated)?\s*jitter\b", _I)
_TIMEOUT = re.compile(
    rf"{_DUR}\s+(?:per[- ](?:attempt|try|call)\s+)?timeout(?:\s+per[- ](?:attempt|try|call))?|"
    rf"timeout\s+(?:of\s+)?{_DUR}(?:\s+per[- ](?:attempt|try|call))?",
    _I,
)
_DEADLINE = re.compile(
    rf"(?:deadline|overall\s+(?:timeout|budget)|total\s+(?:timeout|budget)|give[s]?\s+up\s+after|"
    rf"in\s+total\s+(?:of\s+)?)\s+(?:of\s+)?{_DUR}|{_DUR}\s+(?:deadline|overall|in\s+total)",
    _I,
)
_BREAKER = re.compile(r"circuit[- ]?breaker([^.;\n]*)", _I)
_BREAKER_AFTER = re.compile(
    rf"after\s+{_N}\s+(?:consecutive\s+)?(?:failures|errors)|{_N}\s+(?:consecutive\s+)?"
    rf"(?:failures|errors)",
    _I,
)
_BREAKER_OPEN = re.compile(rf"(?:for|cool[- ]?down(?:\s+of)?|open\s+for|reset\s+after)\s+{_DUR}", _I)
_FALLBACK = re.compile(r"(?:fall(?:s|ing)?\s*back\s+(?:to|on)\s+|fallback\s*[:=]?\s*)([^.;\n]+)", _I)
_NONE_BECAUSE = re.compile(
    r"\bno (?:automatic |auto[- ])?retr(?:y|ies)\b[^:;,—–\n]{0,20}[:;,—–]+\s*([^.\n]+)", _I
)
# "none: the nightly run sends the day again", "No. The job is re-run", "n/a - replayed from the log"
_NONE_LEAD = re.compile(r"^\s*(?:none|no|never|n/a)\s*[:;,.—–-]\s*(.*)$", _I)
_STATUS = re.compile(
    r"\b[1-5](?:\d\d|xx)\b(?!\s*(?:ms|s|sec|secs|seconds?|milliseconds?|m|mins?|minutes?|%)\b)", _I
)
_RETRY_WORD = re.compile(r"\bretr|\battempt|\bbackoff|\bback off|\bcircuit|\btries\b", _I)


def _n(text: str) -> int | None:
    t = text.lower()
    return _WORDS.get(t) or (int(t) if t.isdigit() else None)


def _first(m: re.Match[str] | None) -> str | None:
    return next((g for g in m.groups() if g), None) if m else None


def read_prose(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT:
        return None
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    if m := _NONE_LEAD.match(first):
        d = Draft("prose", first_line + text.split("\n").index(first))
        d.retries(0, d.line)
        d.set("backoff.kind", "none", d.line)
        d.set("fallback", m.group(1).strip().rstrip(".") or None, d.line)
        return d
    if not _RETRY_WORD.search(text):
        return None
    d = Draft("prose", first_line)
    for n, line_text in enumerate(text.split("\n")[:500]):
        _line(d, line_text, first_line + n)
    if d.empty():
        return None
    multiplier = d.values.get("backoff.multiplier")
    if "backoff.kind" not in d.values and multiplier is not None:
        d.set("backoff.kind", "exponential" if multiplier > 1 else "constant", d.lines["backoff.multiplier"])
    return d


def _line(d: Draft, t: str, line: int) -> None:
    if _NONE.search(t):
        d.retries(0, line)
        d.set("backoff.kind", "none", line)
        if m := _NONE_BECAUSE.search(t):
            d.set("fallback", m.group(1).strip().rstrip(".") or None, line)
    if (m := _RETRIES.search(t)) and (g := _first(m)) is not None:
        d.retries(_n(g), line)
    if m := _ONCE.search(t):
        d.retries(_WORDS[m.group(1).lower()], line)
    if (m := _ATTEMPTS.search(t)) and (g := _first(m)) is not None:
        d.attempts(_n(g), line)
    if _EXPO.search(t):
        d.set("backoff.kind", "exponential", line)
        if re.search(r"doubl", t, _I):
            d.set("backoff.multiplier", 2.0, line)
    elif _LINEAR.search(t):
        d.set("backoff.kind", "linear", line)
    if (m := _START.search(t)) and (g := _first(m)):
        d.set("backoff.initial_ms", parse_duration_ms(g), line)
    if (m := _APART.search(t)) and (g := _first(m)):
        d.set("backoff.kind", "constant", line)
        d.set("backoff.initial_ms", parse_duration_ms(g), line)
    if (m := _CAP.search(t)) and (g := _first(m)):
        d.set("backoff.max_ms", parse_duration_ms(g), line)
    if (m := _MULT.search(t)) and (g := _first(m)):
        d.set("backoff.multiplier", float(g), line)
    if m := _JITTER.search(t):
        d.set("backoff.jitter", (m.group(1) or "yes").lower(), line)
    deadline = _DEADLINE.search(t)
    if deadline and (g := _first(deadline)):
        d.set("deadline_ms", parse_duration_ms(g), line)
    for m in _TIMEOUT.finditer(t):
        if (g := _first(m)) and not (deadline and m.start() < deadline.end() and deadline.start() < m.end()):
            d.set("timeout_ms", parse_duration_ms(g), line)
    if m := _BREAKER.search(t):
        if (g := _first(_BREAKER_AFTER.search(m.group(1)))) is not None:
            d.set("breaker.failure_threshold", _n(g), line)
        if (g := _first(_BREAKER_OPEN.search(m.group(1)))) is not None:
            d.set("breaker.cool_down_ms", parse_duration_ms(g), line)
    if m := _FALLBACK.search(t):
        d.set("fallback", m.group(1).strip() or None, line)
    if re.search(r"\bretr", t, _I):
        d.add("retry_on_status", status_codes(_STATUS.findall(t)), line)
        d.add("retry_on_grpc_codes", grpc_codes(re.findall(r"\b[A-Z][A-Z_]{4,}\b", t)), line)
