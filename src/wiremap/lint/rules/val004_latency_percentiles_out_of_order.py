"""## What it does
Checks that the latency percentiles grow: P95 must not be below Typical, and P99 must not be below P95
(or below Typical when there is no P95). The finding points at the later percentile.

## Why is this bad?
By definition the 95th percentile is at least the median and the 99th at least the 95th. Numbers in
the wrong order are a typo, a unit mix-up (`0.9 s` written as `0.9 ms`) or figures copied from different
measurements, and timeouts or alerts derived from them are wrong.

## Example
```markdown
**Latency:**
- Typical: 180 ms
- P95: 420 ms
- P99: 90 ms
```

## Use instead
```markdown
**Latency:**
- Typical: 180 ms
- P95: 420 ms
- P99: 900 ms
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule


def _ms(value: float) -> str:
    return f"{value:g} ms"


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    lat = integ.latency_ms
    if lat.p95 is not None and lat.typical is not None and lat.p95 < lat.typical:
        yield Violation(
            integ.line_of("latency_ms.p95", integ.line_of("latency_ms")),
            f"P95 latency ({_ms(lat.p95)}) is below Typical ({_ms(lat.typical)})",
        )
    if lat.p99 is not None:
        below, name = (lat.p95, "P95") if lat.p95 is not None else (lat.typical, "Typical")
        if below is not None and lat.p99 < below:
            yield Violation(
                integ.line_of("latency_ms.p99", integ.line_of("latency_ms")),
                f"P99 latency ({_ms(lat.p99)}) is below {name} ({_ms(below)})",
            )


RULE = doc_rule("VAL004", "latency-percentiles-out-of-order", Severity.ERROR, __doc__)(_check)
