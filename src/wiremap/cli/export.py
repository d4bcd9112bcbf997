"""``wiremap export prometheus [PATH…] -o DIR``: the docs' checks as blackbox_exporter modules, file_sd
targets, a scrape config and alerting rules for a team's own Prometheus."""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from pathlib import Path

import typer

from .._errors import UsageError
from ..catalog import display_path
from ..config import Config
from ..model import Integration
from ..output import write_report
from ..verify.targets import target_ids
from ._common import ConfigOption, err, load_catalog, out


class ExportFormat(enum.StrEnum):
    prometheus = "prometheus"


def _seconds(text: str, option: str) -> float:
    from ..values import parse_duration_ms

    ms = float(text) * 1000 if text.replace(".", "", 1).isdigit() else parse_duration_ms(text)
    if ms is None or ms <= 0:
        raise UsageError(f"{option} must be a duration like 30s, 500ms or 2m, got {text!r}")
    return ms / 1000


def _exporter(value: str) -> str:
    host, colon, port = value.strip().rpartition(":")
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise UsageError(f"--exporter wants HOST:PORT (127.0.0.1:9115), got {value!r}")
    return value.strip()


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _owner_of(config: Config) -> Callable[[Integration], str | None]:
    """The doc's Maintained By, else the CODEOWNERS owners of its Source file (as SRC008 finds them)."""
    from ..code.project import Projects

    projects = Projects(config)

    def owner(integ: Integration) -> str | None:
        if integ.maintained_by and not integ.maintained_by.startswith("["):
            return integ.maintained_by
        project = projects.for_doc(integ.path)
        rel = project.source_path(integ) if project is not None else None
        owners = project.owners.of(rel) if project is not None and project.owners and rel else []
        return " ".join(owners) or None

    return owner


def export(
    kind: ExportFormat = typer.Argument(..., help="What to export: prometheus."),
    paths: list[Path] | None = typer.Argument(
        None, help="Docs or folders (default: docs of [tool.wiremap])."
    ),
    output: Path = typer.Option(
        ..., "-o", "--output", help="DIR to write the files to (created when its parent exists)."
    ),
    exporter: str = typer.Option(
        "127.0.0.1:9115", "--exporter", help="HOST:PORT of the blackbox_exporter Prometheus scrapes."
    ),
    interval: str = typer.Option(
        "30s", "--interval", help="Scrape interval of an integration without an interval setting."
    ),
    down_for: int = typer.Option(
        2, "--for", min=1, help="N: alert when N intervals fail (without a down_after setting)."
    ),
    timeout: str = typer.Option("5s", "--timeout", help="Deadline of one probe (at most the interval)."),
    cert_days: int = typer.Option(
        14, "--cert-days", min=1, help="N: alert when a TLS certificate expires within N days."
    ),
    target: list[str] = typer.Option([], "--target", help="NAME=URL: probe another instance (repeatable)."),
    config_file: Path | None = ConfigOption,
) -> None:
    """Write blackbox_exporter modules, targets, a scrape config and alerting rules from the docs."""
    from ..export.prometheus import Options, plan, render

    address = _exporter(exporter)
    interval_s, timeout_s = _seconds(interval, "--interval"), _seconds(timeout, "--timeout")
    catalog, config = load_catalog(paths, config_file)
    options = Options(
        address, interval_s, down_for, timeout_s, cert_days, target_ids(target, catalog), os.environ
    )
    # a doc without its title is a finding, not an integration "? → ?" to alert on; two docs of one id would
    # share every alert (and page the other's owner): the first is exported, the others said (round 52)
    untitled = {f.path for f in catalog.problems() if f.code == "DOC004"}
    first_of: dict[str, str] = {}
    chosen = []
    duplicates = 0
    for integ in catalog.integrations:
        if integ.path in untitled:
            continue
        if integ.id in first_of:
            duplicates += 1
            err.print(
                f"skipped: {integ.path}: its id {integ.id} is {first_of[integ.id]}'s too (CAT001): "
                "not exported",
                markup=False,
            )
            continue
        first_of[integ.id] = integ.path
        chosen.append(integ)
    result = plan(chosen, config, options, _owner_of(config))
    files = render(result, options)
    if output.exists() and not output.is_dir():
        raise UsageError(f"-o {output}: not a folder")
    if not output.parent.is_dir():
        raise UsageError(f"-o {output}: folder {output.parent} does not exist")
    try:
        (output / "targets").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc
    for name, text in files.items():
        write_report(text, output / name)
    for m in result.modules:
        out.print(f"exported: {m.integration.id}: {m.name} ({m.prober}): {m.checks}", markup=False)
    for s in result.skipped:
        out.print(f"skipped: {s.integration.id}: {s.why}", markup=False)
    written = ", ".join(display_path(output / name) for name in files)
    exported = _count(len(result.modules), "integration")
    # every "skipped:" line counted, the duplicates' too (it said 1 skipped under two: round 57)
    err.print(
        f"wrote {written}: {exported} exported, {len(result.skipped) + duplicates} skipped", markup=False
    )
