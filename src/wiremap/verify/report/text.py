"""A summary table: integration, protocol, result, failing check and reason, duration."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from ...findings import Finding
from ..engine import IntegrationReport
from ._common import limited, message, status, where

_STYLE = {"ok": "green", "FAIL": "bold red", "skip": "yellow"}


def _one_line(reason: str) -> str:
    """A reason on one line: its first, and its last when there are more (a command's output: "exit 1:
    Traceback (most recent call last):" told nothing, the error is at the end: round 29)."""
    lines = [x for x in reason.split("\n") if x.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else ""
    return f"{lines[0]} … {lines[-1].strip()}"


def render(reports: Sequence[IntegrationReport], color: bool, problems: Sequence[Finding] = ()) -> str:
    table = Table("integration", "protocol", "result", "check", "reason", "ms", box=None, pad_edge=False)
    for r in sorted(reports, key=lambda r: (r.ok, not r.integration.critical_path, r.integration.name)):
        word = status(r)
        bad = r.first_failure or next((c for c in r.checks if c.skipped), None)
        if bad:
            reason = f"{bad.error_kind or 'skipped'}: {message(bad)}"
        else:  # which address answered: an ok names it too (round 67)
            reason = "; ".join(x for x in (f"at {where(r)}" if where(r) else "", limited(r)) if x)
        checks = bad.name if bad else ", ".join(c.name for c in r.checks)
        if word != "FAIL" and bad is not None and any(not c.skipped for c in r.checks):
            # the ok (or the doc's commands) is the checks that ran; the skipped one said apart
            checks = ", ".join(c.name for c in r.checks if not c.skipped)
            reason = f"{bad.name} skipped: {message(bad)}"
            if word == "skip":
                reason = f"the destination was not probed ({reason}); the doc's commands passed"
        elif r.first_failure is not None:  # every failed check, not the first alone (a failed health-check
            # after a failed tcp probe was seen only in JSON: new user, round 26)
            others = [c for c in r.checks if not c.ok and not c.skipped and c is not r.first_failure]
            if others:
                checks = ", ".join([bad.name, *(c.name for c in others)]) if bad else checks
                more = "; ".join(f"{c.name}: {c.error_kind}: {message(c).split(chr(10))[0]}" for c in others)
                reason = f"{reason.split(chr(10))[0]}; {more}"
        name = r.integration.name + (" (critical)" if r.integration.critical_path else "")
        table.add_row(
            name,
            r.integration.protocol or "?",
            f"[{_STYLE[word]}]{word}[/]" if color else word,
            checks,
            _one_line(reason),  # whole: rich wraps it in its column (a cut id read as a valid one)
            f"{r.duration_ms:.1f}",
        )
    words = [status(r) for r in reports]
    ok, failed, skipped = words.count("ok"), words.count("FAIL"), words.count("skip")
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, width=200 if not color else None, highlight=False)
    console.print(table)
    noun = "integration" if len(reports) == 1 else "integrations"
    tail = f", {skipped} skipped" if skipped else ""
    console.print(f"{ok} ok, {failed} failed{tail}; {len(reports)} {noun} verified.")
    return buf.getvalue().rstrip("\n")
