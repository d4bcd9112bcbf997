"""## What it does
Checks the dates of the doc, Last Updated and every Recent Changes entry: each must be a real date
written as ISO `YYYY-MM-DD`. A date wiremap cannot read is reported, and so is a readable one written
another way (`Nov 2, 2026`, `2026/11/02`, `2026-1-5`).

## Why is this bad?
The dates tell how fresh the doc is, and the age rules (AGE001, AGE002) compare them. `last week`,
`02/11/2026` (February or November?) or `Q3` cannot be compared; one format sorts and diffs cleanly.

## Example
```markdown
**Nov 2, 2026:**
- Timeout lowered to 5 s

**Last Updated:** last week
```

## Use instead
```markdown
**2026-11-02:**
- Timeout lowered to 5 s

**Last Updated:** 2026-11-20
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ...values import parse_date, strip_code
from ..rule import DocContext, Violation, doc_rule
from ._common import has_placeholder, is_iso_date


def _dates(ctx: DocContext) -> Iterator[tuple[int, str, str]]:
    """(line, text, what) for Recent Changes labels and Last Updated."""
    for ref in ctx.doc.fields.changes:
        yield ref.line, ref.label, "Recent Changes date"
    last = ctx.doc.fields.get("last updated")
    if last is not None:
        yield last.line, last.value, "Last Updated"


def _check(ctx: DocContext) -> Iterator[Violation]:
    for line, raw, what in _dates(ctx):
        text = strip_code(raw).strip()
        if not text or has_placeholder(text):
            continue
        if parse_date(text) is None:
            yield Violation(line, f"{what} {text!r} is not a date; write dates as YYYY-MM-DD")
        elif not is_iso_date(text):
            yield Violation(line, f"{what} {text!r}: write dates as YYYY-MM-DD")


RULE = doc_rule("VAL009", "invalid-date", Severity.ERROR, __doc__)(_check)
