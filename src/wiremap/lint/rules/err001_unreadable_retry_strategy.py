"""## What it does
Reports a Retry Strategy that wiremap could not read into a retry policy: none of the forms it knows
(tenacity, urllib3 `Retry`, redis-py, the `backoff` package, a gRPC service config, resilience4j / Polly /
Envoy settings, a `for` loop with `sleep`, Spring Retry's `@Retryable`, Project Reactor's `Retry.backoff`,
go-retryablehttp's `RetryMax`, p-retry / axios-retry / got options, the timeout of a Go, Java/Kotlin or
JavaScript client, or a sentence such as "retry up to 3 times, 1 s apart") was found in it. The strategy
stays in the model as text (`retry_strategy`); the finding, at the Retry Strategy line, is information
only.

Also reports a strategy that was only partly read: a sentence of it that holds a duration or a number
wiremap did not understand ("the job after 10 s", "300 zorbs apart", `backoff=100` without a unit, "retry
more than 3 times"), or a rule for one HTTP method ("GETs are retried 3 times") when the Endpoint names
no method, at the line of the first such sentence, with what was read.

## Why is this bad?
A strategy wiremap cannot read cannot be checked: the ERR rules that compare timeouts with the P99, the
retry budget with the deadline, and retries with idempotency say nothing about it. A partly read one is
checked only on what was read: a timeout or a deadline in the sentences left over is not compared with
anything, and the rules stay silent as if the doc were fine.

## Example
~~~markdown
**Retry Strategy:**
```go
client := retryablehttp.NewClient()
```
~~~

## Use instead
~~~markdown
**Retry Strategy:**
```go
// 3 attempts, exponential backoff starting at 100 ms, capped at 2 s; 500 ms timeout per attempt
client := retryablehttp.NewClient()
```
~~~
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._common import has_placeholder, is_unfilled
from ._retry import policy_summary

_SHOWN = 3


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    text = integ.retry_strategy
    policy = integ.error_handling.retry
    if is_unfilled(text) or has_placeholder(text):
        return
    if policy is None:
        yield Violation(
            integ.line_of("retry_strategy"),
            "Retry Strategy could not be read into a retry policy (attempts, backoff, timeouts); it is kept "
            "as text and the ERR rules cannot check it",
        )
    elif policy.unread:
        shown = "; ".join(f'"{s}"' for s in policy.unread[:_SHOWN])
        more = f" (and {len(policy.unread) - _SHOWN} more)" if len(policy.unread) > _SHOWN else ""
        yield Violation(
            policy.lines.get("unread.0", integ.line_of("retry_strategy")),
            f"Retry Strategy was only partly read: {shown}{more} holds something not understood (a count, "
            f"a duration, a setting, or a rule for one HTTP method when the Endpoint names none), so the ERR "
            f"rules check only what was read ({policy_summary(policy)})",
        )


RULE = doc_rule("ERR001", "unreadable-retry-strategy", Severity.INFO, __doc__)(_check)
