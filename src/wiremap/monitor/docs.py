"""Docs changing under a running monitor: a broken doc keeps its last good version; a removed one is said.

When the docs are read again (a change under PATH), each doc is compared with its last good version, by
path:

- **broken**: the file cannot be read (not UTF-8, a binary), it no longer looks like an integration doc
  (truncated to 0 bytes, its title gone), its title no longer names the integration, or it lost the
  destination host its last good version had (cut off mid-edit), or its Request or Response example, JSON
  in its last good version, no longer parses (the contract check was dropped, and a drifted destination
  shown ok: round 69). The last good version stays in the catalog and stays monitored; the finding says
  what is wrong with the file now.
- **removed**: the file is gone (or no longer under PATH). Its integration is no longer monitored.
- otherwise the new version replaces the old one (a new doc that is broken from the start is left out,
  as at start-up).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog import Catalog
from ..document import ParsedDoc
from ..values import parse_json

__all__ = ["Reconciled", "reconcile"]

LOST_HOST = "the doc no longer names a destination host (cut off mid-edit?); its last good version is probed"


@dataclass
class Reconciled:
    catalog: Catalog  # what is monitored: the new docs, with the last good version of each broken one
    good: dict[str, ParsedDoc]  # path -> last good version, for the next reload
    broken: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (path, finding)
    removed: list[ParsedDoc] = field(default_factory=list)  # last good versions of the docs that are gone


def reconcile(
    new: Catalog, good: Mapping[str, ParsedDoc], has_target: Callable[[ParsedDoc], bool]
) -> Reconciled:
    """The catalog to monitor after a reload, given the last good version of each doc by path."""
    problems: dict[str, str] = {}
    for f in new.problems():
        problems.setdefault(f.path, f"{f.message} ({f.code}, line {f.line})")
    skipped = dict(new.skipped)
    out = Reconciled(Catalog(findings=list(new.findings), skipped=list(new.skipped)), {})
    present: set[str] = set()
    for doc in new.docs:
        present.add(doc.path)
        before = good.get(doc.path)
        finding = problems.get(doc.path)
        if finding is None and before is not None and has_target(before) and not has_target(doc):
            finding = LOST_HOST
        if finding is None and before is not None:
            finding = _lost_example(before, doc)
        if finding is not None and before is not None:
            out.catalog.docs.append(before)
            out.good[doc.path] = before
            out.broken[before.integration.id] = (doc.path, finding)
        elif finding is None:
            out.catalog.docs.append(doc)
            out.good[doc.path] = doc
    for path, before in good.items():
        if path in present:
            continue
        finding = problems.get(path)
        if finding is None and path in skipped:
            finding = "the file is empty (0 bytes)" if _empty(path) else skipped[path]
        if finding is None:
            out.removed.append(before)
            continue
        out.catalog.docs.append(before)
        out.good[path] = before
        out.broken[before.integration.id] = (path, finding)
    return out


def _lost_example(before: ParsedDoc, doc: ParsedDoc) -> str | None:
    """Why ``doc`` lost a JSON example its last good version had (what the contract check compares with and
    what a request sends), or None."""
    for key, label in (("response", "Response"), ("request", "Request")):
        old, new = getattr(before.integration, key), getattr(doc.integration, key)
        if old is None or old.json_value is None or new is None or new.json_value is not None:
            continue
        try:
            parse_json(new.text)
        except ValueError as exc:
            line = doc.integration.line_of(key)
            return (
                f"its {label} example is not valid JSON any more ({exc}; BLK001, line {line}); its last good "
                "version is checked"
            )
    return None


def _empty(path: str) -> bool:
    try:
        return Path(path).stat().st_size == 0
    except OSError:
        return False
