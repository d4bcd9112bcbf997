"""Entry point: builds the Typer app from the command modules and maps outcomes to exit codes.

Exit codes, the same for every command: 0 ok, 1 findings or failures, 2 usage or config
error, 3 internal error (a bug), 130 interrupted.
"""

from __future__ import annotations

import difflib
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import typer

# gRPC core logs at INFO on stderr when a process that has used it starts a subprocess ("fork_posix.cc:71
# … skipping fork() handlers": make demo printed a screenful); its warnings and errors still show. A
# runner's own GRPC_VERBOSITY wins.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

from .. import __version__
from .._errors import WiremapError
from ..output import door
from ._common import err, forget_problems, problems_reported

__all__ = ["COMMANDS", "command", "main", "run"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

# A command's module is imported when the command runs, not before: each pulls in its own world (probes,
# servers, code indexers, load engines), and a process that lints imported all of it (0.8 s of a 2,000-doc
# lint's 1.8 s budget: lint at parse speed). ``wiremap --help`` and an unknown command import them all.
_MODULES: dict[str, tuple[str, str]] = {
    "lint": ("lint", "lint"),
    "fmt": ("fmt", "fmt"),
    "new": ("new", "new"),
    "show": ("show", "show"),
    "schema": ("schema", "schema"),
    "rule": ("rule", "rule"),
    "graph": ("graph", "graph"),
    "impact": ("impact", "impact"),
    "index": ("index", "index"),
    "verify": ("verify", "verify"),
    "measure": ("measure", "measure"),
    "sync": ("sync", "sync"),
    "discover": ("discover", "discover_command"),
    "serve": ("serve", "serve"),
    "stub": ("stub", "stub"),
    "faults": ("faults", "faults"),
    "export": ("export", "export"),
    "demo": ("demo", "demo"),
}
COMMANDS: tuple[str, ...] = tuple(_MODULES)


def command(name: str) -> Callable[..., Any]:
    """The function of command ``name`` (its module imported now)."""
    module, attr = _MODULES[name]
    fn: Callable[..., Any] = getattr(importlib.import_module(f"{__package__}.{module}"), attr)
    return fn


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wiremap {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """wiremap reads a folder of integration docs into a typed model and checks them."""


def _app(names: Sequence[str]) -> typer.Typer:
    """The CLI with the commands ``names`` (all of them for help and for a name that is none)."""
    built = typer.Typer(
        name="wiremap",
        help="Integration docs that are true and stay true.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"max_content_width": 200},  # help as wide as the terminal ($COLUMNS), not 80
    )
    built.callback()(_root)
    for name in names:
        built.command(name)(command(name))
    return built


def __getattr__(name: str) -> Any:
    """``app``: the whole CLI, every command imported (tests and docs read its help)."""
    if name == "app":
        return _app(COMMANDS)
    raise AttributeError(name)


_WORDS = {
    "path": "PATH",
    "str": "TEXT",
    "int": "N",
    "float": "NUMBER",
    "int range": "N",
    "float range": "NUMBER",
}


def _word(shown: str) -> str:
    """``<list[Path]>`` -> ``PATH``, ``<int range>`` -> ``N``, ``<text|json>`` -> ``text|json``."""
    inner = shown.strip("<>").removeprefix("list[").removesuffix("]")
    return _WORDS.get(inner.lower(), inner if "|" in inner else inner.upper())


def _plain_help(command: Any) -> Any:
    """Every option and argument of every command shows a word (``PATH``, ``TEXT``, ``N``), not the
    Python type typer derives (``<list[Path]>``)."""
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)
    for param in getattr(command, "params", []):
        display = getattr(param, "display_type", None)
        if display is None or getattr(param, "is_flag", False) or getattr(param, "metavar", None):
            continue
        ctx = typer.Context(command)
        word = "" if param.param_type_name == "argument" else _word(str(display(ctx)))
        param.display_type = lambda _ctx, w=word: w
    return command


_CLI: dict[tuple[str, ...], Any] = {}


def _cli(args: Sequence[str]) -> Any:
    """The click command for ``args``: only the command they name, when they name one (the root's options
    take no value: the first word that is no option is the command)."""
    first = next((a for a in args if not a.startswith("-")), None)
    names = (first,) if first in _MODULES and "--help" not in args[:1] else COMMANDS
    if names not in _CLI:
        _CLI[names] = _plain_help(typer.main.get_command(_app(names)))
    return _CLI[names]


def _close_options(exc: BaseException) -> None:
    """Click suggests options by the similarity of the whole string, dashes included (``--bogus`` ->
    ``--jobs``): compare the names alone."""
    name, possible = getattr(exc, "option_name", None), getattr(exc, "possibilities", None)
    if not isinstance(name, str) or not possible:
        return
    bare = name.lstrip("-")
    exc.possibilities = [  # type: ignore[attr-defined]
        p for p in possible if difflib.SequenceMatcher(None, bare, str(p).lstrip("-")).ratio() >= 0.6
    ]


def _is_usage_error(exc: BaseException) -> bool:
    """Typer's (vendored click) usage errors: bad option, missing argument, bad value."""
    return callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (never raises). Everything it prints, error messages
    included, passes the door of :mod:`wiremap.output`: secrets are masked."""
    with door():
        forget_problems()
        code = _run(argv)
        # docs that could not be read whole were reported: the run failed, whatever the command did next
        return EXIT_FAIL if code == EXIT_OK and problems_reported() else code


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = list(argv) if argv is not None else sys.argv[1:]
        result = _cli(args).main(args=args, prog_name="wiremap", standalone_mode=False)
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
            _close_options(exc)
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
