"""``wiremap new "Source" "Destination"``: scaffold a doc from the template."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from .._errors import UsageError
from ..document.scaffold import scaffold
from ..output import revealed
from ..writes import atomic_write_text
from ._common import err


def new(
    source: str = typer.Argument(..., help="The calling system, e.g. 'Checkout Service'."),
    destination: str = typer.Argument(..., help="The called system, e.g. 'Payments API'."),
    protocol: str | None = typer.Option(None, "--protocol", help="HTTP, gRPC, WebSocket, PostgreSQL, …"),
    dest: str | None = typer.Option(None, "--dest", help="Destination host:port."),
    client: str | None = typer.Option(None, "--client", help="Client class or function in the source."),
    source_ref: str | None = typer.Option(
        None, "--source-ref", help="path:line of the client in the source."
    ),
    output_arg: str | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Write to FILE, or into FOLDER/ (default: stdout).",
        metavar="FILE|FOLDER/",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
) -> None:
    """Scaffold a new integration doc, leaving the template's placeholders where nothing was given."""
    text = scaffold(source, destination, protocol=protocol, dest=dest, client=client, source_ref=source_ref)
    if output_arg is None:
        with revealed():  # the user's doc, as the user gave it: not a report (see wiremap.output)
            sys.stdout.write(text)
        return
    output = Path(output_arg)
    folder = output_arg.endswith(("/", os.sep))  # a trailing slash means a folder, existing or not
    try:
        if folder and not output.is_dir():
            if output.exists():
                raise UsageError(f"{output} is a file, not a folder")
            output.mkdir(parents=True)  # "-o drafts/" makes it, as discover --scaffold does
        if output.is_dir():
            from ..values import slugify

            output = output / f"{slugify(f'{source} to {destination}')}.md"  # at most 203 bytes
        if output.exists() and not force:
            raise UsageError(f"{output} exists (use --force to overwrite)")
        if not output.parent.exists():
            raise UsageError(f"folder {output.parent} does not exist")
        atomic_write_text(output, text)
    except OSError as exc:  # a name too long for the file system, a read-only folder, a full disk
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(f"wrote {output}", markup=False)
