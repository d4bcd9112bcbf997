"""## What it does
Finds a required template section that the doc does not have: Quick Reference, Request Format,
Error Handling, Performance, Configuration or Monitoring. One finding per missing section.

## Why is this bad?
These sections answer the questions asked during an incident: where is the code, what does a request
look like, what happens when it fails, how fast is it normally, how is it configured and how do I see
it. A doc without one of them leaves the reader to rediscover the answer under pressure. Headings are
matched by meaning, so `## Configuration & Environment` counts as Configuration.

## Example
```markdown
# Integration: Checkout Service → Payments API
...
## Request Format
...
## Monitoring
```
(no `## Error Handling`, `## Performance`, ...)

## Use instead
Add every template section, even when short:
```markdown
## Error Handling

**Failure Modes:**
- **Timeout**: the charge may exist → retry with the same Idempotency-Key
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...document.template import canonical_section
from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule

REQUIRED_SECTIONS: tuple[str, ...] = (
    "Quick Reference",
    "Request Format",
    "Error Handling",
    "Performance",
    "Configuration",
    "Monitoring",
)


def _check(ctx: DocContext) -> Iterator[Violation]:
    present = {canonical_section(s.title) for s in ctx.doc.document.sections}
    for name in REQUIRED_SECTIONS:
        if name not in present:
            yield Violation(1, f"missing section '## {name}'")


RULE = doc_rule("DOC001", "missing-section", Severity.ERROR, __doc__)(_check)
