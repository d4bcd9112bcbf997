"""## What it does
Checks that the port of the Destination, and of the Endpoint when it is a full URL with a port, is a
real TCP port: 1 to 65535.

## Why is this bad?
Port 0 or 80800 cannot be connected to: it is a typo (a digit too many, a digit dropped) that `verify`
fails on and that a reader copies into a broken command during an incident.

## Example
```markdown
**Destination:** Payments API (payments.internal:80800)
```

## Use instead
```markdown
**Destination:** Payments API (payments.internal:8080)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule

_URL_PORT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://(?:[^\s/@]*@)?(?:\[[^\]\s]*\]|[^\s/:?#\[\]@]+):(\d+)")


def _in_range(port: int) -> bool:
    return 1 <= port <= 65535


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    port = integ.destination_port
    if port is not None and not _in_range(port):
        yield Violation(integ.line_of("destination_port"), f"destination port {port} is not in 1-65535")
    for m in _URL_PORT.finditer(integ.endpoint or ""):
        url_port = int(m.group(1))
        if not _in_range(url_port):
            yield Violation(integ.line_of("endpoint"), f"endpoint port {url_port} is not in 1-65535")


RULE = doc_rule("VAL007", "port-out-of-range", Severity.ERROR, __doc__)(_check)
