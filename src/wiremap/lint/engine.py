"""Run the selected rules over a catalog and apply config, directives and per-file ignores."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path

from ..catalog import Catalog
from ..config import Config
from ..findings import Finding, Severity
from .registry import rules_matching
from .rule import CatalogContext, DocContext, Rule

__all__ = ["active_rules", "lint_catalog"]


def active_rules(config: Config, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """``select`` (CLI) replaces config ``select``; ``ignore`` adds to config ``ignore``."""
    chosen = list(select) or config.select or ["ALL"]
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
            code.startswith(x.upper()) for x in codes
        ):
            return True
    return False


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
    codes = {r.code for r in rules}
    disabled = {d.path: d.integration.directives.disable for d in catalog.docs}
    out: list[Finding] = [f for f in catalog.findings if f.code in codes]

    def keep(path: str, code: str) -> bool:
        if any(code.startswith(x) for x in disabled.get(path, ())):
            return False
        return not _ignored_for_path(path, code, config)

    for doc in catalog.docs:
        ctx = DocContext(doc, config, today)
        for rule in rules:
            if rule.check_doc is None:
                continue
            sev = _severity(rule.code, rule.severity, config)
            for v in rule.check_doc(ctx):
                if keep(doc.path, rule.code):
                    out.append(Finding(doc.path, max(v.line, 1), rule.code, rule.name, sev, v.message))
    cctx = CatalogContext(tuple(catalog.docs), config, today)
    for rule in rules:
        if rule.check_catalog is None:
            continue
        sev = _severity(rule.code, rule.severity, config)
        for v in rule.check_catalog(cctx):
            path = v.path or "."
            if keep(path, rule.code):
                out.append(Finding(path, max(v.line, 1), rule.code, rule.name, sev, v.message))
    return sorted(set(out))
