"""## What it does
Checks the doc's title: it must be a level-1 heading `# Integration: Source → Destination` naming both
ends (`->`, `=>` and `⟶` are read as `→`, as every command reads them; `wiremap fmt` writes `→`).

## Why is this bad?
The title is the integration's identity: wiremap builds the integration id, the service graph and the
blast radius from it. Without a well-formed title the doc is not on the map, two docs may collide, and
`wiremap impact` misses the edge.

## Example
```markdown
# Payments integration
```

## Use instead
```markdown
# Integration: Checkout Service → Payments API
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._common import has_placeholder

_TITLE = re.compile(r"^\s*integration\s*:\s*(.*?)\s*(→|->|⟶|=>)\s*(.*?)\s*$", re.IGNORECASE)
_ARROWS = re.compile(r"→|->|⟶|=>")
_FORM = "'# Integration: Source → Destination'"


def _check(ctx: DocContext) -> Iterator[Violation]:
    doc = ctx.doc.document
    title = doc.title
    line = doc.title_line
    if title is None:
        yield Violation(1, f"missing title {_FORM}")
        return
    m = _TITLE.match(title)
    if not m:
        if not has_placeholder(title):
            yield Violation(line, f"title {title!r} is not of the form {_FORM}")
        return
    source, destination = m.group(1), m.group(3)
    if not source and not has_placeholder(destination):
        yield Violation(line, f"title names no source service: {_FORM}")
    elif not destination and not has_placeholder(source):
        yield Violation(line, f"title names no destination service: {_FORM}")
    elif _ARROWS.search(destination):
        yield Violation(line, "title names more than one destination; write one doc per Source → Destination")


RULE = doc_rule("DOC004", "invalid-title", Severity.ERROR, __doc__)(_check)
