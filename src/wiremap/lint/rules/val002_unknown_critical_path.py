"""## What it does
Checks that Critical Path reads as yes or no (`Yes`, `No`, optionally with a note such as
`Yes (during checkout only)`).

## Why is this bad?
Critical Path decides how an outage of the integration is treated: critical integrations must have a
health check, a retry strategy and a P99 (CRT001-CRT003), and alerts page people for them. A value that
is neither yes nor no, such as `Sometimes` or `Important`, turns all of that off without anyone noticing.

## Example
```markdown
**Critical Path:** Important
```

## Use instead
```markdown
**Critical Path:** Yes (an order cannot be placed without it)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ...values import strip_code
from ..rule import DocContext, Violation, doc_rule
from ._common import has_placeholder


def _check(ctx: DocContext) -> Iterator[Violation]:
    ref = ctx.doc.fields.get("critical path")
    if ref is None or ctx.integration.critical_path is not None:
        return
    value = strip_code(ref.value)
    if not value or has_placeholder(value):
        return
    yield Violation(ref.line, f"critical path {value!r} is neither 'Yes' nor 'No'")


RULE = doc_rule("VAL002", "unknown-critical-path", Severity.ERROR, __doc__)(_check)
