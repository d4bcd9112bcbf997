"""``path:line:col: CODE message`` lines and a summary; colour only when ``color`` (a TTY)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.markup import escape

from ...findings import Finding, Severity
from ..rule import Rule

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return "All checks passed."
    by = Counter(f.severity for f in findings)
    parts = [f"{by[s]} {s.label}{'s' if by[s] != 1 else ''}" for s in sorted(by, reverse=True)]
    return f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(parts)})."


def render(findings: Sequence[Finding], rules: Sequence[Rule], color: bool) -> str:
    lines = []
    for f in findings:
        if color:
            style = _STYLE[f.severity]
            lines.append(
                f"[bold]{escape(f.path)}[/bold]:{f.line}:{f.column}: [{style}]{f.code}[/{style}] "
                f"{escape(f.message)} [dim]({f.name})[/dim]"
            )
        else:
            lines.append(
                f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity.label}] {f.message} ({f.name})"
            )
    lines.append(summary(findings))
    return "\n".join(lines)
