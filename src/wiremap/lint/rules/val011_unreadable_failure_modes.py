"""## What it does
Reports what is written under **Failure Modes** that wiremap cannot read as failure modes. They are read
from a list (`- **Name**: what happens → handling`) or a Markdown table with a header row (see
[the doc format](format.md#nested-objects)); reported are a code block, a paragraph, an HTML block or
text on the label's line in their place, and a table row that names no failure. A label that says there
is none (`none`, `n/a`, "None known.") is not reported, and neither is a template placeholder (DOC003
reports it).

## Why is this bad?
Failure modes wiremap cannot read are, to it, no failure modes: `show` gives `failure_modes: []`, and
`faults` injects nothing and says none is documented, while a reader sees them documented.

## Example
```markdown
**Failure Modes:**

Connection refused: the pool is empty, we page the on-call. Deadlocks are retried once.
```

## Use instead
```markdown
**Failure Modes:**
- **Connection refused**: pool empty → page the on-call
- **Deadlock**: transaction aborted → retried once
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...document.extract import read_failure_modes
from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._common import unread_filled


def _check(ctx: DocContext) -> Iterator[Violation]:
    ref = ctx.doc.fields.get("failure modes")
    if ref is None:
        return
    _, unread = read_failure_modes(ctx.doc.document, ref)
    for line, what in unread_filled(ctx.doc.text, ref.raw, unread):
        yield Violation(
            line,
            f"Failure Modes: {what} wiremap cannot read as failure modes, so none is documented to it; "
            "write a list (`- **Name**: what happens → handling`) or a table with a header row",
        )


RULE = doc_rule("VAL011", "unreadable-failure-modes", Severity.WARNING, __doc__)(_check)
