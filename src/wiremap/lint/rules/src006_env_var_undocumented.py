"""## What it does
Checks that every environment variable the integration's code reads is listed under **Environment
Variables**. The integration's code is the top-level class or function holding the **Source** line or
the **Client** (or the module-level statement they are on), with what it uses: module-level names
assigned from a variable, helper functions, settings fields, and what it takes from the project's other
Python modules (a settings module's names, `settings.PG_DSN`; a Client re-exported from where it is
defined), each read named at its own file and line, followed only where the code reads the name
(not a mention in a comment or a string, an attribute such as `self.TIMEOUT`, or a local of the same
name). Reads of other functions of the same file belong to other integrations, and a variable another doc
of the same Source file lists is never asked of this one.

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
from pathlib import Path

from ...findings import Severity
from ..rule import CatalogContext, Violation, catalog_rule
from ._source import source_docs


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    from ...code.scope import integration_env_reads  # when an SRC rule runs (lint import time)

    docs = list(source_docs(ctx))
    # what the docs of each Source file list: a variable one of them documents is never asked of another
    of_file: dict[tuple[Path, str], set[str]] = {}
    for doc, project, rel in docs:
        of_file.setdefault((project.root, rel), set()).update(v.name for v in doc.integration.env_vars)
    given = [Path(doc.path) for doc, _, _ in docs]  # (read already: the siblings' lookup reads the others)
    for doc, project, rel in docs:
        integ = doc.integration
        f = project.file(rel) if project.exists(rel) else None
        if f is None or f.error:
            continue
        documented = of_file[(project.root, rel)] | project.listed_env(rel, given)
        seen: set[str] = set()
        for read in integration_env_reads(integ, f, project.lines(rel), project.module, project.env_read_of):
            if read.name in documented or read.name in seen:
                continue
            seen.add(read.name)
            yield Violation(
                integ.line_of("env_vars", integ.line_of("source_ref")),
                f"{read.path}:{read.line} reads environment variable {read.name}, "
                "which the doc does not list",
                doc.path,
            )


RULE = catalog_rule("SRC006", "env-var-undocumented", Severity.WARNING, __doc__)(_check)
