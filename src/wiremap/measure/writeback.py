"""Writing measured numbers back into a doc's Performance section, changing no other byte.

Convention (docs/format.md, docs/commands/measure.md): the value after the label is replaced by the
measurement and a note, ``- P99: 8.4 ms (measured 2026-11-28, 200 req/s)``; the bullet, the label and the
line ending stay as written. Throughput holds two facts, kept apart: the traffic the doc documents (its
first item, never touched here) and the destination's capacity, written only from a ``--find-max`` run
that found it, as a ``Capacity:`` item of the Throughput list:
``- Capacity: 1,850 req/s (measured 2026-11-28, p99 ≤ 100 ms)``. That item is replaced when the list has
one, else added after the list's last item with its bullet and line ending; a capacity that wiremap
used to write over the traffic, ``- 1,850 requests/sec (measured …, max sustained …)``, becomes it.
Latency lines the doc does not have are not added (lint reports missing fields).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..document import ParsedDoc, parse_text, read_text
from ..document.nodes import ListBlock, ListItem
from ..probes.registry import probe_name
from ..writes import atomic_write_text
from ._base import MeasureResult

__all__ = ["Edit", "apply_edits", "format_ms", "format_rate", "plan_edits", "write_back"]

_LINE_SPLIT = re.compile(r"(\r\n|\r|\n)")
_LABELLED = re.compile(
    r"^(?P<head>\s*(?:[-*+]|\d+[.)])\s+(?:\*\*|__)?[^:*_\n]{1,40}?(?:\*\*|__)?\s*:(?:\*\*|__)?\s*)"
    r"(?P<value>.*?)\s*$"
)
# a latency label without a colon, as the doc may write it: "- P95 5 ms" (the value follows a space)
# or with a dash, an equals sign or a dash of another length: "* Typical - 2ms", "- P99 = 900 ms" (as read)
_BARE = re.compile(
    r"^(?P<head>\s*(?:[-*+]|\d+[.)])\s+(?:\*\*|__)?(?:typical|p50|median|p95|p99)(?:\*\*|__)?"
    r"(?:\s+(?:—|–|-|=)\s+|\s+))"
    r"(?P<value>[~≈<≤]?\s*\d.*?)\s*$",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^(?P<head>\s*(?:[-*+]|\d+[.)])\s+)(?P<value>.*?)\s*$")
# How wiremap wrote a capacity before it had a line of its own: over the traffic, the list's first item.
_OLD_CAPACITY = re.compile(r"^[\d,.]+ requests/sec \(measured \d{4}-\d{2}-\d{2}, max sustained\b")


# Samples below which a percentile is not written: with n samples the sample p99 is the ceil(0.99 n)-th
# value, which is the maximum until n reaches 100 (p95: 20); a figure that is the slowest request of a
# short run is not the documented percentile, and the next --check would rightly contradict it.
MIN_SAMPLES = {"latency_ms.typical": 1, "latency_ms.p95": 20, "latency_ms.p99": 100}


@dataclass(frozen=True, slots=True)
class Edit:
    field: str  # latency_ms.typical | latency_ms.p95 | latency_ms.p99 | capacity
    line: int  # 1-based, in the doc as written back
    old: str | None  # the line replaced; None for a line added
    new: str
    measured_ms: float | None = None  # the figure written, as measured (a latency): what it was rounded from


def format_ms(ms: float, *, up: bool = False) -> str:
    """``0.42 ms``, ``4.2 ms``, ``120 ms``: two significant places below 10 ms, whole ms above.

    ``up`` rounds up at that precision instead of to the nearest: a bound written into a doc (P95, P99,
    a latency budget) must hold for what was measured, or the next ``--find-max`` (whose budget is the
    documented P99) or ``--check`` fails on the doc's own figure (202.3 ms written as 202 ms)."""
    if up:
        scale = 100 if ms < 1 else 10 if ms < 10 else 1
        ms = math.ceil(ms * scale - 1e-9) / scale
    if ms < 1:
        return f"{ms:.2f} ms"
    if ms < 10:
        return f"{ms:.1f} ms"
    return f"{ms:.0f} ms"


