"""When a doc was last brought up to date with its code, and which commits to its Source came after.

The one definition of "the code changed after the doc" that ``wiremap sync`` (it records those commits
and moves Last Updated) and SRC007 (it reports them) share, so that one says a doc is in sync exactly
when the other does:

- the doc's **review day** is the later of its Last Updated and its newest Recent Changes date: both say
  the doc was brought up to date that day (AGE001 reports when they disagree);
- a commit counts when it changes the Source file (whatever else it changes) and its committer date is
  **after** the review day. A date has no time of day, so a commit on the review day counts as seen: the
  usual change edits code and doc on the same day, often in the same commit;
- a doc with **no review day** (Last Updated missing, a placeholder such as ``[Date]`` or no date, and no
  dated Recent Changes entry) was never said to be reviewed against any commit: every commit to its Source
  counts. SRC007 reports it ("Last Updated is a placeholder; N commits touch the Source") and sync records
  them and dates the doc, so neither calls a doc in sync that nothing says was compared;
- the history is the Source file's history in the git repository that holds it, also when the project
  root is a folder inside that repository (a service of a monorepo, an example tree of a tool). A shallow
  clone's boundary commit is no change of the file and never counts (see :mod:`.history`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..model import Integration
from .history import Commit

__all__ = ["changed_after", "news", "review_day"]


def review_day(integration: Integration) -> dt.date | None:
    """The later of Last Updated and the newest Recent Changes date; None when the doc names neither."""
    from ..lint.rules._common import read_date  # the one reading of a date a doc wrote

    days = [read_date(integration.last_updated), *(read_date(c.date) for c in integration.recent_changes)]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def changed_after(commits: Iterable[Commit], day: dt.date | None) -> list[Commit]:
    """The commits (newest first, as given) dated after ``day``; every commit when the doc names no day."""
    return [c for c in commits if day is None or c.date > day]


def news(integration: Integration, commits: Iterable[Commit]) -> list[Commit]:
    """The commits to the doc's Source that are news for the doc (newest first, as given): those after its
    review day, every one when it has none. What SRC007 reports and sync records."""
    return changed_after(commits, review_day(integration))
