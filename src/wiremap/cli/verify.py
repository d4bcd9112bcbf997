"""``wiremap verify [PATH…]``: probe every documented integration over its own protocol."""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from pathlib import Path

import typer

from .._errors import UsageError
from .._loop import run
from ..config import Config
from ..model import Integration
from ..output import write_report
from ..verify import VerifyOptions, verify_all
from ..verify.engine import IntegrationReport
from ..verify.report import FORMATS
from ..verify.targets import target_ids
from ._common import BindSecretOption, ConfigOption, bindings, err, load_catalog, out, select_only


class VerifyFormat(enum.StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"


class FailOn(enum.StrEnum):
    critical = "critical"
    any = "any"


def verify(
    paths: list[Path] | None = typer.Argument(
        None, help="Docs or folders (default: docs of [tool.wiremap])."
    ),
    only: list[str] = typer.Option(
        [], "--only", help="Only these integrations (id or 'Source → Destination')."
    ),
    timeout: float = typer.Option(5.0, "--timeout", min=0.01, help="Deadline of each probe, in seconds."),
    concurrency: int = typer.Option(32, "--concurrency", min=1, help="Integrations probed at once."),
    target: list[str] = typer.Option([], "--target", help="NAME=URL: probe another instance (repeatable)."),
    output_format: VerifyFormat = typer.Option(VerifyFormat.text, "--format", help="Report format."),
    fail_on: FailOn = typer.Option(
        FailOn.critical, "--fail-on", help="Exit 1 when a critical (or any) check fails."
    ),
    allow_writes: bool = typer.Option(
        False, "--allow-writes", help="Send POST/PUT/PATCH/DELETE examples to non-loopback targets too."
    ),
    run_commands: bool | None = typer.Option(
        None,
        "--run-commands/--no-run-commands",
        help="Also run the doc's Health Check and Integration Test commands (runner-only).",
    ),
    rounds: int = typer.Option(
        1, "--rounds", min=1, help="Verify everything N times (flakiness checks, benchmarks)."
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write the report to FILE."),
    bind_secret: list[str] = BindSecretOption,
    config_file: Path | None = ConfigOption,
) -> None:
    """Prove each documented integration works: probe it, check the live response against the doc."""
    if output is not None:
        from ..writes import check_writable

        check_writable(output)
    catalog, config = load_catalog(paths, config_file)
    problems = catalog.problems()
    untitled = {f.path for f in problems if f.code == "DOC004"}
    # a doc without its title is a finding, not an integration "? → ?" to probe (round 30)
    chosen = [i for i in select_only(catalog, only) if i.path not in untitled]
    if only and not chosen:
        raise UsageError(f"no integration matches --only {', '.join(only)}")
    targets = target_ids(target, catalog)
    options = VerifyOptions(
        timeout_s=timeout,
        concurrency=concurrency,
        targets=targets,
        allow_writes=allow_writes,
        run_commands=config.run_commands if run_commands is None else run_commands,
        bindings=bindings(config, bind_secret),
    )
    done: dict[str, IntegrationReport] = {}  # the latest report of each integration, for Ctrl-C
    interrupted = False
    try:
        reports = _run(chosen, options, config, rounds, lambda r: done.__setitem__(r.integration.id, r))
    except KeyboardInterrupt:
        interrupted = True
        reports = [done[i.id] for i in chosen if i.id in done]
    color = output is None and output_format is VerifyFormat.text and out.is_terminal
    text = FORMATS[output_format.value](reports, color, problems)
    if output is not None or text:
        write_report(text + "\n", output)
    if interrupted:
        err.print(f"interrupted: {len(reports)} of {len(chosen)} integrations verified", markup=False)
        raise typer.Exit(130)
    failed = [r for r in reports if not r.ok and (fail_on is FailOn.any or r.integration.critical_path)]
    raise typer.Exit(1 if failed else 0)


async def _rounds(
    chosen: list[Integration],
    options: VerifyOptions,
    config: Config,
    env: dict[str, str],
    rounds: int,
    on_done: Callable[[IntegrationReport], object] | None,
) -> list[IntegrationReport]:
    """Run every round on one loop; per integration keep its first failing report, else the last one."""
    kept: list[IntegrationReport] = []
    for n in range(rounds):
        reports = await verify_all(chosen, options, config, env, on_done)
        kept = reports if n == 0 else [k if not k.ok else r for k, r in zip(kept, reports, strict=True)]
    return kept


def _run(
    chosen: list[Integration],
    options: VerifyOptions,
    config: Config,
    rounds: int,
    on_done: Callable[[IntegrationReport], object],
) -> list[IntegrationReport]:
    env = dict(os.environ)
    if not err.is_terminal:
        return run(_rounds(chosen, options, config, env, rounds, on_done))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("verify"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("verify", total=len(chosen) * rounds)

        def advance(report: IntegrationReport) -> None:
            on_done(report)
            bar.advance(task)

        return run(_rounds(chosen, options, config, env, rounds, advance))
