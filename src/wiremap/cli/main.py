"""Entry point: builds the Typer app from the command modules and maps outcomes to exit codes.

Exit codes, the same for every command: 0 ok, 1 findings or failures, 2 usage or config
error, 3 internal error (a bug), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import typer

from .. import __version__
from .._errors import WiremapError
from ..output import door
from . import (
    demo,
    discover,
    fmt,
    graph,
    impact,
    index,
    lint,
    measure,
    new,
    rule,
    schema,
    serve,
    show,
    sync,
    verify,
)
from ._common import err

__all__ = ["COMMANDS", "app", "main", "run"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

COMMANDS: dict[str, Callable[..., Any]] = {
    "lint": lint.lint,
    "fmt": fmt.fmt,
    "new": new.new,
    "show": show.show,
    "schema": schema.schema,
    "rule": rule.rule,
    "graph": graph.graph,
    "impact": impact.impact,
    "index": index.index,
    "verify": verify.verify,
    "measure": measure.measure,
    "sync": sync.sync,
    "discover": discover.discover_command,
    "serve": serve.serve,
    "demo": demo.demo,
}

app = typer.Typer(
    name="wiremap",
    help="Integration docs that are true and stay true.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wiremap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """wiremap reads a folder of integration docs into a typed model and checks them."""


for _name, _fn in COMMANDS.items():
    app.command(_name)(_fn)


def _is_usage_error(exc: BaseException) -> bool:
    """Typer's (vendored click) usage errors: bad option, missing argument, bad value."""
    return callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (never raises). Everything it prints, error messages
    included, passes the door of :mod:`wiremap.output`: secrets are masked."""
    with door():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    try:
        result = app(
            args=list(argv) if argv is not None else None, prog_name="wiremap", standalone_mode=False
        )
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        err.print("interrupted")
        return EXIT_INTERRUPTED
    except WiremapError as exc:
        err.print(f"error: {exc}", markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            return EXIT_USAGE
        if os.environ.get("WIREMAP_DEBUG"):
            traceback.print_exc()
        else:
            exc_type, exc_value, _ = sys.exc_info()
            err.print(
                f"internal error: {exc_type.__name__ if exc_type else 'Exception'}: {exc_value} "
                "(this is a bug in wiremap; rerun with WIREMAP_DEBUG=1 for a traceback and report it)",
                markup=False,
            )
        return EXIT_INTERNAL
    return int(result or 0)


def run() -> None:
    sys.exit(main())
