"""Reading the values people write: durations, rates, dates, yes/no, host:port, protocols.

Pure functions of a string; ``None`` means "could not read it" (a lint finding
upstream), never an exception.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from typing import Any

__all__ = [
    "ambiguous_number",
    "is_placeholder_text",
    "parse_bool",
    "parse_date",
    "parse_destination",
    "parse_direction",
    "parse_duration_ms",
    "parse_json",
    "parse_protocol",
    "parse_rate_per_s",
    "parse_source_ref",
    "says_no_command",
    "slugify",
    "split_note",
    "strip_code",
]

_NUM = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
_NUMBER = re.compile(r"[~≈<>≤≥]?\s*(?:about\s+|approx\.?\s+)?" + _NUM + r"\s*([kKmM](?![a-zA-Z]))?")

_DURATION_UNITS: dict[str, float] = {
    "ns": 1e-6,
    "nanosecond": 1e-6,
    "µs": 1e-3,
    "μs": 1e-3,
    "us": 1e-3,
    "microsecond": 1e-3,
    "ms": 1.0,
    "msec": 1.0,
    "millisecond": 1.0,
    "millis": 1.0,
    "milli": 1.0,
    "s": 1000.0,
    "sec": 1000.0,
    "second": 1000.0,
    "m": 60_000.0,
    "min": 60_000.0,
    "minute": 60_000.0,
    "h": 3_600_000.0,
    "hr": 3_600_000.0,
    "hour": 3_600_000.0,
    # the units' words in German, Spanish, French, Italian and Portuguese (a team's own prose)
    "millisekunde": 1.0,
    "millisekunden": 1.0,
    "milisegundo": 1.0,
    "milliseconde": 1.0,
    "millisecondo": 1.0,
    "millisecondi": 1.0,
    "sekunde": 1000.0,
    "sekunden": 1000.0,
    "segundo": 1000.0,
    "seconde": 1000.0,
    "secondo": 1000.0,
    "secondi": 1000.0,
    "minuten": 60_000.0,
    "minuto": 60_000.0,
    "minuti": 60_000.0,
    "stunde": 3_600_000.0,
    "stunden": 3_600_000.0,
    "hora": 3_600_000.0,
    "heure": 3_600_000.0,
    "ora": 3_600_000.0,
    "ore": 3_600_000.0,
}
_DURATION_UNIT = (
    r"(ns|nanoseconds?|µs|μs|us|microseconds?|ms|msecs?|milliseconds?|millis?|"
    r"millisekunden?|milisegundos?|millisecondes?|millisecond[oi]|"
    r"sekunden?|segundos?|secondes?|second[oi]|minuten|minut[oi]s?|stunden?|horas?|heures?|or[ae]|"
    r"secs?|seconds?|s|mins?|minutes?|m|hrs?|hours?|h)\b"
)
# a number with its unit, or a range: "10-20 ms", "20ms-50ms", "20 ms to 50 ms", "200ms–1s", "20 ms - 50"
_DURATION = re.compile(
    r"^[~≈<>≤≥]?\s*(?:about\s+|approx\.?\s+)?(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*" + _DURATION_UNIT + r")?"
    r"(?:\s*(?:-|–|—|to)\s*(\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:\s*" + _DURATION_UNIT.replace("(", "(?P<upper>", 1) + r")?)?",
    re.IGNORECASE,
)


def _unit_key(unit: str, table: dict[str, float]) -> float | None:
    u = unit.lower()
    if u in table:
        return table[u]
    if u.endswith("s") and u[:-1] in table:
        return table[u[:-1]]
    return None


# a bound said in words before the figure: "under 200 ms", "less than half a second"
_BOUND_WORDS = re.compile(
    r"^(?:(?:well|comfortably|safely|just|always|usually)\s+)?"
    r"(?:under|below|less\s+than|at\s+most|up\s+to|within|no\s+more\s+than|not\s+more\s+than|"
    r"around|roughly|approximately|circa|about)\s+",
    re.I,
)
# a figure in words: "half a second", "a second and a half", "two seconds", "a quarter of a second"
_WORD_FIGURES = (
    (re.compile(r"^(?:one\s+and\s+a\s+half|a\s+(\w+)\s+and\s+a\s+half)\b", re.I), "1.5"),
    (re.compile(r"^half\s+(?:a|an)\b", re.I), "0.5"),
    (re.compile(r"^(?:a\s+)?quarter\s+of\s+(?:a|an)\b", re.I), "0.25"),
    (re.compile(r"^(?:a|an|one)\b(?!\s+(?:few|couple|handful))", re.I), "1"),
)
_SMALL = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8"}
_SMALL_WORD = re.compile(r"^(two|three|four|five|six|seven|eight)\b", re.I)


def _figures(text: str) -> str:
    """``under half a second`` -> ``0.5 second``: a bound's words dropped, a figure in words as digits."""
    text = _BOUND_WORDS.sub("", text)
    if m := _SMALL_WORD.match(text):
        return _SMALL[m.group(1).lower()] + text[m.end() :]
    for pattern, figure in _WORD_FIGURES:
        if m := pattern.match(text):
            rest = text[m.end() :]
            if m.lastindex:  # "a second and a half": the unit was the word itself
                return f"{figure} {m.group(1)}{rest}"
            return figure + rest
    return text


