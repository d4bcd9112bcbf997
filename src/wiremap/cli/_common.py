"""What every command shares: config and catalog loading, output streams, formats."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from .. import output
from .._errors import UsageError
from ..catalog import Catalog, load
from ..config import Config, load_config
from ..findings import Finding
from ..model import SCHEMA_VERSION, Integration
from ..trust.credentials import parse_bindings
from ..values import parse_duration_ms

__all__ = [
    "BindSecretOption",
    "ConfigOption",
    "OutputFormat",
    "SkipNonDocsOption",
    "bindings",
    "duration_s",
    "err",
    "forget_problems",
    "load_catalog",
    "out",
    "print_json",
    "problems_reported",
    "report_problems",
    "require_docs",
    "resolve",
    "warn_refused",
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ConfigOption = typer.Option(
    None,
    "--config",
    help="The runner's config file (pyproject.toml or wiremap.toml) [env: WIREMAP_CONFIG]; default: the "
    "nearest above the docs, whose runner-only keys are not used (docs/security.md).",
)
BindSecretOption = typer.Option(
    [],
    "--bind-secret",
    help="VAR=HOST:PORT: the secret in $VAR may be sent to HOST:PORT (repeatable; docs/security.md).",
)


def duration_s(text: str, option: str) -> float:
    """``30s``, ``500ms``, ``2m`` or a bare number of seconds (``3``, ``0.5``), as every command takes a
    duration."""
    ms = parse_duration_ms(text) if not text.replace(".", "", 1).isdigit() else float(text) * 1000
    if ms is None or ms <= 0:
        raise UsageError(f"{option} must be a duration like 30s, 500ms or 2m, got {text!r}")
    return ms / 1000


def bindings(config: Config, flags: Sequence[str]) -> dict[str, list[str]]:
    """Where each secret may go: the runner's config ``bind-secrets`` plus ``--bind-secret`` flags."""
    out = {k: list(v) for k, v in config.bind_secrets.items()}
    for var, hosts in parse_bindings(flags).items():
        out.setdefault(var, []).extend(hosts)
    return out


def warn_refused(config: Config) -> None:
    """One line when a config wiremap found by itself sets what only the runner may set."""
    if config.refused:
        err.print(
            f"wiremap: {config.path} sets {', '.join(config.refused)}: only the runner may set "
            "these (flags, or a config named with --config); not used",
            markup=False,
        )


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"


def resolve(paths: Sequence[Path] | None, config_file: Path | None) -> tuple[list[Path], Config]:
    """The paths to read (default: the config's ``docs``) and the config that applies to them."""
    start = paths[0] if paths else Path.cwd()
    config = load_config(config_file, start=start if start.exists() else Path.cwd())
    warn_refused(config)
    if paths:
        return list(paths), config
    default = config.docs_path
    if not default.exists():
        raise UsageError(
            f"no PATH given and the default docs folder {default} does not exist "
            "(pass a file or folder, or set docs in [tool.wiremap])"
        )
    return [default], config


SkipNonDocsOption = typer.Option(
    False, "--skip-non-docs", help="Skip named files that are not integration docs (for pre-commit)."
)


_WHAT_IS_A_DOC = "(a doc is titled '# Integration: A → B', or has the template's sections and labels)"


def require_docs(catalog: Catalog, targets: Sequence[Path], skip_non_docs: bool = False) -> None:
    """A usage error when nothing was found to work on (exit 0 for pre-commit's --skip-non-docs)."""
    if catalog.docs or catalog.findings:
        return
    if skip_non_docs:
        raise typer.Exit(0)
    shown = ", ".join(str(p) for p in targets)
    raise UsageError(f"no integration docs found in {shown} {_WHAT_IS_A_DOC}")


# The problems reported during this run of a command: main() makes its exit code 1 at least when there
# are some (an unreadable doc is a failure of the run, as a lint finding is: docs/index.md#exit-codes).
_problems: list[Finding] = []


def report_problems(catalog: Catalog) -> list[Finding]:
    """Say which docs could not be read whole (:meth:`Catalog.problems`: unreadable files, docs without
    a title), one ``error: path:line: message`` line each on stderr; the command then exits 1 at least."""
    problems = catalog.problems()
    for f in problems:
        err.print(f"error: {f.path}:{f.line}: {f.message}", markup=False)
    _problems.extend(problems)
    return problems


def problems_reported() -> bool:
    return bool(_problems)


def forget_problems() -> None:
    """A new run of a command starts with none (main() calls it)."""
    _problems.clear()


def select_only(catalog: Catalog, only: list[str] | None) -> list[Integration]:
    """The integrations ``--only`` names (all without it). A name that matches nothing is left out and said
    on stderr when another matches; exit 2 when none does."""
    unmatched: list[str] = []
    chosen = catalog.select(only or [], unmatched)
    for name in unmatched:
        err.print(f"warning: no integration matches --only {name}: left out", markup=False)
    return chosen


def load_catalog(
    paths: Sequence[Path] | None,
    config_file: Path | None,
    *,
    require: bool = True,
    skip_non_docs: bool = False,
) -> tuple[Catalog, Config]:
    """The docs and their config; the docs that could not be read whole are reported
    (:func:`report_problems`), and when no doc could be read at all the command stops there, exit 1."""
    targets, config = resolve(paths, config_file)
    catalog = load(targets, skip_non_docs=skip_non_docs)
    if skip_non_docs and not catalog.docs and not catalog.findings:
        raise typer.Exit(0)
    if report_problems(catalog) and not catalog.docs:
        raise typer.Exit(1)
    if require and not catalog.docs and not catalog.findings:
        shown = ", ".join(str(p) for p in targets)
        raise UsageError(f"no integration docs found in {shown} {_WHAT_IS_A_DOC}")
    return catalog, config


def print_json(data: Any, *, reveal: bool = False) -> None:
    """JSON to stdout, secrets masked (:func:`wiremap.output.print_json`); a top-level object gets
    ``schema_version``."""
    if isinstance(data, dict) and "schema_version" not in data:
        data = {"schema_version": SCHEMA_VERSION, **data}
    output.print_json(data, reveal=reveal)
