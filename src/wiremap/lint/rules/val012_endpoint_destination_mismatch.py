"""## What it does
Checks that an Endpoint written as a full URL names the same host and port as the Destination: the
port the URL gives (or its scheme's default: 80 for `http`, 443 for `https`) against the Destination's
port, and its host against the Destination's host (`localhost`, `127.0.0.1` and `::1` are one host).

## Why is this bad?
The two cannot both be true. `verify` probes one of them (the Endpoint's URL when it is a full URL), so
the other goes stale unnoticed: a doc whose Destination says `:18799` while the service listens on the
Endpoint's `:18701` was green, and a reader copying the Destination reaches nothing.

## Example
```markdown
**Destination:** Tax API (127.0.0.1:18799)
**Endpoint:** `GET http://127.0.0.1:18701/v1/rates`
```

## Use instead
```markdown
**Destination:** Tax API (127.0.0.1:18701)
**Endpoint:** `GET http://127.0.0.1:18701/v1/rates`
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from ...findings import Severity
from ...values import is_placeholder_text
from ..rule import DocContext, Violation, doc_rule

_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s`'\"<>]+")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def _same_host(a: str, b: str) -> bool:
    a, b = a.lower().strip("[]"), b.lower().strip("[]")
    return a == b or (a in _LOOPBACK and b in _LOOPBACK)


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    host, port = integ.destination_host, integ.destination_port
    if not host or is_placeholder_text(host) or not integ.endpoint:
        return
    m = _URL.search(integ.endpoint)
    if m is None:
        return
    try:
        url = urlsplit(m.group(0))
        url_port = url.port or _DEFAULT_PORTS.get(url.scheme.lower())
    except ValueError:  # a port out of range: VAL007's
        return
    url_host = url.hostname
    if not url_host or is_placeholder_text(url_host):
        return
    said = f"{url_host}:{url_port}" if url_port else url_host
    where = f"{host}:{port}" if port else host
    if not _same_host(url_host, host):
        yield Violation(
            integ.line_of("endpoint"), f"the Endpoint's URL is on {said}, the Destination on {where}"
        )
    elif port is not None and url_port is not None and url_port != port:
        yield Violation(
            integ.line_of("endpoint"), f"the Endpoint's URL is on port {url_port}, the Destination on {port}"
        )


RULE = doc_rule("VAL012", "endpoint-destination-mismatch", Severity.ERROR, __doc__)(_check)
