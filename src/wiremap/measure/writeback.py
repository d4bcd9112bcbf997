"""Writing measured numbers back into a doc's Performance section, changing no other byte.

Convention (docs/commands/measure.md): the value after the label is replaced by the measurement and a
note, ``- P99: 8.4 ms (measured 2026-11-28, 200 req/s)``; the bullet, the label and the line ending stay
as written. Throughput is written only from a ``--find-max`` run:
``- 1,850 requests/sec (measured 2026-11-28, max sustained with p99 ≤ 100 ms)``.
Lines the doc does not have are not added (lint reports missing fields).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..document import parse_text, read_text
from ..model import Integration
from ..writes import atomic_write_text
from ._base import MeasureResult

__all__ = ["Edit", "apply_edits", "format_ms", "plan_edits", "write_back"]

_LINE_SPLIT = re.compile(r"(\r\n|\r|\n)")
_LABELLED = re.compile(
    r"^(?P<head>\s*(?:[-*+]|\d+[.)])\s+(?:\*\*|__)?[A-Za-z0-9 ]+?(?:\*\*|__)?\s*:(?:\*\*|__)?\s*)"
    r"(?P<value>.*?)\s*$"
)
_ITEM = re.compile(r"^(?P<head>\s*(?:[-*+]|\d+[.)])\s+)(?P<value>.*?)\s*$")


@dataclass(frozen=True, slots=True)
class Edit:
    field: str  # latency_ms.typical | latency_ms.p95 | latency_ms.p99 | throughput
    line: int
    old: str
    new: str


def format_ms(ms: float) -> str:
    """``0.42 ms``, ``4.2 ms``, ``120 ms``."""
    if ms < 1:
        return f"{ms:.2f} ms"
    if ms < 10:
        return f"{ms:.1f} ms"
    return f"{ms:.0f} ms"


def _lines(text: str) -> list[tuple[str, str]]:
    """``(content, line ending)`` pairs; CRLF and CR are kept as written."""
    parts = _LINE_SPLIT.split(text)
    out = [(parts[i], parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]
    if out and out[-1] == ("", ""):
        out.pop()
    return out


def plan_edits(
    text: str,
    integration: Integration,
    result: MeasureResult,
    *,
    today: dt.date,
    max_rate: float | None = None,
    budget_ms: float | None = None,
) -> list[Edit]:
    """The line edits that write ``result`` into the doc ``text`` (nothing is written here)."""
    lines = _lines(text)
    note = f"(measured {today.isoformat()}, {result.rate:g} req/s)"
    wanted = {
        "latency_ms.typical": f"{format_ms(result.latency_ms.p50)} {note}",
        "latency_ms.p95": f"{format_ms(result.latency_ms.p95)} {note}",
        "latency_ms.p99": f"{format_ms(result.latency_ms.p99)} {note}",
    }
    if max_rate is not None:
        budget = f" with p99 ≤ {format_ms(budget_ms)}" if budget_ms is not None else ""
        measured = f"measured {today.isoformat()}, max sustained{budget}"
        wanted["throughput"] = f"{max_rate:,.0f} requests/sec ({measured})"
    edits: list[Edit] = []
    for field, value in wanted.items():
        line = integration.lines.get(field)
        if line is None or not 1 <= line <= len(lines):
            continue
        content = lines[line - 1][0]
        m = (_ITEM if field == "throughput" else _LABELLED).match(content)
        if m is None:
            continue
        new = m.group("head") + value
        if new != content:
            edits.append(Edit(field, line, content, new))
    return edits


def apply_edits(text: str, edits: list[Edit]) -> str:
    lines = _lines(text)
    for e in edits:
        content, ending = lines[e.line - 1]
        if content != e.old:
            raise ValueError(f"line {e.line} changed since it was read")
        lines[e.line - 1] = (e.new, ending)
    return "".join(c + end for c, end in lines)


def write_back(
    path: Path,
    result: MeasureResult,
    *,
    today: dt.date | None = None,
    max_rate: float | None = None,
    budget_ms: float | None = None,
) -> list[Edit]:
    """Write the measurement into the doc at ``path`` atomically; returns what changed."""
    text = read_text(path)
    bom = "\ufeff" if path.read_bytes().startswith(b"\xef\xbb\xbf") else ""  # kept, like every other byte
    doc = parse_text(text, str(path))
    edits = plan_edits(
        text, doc.integration, result, today=today or dt.date.today(), max_rate=max_rate, budget_ms=budget_ms
    )
    if edits:
        atomic_write_text(path, bom + apply_edits(text, edits))
    return edits
