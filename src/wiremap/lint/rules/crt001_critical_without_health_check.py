"""## What it does
For an integration on the critical path (`**Critical Path:** Yes`), requires a Health Check in Quick
Reference: a command that tells whether the integration works. Reported when it is missing, empty,
still the template placeholder, or says in words that there is none (`none`, `N/A`, `-`); the finding
points at the Critical Path line.

## Why is this bad?
When a critical integration breaks, the first question is "is it the destination, or us?". Without a
ready command, the on-call engineer improvises one during the outage, and `wiremap verify` has nothing
to run.

## Example
~~~markdown
**Critical Path:** Yes
...
**Health Check:**
```bash
[command to verify integration is working]
```
~~~

## Use instead
~~~markdown
**Critical Path:** Yes
...
**Health Check:**
```bash
curl -fsS --max-time 2 https://payments.internal/healthz
```
~~~
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ...values import says_no_command
from ..rule import DocContext, Violation, doc_rule
from ._common import is_unfilled


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    if integ.critical_path is True and is_unfilled(integ.health_check):
        yield Violation(
            integ.line_of("critical_path"), "critical-path integration has no Health Check command"
        )
    elif integ.critical_path is True and says_no_command(integ.health_check):
        shown = (integ.health_check or "").strip()
        message = f"critical-path integration has no Health Check command (it says {shown!r})"
        yield Violation(integ.line_of("critical_path"), message)


RULE = doc_rule("CRT001", "critical-without-health-check", Severity.ERROR, __doc__)(_check)