# Go's compound durations ("1m30s", "1h2m", "2s500ms") and ISO 8601's ("PT2S", "PT1M30S", "PT0.5S")
_GO_DURATION = re.compile(
    r"(?<![\w.])(?=\d+(?:\.\d+)?(?:h|m(?!s))\d)(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?"
    r"(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?(?!\w|\.\d)"
    r"|(?<![\w.])(?=\d+(?:\.\d+)?s\d)(\d+(?:\.\d+)?)s(\d+(?:\.\d+)?)ms(?!\w|\.\d)"
)
_ISO_DURATION = re.compile(
    r"(?<![\w.])P?T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?(?!\w|\.\d)",
    re.IGNORECASE,
)
_SHORT_UNITS = (("h", 3_600_000.0), ("m", 60_000.0), ("s", 1000.0), ("ms", 1.0))


def _as_short(ms: float, width: int) -> str | None:
    """``ms`` written in the largest unit that holds it whole (else with a fraction), padded to ``width``;
    None when it does not fit."""
    whole = [(ms / f, u) for u, f in _SHORT_UNITS if ms >= f and (ms / f).is_integer()]
    some = [(round(ms / f, 3), u) for u, f in _SHORT_UNITS if ms >= f]
    for n, unit in [*whole, *some]:
        for name in ("min", "m") if unit == "m" else (unit,):
            text = f"{n:g}{name}"
            if len(text) <= width:
                return text.ljust(width)
    return None


def _compound(m: re.Match[str], scale: tuple[float, ...]) -> str:
    parts = [g for g in m.groups()]
    if sum(1 for g in parts if g) < 1 or not m.group(0).strip():
        return m.group(0)
    ms = sum(float(g) * f for g, f in zip(parts, scale, strict=False) if g)
    return _as_short(ms, len(m.group(0))) or m.group(0)


def compound_durations(text: str) -> str:
    """Compound durations rewritten in one unit, each in the same number of characters (offsets hold):
    ``"timeout 1m30s"`` -> ``"timeout 90s  "``, ``"PT2S"`` -> ``"2s  "``. One that cannot be written
    in its own width stays as it was."""
    if "T" in text or "t" in text:
        text = _ISO_DURATION.sub(lambda m: _compound(m, (3_600_000.0, 60_000.0, 1000.0)), text)
    return _GO_DURATION.sub(lambda m: _compound(m, (3_600_000.0, 60_000.0, 1000.0, 1.0, 1000.0, 1.0)), text)


# Numbers written the European way. A decimal comma: "0,5 s", "12,75 ms" (a thousands comma is always
# followed by three digits); dots between thousands when they cannot be a decimal point: "1.200.000",
# "1.200,5". "1.200" alone is 1.2 in English and 1,200 in German: not read (ambiguous_number says so).
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d{1,2}|\d{4,})(?![\d.,])")
_DOT_THOUSANDS = re.compile(r"(?<![\d.,])[1-9]\d{0,2}(?:(?:\.\d{3}){2,}(?:,\d+)?|\.\d{3},\d+)(?![\d.,])")
_AMBIGUOUS = re.compile(r"(?<![\d.,])[1-9]\d{0,2}\.\d{3}(?![\d.,])")


