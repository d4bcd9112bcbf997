"""## What it does
Checks that the file named by **Source** exists under the project root (the `root` setting of the
nearest wiremap config, else the git top level of the docs).

## Why is this bad?
The Source line is how a reader gets from the doc to the code. A path that no longer exists (the
file was renamed, moved to another package, or the doc was copied from another service) sends them
searching, and every other check of the doc against the code is blind.

## Example
```markdown
**Source:** `services/checkout/payment_client.py:39`
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
        if not project.exists(rel):
            yield Violation(
                doc.integration.line_of("source_ref"),
                f"Source file {rel} does not exist under {project.root}",
                doc.path,
            )
    for doc in ctx.docs if ctx.projects is not None else ():
        # a Source out of the project (``../../outside/leak.py``, an absolute path elsewhere): never read,
        # and lint said nothing where sync said "skipped" (round 59)
        owner = ctx.projects.for_doc(doc.path) if ctx.projects is not None else None
        ref = doc.integration.source_ref
        if owner is None or ref is None or not ref.path or ref.path.startswith("["):
            continue
        if owner.source_path(doc.integration) is None:
            yield Violation(
                doc.integration.line_of("source_ref"),
                f"Source file {ref.path} is outside the project root {owner.root}: not read",
                doc.path,
            )


RULE = catalog_rule("SRC001", "source-file-missing", Severity.ERROR, __doc__)(_check)
