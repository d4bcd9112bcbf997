"""## What it does
Parses every code block marked ` ```json ` (in any section) and reports the ones that are not valid
JSON, with the parser's message, at the doc line of the error. Template placeholders inside a block
(`[order id]`) are left to DOC003 and do not count as errors.

## Why is this bad?
Request and Response examples are copied into `curl` commands, tests and mocks. A trailing comma, a
comment or single quotes make the copy fail, and a reader cannot tell whether the example or the API is
wrong. wiremap also reads valid JSON examples into the model; an invalid one is lost.

## Example
```json
{
  "order_id": "ord_7c1e9a04b2",
  "amount": 4998,
}
```

## Use instead
```json
{
  "order_id": "ord_7c1e9a04b2",
  "amount": 4998
}
```
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ...findings import Severity
from ...values import parse_json
from ..rule import DocContext, Violation, doc_rule
from ._common import code_blocks, substitute_placeholders


def _check(ctx: DocContext) -> Iterator[Violation]:
    for block in code_blocks(ctx.doc.document):
        if (block.language or "").lower() != "json" or not block.text.strip():
            continue
        text, with_placeholders = substitute_placeholders(block.text, "0", json=True)
        try:
            parse_json(text)
        except json.JSONDecodeError as exc:
            if exc.lineno in with_placeholders:
                continue  # the placeholder is the error: DOC003 reports it
            yield Violation(
                block.content_line + exc.lineno - 1, f"invalid JSON: {exc.msg} (column {exc.colno})"
            )
        except (ValueError, RecursionError) as exc:
            yield Violation(block.content_line, f"invalid JSON: {exc or 'the block cannot be parsed'}")


RULE = doc_rule("BLK001", "invalid-json", Severity.ERROR, __doc__)(_check)
