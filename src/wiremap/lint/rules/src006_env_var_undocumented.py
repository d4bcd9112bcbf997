"""## What it does
Checks that every environment variable the **Source** file reads is listed under **Environment
Variables**.

## Why is this bad?
The doc is where operators learn how to configure the integration. A variable the code reads but
the doc does not list is found out at deploy time, when the default turns out to be wrong.

## Example
```python
timeout = float(os.getenv("PAYMENTS_TIMEOUT_SECONDS", "5"))  # not in the doc
```

## Use instead
```bash
export PAYMENTS_TIMEOUT_SECONDS=5  # per-request timeout in seconds
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import CatalogContext, Violation, catalog_rule
from ._source import source_docs


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    for doc, project, rel in source_docs(ctx):
        integ = doc.integration
        f = project.file(rel) if project.exists(rel) else None
        if f is None or f.error:
            continue
        documented = {v.name for v in integ.env_vars}
        seen: set[str] = set()
        for read in f.env_reads:
            if read.name in documented or read.name in seen:
                continue
            seen.add(read.name)
            yield Violation(
                integ.line_of("env_vars", integ.line_of("source_ref")),
                f"{rel}:{read.line} reads environment variable {read.name}, which the doc does not list",
                doc.path,
            )


RULE = catalog_rule("SRC006", "env-var-undocumented", Severity.WARNING, __doc__)(_check)
