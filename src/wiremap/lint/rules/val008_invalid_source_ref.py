"""## What it does
Checks that Source points at a line of code: `path:line` (also `path#L41`, `path:41-60` or
`path#L41-L60`), such as `services/checkout/payments_client.py:39`.

## Why is this bad?
Source is how a reader gets from the doc to the code that makes the call, and what `verify` checks
still exists. A path without a line, a class name or prose (`the checkout service`) has to be searched
for, and stops being checked when the code moves.

## Example
```markdown
**Source:** the checkout service
```

## Use instead
```markdown
**Source:** `services/checkout/payments_client.py:39`
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ...values import parse_source_ref, strip_code
from ..rule import DocContext, Violation, doc_rule
from ._common import has_placeholder


def _check(ctx: DocContext) -> Iterator[Violation]:
    ref = ctx.doc.fields.get("source")
    if ref is None:
        return
    value = strip_code(ref.value)
    if not value or has_placeholder(value):
        return
    path, line = parse_source_ref(value)
    if path is None:
        yield Violation(
            ref.line, f"source {value!r} is not 'path:line' (e.g. services/checkout/client.py:41)"
        )
    elif line is None:
        yield Violation(ref.line, f"source {value!r} has no line number; write 'path:line'")


RULE = doc_rule("VAL008", "invalid-source-ref", Severity.ERROR, __doc__)(_check)
