"""Showing a measurement: a table for people, JSON with stable names for tools."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table

from ..model import SCHEMA_VERSION, Integration
from ..probes._base import Target
from ._base import MeasureResult
from .check import Verdict
from .findmax import FindMaxResult
from .writeback import Edit

__all__ = ["render_json", "render_text"]


def render_text(
    integ: Integration,
    target: Target,
    result: MeasureResult,
    color: bool,
    find: FindMaxResult | None = None,
    verdicts: list[Verdict] | None = None,
    edits: list[Edit] | None = None,
) -> str:
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=color, width=None if color else 120, highlight=False)
    con.print(f"{integ.name} ({integ.protocol}) at {target.hostport}", markup=False)
    if find is not None:
        steps = Table("offered/s", "achieved/s", "p50 ms", "p99 ms", "lateness p99 ms", "sustained", box=None)
        for s in find.steps:
            r = s.result
            steps.add_row(
                f"{s.rate:g}",
                f"{r.throughput_per_s:.0f}",
                f"{r.latency_ms.p50:.2f}",
                f"{r.latency_ms.p99:.2f}",
                f"{r.lateness_ms.p99:.2f}",
                "yes" if s.sustained else f"no: {s.reason}",
            )
        con.print(steps)
        best = f"{find.max_rate:,.0f} req/s" if find.max_rate is not None else "none"
        con.print(f"max sustained rate: {best} ({find.stopped})", markup=False)
    table = Table("ms", "p50", "p90", "p95", "p99", "p99.9", "max", box=None)
    for label, p in (
        ("latency (corrected)", result.latency_ms),
        ("service time (uncorrected)", result.uncorrected_ms),
        ("send lateness", result.lateness_ms),
    ):
        table.add_row(label, *(f"{v:.2f}" for v in (p.p50, p.p90, p.p95, p.p99, p.p999, p.max)))
    con.print(table)
    errors = ", ".join(f"{k} {v}" for k, v in result.errors.items()) or "none"
    con.print(
        f"{result.requests} requests at {result.rate:g}/s offered over {result.connections} connections in "
        f"{result.duration_s:.1f} s: {result.throughput_per_s:.1f}/s achieved; errors: {errors}",
        markup=False,
    )
    if result.stopped_early:
        con.print(f"stopped early: {result.stopped_early}", markup=False)
    for v in verdicts or []:
        con.print(("ok    " if v.ok else "FAIL  ") + v.message, markup=False)
    for e in edits or []:
        con.print(f"wrote line {e.line}: {e.new.strip()}", markup=False)
    return buf.getvalue().rstrip("\n")


def render_json(
    integ: Integration,
    target: Target,
    result: MeasureResult,
    find: FindMaxResult | None = None,
    verdicts: list[Verdict] | None = None,
    edits: list[Edit] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": integ.id,
        "integration": integ.name,
        "path": integ.path,
        "protocol": integ.protocol,
        "target": target.hostport,
        **result.to_json(),
    }
    if find is not None:
        data["max_sustainable_rate"] = find.max_rate
        data["find_max"] = {
            "stopped": find.stopped,
            "steps": [
                {"rate": s.rate, "sustained": s.sustained, "reason": s.reason, **s.result.to_json()}
                for s in find.steps
            ],
        }
    if verdicts is not None:
        data["check"] = [
            {
                "name": v.name,
                "ok": v.ok,
                "documented_ms": v.documented_ms,
                "measured_ms": round(v.measured_ms, 3),
            }
            for v in verdicts
        ]
    if edits is not None:
        data["written"] = [{"field": e.field, "line": e.line, "text": e.new} for e in edits]
    return data