def format_rate(per_s: float) -> str:
    """``1,850 req/s``, ``4.5 req/s``: rounded down, as a sustained rate is a floor (1,850.7 req/s
    sustained does not show that 1,851 would be)."""
    if per_s >= 10:
        return f"{math.floor(per_s + 1e-9):,} req/s"
    return f"{math.floor(per_s * 10 + 1e-9) / 10:.1f} req/s"


def _lines(text: str) -> list[tuple[str, str]]:
    """``(content, line ending)`` pairs; CRLF and CR are kept as written."""
    parts = _LINE_SPLIT.split(text)
    out = [(parts[i], parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]
    if out and out[-1] == ("", ""):
        out.pop()
    return out


def _indent(content: str) -> int:
    return len(content) - len(content.lstrip(" \t"))


def _item_end(lines: list[tuple[str, str]], item: ListItem) -> int:
    """The last line (1-based) of ``item``: its own lines, then the lines indented under its bullet."""
    end = max([item.line, *(x.line for x in item.lines)])
    bullet = _indent(lines[item.line - 1][0])
    while end < len(lines):
        content = lines[end][0]
        if not content.strip() or _indent(content) <= bullet:
            break
        end += 1
    return end


# what a load of the protocol measures when it is not the doc's own request (the report's WHAT says more)
_OPERATION = {"grpc": "gRPC health Check", "redis": "PING", "postgresql": "SELECT 1", "tcp": "TCP connect"}


def plan_edits(
    text: str,
    doc: ParsedDoc,
    result: MeasureResult,
    *,
    today: dt.date,
    max_rate: float | None = None,
    budget_ms: float | None = None,
    at: str | None = None,
) -> tuple[list[Edit], list[str]]:
    """The line edits that write ``result`` (and the capacity ``max_rate``, found at ``budget_ms``)
    into the doc ``text`` as parsed into ``doc``, and why something asked for cannot be written
    (nothing is written here)."""
    integration = doc.integration
    lines = _lines(text)
    where = f" at {at}" if at else ""
    # a figure of another operation than the doc's own says which (new user, round 24: a P99 of SELECT 1
    # was written over the P99 of the doc's aggregate query with nothing to say so)
    what = _OPERATION.get(probe_name(integration.protocol)) if integration.protocol else None
    note = f"(measured {today.isoformat()}{where}, {result.rate:g} req/s{f', {what}' if what else ''})"
    wanted = {
        "latency_ms.typical": f"{format_ms(result.latency_ms.p50)} {note}",
        "latency_ms.p95": f"{format_ms(result.latency_ms.p95, up=True)} {note}",
        "latency_ms.p99": f"{format_ms(result.latency_ms.p99, up=True)} {note}",
    }
    replaced: list[tuple[str, int, str]] = []  # field, line, new content
    not_written: list[str] = []
    n = result.successes
    measured = {
        "latency_ms.typical": result.latency_ms.p50,
        "latency_ms.p95": result.latency_ms.p95,
        "latency_ms.p99": result.latency_ms.p99,
    }
    documented = {
        "latency_ms.typical": integration.latency_ms.typical,
        "latency_ms.p95": integration.latency_ms.p95,
        "latency_ms.p99": integration.latency_ms.p99,
    }
    labels = {"latency_ms.typical": "Typical", "latency_ms.p95": "P95", "latency_ms.p99": "P99"}
    order = list(wanted)
    for field, value in wanted.items():
        label = labels[field]
        if n < MIN_SAMPLES[field]:  # a p99 of 20 samples is their slowest, not a percentile
            not_written.append(
                f"{label} not written: {n} samples; a {label} needs at least {MIN_SAMPLES[field]} "
                "(run longer or faster)"
            )
            continue
        # a figure over a higher percentile this run cannot replace would leave the doc contradicting
        # itself (a P95 of 254 ms under the P99 of 60 ms it kept: lint VAL004 failed wiremap's own edit)
        above = next(
            (
                f
                for f in order[order.index(field) + 1 :]
                if n < MIN_SAMPLES[f] and (d := documented[f]) is not None and measured[field] > d
            ),
            None,
        )
        if above is not None:
            not_written.append(
                f"{label} not written: {format_ms(measured[field])} is over the documented "
                f"{labels[above]} {documented[above]:g} ms, which {n} samples cannot replace (a "
                f"{labels[above]} needs at least {MIN_SAMPLES[above]}: run longer or faster)"
            )
            continue
        line = integration.lines.get(field)
        shared = [f for f in labels if f != field and integration.lines.get(f) == line]
        if line is not None and shared:  # "p50/p95/p99: 12/40/90 ms": one line, several figures
            not_written.append(
                f"{label} not written: line {line} holds {', '.join([label, *(labels[f] for f in shared)])} "
                "together, not a form wiremap rewrites ('- P95: …' a line each)"
            )
            continue
        if line is None or not 1 <= line <= len(lines):  # said: a silent exit 0 read as "written"
            not_written.append(f"{label} not written: the doc has no {label} line (wiremap adds none)")
            continue
        content = lines[line - 1][0]
        m = _LABELLED.match(content) or _BARE.match(content)
        if m is not None:
            replaced.append((field, line, m.group("head") + value))
        else:  # read, but not in a form wiremap can rewrite without touching other bytes: said, not skipped
            not_written.append(
                f"{label} not written: line {line} is not a form wiremap rewrites ('- {label}: …')"
            )
    added: tuple[int, str] | None = None  # after line, new content
    if max_rate is not None:
        budget = f", p99 ≤ {format_ms(budget_ms, up=True)}" if budget_ms is not None else ""
        value = f"{format_rate(max_rate)} (measured {today.isoformat()}{where}{budget})"
        ref = doc.fields.get("throughput")
        items = ref.block.items if ref is not None and isinstance(ref.block, ListBlock) else ()
        line = integration.lines.get("capacity")
        old = None if line is not None else next((it for it in items if _OLD_CAPACITY.match(it.text)), None)
        if line is not None and 1 <= line <= len(lines) and (m := _LABELLED.match(lines[line - 1][0])):
            replaced.append(("capacity", line, m.group("head") + value))
        elif old is not None and (m := _ITEM.match(lines[old.line - 1][0])):
            replaced.append(("capacity", old.line, f"{m.group('head')}Capacity: {value}"))
        elif items and (m := _ITEM.match(lines[items[-1].line - 1][0])):
            added = (_item_end(lines, items[-1]), f"{m.group('head')}Capacity: {value}")
        else:
            not_written.append("capacity not written: the doc has no Throughput list to hold a Capacity item")
    shift = 1 if added is not None else 0
    edits = [
        Edit(
            field,
            line + (shift if added is not None and line > added[0] else 0),
            lines[line - 1][0],
            new,
            measured.get(field),
        )
        for field, line, new in replaced
        if new != lines[line - 1][0]
    ]
    if added is not None:
        edits.append(Edit("capacity", added[0] + 1, None, added[1]))
    return sorted(edits, key=lambda e: e.line), not_written


def apply_edits(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` (of :func:`plan_edits`) made; a line added takes the line ending of the
    one before it."""
    lines = _lines(text)
    for e in sorted(edits, key=lambda e: e.line):  # each line number counts the lines added before it
        if e.old is None:
            before, ending = lines[e.line - 2] if e.line >= 2 else ("", "")
            if not ending:  # after a last line without a line ending: end it as the doc ends its lines
                ending = next((end for _, end in lines if end), "\n")
                if e.line >= 2:
                    lines[e.line - 2] = (before, ending)
                lines.insert(e.line - 1, (e.new, ""))
            else:
                lines.insert(e.line - 1, (e.new, ending))
            continue
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
    at: str | None = None,
) -> tuple[list[Edit], list[str]]:
    """Write the measurement (and the capacity ``max_rate``) into the doc at ``path`` atomically;
    returns what changed and what could not be written, with why. ``at``: where it was measured, when
    that is not the doc's own address (a runner's ``--target``), said in the note."""
    text = read_text(path)
    bom = "\ufeff" if path.read_bytes().startswith(b"\xef\xbb\xbf") else ""  # kept, like every other byte
    doc = parse_text(text, str(path))
    edits, not_written = plan_edits(
        text, doc, result, today=today or dt.date.today(), max_rate=max_rate, budget_ms=budget_ms, at=at
    )
    if edits:
        atomic_write_text(path, bom + apply_edits(text, edits))
    return edits, not_written
