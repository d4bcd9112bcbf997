"""## What it does
Checks that each environment variable listed under **Environment Variables** is read somewhere in
the code under the project root (`os.environ`, `os.getenv`, pydantic-settings fields,
`process.env`, `os.Getenv`).

## Why is this bad?
A variable nobody reads is a leftover: it was renamed or the code stopped using it. Operators keep
setting it, believe it has an effect, and miss the variable that replaced it.

## Example
```bash
export PAYMENTS_URL=http://127.0.0.1:8081  # the code now reads PAYMENTS_API_URL
```

## Use instead
```bash
export PAYMENTS_API_URL=http://127.0.0.1:8081
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
        if not integ.env_vars or not project.exists(rel):
            continue
        read = project.index.env_names
        for var in integ.env_vars:
            if var.name not in read:
                yield Violation(
                    integ.line_of(f"env_vars.{var.name}", integ.line_of("env_vars")),
                    f"environment variable {var.name} is never read in the code under {project.root}",
                    doc.path,
                )


RULE = catalog_rule("SRC005", "env-var-never-read", Severity.WARNING, __doc__)(_check)