def _european(text: str) -> str:
    """European numbers in the English way: ``"0,5 s"`` -> ``"0.5 s"``, ``"1.200.000"`` -> ``"1200000"``."""
    if "," not in text and text.count(".") < 2:
        return text
    text = _DOT_THOUSANDS.sub(lambda m: m.group(0).replace(".", "").replace(",", "."), text)
    return _DECIMAL_COMMA.sub(r"\1.\2", text)


def ambiguous_number(text: str) -> str | None:
    """The first number of ``text`` that reads two ways (``1.200``: 1.2, or 1,200 with a German
    thousands dot), which the parsers refuse to guess; None when there is none."""
    m = _AMBIGUOUS.search(strip_code(text))
    return m.group(0) if m else None


def parse_duration_ms(text: str) -> float | None:
    """``"120ms"``, ``"~15ms"``, ``"0.4 ms"``, ``"0.08 s"``, ``"8 s per file"``, ``"1.5s"`` -> milliseconds;
    a bound and a figure in words too: ``"under half a second"`` is 500 ms.

    A range (``"10-20 ms"``) reads as its upper bound. A bare number, or no unit, is ``None``.
    """
    text = strip_code(text).strip()
    if ambiguous_number(text) is not None:
        return None
    m = _DURATION.match(_figures(compound_durations(_european(text))))
    if not m:
        return None
    if m.group(3) is not None:  # a range: its upper bound, in its own unit (else the first number's)
        unit, number = m.group("upper") or m.group(2), m.group(3)
    else:
        unit, number = m.group(2), m.group(1)
    factor = _unit_key(unit, _DURATION_UNITS) if unit else None
    if factor is None:
        return None
    return round(float(number.replace(",", "")) * factor, 6)


_PER: dict[str, float] = {
    "ms": 1000.0,
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "m": 1 / 60,
    "min": 1 / 60,
    "minute": 1 / 60,
    "h": 1 / 3600,
    "hr": 1 / 3600,
    "hour": 1 / 3600,
    "d": 1 / 86400,
    "day": 1 / 86400,
    "week": 1 / 604800,
    "wk": 1 / 604800,
}
# words that hedge a rate before its figure, in both forms ("about 40 rps" was unread: round 32)
_RATE_HEDGE = (
    r"^[~≈<>≤≥]?\s*(?:(?:up\s+to|about|around|approx\.?|approximately|roughly|circa|ca\.|peak(?:\s+of)?|"
    r"max\.?|at\s+most|at\s+peak)\s+)?"
)
_RATE = re.compile(
    _RATE_HEDGE + r"(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:,\d{3})*(?:\.\d+)?))?\s*"
    r"([kKmM](?![a-zA-Z])|(?i:thousand|million|billion)\b)?\s*"
    r"([^\d(]*?)\s*(?:/|\bper\b|\ba\b)\s*(ms|secs?|seconds?|s|mins?|minutes?|m|hrs?|hours?|h|days?|d|weeks?|wk)\b",
    re.IGNORECASE,
)
_RATE_SHORT = re.compile(
    _RATE_HEDGE + r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*([kKmM](?![a-zA-Z]))?\s*"
    r"(rps|qps|tps|ops|mps|rpm|qpm|tpm|rph|rpd)\b",
    re.IGNORECASE,
)
# the per-unit a short form's last letter names: requests (queries, transactions …) per second, minute …
_SHORT_PER = {"s": 1.0, "m": 1 / 60, "h": 1 / 3600, "d": 1 / 86400}
_MULT = {"k": 1e3, "m": 1e6, "thousand": 1e3, "million": 1e6, "billion": 1e9}


