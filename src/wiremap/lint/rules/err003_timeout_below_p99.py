"""## What it does
Compares the per-attempt timeout of the Retry Strategy (the timeout of the call when it makes no retry)
with the documented P99 latency, and reports a timeout below the P99, at the line of the timeout; a
strategy with only an overall deadline (a gRPC service config's method `timeout`) the same way. A
connect timeout alone ("Connect timeout is 100 ms", `.connectTimeout(…)`, `connect_timeout=0.1`) is not
compared: it bounds opening the connection, not the call, and a call may take longer than it.

## Why is this bad?
At least one call in a hundred takes longer than the P99, so with a timeout below it more than 1% of
calls time out even when the destination is healthy, and each of them is retried: extra load on the
destination exactly when it is slow. Below the typical latency, most calls would time out. Either the
timeout or the P99 is wrong.

## Example
~~~markdown
**Retry Strategy:**
```python
requests.get(url, timeout=0.2)
```
...
- P99: 900 ms
~~~

## Use instead
~~~markdown
**Retry Strategy:**
```python
requests.get(url, timeout=2)
```
...
- P99: 900 ms
~~~
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._retry import human_ms, timeout_name


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    policy, p99 = integ.error_handling.retry, integ.latency_ms.p99
    if policy is None or p99 is None:
        return
    if policy.deadline_ms is not None and policy.deadline_ms < p99 and policy.timeout_ms is None:
        # one deadline for every attempt (a gRPC method's ``timeout``): a call slower than it fails
        yield Violation(
            policy.lines.get("deadline_ms", policy.line or integ.line_of("retry_strategy")),
            f"the overall deadline of {human_ms(policy.deadline_ms)} is below the P99 of {human_ms(p99)} "
            f"(line {integ.line_of('latency_ms.p99')}): more than 1% of calls would run out of time and fail",
        )
        return
    if policy.timeout_ms is None or policy.timeout_ms >= p99:
        return
    typical = integ.latency_ms.typical
    share = "most calls" if typical is not None and policy.timeout_ms < typical else "more than 1% of calls"
    # by what the policy says: retried, failed (no retries), or not said
    then = " and fail" if policy.retries == 0 else "" if policy.retries is None else " and be retried"
    yield Violation(
        policy.lines.get("timeout_ms", policy.line or integ.line_of("retry_strategy")),
        f"{timeout_name(policy)} {human_ms(policy.timeout_ms)} is below the P99 of {human_ms(p99)} "
        f"(line {integ.line_of('latency_ms.p99')}): {share} would time out{then}",
    )


RULE = doc_rule("ERR003", "timeout-below-p99", Severity.ERROR, __doc__)(_check)
