"""## What it does
Checks that the **Client** is defined (or, for a library client such as `requests.Session`, used) at
or near the **Source** line: inside its body, or within `source-line-window` lines (default 10) of
where it starts. When the Client is elsewhere in the file, the finding says where it is now;
`wiremap sync --write` moves the line there.

## Why is this bad?
Code moves and docs don't: a few edits above the client and the Source line points at something
else. The reader lands on the wrong code and may not notice.

## Example
```markdown
**Source:** `services/checkout/payments_client.py:12`
**Client:** `PaymentsClient`
```

## Use instead
```markdown
**Source:** `services/checkout/payments_client.py:39`
**Client:** `PaymentsClient`
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...code.locate import client_lines, client_name, nearest, within
from ...findings import Severity
from ..rule import CatalogContext, Violation, catalog_rule
from ._source import source_docs


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    for doc, project, rel in source_docs(ctx):
        integ = doc.integration
        name = client_name(integ.client)
        ref = integ.source_ref
        if name is None or ref is None or ref.line is None or not project.exists(rel):
            continue
        f = project.file(rel)
        if f is None or f.error:
            continue
        spans = client_lines(f, name)
        if not spans or within(spans, ref.line, project.line_window):
            continue
        now = nearest(spans, ref.line)
        yield Violation(
            integ.line_of("source_ref"),
            f"Client {name} is not at {rel}:{ref.line}: it is at line {now} now "
            f"(`wiremap sync --write` updates the Source line)",
            doc.path,
        )


RULE = catalog_rule("SRC003", "client-not-at-source-line", Severity.ERROR, __doc__)(_check)
