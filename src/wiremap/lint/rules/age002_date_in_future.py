"""## What it does
Finds a date in the future: Last Updated, or the date of a Recent Changes entry, after today.

## Why is this bad?
A doc cannot have been updated tomorrow. A future date is a typo (`2062` for `2026`, month and day
swapped) or a plan written as history, and it makes the doc look fresher than it is for as long as the
date stays ahead.

## Example
```markdown
**Last Updated:** 2062-11-20
```

## Use instead
```markdown
**Last Updated:** 2026-11-20
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._common import read_date


def _check(ctx: DocContext) -> Iterator[Violation]:
    dated: list[tuple[int, str, str]] = [
        (f.line, f.label, "Recent Changes entry") for f in ctx.doc.fields.changes
    ]
    ref = ctx.doc.fields.get("last updated")
    if ref is not None:
        dated.append((ref.line, ref.value, "Last Updated"))
    for line, text, what in dated:
        date = read_date(text)
        if date is not None and date > ctx.today:
            yield Violation(
                line, f"{what} {date.isoformat()} is in the future (today is {ctx.today.isoformat()})"
            )


RULE = doc_rule("AGE002", "date-in-future", Severity.ERROR, __doc__)(_check)
