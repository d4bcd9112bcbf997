"""``wiremap discover [ROOT]``: the integrations in the code, and which of them have a doc."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from .._errors import UsageError
from ..catalog import load
from ..code.discover import Discovery, discover
from ..code.draft import draft_doc
from ..code.history import git_toplevel
from ..code.index import SourceIndex, index_tree
from ..code.project import NO_ROOT, Projects
from ..config import Config, load_config
from ..model import Integration
from ..writes import atomic_write_text
from ._common import ConfigOption, err, out, print_json, report_problems


class DiscoverFormat(enum.StrEnum):
    text = "text"
    json = "json"


def _root(root: Path | None, config: Config) -> Path:
    if root is not None:
        if not root.is_dir():
            raise UsageError(f"ROOT {root} is not a folder")
        return root.resolve()
    return config.root_path or git_toplevel(Path.cwd()) or Path.cwd().resolve()


def _docs_folder(docs: Path | None, config: Config, scaffold: Path | None) -> Path | None:
    """The docs to compare against: ``--docs``, else the config's ``docs``. One that does not exist is
    a usage error (exit 2), given or by default, as for lint, verify and graph: a coverage computed
    against no docs would be a 0% nobody measured. Except where ``--scaffold`` is about to create that
    very folder (a project's first run): then there is truly no doc yet (None), and it is said."""
    if docs is not None:
        if not docs.exists():
            raise UsageError(f"--docs {docs} does not exist")
        return docs
    folder = config.docs_path
    if not folder.exists() and scaffold is not None and scaffold.resolve() == folder.resolve():
        err.print(f"no docs yet: {folder} does not exist; every call site is undocumented", markup=False)
        return None
    if not folder.exists():
        where = f"docs in [tool.wiremap] of {config.path}" if config.path else "docs in [tool.wiremap]"
        raise UsageError(
            f"no --docs given and the default docs folder {folder} does not exist: no coverage to report "
            f"(pass --docs DIR, or set {where})"
        )
    return folder


def _docs(folder: Path, config: Config, root: Path) -> list[tuple[Integration, str | None]]:
    """The docs in ``folder``, each with its Source path relative to ``root``."""
    catalog = load([folder])
    report_problems(catalog)  # the docs that cannot be read cover nothing: said, and exit 1
    projects = Projects(config)  # a config near the docs that cannot be read: exit 2, as lint and sync
    out: list[tuple[Integration, str | None]] = []
    for doc in catalog.docs:
        project = projects.for_doc(doc.path)
        rel = project.source_path(doc.integration) if project is not None else None
        why = NO_ROOT if project is None else None
        if project is not None and rel is None:
            why = f"no Source path under the project root {project.root}"
        elif project is not None and rel is not None:
            try:
                rel = (project.root / rel).resolve().relative_to(root).as_posix()
            except ValueError:
                why = f"its Source {rel} (root {project.root}) is not under the scanned tree {root}"
                rel = None
        if why is not None:  # it covers nothing: said, never a silent 0%, as sync says what it skipped
            err.print(f"skipped {doc.path}: {why}", markup=False)
        out.append((doc.integration, rel))
    if catalog.docs and all(rel is None for _, rel in out):
        err.print(
            f"none of the {len(catalog.docs)} doc(s) in {folder} could be tied to the code under {root}: "
            "every call site is reported undocumented",
            markup=False,
        )
    return out


def _print_text(found: Discovery, index: SourceIndex) -> None:
    for s in found.sites:
        site = s.site
        where = f"{site.path}:{site.line}"
        target = site.target or (f"${site.env}" if site.env else "?")  # masked at the door (wiremap.output)
        status = f"documented by {s.doc}" if s.doc else "UNDOCUMENTED"
        if s.mismatch:
            status += f", but {s.mismatch}"
        out.print(f"{where}  {site.client}  {site.protocol}  {target}  {status}", markup=False)
    undocumented = [g for g in found.groups if not g.documented]
    if undocumented:
        out.print("\nUndocumented integrations:", markup=False)
        for g in undocumented:
            dest = g.destination or (f"${g.env}" if g.env else "unknown destination")
            sites = ", ".join(f"{s.site.path}:{s.site.line}" for s in g.sites)
            out.print(f"  {g.source_dir or '.'} → {dest} ({g.protocol}): {sites}", markup=False)
    n_sites, n_groups = len(found.sites), len(found.groups)
    doc_sites = sum(s.documented for s in found.sites)
    doc_groups = sum(g.documented for g in found.groups)
    out.print(
        f"\nCoverage: {doc_sites}/{n_sites} call sites ({_pct(found.site_coverage)}), "
        f"{doc_groups}/{n_groups} integrations ({_pct(found.integration_coverage)}) documented; "
        f"{index.stats.files} files, {index.stats.lines} lines indexed in {index.stats.seconds:.2f} s",
        markup=False,
    )


def _scaffold(found: Discovery, index: SourceIndex, folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --scaffold folder {folder}: {exc.strerror or exc}") from None
    written: set[Path] = set()
    titles: set[tuple[str, str]] = set()
    for group in found.groups:
        if group.documented:
            continue
        name, text = draft_doc(group, index, titles)
        path = folder / name
        n = 2
        while path in written:  # two integrations of one name in this run: each its own draft (the second
            path = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"  # was "kept: it exists already":
            n += 1  # round 35)
        if path.exists():
            err.print(f"kept {path}: it exists already", markup=False)
            continue
        atomic_write_text(path, text)
        written.add(path)
        err.print(f"wrote {path}", markup=False)


def discover_command(
    root: Path | None = typer.Argument(
        None, help="Source tree to scan [default: config root, else the git top level, else cwd]."
    ),
    output_format: DiscoverFormat = typer.Option(DiscoverFormat.text, "--format", help="Report format."),
    docs: Path | None = typer.Option(
        None, "--docs", help="Docs to compare against [default: docs of [tool.wiremap]]."
    ),
    scaffold_dir: Path | None = typer.Option(
        None, "--scaffold", help="Write a pre-filled doc for each undocumented integration into DIR."
    ),
    fail_under: float | None = typer.Option(
        None, "--fail-under", min=0, max=100, help="Exit 1 when integration coverage is below PCT percent."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Index every file again; write no cache."),
    config_file: Path | None = ConfigOption,
) -> None:
    """List outbound integration call sites in the code and whether a doc covers each."""
    config = load_config(config_file, start=root if root is not None and root.exists() else Path.cwd())
    tree = _root(root, config)
    folder = _docs_folder(docs, config, scaffold_dir)  # before the work: nothing printed, no draft written
    index = index_tree(tree, use_cache=not no_cache)
    documented = _docs(folder, config, tree) if folder is not None else []
    found = discover(index, documented, window=config.source_line_window)
    if output_format is DiscoverFormat.json:
        print_json(found.to_json())
    else:
        _print_text(found, index)
    if scaffold_dir is not None:
        _scaffold(found, index, scaffold_dir)
    coverage = found.integration_coverage
    failed = fail_under is not None and (coverage is None or coverage * 100 < fail_under)
    if failed:
        if coverage is None:
            why = f"no integration was found in the code: coverage unknown, not {fail_under:g}% or more"
        else:
            # as many decimals as the threshold has ("47% is below 47.37%" read as false: round 35)
            places = len(f"{fail_under:g}".partition(".")[2])
            # and more while the rounded figure reads as the threshold ("42.86% is below 42.86%": round 59)
            while places < 6 and f"{coverage * 100:.{places}f}" == f"{fail_under:.{places}f}":
                places += 1
            why = f"integration coverage {coverage * 100:.{places}f}% is below --fail-under {fail_under:g}%"
        err.print(why, markup=False)
    raise typer.Exit(1 if failed else 0)


def _pct(value: float | None) -> str:
    return "nothing found" if value is None else f"{value:.0%}"