def parse_rate_per_s(text: str) -> float | None:
    """``"40 requests/sec"``, ``"~2,500 RPC/s"``, ``"1.2k msgs/sec"``, ``"1 file/day"`` -> per second."""
    t = strip_code(text).strip()
    if ambiguous_number(t) is not None:
        return None
    t = _european(t)
    m = _RATE.match(t)
    if m:
        value = float((m.group(2) or m.group(1)).replace(",", ""))
        value *= _MULT.get((m.group(3) or "").lower(), 1.0)
        per = _unit_key(m.group(5), _PER)
        if per is None:
            return None
        return value * per
    m2 = _RATE_SHORT.match(t)
    if m2:
        per = _SHORT_PER[m2.group(3)[-1].lower()]
        return float(m2.group(1).replace(",", "")) * _MULT.get((m2.group(2) or "").lower(), 1.0) * per
    return None


_YES = {"yes", "y", "true", "critical"}
_NO = {"no", "n", "false", "non-critical", "not critical"}


def parse_bool(text: str) -> tuple[bool | None, str | None]:
    """``"Yes (during month-end close only)"`` -> ``(True, "during month-end close only")``."""
    t = strip_code(text).strip().rstrip(".!,;")
    m = re.match(r"^([A-Za-z-]+(?: critical)?)\s*(?:[(—–:,;-]\s*(.*?)\)?\s*)?$", t)
    if not m:
        return None, None
    word = m.group(1).lower()
    note = (m.group(2) or "").strip().rstrip(")").strip() or None
    if word in _YES:
        return True, note
    if word in _NO:
        return False, note
    return None, None


_DIRECTION = re.compile(r"^(uni|bi)directional(?:\s*\(\s*([^()]*?)\s*\))?$", re.IGNORECASE)


def parse_direction(text: str) -> tuple[str | None, str | None]:
    """``"Bidirectional (acks flow back)"`` -> ``("bidirectional", "acks flow back")``.

    ``Unidirectional`` or ``Bidirectional`` (any case), optionally followed by a note in parentheses;
    anything else (a placeholder, ``both ways``) is ``(None, None)`` (VAL001 reports it).
    """
    m = _DIRECTION.match(strip_code(text).strip())
    if not m:
        return None, None
    return f"{m.group(1).lower()}directional", m.group(2) or None


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
)


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"\d{4}")


def parse_date(text: str) -> dt.date | None:
    """ISO ``2026-11-28`` and a few common spellings -> a date."""
    t = strip_code(text).strip().rstrip(":").strip()
    iso = _ISO.match(t)
    if iso:
        try:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    if not _YEAR.search(t):
        return None
    t = re.sub(r"\s+", " ", t)
    t = re.sub(r"\s*\(.*\)$", "", t)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    return None


_PROTOCOLS: tuple[tuple[str, str], ...] = (
    ("grpc", "grpc"),
    ("websocket", "websocket"),
    ("wss", "websocket"),
    ("ws", "websocket"),
    ("socket.io", "websocket"),
    ("postgresql", "postgresql"),
    ("postgres", "postgresql"),
    ("psql", "postgresql"),
    ("redis", "redis"),
    ("rediss", "redis"),  # a TLS form names its protocol: its probe over TLS, no TCP connect (round 56)
    ("resp", "redis"),
    ("amqp", "amqp"),
    ("amqps", "amqp"),
    ("rabbitmq", "amqp"),
    ("nats", "nats"),
    ("jetstream", "nats"),
    ("mqtt", "mqtt"),
    ("mqtts", "mqtt"),
    ("kafka", "kafka"),
    ("https", "http"),
    ("http", "http"),
    ("rest", "http"),
    ("graphql", "http"),
    ("webhook", "http"),
    ("tcp", "tcp"),
)


def parse_protocol(text: str) -> str | None:
    """Normalise ``"WebSocket (wss)"``, ``"AMQP 0-9-1"``, ``"HTTPS"``, ``"REST"``.

    Anything else becomes its first word, lower-cased (``"SFTP"`` -> ``"sftp"``).
    """
    t = strip_code(text).strip()
    if not t or is_placeholder_text(t):
        return None
    words: list[str] = re.findall(r"[a-z0-9.]+", t.lower())
    if not words:
        return None
    first = words[0]
    for key, proto in _PROTOCOLS:
        if first == key or first.startswith(key + "/") or (first.startswith(key) and key in ("http", "grpc")):
            return proto
    for key, proto in _PROTOCOLS:
        if key in words:
            return proto
    return first


