"""``wiremap index``: a catalog page (Markdown table + Mermaid graph)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..index_page import render_index
from ..lint.engine import lint_paths
from ..output import write_report
from ._common import ConfigOption, err, report_problems, require_docs, resolve


def index(
    paths: list[Path] | None = typer.Argument(None, help="Docs or folders."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to FILE (default: stdout)."),
    config_file: Path | None = ConfigOption,
) -> None:
    """Write a catalog page: integration, protocol, critical path, owner, last updated, lint status."""
    targets, config = resolve(paths, config_file)
    catalog, findings = lint_paths(targets, config)
    require_docs(catalog, targets)
    if report_problems(catalog) and not catalog.docs:
        raise typer.Exit(1)
    page = render_index(catalog, findings, output.parent if output else None)
    write_report(page, output)
    if output is not None:
        err.print(f"wrote {output}", markup=False)
