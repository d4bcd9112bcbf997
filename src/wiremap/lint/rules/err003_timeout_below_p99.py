"""## What it does
Compares the per-attempt timeout of the Retry Strategy (the timeout of the call when it makes no retry)
with the documented P99 latency, and reports a timeout below the P99, at the line of the timeout; a
strategy with only an overall deadline (a gRPC service config's method `timeout`) the same way. A
connect timeout alone ("Connect timeout is 100 ms", `.connectTimeout(…)`, `connect_timeout=0.1`) is not
compared: it bounds opening the connection, not the call, and a call may take longer than it.

## Why is this bad?
At least one call in a hundred takes longer than the P99, so with a timeout below it more than 1% of
calls time out even when the destination is healthy (below the P95 more than 5%, at the typical latency
half, below it most), and each of them fails or, where the doc retries timeouts, is retried: extra load
on the destination exactly when it is slow. Either the timeout or the P99 is wrong.

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
from ...model import Latency
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
    # what the doc says is retried (its Failure Modes, then its strategy): "and be retried" of axios-retry,
    # whose timeouts are not retried, was false (round 67); imported here, where a finding is made, as the
    # fault judge's import is a tenth of lint's
    from ...faults.compare import retried
    from ...stub.faults import FaultKind

    again = retried(integ, FaultKind.TIMEOUT)
    then = " and be retried" if again else " and fail" if again is False or policy.retries == 0 else ""
    yield Violation(
        policy.lines.get("timeout_ms", policy.line or integ.line_of("retry_strategy")),
        f"{timeout_name(policy)} {human_ms(policy.timeout_ms)} is below the P99 of {human_ms(p99)} "
        f"(line {integ.line_of('latency_ms.p99')}): {_share(policy.timeout_ms, integ.latency_ms)} would time "
        f"out{then}",
    )


def _share(timeout_ms: float, latency: Latency) -> str:
    """How many calls take longer than the timeout, by the documented percentiles."""
    typical, p95 = latency.typical, latency.p95
    if typical is not None and timeout_ms < typical:
        return "most calls"
    if typical is not None and timeout_ms == typical:  # the typical latency is the median
        return "about half of the calls"
    if p95 is not None and timeout_ms < p95:
        return "more than 5% of calls"
    return "more than 1% of calls"


RULE = doc_rule("ERR003", "timeout-below-p99", Severity.ERROR, __doc__)(_check)
