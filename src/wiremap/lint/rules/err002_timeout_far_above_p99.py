"""## What it does
Compares the per-attempt timeout of the Retry Strategy (the timeout of the call when it makes no retry)
with the documented P99 latency, and reports a timeout at least 100 times the P99, at the line of the
timeout. A connect timeout alone ("Connect timeout is 3 seconds", `.connectTimeout(…)`,
`connect_timeout=3`) is not compared: it bounds opening the connection, not the call.

## Why is this bad?
A timeout is the point at which a slow call is given up and retried. Set orders of magnitude above the
tail latency, it never fires for a call that is merely slow: a hung destination holds every caller's
worker for the full timeout before the first retry, and the retries start too late to help. Either the
timeout is forgotten from an older, slower destination, or the P99 is wrong.

## Example
~~~markdown
**Retry Strategy:**
```python
requests.post(url, json=body, timeout=30)
```
...
- P99: 40 ms
~~~

## Use instead
~~~markdown
**Retry Strategy:**
```python
requests.post(url, json=body, timeout=0.5)
```
...
- P99: 40 ms
~~~
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._retry import human_ms, timed_out, timeout_name

FACTOR = 100.0


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    policy, p99 = integ.error_handling.retry, integ.latency_ms.p99
    if policy is None or policy.timeout_ms is None or not p99 or policy.timeout_ms < FACTOR * p99:
        return
    yield Violation(
        policy.lines.get("timeout_ms", policy.line or integ.line_of("retry_strategy")),
        f"{timeout_name(policy)} {human_ms(policy.timeout_ms)} is {policy.timeout_ms / p99:.0f}× the P99 "
        f"of {human_ms(p99)} (line {integ.line_of('latency_ms.p99')}): a hung call waits that long before "
        f"{timed_out(policy)}",
    )


RULE = doc_rule("ERR002", "timeout-far-above-p99", Severity.WARNING, __doc__)(_check)
