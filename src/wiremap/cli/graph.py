"""``wiremap graph``: services as nodes, integrations as edges."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from ..graph import to_dot, to_mermaid
from ._common import ConfigOption, load_catalog


class GraphFormat(enum.StrEnum):
    mermaid = "mermaid"
    dot = "dot"


def graph(
    paths: list[Path] | None = typer.Argument(None, help="Docs or folders."),
    output_format: GraphFormat = typer.Option(GraphFormat.mermaid, "--format", help="mermaid or dot."),
    config_file: Path | None = ConfigOption,
) -> None:
    """Draw the system: bidirectional integrations both ways, critical-path edges marked."""
    catalog, _ = load_catalog(paths, config_file)
    sys.stdout.write(to_mermaid(catalog) if output_format is GraphFormat.mermaid else to_dot(catalog))
