"""## What it does
Checks that Destination has the template's shape `Service name (host:port)`, with a numeric port.

## Why is this bad?
The host and port are what `verify` connects to and what a reader types into `curl` or `psql` during
an incident. A destination without them (`the payments service`) or with the port missing sends both
the tool and the reader looking elsewhere.

## Example
```markdown
**Destination:** payments.internal
```

## Use instead
```markdown
**Destination:** Payments API (payments.internal:443)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...findings import Severity
from ...values import parse_destination, strip_code
from ..rule import DocContext, Violation, doc_rule
from ._common import has_placeholder

_ADDRESS = re.compile(r"\(\s*`?[^()\s]+:\d{1,5}`?\s*\)")


def _check(ctx: DocContext) -> Iterator[Violation]:
    ref = ctx.doc.fields.get("destination")
    if ref is None:
        return
    value = strip_code(ref.value)
    if not value or has_placeholder(value):
        return
    service, host, port, well_formed = parse_destination(value)
    if well_formed:
        return
    addresses = _ADDRESS.findall(value)
    if len(addresses) > 1 and host is not None:
        yield Violation(
            ref.line,
            f"destination {value!r} names {len(addresses)} destinations: one doc per destination "
            f"(wiremap checks the first, {host}:{port})",
        )
        return
    if service is None and host is not None:
        why = "no service name before the (host:port)"
    elif host is not None and port is None:
        why = "no port after the host"
    else:
        why = "no (host:port)"
    yield Violation(ref.line, f"destination {value!r} is not 'Service name (host:port)': {why}")


RULE = doc_rule("VAL006", "invalid-destination", Severity.ERROR, __doc__)(_check)