_HOSTPORT = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?(\[[0-9a-fA-F:.]+\]|[^\s:/()\[\]]+)(?::(\d+))?(?:/.*)?$"
)


_FIRST_ADDRESS = re.compile(r"^([^()]*?)\s*\(([^()]*)\)")


def parse_destination(text: str) -> tuple[str | None, str | None, int | None, bool]:
    """``"Payments API (payments.internal:443)"`` -> ``(service, host, port, well_formed)``.

    ``well_formed`` is True only for the template's ``Name (host:port)`` shape with a numeric port.
    """
    t = strip_code(text).strip()
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", t)
    if (
        m is not None
        and (first := _FIRST_ADDRESS.match(t)) is not None
        and _HOSTPORT.match(first.group(2).strip())
    ):
        # "Warehouse DB (db:5432), Warehouse Replica (replica:5433)": the first destination, not a name
        # swallowing the first and the second's port (round 41: the replica was probed, the primary never)
        rest = t[first.end() :].strip()
        if rest and _HOSTPORT.match(m.group(2).strip().strip("`")):
            service = first.group(1).strip() or None
            h = _HOSTPORT.match(first.group(2).strip().strip("`"))
            assert h is not None
            port = int(h.group(2)) if h.group(2) else None
            return service, h.group(1).strip("[]"), port, False
    if not m:
        return (t or None), None, None, False
    service = m.group(1).strip() or None
    hp = m.group(2).strip().strip("`")
    h = _HOSTPORT.match(hp)
    if not h:
        return service, None, None, False
    host = h.group(1).strip("[]")
    port = int(h.group(2)) if h.group(2) else None
    if port is None and (scheme := re.match(r"^([a-z][a-z0-9+.-]*)://", hp, re.IGNORECASE)) is not None:
        from .ports import DEFAULT_PORTS  # "Ledger API (https://ledger.example.com)": 443 (round 30)

        port = DEFAULT_PORTS.get(scheme.group(1).lower())
    return service, host, port, port is not None and service is not None


# (GitHub's range, ``#L7-L12``, too: it was VAL008 and the SRC rules went quiet for the doc: round 33)
_SOURCE_REF = re.compile(r"^(?P<path>[^\s:#]+?)(?:(?::|#L)(?P<line>\d+)(?:(?:[-:–]|-L)\d+)?)?$")


def parse_source_ref(text: str) -> tuple[str | None, int | None]:
    """``services/checkout/client.py:41`` (or ``#L41``, ``:41-60``, ``#L41-L60``) -> ``(path, 41)``."""
    t = strip_code(text).strip()
    m = _SOURCE_REF.match(t)
    if not m:
        return None, None
    return m.group("path"), int(m.group("line")) if m.group("line") else None


def strip_code(text: str) -> str:
    """Drop surrounding backticks / emphasis markers: ```` `x` ```` -> ``x``."""
    t = text.strip()
    while len(t) >= 2 and t[0] == t[-1] and t[0] in "`*_":
        t = t[1:-1].strip()
    return t


def split_note(text: str) -> tuple[str, str | None]:
    """``"4.2 ms (measured 2026-11-28, 200 req/s)"`` -> ``("4.2 ms", "measured 2026-11-28, 200 req/s")``."""
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", text.strip())
    if m and m.group(1):
        return m.group(1).strip(), m.group(2).strip()
    return text.strip(), None


_PLACEHOLDER = re.compile(r"^\[[^\]]*\]$")
# a command field that says there is no command: "none", "N/A", "-", "None (we watch the queue depth)",
# "no health check yet"; not a command that starts with those letters ("none.sh", "na-check")
_NO_COMMAND = re.compile(
    r"^[\s*_`(]*(?:none|n/?a|nothing|not\s+applicable|no\s+(?:health[\s-]*check|command|test)s?)"
    r"(?![\w/-]|\.\w)(?:[\s*_`).,;:!]|[(—–-].*|\s+(?:yet|so\s+far|for\s+now)\b.*)*$|^[\s*_`]*[-—–][\s*_`]*$",
    re.IGNORECASE | re.DOTALL,
)


