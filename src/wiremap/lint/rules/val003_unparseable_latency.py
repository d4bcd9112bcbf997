"""## What it does
Checks each Latency item (Typical, P50/Median, P95, P99): its value must be a number with a time unit,
such as `45 ms`, `0.4 s`, `~120ms` or `10-20 ms`. A note in parentheses after the value is fine.

## Why is this bad?
Latency numbers are what `measure` compares the live integration against and what alerts are tuned
from. `fast`, `45` (45 what?) or `TBD` cannot be compared with anything, so drift goes unnoticed.

## Example
```markdown
**Latency:**
- Typical: fast
- P95: 120
- P99: TBD
```

## Use instead
```markdown
**Latency:**
- Typical: 45 ms
- P95: 120 ms
- P99: 300 ms (measured 2026-11-20 at 200 req/s)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...document.nodes import ListBlock
from ...document.template import normalize_key
from ...findings import Severity
from ...values import ambiguous_number, parse_duration_ms, split_note, strip_code
from ..rule import DocContext, Violation, doc_rule
from ._common import ambiguity, has_placeholder

LATENCY_KEYS = frozenset({"typical", "p50", "median", "p95", "p99"})


def _check(ctx: DocContext) -> Iterator[Violation]:
    ref = ctx.doc.fields.get("latency")
    if ref is None or not isinstance(ref.block, ListBlock):
        return
    for item in ref.block.items:
        key, _, rest = item.text.partition(":")
        if normalize_key(strip_code(key)) not in LATENCY_KEYS:
            continue
        name = strip_code(key).strip()
        value = split_note(rest)[0]
        if has_placeholder(value):
            continue
        if not strip_code(value):
            yield Violation(item.line, f"{name} latency has no value; write a number with a unit, e.g. 45 ms")
        elif parse_duration_ms(value) is None and (number := ambiguous_number(value)) is not None:
            yield Violation(item.line, f"{name} latency {value!r}: {ambiguity(number)}")
        elif parse_duration_ms(value) is None:
            yield Violation(
                item.line, f"{name} latency {value!r} is not a number with a time unit (e.g. 45 ms, 0.4 s)"
            )


RULE = doc_rule("VAL003", "unparseable-latency", Severity.ERROR, __doc__)(_check)
