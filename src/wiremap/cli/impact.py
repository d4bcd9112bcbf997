"""``wiremap impact SERVICE``: what breaks if SERVICE is down."""

from __future__ import annotations

import difflib
from pathlib import Path

import typer

from .._errors import UsageError
from ._common import ConfigOption, OutputFormat, load_catalog, out, print_json


def impact(
    service: str = typer.Argument(..., help="A service name as written in the docs' titles."),
    paths: list[Path] | None = typer.Option(
        None, "--docs", help="Docs or folders (default: docs of [tool.wiremap])."
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
    config_file: Path | None = ConfigOption,
) -> None:
    """List the integrations into SERVICE and every upstream service that depends on it."""
    catalog, _ = load_catalog(paths, config_file)
    name = catalog.find_service(service)
    if name is None:
        near = difflib.get_close_matches(service, catalog.services(), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else f"; known: {', '.join(catalog.services())}"
        raise UsageError(f"no service {service!r} in the catalog{hint}")
    broken, affected = catalog.impact(name)
    if output_format is OutputFormat.json:
        print_json(
            {
                "service": name,
                "integrations": [
                    {"id": i.id, "name": i.name, "critical_path": i.critical_path, "path": i.path}
                    for i in broken
                ],
                "affected_services": affected,
            }
        )
        return
    if not broken:
        out.print(f"Nothing in the catalog depends on {name}.", markup=False)
        return
    out.print(f"If {name} is down, these integrations break:", markup=False)
    for i in broken:
        flag = " (critical path)" if i.critical_path else ""
        out.print(f"  - {i.name}{flag}  [{i.path}]", markup=False)
    out.print("Affected upstream services: " + (", ".join(affected) or "none"), markup=False)
