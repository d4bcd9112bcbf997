"""## What it does
Works out the worst case of the Retry Strategy, every attempt running to its per-attempt timeout plus
every pause between attempts (without jitter, capped at the maximum backoff), and reports it when it is
longer than the overall deadline the strategy states; without a per-attempt timeout (a gRPC service
config's method `timeout` bounds every attempt together), the pauses alone. The finding points at the
deadline.

## Why is this bad?
The attempts that would run after the deadline never run: the doc promises retries the caller has already
given up on. Either fewer attempts, shorter timeouts or pauses, or a longer deadline is meant.

## Example
```markdown
**Retry Strategy:**
5 attempts, 2 s timeout per attempt, 1 s apart; overall deadline 5 s.
```

## Use instead
```markdown
**Retry Strategy:**
2 attempts, 2 s timeout per attempt, 1 s apart; overall deadline 5 s.
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._retry import human_ms


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    policy = integ.error_handling.retry
    if policy is None or policy.deadline_ms is None or policy.max_attempts is None:
        return
    worst = policy.worst_case_ms()
    sleeps = sum(policy.sleeps_ms() or [])
    if worst is None and sleeps > policy.deadline_ms:
        # no per-attempt timeout (a gRPC method's timeout bounds all attempts): the pauses alone
        yield Violation(
            policy.lines.get("deadline_ms", policy.line or integ.line_of("retry_strategy")),
            f"the pauses between {policy.max_attempts} attempts alone take up to {human_ms(sleeps)}, more "
            f"than the overall deadline of {human_ms(policy.deadline_ms)}: the last attempts never run",
        )
        return
    if worst is None or worst <= policy.deadline_ms:
        return
    yield Violation(
        policy.lines.get("deadline_ms", policy.line or integ.line_of("retry_strategy")),
        f"worst case {human_ms(worst)} ({policy.max_attempts} attempts × {human_ms(policy.timeout_ms or 0)} "
        f"+ {human_ms(sleeps)} of backoff) exceeds the overall deadline of {human_ms(policy.deadline_ms)}",
    )


RULE = doc_rule("ERR004", "retry-budget-exceeds-deadline", Severity.WARNING, __doc__)(_check)
