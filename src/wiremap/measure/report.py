"""Showing a measurement: a table for people, JSON with stable names for tools."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table

from ..model import SCHEMA_VERSION, Integration
from ..probes._base import Target
from ..probes.registry import probe_name
from ._base import MeasureResult
from .check import Verdict
from .findmax import FindMaxResult
from .writeback import Edit, format_ms, format_rate

__all__ = ["render_json", "render_text"]


# What one request of each load operation is (docs/commands/measure.md): the figures measure that,
# which for a database or a cache is not the doc's own query or command.
WHAT = {
    "http": "the documented request",
    "grpc": "a gRPC health Check (not the doc's own method)",
    "websocket": "a round trip of the documented Request on an open connection (else a ping)",
    "redis": "PING (not the doc's own commands)",
    "postgresql": "SELECT 1 on an open connection (not the doc's own query)",
    "tcp": "a TCP connect (and close)",
}


def render_text(
    integ: Integration,
    target: Target,
    result: MeasureResult,
    color: bool,
    find: FindMaxResult | None = None,
    verdicts: list[Verdict] | None = None,
    edits: list[Edit] | None = None,
    not_written: list[str] | None = None,
) -> str:
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=color, width=None if color else 120, highlight=False)
    operation = probe_name(integ.protocol)
    what = WHAT.get(operation, "")
    if operation == "http":  # the request itself: the method and path sent (a --target's path wins)
        from ..probes.http import method_and_path

        method, path = method_and_path(integ, target.path)
        what = f"{method} {path}" + (" (the path of --target)" if target.explicit and target.path else "")
    if operation == "websocket":  # which of the two, not "the Request (else a ping)" (round 58)
        documented = integ.request is not None and bool(integ.request.text.strip())
        what = (
            "a round trip of the documented Request on an open connection"
            if documented
            else "a ping and its pong (the doc documents no Request: not its own messages' round trip)"
        )
    con.print(f"{integ.name} ({integ.protocol}) at {target.hostport}", markup=False, soft_wrap=True)
    if what:  # what a request is, so a figure is not read as the doc's own query's latency
        con.print(f"each request: {what}", markup=False, soft_wrap=True)
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
        con.print(f"max sustained rate: {_max_rate(find)}", markup=False, soft_wrap=True)
    if result.successes:
        table = Table("ms", "p50", "p90", "p95", "p99", "p99.9", "max", box=None)
        for label, p in (
            ("latency (corrected)", result.latency_ms),
            ("service time (uncorrected)", result.uncorrected_ms),
            ("send lateness", result.lateness_ms),
        ):
            table.add_row(label, *(f"{v:.2f}" for v in (p.p50, p.p90, p.p95, p.p99, p.p999, p.max)))
        con.print(table)
    else:  # zeros would read as a measurement
        con.print(f"latency: not measured ({result.unmeasured})", markup=False)
    errors = "; ".join(
        f"{kind} {e.count}"
        + (f", {e.warmup} in the warm-up" if e.warmup else "")
        + f" (first: {e.first_message})"
        for kind, e in result.errors.items()
    )
    requests = f"{result.requests} requests"
    if any(e.warmup for e in result.errors.values()):  # the warm-up's requests then count: say how many
        requests += f" (+{result.warmup_requests} in the warm-up)"
    con.print(
        f"{requests} at {result.rate:g}/s offered over {_connections(result)} in "
        f"{result.duration_s:.1f} s: {result.throughput_per_s:.1f}/s achieved; errors: {errors or 'none'}",
        markup=False,
        soft_wrap=True,
    )
    if result.stopped_early:
        con.print(f"stopped early: {result.stopped_early}", markup=False, soft_wrap=True)
    elif result.failed_run:
        con.print(f"failed: {result.failed_run}", markup=False, soft_wrap=True)
    if result.successes and result.fell_behind:  # wiremap's limit, said as such
        con.print(
            f"note: {result.behind()}: the corrected latency includes wiremap's own wait",
            markup=False,
            soft_wrap=True,
        )
    elif result.successes and result.saturating:  # the destination's limit, said as such
        con.print(
            f"note: {result.saturation()}; requests waited for one in wiremap as they would have "
            "waited in its queue: the corrected latency is the destination's",
            markup=False,
            soft_wrap=True,
        )
    for v in verdicts or []:
        label = "ok    " if v.ok else "FAIL  " if v.ok is False else "skip  "
        con.print(label + v.message, markup=False, soft_wrap=True)
    for e in edits or []:
        con.print(f"wrote line {e.line}: {e.new.strip()}{_rounded(e)}", markup=False, soft_wrap=True)
    for why in not_written or []:
        con.print(why, markup=False, soft_wrap=True)
    return buf.getvalue().rstrip("\n")


def _connections(result: MeasureResult) -> str:
    """``8 connections``; ``23 connections (15 opened while requests waited for one)``."""
    if result.connect_each:
        return f"{result.connections} at a time, each request a connection of its own (connect time)"
    said = f"{result.connections} connection{'s' if result.connections != 1 else ''}"
    if result.workers > 1:
        said += f" from {result.workers} worker processes"
    notes = []
    if result.connections_failed:
        notes.append(
            f"{result.connections_failed} could not be opened up front, first: {result.connection_error}"
        )
    if result.connections_grown:
        notes.append(f"{result.connections_grown} opened while requests waited for one")
    if result.reopened:
        # a server closing every connection (or breaking its framing) makes every request pay a connect; a
        # request given up at its deadline is abandoned by closing its connection (the server may still be
        # working on it: it then holds more connections than wiremap's count, round 65)
        why = "the server closed them or a request failed on them"
        if result.errors.get("timeout") is not None:
            why += ", or wiremap closed one to give up a request at its deadline"
        notes.append(f"{result.reopened} reopened: {why}")
    return said + (f" ({'; '.join(notes)})" if notes else "")


def _rounded(edit: Edit) -> str:
    """A bound written rounded up says from what (the table shows 0.643 as 0.64, the doc gets 0.65): the
    figure the edit was written from, which may be another step's than the table's (``--find-max`` writes
    the latency of the highest step whose client kept up: "24 ms … (rounded up from 25.551 ms)" quoted the
    top step's P99 under the 150 req/s step's figure, new user, round 28)."""
    if edit.field not in ("latency_ms.p95", "latency_ms.p99"):
        return ""
    measured = edit.measured_ms
    if measured is None or float(format_ms(measured, up=True).split()[0]) == round(measured, 2):
        return ""
    return f" (rounded up from {measured:.3f} ms: a bound written holds for what was measured)"


def _max_rate(find: FindMaxResult) -> str:
    """``148 req/s (converged …)``; ``≥ 3,902 req/s, client-bound (…): at 4007.9/s the client fell
    behind …``: a lower bound says so."""
    limit = find.limit
    if find.max_rate is None:
        bound = ", client-bound" if find.client_bound else ""
        return f"none{bound} ({find.stopped})"
    rate = format_rate(find.max_rate)
    if find.client_bound and limit is not None:
        return (
            f"≥ {rate}, client-bound ({find.stopped}): at {limit.rate:g}/s the {limit.reason}, not the "
            "destination; more --connections or a faster client may go higher"
        )
    if find.lower_bound:
        return f"≥ {rate} ({find.stopped})"
    return f"{rate} ({find.stopped})"


def render_json(
    integ: Integration,
    target: Target,
    result: MeasureResult,
    find: FindMaxResult | None = None,
    verdicts: list[Verdict] | None = None,
    edits: list[Edit] | None = None,
    not_written: list[str] | None = None,
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
        data["client_bound"] = find.client_bound
        data["lower_bound"] = find.lower_bound
        data["find_max"] = {
            "stopped": find.stopped,
            "steps": [
                {
                    "rate": s.rate,
                    "sustained": s.sustained,
                    "reason": s.reason,
                    "client_bound": s.client_bound,
                    **s.result.to_json(),
                }
                for s in find.steps
            ],
        }
    if verdicts is not None:
        data["check"] = [
            {
                "name": v.name,
                "ok": v.ok,
                "documented_ms": v.documented_ms,
                "measured_ms": None if v.measured_ms is None else round(v.measured_ms, 3),
                "message": v.message,
            }
            for v in verdicts
        ]
    if edits is not None or not_written is not None:
        data["written"] = [{"field": e.field, "line": e.line, "text": e.new} for e in edits or []]
        data["not_written"] = list(not_written or [])
    return data
