"""``wiremap faults [PATH…]``: run each Source's own test against a stub of its destination failing each
documented way, and compare what the client did at the wire with what the doc promised."""

from __future__ import annotations

import enum
import os
from pathlib import Path

import typer

from .._errors import UsageError
from .._loop import run
from ..faults.report import FORMATS
from ..faults.run import IntegrationFaults, RunOptions, check_only, run_integration
from ..model import Integration
from ..output import write_report
from ..trust.resolve import resolve_settings
from ._common import BindSecretOption, ConfigOption, bindings, err, load_catalog


class FaultsFormat(enum.StrEnum):
    text = "text"
    json = "json"
    junit = "junit"


async def _all(
    chosen: list[Integration], options: RunOptions, allowed: dict[str, bool]
) -> list[IntegrationFaults]:
    out: list[IntegrationFaults] = []
    for integ in chosen:  # one at a time: the timings are the point
        out.append(await run_integration(integ, options, run_commands=allowed[integ.id]))
        if err.is_terminal:
            err.print(f"faults: {integ.id} done", markup=False)
    return out


def faults(
    paths: list[Path] | None = typer.Argument(
        None, help="Docs or folders (default: docs of [tool.wiremap])."
    ),
    run_cmd: str | None = typer.Option(
        None, "--run", help="CMD: the Source's test to run against each stub (shell; runner's consent)."
    ),
    only: list[str] = typer.Option(
        [], "--only", help="FAULT: inject these faults instead of the documented ones (repeatable)."
    ),
    output_format: FaultsFormat = typer.Option(FaultsFormat.text, "--format", help="Report format."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write the report to FILE."),
    timeout: float | None = typer.Option(
        None, "--timeout", min=0.01, help="S: stop each run after S seconds [default: from the doc]."
    ),
    run_commands: bool | None = typer.Option(
        None,
        "--run-commands/--no-run-commands",
        help="Run the doc's Integration Test command when no --run is given (runner-only).",
    ),
    bind_secret: list[str] = BindSecretOption,
    config_file: Path | None = ConfigOption,
) -> None:
    """Fail each destination as its doc says it might; check the client retries as documented."""
    check_only(only)
    if run_cmd is not None and not run_cmd.strip():
        raise UsageError("--run wants a command")
    catalog, config = load_catalog(paths, config_file)
    chosen = list(catalog.integrations)
    root = config.root_path or config.base_dir
    options = RunOptions(
        command=run_cmd,
        run_commands=bool(run_commands),
        timeout_s=timeout,
        root=root,
        env=dict(os.environ),
        bindings=bindings(config, bind_secret),
        only=tuple(only),
    )
    allowed = {
        i.id: (
            run_commands
            if run_commands is not None
            else config.run_commands or bool(resolve_settings(i, config).values.get("run_commands"))
        )
        for i in chosen
    }
    reports = run(_all(chosen, options, allowed))
    write_report(FORMATS[output_format.value](reports), output)
    raise typer.Exit(0 if all(r.ok for r in reports) else 1)
