"""## What it does
Checks that Direction is `Unidirectional` or `Bidirectional` (any case), optionally followed by a note in
parentheses.

## Why is this bad?
Direction decides the edges of the service graph: a bidirectional integration is an edge both ways, so
`wiremap impact` follows it from either end. Free text such as `both`, `push` or `request/response` cannot
be read, and the graph silently treats the integration as one-way.

## Example
```markdown
**Direction:** Both ways
```

## Use instead
```markdown
**Direction:** Bidirectional (acks flow back on the same channel)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._common import has_placeholder


def _check(ctx: DocContext) -> Iterator[Violation]:
    # the model reads Direction (wiremap.values.parse_direction): what it cannot read is reported here
    integ = ctx.integration
    value = integ.direction_raw
    if not value or has_placeholder(value) or integ.direction is not None:
        return
    yield Violation(
        integ.line_of("direction"), f"direction {value!r} is not 'Unidirectional' or 'Bidirectional'"
    )


RULE = doc_rule("VAL001", "unknown-direction", Severity.ERROR, __doc__)(_check)
