"""## What it does
Checks that the **Client** exists in the code: defined, called or imported in the Source file, or
defined anywhere in the repository. When it is defined in another file, the finding names that file. A
Client written as the code writes it, `module.Name` where `module` is what an import binds
(`mqtt.Client` after `import paho.mqtt.client as mqtt`, `socket.create_connection`, Go's `http.Get`
after `import "net/http"`), is found where it is called; `wiremap sync` and `wiremap discover` resolve
it the same way.

## Why is this bad?
A Client the code does not have was renamed, removed, or never existed (a name from a design doc).
Readers search for it and find nothing; tools that tie the doc to the code cannot.

## Example
```markdown
**Source:** `services/checkout/payments_client.py:39`
**Client:** `PaymentClient`
```

## Use instead
```markdown
**Source:** `services/checkout/payments_client.py:39`
**Client:** `PaymentsClient`
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import CatalogContext, Violation, catalog_rule
from ._source import source_docs


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    from ...code.locate import client_missing, defined_anywhere  # when an SRC rule runs (lint import time)

    for doc, project, rel in source_docs(ctx):
        integ = doc.integration
        if not project.exists(rel):
            continue
        # the one definition, shared with sync
        name = client_missing(integ, project.file(rel), project.lines(rel))
        if name is None:
            continue
        elsewhere = defined_anywhere(project.index, name)
        f = project.file(rel)
        last = name.rpartition(".")[2]
        imported = [i for i in (f.imports if f is not None else ()) if last in (i.bound, i.name)]
        if imported and "." in name:  # ``nosuchlib.create_engine`` where the file imports it from sqlalchemy
            message = (
                f"Client {name} is not in {rel}: it imports {last} from {imported[0].module} (line "
                f"{imported[0].line}), not from {name.rpartition('.')[0]}"
            )
        elif elsewhere:
            where = ", ".join(elsewhere[:3]) + (" …" if len(elsewhere) > 3 else "")
            message = f"Client {name} is not in {rel}; it is defined in {where}"
        elif project.index.is_imported(name):
            message = f"Client {name} is not in {rel}; it is only imported elsewhere in the repository"
        else:
            message = f"Client {name} is not defined or imported anywhere under {project.root}"
        yield Violation(integ.line_of("client", integ.line_of("source_ref")), message, doc.path)


RULE = catalog_rule("SRC004", "client-not-found", Severity.ERROR, __doc__)(_check)
