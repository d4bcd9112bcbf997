"""## What it does
Checks that the **Client** is defined (or, for a library client such as `requests.Session`, used) at
or near the **Source** line: inside its body, or within `source-line-window` lines (default 10) of
where it starts. When the Client is elsewhere in the file, the finding says where it is now;
`wiremap sync --write` moves the line there. The window is a tolerance, not a target: sync also moves
a line inside it to the exact line where the Client starts. A Client of the project's own that was
moved to another file, the Source file only calling or importing it now, is said as such, with the
file and line that define it: sync does not move the line to a use of it, nor to another file.

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

from ...findings import Severity
from ..rule import CatalogContext, Violation, catalog_rule
from ._source import source_docs


def _check(ctx: CatalogContext) -> Iterator[Violation]:
    from ...code.locate import (
        client_line,
        defined_elsewhere,
        import_definition,
        imported_only,
        moved_client,
    )  # when an SRC rule runs (lint import time)

    for doc, project, rel in source_docs(ctx):
        if not project.exists(rel):
            continue
        f = project.file(rel)
        moved = moved_client(doc.integration, f, project.line_window, project.lines(rel))
        if moved is None and f is not None:
            # near a use of a Client the project defines in another file is not at the Client (the window is
            # a tolerance for the Client's own lines): said as sync says it (lint was silent where sync's
            # note named SRC003: round 63)
            used = client_line(doc.integration, f, project.lines(rel))
            if used is not None and defined_elsewhere(project.index, f, used.client, rel) is not None:
                moved = used
        if moved is None:
            imported = imported_only(doc.integration, f, project.lines(rel))
            if f is not None and imported is not None:
                there = defined_elsewhere(project.index, f, imported.client, rel) or import_definition(
                    f, rel, imported.client, project.exists, project.lines
                )
                where = (
                    f"it is defined in {there[0]}:{there[1]}"
                    if there is not None
                    else "it is defined elsewhere"
                )
                yield Violation(
                    doc.integration.line_of("source_ref"),
                    f"Client {imported.client} is not at {rel}:{imported.old_line}: {where} ({rel} only "
                    f"imports it, at line {imported.new_line}); point the Source at the definition "
                    "(`wiremap sync` does not move a Source to another file)",
                    doc.path,
                )
            continue
        if f is not None and (there := defined_elsewhere(project.index, f, moved.client, rel)) is not None:
            yield Violation(
                doc.integration.line_of("source_ref"),
                f"Client {moved.client} is not at {rel}:{moved.old_line}: it is defined in {there[0]}:"
                f"{there[1]} ({rel} only uses it, at line {moved.new_line}); point the Source at the "
                "definition (`wiremap sync` does not move a Source to another file)",
                doc.path,
            )
            continue
        yield Violation(
            doc.integration.line_of("source_ref"),
            f"Client {moved.client} is not at {rel}:{moved.old_line}: it is at line {moved.new_line} now "
            f"(`wiremap sync --write` updates the Source line)",
            doc.path,
        )


RULE = catalog_rule("SRC003", "client-not-at-source-line", Severity.ERROR, __doc__)(_check)
