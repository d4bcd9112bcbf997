"""``wiremap rule CODE`` / ``wiremap rule --all``: explain lint rules."""

from __future__ import annotations

import enum
import sys

import typer
from rich.table import Table

from .._errors import UsageError
from ..lint import RULES, get_rule
from ..lint.reference import render_rule_reference
from ._common import out, print_json


class RuleFormat(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def rule(
    code: str | None = typer.Argument(None, help="Rule code (DOC003) or name (unfilled-placeholder)."),
    all_: bool = typer.Option(False, "--all", help="List every rule."),
    output_format: RuleFormat = typer.Option(RuleFormat.text, "--format", help="text, json or markdown."),
) -> None:
    """Explain a lint rule: what it does, why, an example and what to write instead."""
    if all_ or code is None:
        if output_format is RuleFormat.markdown:
            sys.stdout.write(render_rule_reference())
            return
        if output_format is RuleFormat.json:
            print_json(
                {
                    "rules": [
                        {"code": r.code, "name": r.name, "severity": r.severity.label, "summary": r.summary}
                        for r in RULES.values()
                    ]
                }
            )
            return
        if not out.is_terminal:  # piped: one untruncated line per rule
            for r in sorted(RULES.values(), key=lambda r: r.code):
                sys.stdout.write(f"{r.code}\t{r.name}\t{r.severity.label}\t{r.summary}\n")
            return
        table = Table("code", "name", "severity", "summary", box=None)
        for r in sorted(RULES.values(), key=lambda r: r.code):
            table.add_row(r.code, r.name, r.severity.label, r.summary)
        out.print(table)
        return
    found = get_rule(code)
    if found is None:
        raise UsageError(f"no rule {code!r}; `wiremap rule --all` lists them")
    if output_format is RuleFormat.json:
        print_json(
            {"code": found.code, "name": found.name, "severity": found.severity.label, "doc": found.doc}
        )
        return
    header = f"# {found.code} {found.name} ({found.severity.label})\n\n"
    if out.is_terminal:
        from rich.markdown import Markdown  # imports a Markdown parser: only when shown on a TTY

        out.print(Markdown(header + found.doc))
    else:
        sys.stdout.write(header + found.doc + "\n")
