"""## What it does
Compares Last Updated with the dates of Recent Changes: Last Updated must not be older than the newest
change. The finding points at the Last Updated line.

## Why is this bad?
A change was recorded after the doc was last "updated": either Last Updated was forgotten when the
change was written, or the change entry has the wrong date. Either way the reader cannot trust the
doc's age, which is the first thing they check when the doc and reality disagree.

## Example
```markdown
**2026-11-02:**
- Timeout lowered to 5 s

**Last Updated:** 2026-09-14
```

## Use instead
```markdown
**2026-11-02:**
- Timeout lowered to 5 s

**Last Updated:** 2026-11-02
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._common import read_date


def _check(ctx: DocContext) -> Iterator[Violation]:
    ref = ctx.doc.fields.get("last updated")
    last_updated = read_date(ref.value) if ref is not None else None
    if ref is None or last_updated is None:
        return
    changes = [d for f in ctx.doc.fields.changes if (d := read_date(f.label)) is not None]
    if changes and last_updated < max(changes):
        yield Violation(
            ref.line,
            f"Last Updated ({last_updated.isoformat()}) is older than the newest Recent Changes entry "
            f"({max(changes).isoformat()})",
        )


RULE = doc_rule("AGE001", "last-updated-before-recent-change", Severity.WARNING, __doc__)(_check)
