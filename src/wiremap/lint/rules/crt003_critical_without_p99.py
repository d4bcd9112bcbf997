"""## What it does
For an integration on the critical path (`**Critical Path:** Yes`), requires a P99 latency under
Performance → Latency. Reported when the P99 item is missing, empty or still the template placeholder
(`P99: [ms]`); a P99 that is written but unreadable is VAL003's. The finding points at the Critical Path
line.

## Why is this bad?
The tail latency of a critical call is what sets its timeouts and its alerts, and what users of the
critical path actually feel. Without it nobody can tell whether 2 s is an incident or a normal Monday.

## Example
```markdown
**Critical Path:** Yes
...
**Latency:**
- Typical: 180 ms
- P99: [ms]
```

## Use instead
```markdown
**Critical Path:** Yes
...
**Latency:**
- Typical: 180 ms
- P99: 900 ms
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...document.nodes import ListBlock
from ...document.template import normalize_key
from ...findings import Severity
from ...values import split_note, strip_code
from ..rule import DocContext, Violation, doc_rule
from ._common import has_placeholder


def _p99_written(ctx: DocContext) -> bool:
    """A P99 item with a real (maybe unreadable) value."""
    if ctx.integration.latency_ms.p99 is not None:
        return True
    ref = ctx.doc.fields.get("latency")
    if ref is None or not isinstance(ref.block, ListBlock):
        return False
    for item in ref.block.items:
        key, _, rest = item.text.partition(":")
        if normalize_key(strip_code(key)) == "p99":
            value = strip_code(split_note(rest)[0])
            if value and not has_placeholder(value):
                return True
    return False


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    if integ.critical_path is True and not _p99_written(ctx):
        yield Violation(integ.line_of("critical_path"), "critical-path integration has no P99 latency")


RULE = doc_rule("CRT003", "critical-without-p99", Severity.ERROR, __doc__)(_check)
