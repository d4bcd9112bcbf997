"""## What it does
Compares the git history of the **Source** file with the day the doc was last brought up to date: the
later of its **Last Updated** and its newest **Recent Changes** date. A commit to the file after that
day means the code changed and the doc was not reviewed since; a commit on that day counts as seen.
`wiremap sync` uses the same definition: it wants to record commits and move Last Updated in exactly
the docs this rule reports. A doc with neither date (Last Updated missing, a placeholder such as
`[Date]` or no date, and no dated Recent Changes entry) says it was never reviewed against any commit:
every commit to its Source file is news, and the finding says so ("Last Updated is a placeholder; 3
commits touch the Source"), next to the DOC002, DOC003 or VAL009 finding on the date itself. The history
of every doc's Source file is read in one `git log` call; the boundary commit of a shallow clone is not a
change.

## Why is this bad?
This is how docs rot: the code changes, the doc does not, and nothing says so. The finding names
the newest commit so the reader can see what changed; `wiremap sync --write` records the commits
under Recent Changes (adding the section when the doc has none) and moves Last Updated.

## Example
```text
code changed 2026-11-20 (a1b2c3d: Retry charges on 429), doc last updated 2026-10-02
```

## Use instead
Review the doc against the change, then update **Recent Changes** and **Last Updated**.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ...model import Integration
from ..rule import CatalogContext, Violation, catalog_rule
from ._common import has_placeholder
from ._source import ensure_history, source_docs


def _no_day(integ: Integration) -> str:
    """Why the doc has no review day, in its own words."""
    written = integ.last_updated
    if written is None or not written.strip():
        return "the doc has no Last Updated date"
    if has_placeholder(written):
        return "Last Updated is a placeholder"
    return f"Last Updated is not a date ({written})"


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    from ...code.review import news, review_day  # when an SRC rule runs (lint import time)

    ensure_history(ctx)
    for doc, project, rel in source_docs(ctx):
        integ = doc.integration
        newer = news(integ, project.history(rel))  # every commit when the doc has no review day
        if not newer:
            continue
        head = newer[0]
        line = integ.line_of("last_updated", integ.line_of("source_ref"))
        day = review_day(integ)
        if day is None:
            yield Violation(
                line,
                f"{_no_day(integ)}; {len(newer)} commit(s) touch the Source {rel}, the newest "
                f"{head.date.isoformat()} ({head.short}: {head.subject}): review the doc, or `wiremap sync "
                "--write` records them and dates it",
                doc.path,
            )
            continue
        more = f" and {len(newer) - 1} more commit(s)" if len(newer) > 1 else ""
        yield Violation(
            line,
            f"code changed {head.date.isoformat()} ({head.short}: {head.subject}){more}, "
            f"doc last updated {day.isoformat()}",
            doc.path,
        )


RULE = catalog_rule("SRC007", "source-changed-after-doc", Severity.WARNING, __doc__)(_check)
