"""## What it does
Finds template placeholders left unfilled: `[ms]`, `[Your name]`, `[Date]`, `[Service name]`,
`[command to verify integration is working]`… One finding per placeholder.

A placeholder is one of the template's own (the ones `wiremap new` leaves), wherever it is. In prose,
a bracketed phrase that stands where the template puts a placeholder is one too: a whole value
(`**Owner:** [Team name]`), list item or heading, or a whole part of one (`- P99: [TBD]`,
`[What happens] → [How to handle]`). Other bracketed text is content: in code (`# retried on
[UNAVAILABLE]`, an INI `[DEFAULT]` section, `[ -f x ]`), and inside a sentence.

## Why is this bad?
A placeholder reads like documentation but says nothing. "P99: [ms]" is the classic rotten doc: nobody
knows the number, and the doc pretends somebody does.

## Example
```markdown
**Latency:**
- P99: [ms]
```

## Use instead
```markdown
**Latency:**
- P99: 180 ms
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ..walk import text_units
from ._common import code_placeholders, json_placeholders, prose_placeholders


def _check(ctx: DocContext) -> Iterator[Violation]:
    for unit in text_units(ctx.doc.document):
        if "[" not in unit.text:
            continue
        if unit.kind == "code":
            find = json_placeholders if (unit.language or "").lower() == "json" else code_placeholders
            hits = [ph for _, ph in find(unit.text)]
        elif unit.kind == "raw":
            continue
        else:
            hits = prose_placeholders(unit.text)
        for ph in hits:
            yield Violation(unit.line, f"template placeholder {ph} left unfilled")


RULE = doc_rule("DOC003", "unfilled-placeholder", Severity.ERROR, __doc__)(_check)