def says_no_command(text: str | None) -> bool:
    """A command field (Health Check, Integration Test) that says there is none, in words."""
    return text is not None and bool(_NO_COMMAND.match(strip_code(text).strip()))


def is_placeholder_text(text: str) -> bool:
    """The whole value is a ``[placeholder]``."""
    return bool(_PLACEHOLDER.match(strip_code(text).strip()))


SLUG_MAX_CHARS = 100
SLUG_MAX_BYTES = 200  # UTF-8: a file name (slug + ".md", and the temp name of an atomic write) < 255


_SHARP = re.compile(r"(?<![A-Za-z])([A-Za-z])#")


def _without_latin_accents(text: str) -> str:
    """``Café`` -> ``Cafe``: the combining marks of Latin letters dropped; those of other scripts kept
    (バス and ハス differ by one: both were ハス, one id, one graph node: new user, round 57)."""
    out: list[str] = []
    base_ascii = False
    for c in unicodedata.normalize("NFKD", text):
        if unicodedata.category(c) == "Mn":
            if not base_ascii:
                out.append(c)
            continue
        base_ascii = c.isascii()
        out.append(c)
    return unicodedata.normalize("NFC", "".join(out))


def slugify(text: str) -> str:
    """A stable, lower-case ASCII slug; non-Latin letters are kept when nothing else is left.

    At most :data:`SLUG_MAX_CHARS` characters and :data:`SLUG_MAX_BYTES` UTF-8 bytes, so it is always a
    valid file name: a longer slug is cut and ends with ``-`` and 8 hex digits of the SHA-256 of the
    whole slug, so two long names that start alike stay distinct (and the same name always gives the
    same slug)."""
    base = _without_latin_accents(text)
    # a sign that is part of a name is said: "C++ Engine" and "C Engine" were one service and one id (their
    # alerts paged the other team: new user, round 52); "C#", "F#" likewise
    base = _SHARP.sub(r"\1 sharp", base.replace("+", " plus ")) if "+" in base or "#" in base else base
    if base.isascii():
        slug = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")
    else:
        # a letter's marks are part of it (Devanagari's vowel signs: हिंदी was ह-द)
        kept = "".join(
            c if c.isalnum() or unicodedata.category(c) in ("Mn", "Mc") else "-"
            for c in unicodedata.normalize("NFC", base).lower()
        )
        slug = re.sub(r"-+", "-", kept).strip("-")
    slug = slug or "integration"
    if len(slug) <= SLUG_MAX_CHARS and len(slug.encode()) <= SLUG_MAX_BYTES:
        return slug
    digest = hashlib.sha256(slug.encode()).hexdigest()[:8]
    head = slug[: SLUG_MAX_CHARS - 9]
    while len(head.encode()) > SLUG_MAX_BYTES - 9:
        head = head[:-1]
    return f"{head.rstrip('-')}-{digest}"


JSON_MAX_DEPTH = 200


def _no_constant(name: str) -> Any:
    """``NaN``, ``Infinity``: Python's parser takes them, JSON (RFC 8259) does not, nor do strict clients
    (``JSON.parse``): a body holding one passed the contract check (new user, round 43)."""
    raise ValueError(f"{name} is not allowed in JSON")


def parse_json(text: str | bytes) -> Any:
    """``json.loads``, and ValueError (as for any text that is not JSON) for a value nested deeper than
    :data:`JSON_MAX_DEPTH` levels: Python's parser raises RecursionError near 1,000, and what compares
    the value (the contract check) recurses too: one doc or one reply of 3,000 ``[`` must not stop a run."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError as exc:
        raise ValueError(f"JSON nested deeper than {JSON_MAX_DEPTH} levels") from exc
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > JSON_MAX_DEPTH:
                raise ValueError(f"JSON nested deeper than {JSON_MAX_DEPTH} levels")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return value
