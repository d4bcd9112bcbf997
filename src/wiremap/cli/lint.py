"""``wiremap lint [PATH…]``: check every doc against the rules."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from .._errors import UsageError
from ..findings import Severity
from ..lint import active_rules
from ..lint.baseline import filter_baseline, read_baseline, write_baseline
from ..lint.engine import lint_paths
from ..lint.report import FORMATS
from ..output import write_report
from ._common import ConfigOption, SkipNonDocsOption, err, out, require_docs, resolve


class LintFormat(enum.StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class FailOn(enum.StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


def lint(
    paths: list[Path] | None = typer.Argument(
        None, help="Docs or folders (default: docs of [tool.wiremap])."
    ),
    output_format: LintFormat = typer.Option(LintFormat.text, "--format", help="Report format."),
    select: list[str] = typer.Option([], "--select", help="Only these rule codes or prefixes (repeatable)."),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip these rule codes or prefixes (repeatable)."),
    fail_on: FailOn | None = typer.Option(
        None, "--fail-on", help="Exit 1 at or above this severity [default: error]."
    ),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when there are findings."),
    baseline: Path | None = typer.Option(
        None, "--baseline", help="Ignore findings recorded in this baseline file."
    ),
    write_baseline_: bool = typer.Option(
        False, "--write-baseline", help="Record the current findings in --baseline FILE and exit 0."
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write the report to FILE instead of stdout."
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", min=1, help="Worker processes for large catalogs [default: CPU count]."
    ),
    skip_non_docs: bool = SkipNonDocsOption,
    config_file: Path | None = ConfigOption,
) -> None:
    """Check docs statically: placeholders, units, JSON, secrets, consistency."""
    targets, config = resolve(paths, config_file)
    rules = active_rules(config, select, ignore)
    if (select or ignore) and not rules:
        raise UsageError(
            f"--select/--ignore match no rule ({', '.join([*select, *ignore])}); see `wiremap rule --all`"
        )
    catalog, findings = lint_paths(
        targets, config, select=select, ignore=ignore, jobs=jobs, skip_non_docs=skip_non_docs
    )
    require_docs(catalog, targets, skip_non_docs)
    baseline_path = baseline or (config.base_dir / config.baseline if config.baseline else None)
    if write_baseline_:
        if baseline_path is None:
            raise UsageError("--write-baseline needs --baseline FILE (or baseline in [tool.wiremap])")
        write_baseline(baseline_path, findings)
        err.print(f"wrote {len(findings)} finding(s) to baseline {baseline_path}", markup=False)
        raise typer.Exit(0)
    baselined = 0
    if baseline_path is not None:
        before = len(findings)
        findings = filter_baseline(findings, read_baseline(baseline_path), baseline_path)
        baselined = before - len(findings)
    color = output is None and output_format is LintFormat.text and out.is_terminal
    report = FORMATS[output_format.value](findings, rules, color)
    if color:
        out.print(report)  # rich renders the colours; the door masks what it writes
    elif report or output is not None:
        write_report(report + "\n", output)
    if baselined and output_format is LintFormat.text:  # "All checks passed." alone hid them
        err.print(f"{baselined} finding(s) in the baseline {baseline_path} not shown", markup=False)
    for shown, reason in catalog.skipped:
        if output_format is LintFormat.text:
            err.print(
                f"[dim]skipped {shown}: {reason}[/dim]" if err.is_terminal else f"skipped {shown}: {reason}"
            )
    if output_format is LintFormat.text and any(r.family == "SRC" for r in rules):
        # "All checks passed." of SRC rules that never ran (no project to read the code of: round 41)
        from ..code.project import Projects  # only with SRC rules (lint import time)

        projects = Projects(config)
        unrooted = [d for d in catalog.docs if d.integration.source_ref and projects.for_doc(d.path) is None]
        if unrooted:
            err.print(
                f"note: the SRC rules did not run for {len(unrooted)} doc(s): no project root (not inside"
                " a git repository, and no `root` in wiremap.toml)",
                markup=False,
            )
    threshold = Severity.parse((fail_on.value if fail_on else None) or config.fail_on)
    failed = any(f.severity >= threshold for f in findings)
    raise typer.Exit(1 if failed and not exit_zero else 0)
