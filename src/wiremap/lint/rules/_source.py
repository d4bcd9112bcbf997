"""Helpers of the SRC rules: the docs that name a Source file, and their git history in one call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...document import ParsedDoc
from ..rule import CatalogContext

if TYPE_CHECKING:
    from ...code.project import Project

__all__ = ["ensure_history", "source_docs"]


def source_docs(ctx: CatalogContext) -> Iterator[tuple[ParsedDoc, Project, str]]:
    """``(doc, project, source path relative to the root)`` for each doc with a readable Source."""
    if ctx.projects is None:
        return
    for doc in ctx.docs:
        project = ctx.projects.for_doc(doc.path)
        rel = project.source_path(doc.integration) if project is not None else None
        if project is not None and rel is not None:
            yield doc, project, rel


def ensure_history(ctx: CatalogContext) -> None:
    """Load the git history of every doc's Source file with one batched call (once per lint run)."""
    from ...code.review import review_day  # when an SRC rule runs (lint import time)

    by_project: dict[Project, list[tuple[str, dt.date | None]]] = {}
    for doc, project, rel in source_docs(ctx):
        if not project.has_history:
            by_project.setdefault(project, []).append((rel, review_day(doc.integration)))
    for project, pairs in by_project.items():
        dates = [d for _, d in pairs if d is not None]
        # a day early: ``--since`` reads the day in the local time zone, a commit's date is in its own
        since = min(dates) - dt.timedelta(days=1) if len(dates) == len(pairs) else None
        project.load_history([rel for rel, _ in pairs], since=since)
