"""## What it does
Checks **Maintained By** against CODEOWNERS (`CODEOWNERS`, `.github/CODEOWNERS`, `docs/CODEOWNERS`
or `.gitlab/CODEOWNERS` under the project root): when the doc names no maintainer but CODEOWNERS
names owners for the Source file, the finding names them. `wiremap sync --write` fills them in.

## Why is this bad?
When an integration breaks, the first question is who to call. The repository already knows who
owns the code; a doc that does not say is an extra hop during an incident.

## Example
```markdown
**Maintained By:** [Team/Person]
```

## Use instead
```markdown
**Maintained By:** @payments-team
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import CatalogContext, Violation, catalog_rule
from ._common import is_unfilled
from ._source import source_docs


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    for doc, project, rel in source_docs(ctx):
        integ = doc.integration
        if not is_unfilled(integ.maintained_by) or project.owners is None:
            continue
        owners = project.owners.of(rel)
        if owners:
            said = "a placeholder" if (integ.maintained_by or "").strip() else "empty"
            yield Violation(
                integ.line_of("maintained_by", integ.line_of("last_updated")),
                f"Maintained By is {said}; CODEOWNERS names {' '.join(owners)} for {rel}",
                doc.path,
            )


RULE = catalog_rule("SRC008", "maintainer-missing", Severity.WARNING, __doc__)(_check)
