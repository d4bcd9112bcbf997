"""## What it does
Finds template placeholders left unfilled: `[ms]`, `[Your name]`, `[Date]`, `[Service name]`,
`[command to verify integration is working]`… One finding per placeholder.

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

import re
from collections.abc import Iterator

from ...document.template import template_placeholders
from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ..walk import text_units

# In prose: any [bracketed words] that is not a link, an image, a footnote or a task-list box.
_PROSE = re.compile(r"(?<![!\\\]])\[(?![ xX]\])(?!\^)([^\[\]\n]*[A-Za-z][^\[\]\n]*)\](?![(\[])")
# In code: the template's own placeholders, `[Capitalised]` / `[UPPER_CASE]` after a non-word char,
# or `[several plain words]`; never `x[0]`, `d["k"]` or a list literal of names.
_CODE = re.compile(r"(?<![\w\]\)\"'])\[(?:[A-Z][A-Za-z0-9_]*(?: [A-Za-z0-9_]+)*|[a-z]+(?: [a-z]+){2,})\](?!\s*[=:]\s*\S)")
_NOT_CODE_WORDS = re.compile(r"\b(for|in|if|else|and|or|not|lambda)\b")


def _check(ctx: DocContext) -> Iterator[Violation]:
    known = template_placeholders()
    for unit in text_units(ctx.doc.document):
        if unit.kind == "code":
            found = {m.start(): m.group(0) for m in _CODE.finditer(unit.text) if not _NOT_CODE_WORDS.search(m.group(0))}
            for ph in known:
                start = unit.text.find(ph)
                while start >= 0:
                    found.setdefault(start, ph)
                    start = unit.text.find(ph, start + 1)
            hits = [found[k] for k in sorted(found)]
        elif unit.kind == "raw":
            continue
        else:
            hits = [f"[{m.group(1)}]" for m in _PROSE.finditer(unit.text)]
        for ph in hits:
            yield Violation(unit.line, f"template placeholder {ph} left unfilled")


RULE = doc_rule("DOC003", "unfilled-placeholder", Severity.ERROR, __doc__)(_check)
