"""## What it does
For an integration on the critical path (`**Critical Path:** Yes`), requires a Retry Strategy under
Error Handling. Reported when it is missing, empty or still the template placeholder; the finding
points at the Critical Path line. "No retries, because ..." is a strategy too, and so is a strategy
written as a comment in the block (`# no automatic retry: the job runs again at night`): only comment
markers, placeholders and "TODO" say nothing.

## Why is this bad?
How a critical call is retried decides whether a blip becomes an outage (no retries), a retry storm
(unbounded retries) or a double charge (retrying a non-idempotent call). If the doc does not say, the
next change to the client is made blind.

## Example
~~~markdown
**Critical Path:** Yes
...
**Retry Strategy:**
```python
[retry logic if applicable]
```
~~~

## Use instead
~~~markdown
**Critical Path:** Yes
...
**Retry Strategy:**
```python
Retry(total=2, backoff_factor=0.2, status_forcelist=(502, 503, 504))
```
~~~
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._common import is_unfilled


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    if integ.critical_path is True and is_unfilled(integ.retry_strategy):
        yield Violation(integ.line_of("critical_path"), "critical-path integration has no Retry Strategy")


RULE = doc_rule("CRT002", "critical-without-retry-strategy", Severity.ERROR, __doc__)(_check)
