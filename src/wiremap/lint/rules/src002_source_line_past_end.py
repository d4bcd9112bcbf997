"""## What it does
Checks that the line number of **Source** is within the file: a line past the end of the file
cannot point at anything.

## Why is this bad?
The file shrank (code was deleted or moved out) and the doc was not updated. The line number is
the only thing that says *where* in the file the integration lives; past the end it says nothing.

## Example
```markdown
**Source:** `services/checkout/payments_client.py:390`
```

## Use instead
```markdown
**Source:** `services/checkout/payments_client.py:39`
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import CatalogContext, Violation, catalog_rule
from ._source import source_docs


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    for doc, project, rel in source_docs(ctx):
        ref = doc.integration.source_ref
        if ref is None or ref.line is None or not project.exists(rel):
            continue
        count = project.line_count(rel)
        if ref.line > count:
            yield Violation(
                doc.integration.line_of("source_ref"),
                f"Source line {ref.line} is past the end of {rel} ({count} lines)",
                doc.path,
            )


RULE = catalog_rule("SRC002", "source-line-past-end", Severity.ERROR, __doc__)(_check)
