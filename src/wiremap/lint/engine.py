"""Run the selected rules over a catalog and apply config, directives and per-file ignores."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from fnmatch import fnmatch
from pathlib import Path

from .._errors import ConfigError, UsageError
from .._gc import paused_gc
from ..catalog import Catalog, discover, load_files
from ..config import Config
from ..document import ParsedDoc, from_light, to_light
from ..findings import Finding, Severity
from .registry import RULES, rules_matching, split_selectors, unknown_selectors
from .rule import CatalogContext, DocContext, Rule

__all__ = ["active_rules", "lint_catalog", "lint_doc", "lint_paths"]


def active_rules(config: Config, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """``select`` (CLI) replaces config ``select``; ``ignore`` adds to config ``ignore``.

    A selector that matches no rule is an error, not a silent no-op.
    """
    select, ignore = list(select), list(ignore)
    if bad := unknown_selectors([*select, *ignore]):
        raise UsageError(f"unknown rule code or prefix: {', '.join(bad)} (see `wiremap rule --all`)")
    if bad := unknown_selectors([*config.select, *config.ignore, *config.severity]):
        where = config.path or "config"
        raise ConfigError(
            f"{where}: unknown rule code or prefix: {', '.join(bad)} (see `wiremap rule --all`)"
        )
    for codes in config.per_file_ignores.values():
        if bad := unknown_selectors(codes):
            raise ConfigError(
                f"{config.path or 'config'}: per-file-ignores: unknown rule code: {', '.join(bad)}"
            )
    chosen = select or config.select or ["ALL"]
    drop = {r.code for r in rules_matching([*config.ignore, *ignore])}
    return [r for r in rules_matching(chosen) if r.code not in drop]


def _severity(rule_code: str, default: Severity, config: Config) -> Severity:
    override = config.severity.get(rule_code)
    return Severity.parse(override) if override else default


def _ignored_for_path(path: str, code: str, config: Config) -> bool:
    if not config.per_file_ignores:
        return False
    candidates = {path}
    with contextlib.suppress(ValueError):
        candidates.add(Path(path).resolve().relative_to(config.base_dir).as_posix())
    for pattern, codes in config.per_file_ignores.items():
        if any(fnmatch(c, pattern) or fnmatch(c, f"*/{pattern}") for c in candidates) and any(
            code.startswith(x) for x in split_selectors(codes)
        ):
            return True
    return False


def _keep(path: str, code: str, disabled: Iterable[str], config: Config) -> bool:
    if any(code.startswith(x) for x in disabled):
        return False
    return not _ignored_for_path(path, code, config)


def lint_doc(doc: ParsedDoc, rules: Sequence[Rule], config: Config, today: dt.date) -> list[Finding]:
    """The per-doc rules over one doc, with severity overrides, directives and per-file ignores applied."""
    ctx = DocContext(doc, config, today)
    disabled = doc.integration.directives.disable
    out: list[Finding] = []
    for rule in rules:
        if rule.check_doc is None or not _keep(doc.path, rule.code, disabled, config):
            continue
        sev = _severity(rule.code, rule.severity, config)
        for v in rule.check_doc(ctx):
            out.append(Finding(doc.path, max(v.line, 1), rule.code, rule.name, sev, v.message))
    return out


def _catalog_findings(
    catalog: Catalog, rules: Sequence[Rule], config: Config, today: dt.date
) -> list[Finding]:
    """Loader findings (DOC000) and the whole-catalog rules."""
    codes = {r.code for r in rules}
    disabled = {d.path: d.integration.directives.disable for d in catalog.docs}
    out = [f for f in catalog.findings if f.code in codes and _keep(f.path, f.code, (), config)]
    projects = None
    if any(r.family == "SRC" for r in rules):
        from ..code.project import Projects  # the code indexers, only for the SRC rules (lint import time)

        projects = Projects(config)
    cctx = CatalogContext(tuple(catalog.docs), config, today, projects)
    for rule in rules:
        if rule.check_catalog is None:
            continue
        sev = _severity(rule.code, rule.severity, config)
        for v in rule.check_catalog(cctx):
            path = v.path or "."
            if _keep(path, rule.code, disabled.get(path, ()), config):
                out.append(Finding(path, max(v.line, 1), rule.code, rule.name, sev, v.message))
    return out


def lint_catalog(
    catalog: Catalog,
    config: Config | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    today: dt.date | None = None,
) -> list[Finding]:
    """All findings, sorted by path, line and code."""
    config = config or Config()
    today = today or dt.date.today()
    rules = active_rules(config, select, ignore)
    out = _catalog_findings(catalog, rules, config, today)
    with paused_gc():
        for doc in catalog.docs:
            out.extend(lint_doc(doc, rules, config, today))
    return sorted(set(out))


# -- many docs: parse and lint in worker processes ---------------------------------------------------------

PARALLEL_MIN_DOCS = 200


def _lint_chunk(
    chunk: list[tuple[str, bool]], codes: list[str], config: Config, today: dt.date, skip_non_docs: bool
) -> tuple[list[tuple[str, str]], list[Finding], list[Finding], list[tuple[str, str]]]:
    """Worker: load and lint some files; docs go back light (see :func:`to_light`) to keep transfer cheap."""
    rules = [RULES[c] for c in codes]
    findings: list[Finding] = []
    part = load_files(
        [(Path(p), named) for p, named in chunk],
        skip_non_docs=skip_non_docs,
        each=lambda doc: findings.extend(lint_doc(doc, rules, config, today)),
    )
    with paused_gc():
        return [to_light(d) for d in part.docs], findings, part.findings, part.skipped


def lint_paths(
    paths: Sequence[Path],
    config: Config | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    today: dt.date | None = None,
    jobs: int | None = None,
    skip_non_docs: bool = False,
) -> tuple[Catalog, list[Finding]]:
    """Load and lint files and folders, over ``jobs`` processes when there are many docs.

    The returned catalog's docs are *light* when work was spread over processes (see
    :func:`wiremap.document.from_light`): integration and path complete, no Markdown blocks.
    """
    config = config or Config()
    today = today or dt.date.today()
    rules = active_rules(config, select, ignore)
    candidates = discover(paths)
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or len(candidates) < PARALLEL_MIN_DOCS:
        # each doc linted as soon as it is read (see lint_catalog: the same findings)
        found: list[Finding] = []
        catalog = load_files(
            candidates,
            skip_non_docs=skip_non_docs,
            each=lambda doc: found.extend(lint_doc(doc, rules, config, today)),
        )
        found.extend(_catalog_findings(catalog, rules, config, today))
        return catalog, sorted(set(found))
    size = max(16, len(candidates) // (jobs * 4))
    chunks = [
        [(str(p), named) for p, named in candidates[i : i + size]] for i in range(0, len(candidates), size)
    ]
    codes = [r.code for r in rules]
    catalog = Catalog()
    out: list[Finding] = []
    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        futures = [pool.submit(_lint_chunk, c, codes, config, today, skip_non_docs) for c in chunks]
        for fut in futures:
            docs, findings, loader_findings, skipped = fut.result()
            # the collector paused: with thousands of docs held, its full passes took 85% of rebuilding
            # them (300 µs a doc instead of 40, serial in the parent: lint at parse speed)
            with paused_gc():
                catalog.docs.extend(from_light(d) for d in docs)
            catalog.findings.extend(loader_findings)
            catalog.skipped.extend(skipped)
            out.extend(findings)
    with paused_gc():
        out.extend(_catalog_findings(catalog, rules, config, today))
    return catalog, sorted(set(out))
