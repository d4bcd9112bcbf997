"""## What it does
Checks that every `<!-- wiremap: key=value -->` directive of a doc names a setting wiremap knows.

## Why is this bad?
A misspelled setting (`expect_staus=201`) is not used: verify goes on accepting any 2xx while the doc
looks configured. wiremap never ignores a setting silently.

## Example
```markdown
<!-- wiremap: expect_staus=201 -->
```

## Use instead
```markdown
<!-- wiremap: expect_status=201 -->
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ...trust.resolve import doc_settings
from ..rule import DocContext, Violation, doc_rule


def _check(ctx: DocContext) -> Iterator[Violation]:
    _, problems = doc_settings(ctx.integration)
    for p in problems:
        if p.message.startswith("unknown setting"):
            yield Violation(p.line, p.message)


RULE = doc_rule("CFG001", "unknown-setting", Severity.ERROR, __doc__)(_check)
