"""## What it does
Checks the value of every setting a doc's `<!-- wiremap: key=value -->` directives give: a status for
`expect_status`, a duration for `interval`, a whole number for `down_after`, true or false for a flag
(`true`/`yes`/`on`/`1`, `false`/`no`/`off`/`0`).

## Why is this bad?
A value wiremap cannot read is left out, so the command falls back to its default while the doc says
otherwise.

## Example
```markdown
<!-- wiremap: interval=often tls=maybe -->
```

## Use instead
```markdown
<!-- wiremap: interval=30s tls=true -->
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
        if not p.message.startswith("unknown setting"):
            yield Violation(p.line, p.message)


RULE = doc_rule("CFG002", "invalid-setting-value", Severity.ERROR, __doc__)(_check)
