"""## What it does
Checks that Throughput states a rate wiremap can read: a number per unit of time, such as
`40 requests/sec`, `~2,500 RPC/s`, `1.2k msgs/min`, `300 rps` or `1 file/day`.

## Why is this bad?
Throughput is what capacity planning and `measure` compare against. `high`, `varies` or `lots during
sales` says nothing; a rate can be checked, and tells the next reader what "normal" is.

## Example
```markdown
**Throughput:**
- High during sales
```

## Use instead
```markdown
**Throughput:**
- 40 requests/sec at peak, 6 requests/sec on an average day
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ...values import ambiguous_number, strip_code
from ..rule import DocContext, Violation, doc_rule
from ._common import ambiguity, has_placeholder


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    value = strip_code(integ.throughput or "")
    if not value or has_placeholder(value) or integ.throughput_per_s is not None:
        return
    if (number := ambiguous_number(value)) is not None:
        yield Violation(integ.line_of("throughput"), f"throughput {value!r}: {ambiguity(number)}")
        return
    yield Violation(
        integ.line_of("throughput"),
        f"throughput {value!r} has no rate wiremap can read (e.g. 40 requests/sec, 300 rps)",
    )


RULE = doc_rule("VAL005", "unparseable-throughput", Severity.WARNING, __doc__)(_check)
