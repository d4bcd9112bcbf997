"""## What it does
Parses every ` ```python ` code block (also ` ```py `, ` ```python3 `) with Python's parser and reports
a syntax error at its doc line. Template placeholders (`client.[method]`, `[retry logic if applicable]`)
are left to DOC003 and do not count as errors; a `return` at the top level of an example is accepted,
and so is a block indented as a whole. Blocks that are interactive sessions (starting with `>>>`) are
skipped.

## Why is this bad?
Code examples get copied into services and tests. An example that does not even parse (a missing
parenthesis, a `:` forgotten, pseudo-code such as `...do the retry...`) was never run, so there is no
reason to trust what it shows about the client either.

## Example
```python
client = PaymentsClient("http://payments.internal:8081"
charge = client.charge("ord_7c1e9a04b2", 4998, "EUR")
```

## Use instead
```python
client = PaymentsClient("http://payments.internal:8081")
charge = client.charge("ord_7c1e9a04b2", 4998, "EUR")
```
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from ...document.pysyntax import syntax_error as _syntax_error
from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._common import code_blocks, substitute_placeholders

PYTHON_LANGUAGES = frozenset({"python", "py", "python3"})


def _check(ctx: DocContext) -> Iterator[Violation]:
    for block in code_blocks(ctx.doc.document):
        if (block.language or "").lower() not in PYTHON_LANGUAGES or not block.text.strip():
            continue
        if block.text.lstrip().startswith(">>>"):
            continue
        text = textwrap.dedent(block.text) if block.text[:1] in (" ", "\t") else block.text
        with_placeholders: set[int] = set()
        if "[" in text:
            text, with_placeholders = substitute_placeholders(text, "_")
        exc = _syntax_error(text)
        if exc is not None and text.lstrip().startswith("@"):
            # decorators alone ("@retry(stop=stop_after_attempt(3))"), the function they wrap left out: a
            # fragment, not an error, when it parses with one under them
            exc = exc if _syntax_error(f"{text.rstrip()}\ndef _decorated(): ...\n") else None
        if exc is None:
            continue
        lineno = min(max(exc.lineno or 1, 1), text.count("\n") + 1)
        if lineno in with_placeholders:
            continue  # the placeholder is the error: DOC003 reports it
        yield Violation(block.content_line + lineno - 1, f"Python syntax error: {exc.msg}")


RULE = doc_rule("BLK002", "python-syntax-error", Severity.ERROR, __doc__)(_check)
