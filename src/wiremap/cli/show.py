"""``wiremap show PATH…``: print the typed model of docs (secrets masked unless --reveal)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from ..output import revealed
from ..secrets import mask_json
from ._common import ConfigOption, OutputFormat, load_catalog, out, print_json, select_only


def _text(data: dict[str, Any]) -> Table:
    title = Text(f"{data.get('source') or '?'} → {data.get('destination') or '?'}")
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in data.items():
        if key in ("lines", "schema_version") or value in (None, [], {}):
            continue
        if isinstance(value, dict | list):
            import json

            value = json.dumps(value, ensure_ascii=False)
        table.add_row(key, Text(str(value)))  # plain text: ``[paho]`` in a value is not a style tag
    return table


def show(
    paths: list[Path] | None = typer.Argument(None, help="Docs or folders."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
    only: list[str] = typer.Option(
        [], "--only", help="Only these integrations (id or 'Source → Destination')."
    ),
    reveal: bool = typer.Option(False, "--reveal", help="Do not mask secrets."),
    config_file: Path | None = ConfigOption,
) -> None:
    """Print the model of each doc: one JSON object for one doc, an array for several."""
    catalog, _ = load_catalog(paths, config_file)  # unreadable docs: said, and exit 1 after the rest
    chosen = select_only(catalog, only)
    items = [i.to_json() for i in chosen]
    if output_format is OutputFormat.json:
        print_json(items[0] if len(items) == 1 else items, reveal=reveal)  # masked unless --reveal
    else:
        # masked before the table wraps long values over lines (the door sees the wrapped text)
        with revealed() if reveal else contextlib.nullcontext():
            for data in items:
                out.print(_text(data if reveal else mask_json(data)))
