"""## What it does
Reports an item of the **Environment Variables** list, or a row of its table, that names no variable
wiremap can read, and anything else written there that is neither (a paragraph of words). An item
is read when it starts with the variable, bare, in a code span or in bold, `export` optional:
`NAME: purpose`, `NAME - purpose`, `NAME=value`, `NAME=value  # purpose`, `NAME=value — purpose`,
`NAME=value: purpose`, `` `NAME=value` `` (see [the doc format](format.md#nested-objects)). An item that
says there is none (`none`, `n/a`, `-`, "No variables: the client is configured in code") is not
reported, and neither is a template placeholder (DOC003 reports it). A table is read by its header: the
column headed `Variable` or `Name` (else the first) holds the variable, the one headed `Value`, `Default`
or `Example` its value, any other column its purpose.

## Why is this bad?
A variable that is not read is not checked: SRC005 cannot say the code never reads it, SRC006 reports the
code's read as undocumented, and `show` and the tools built on it (faults, verify) do not know it. Words
in the list ("Set the broker host in config.yaml") look documented to a reader and are nothing to wiremap.

## Example
```markdown
**Environment Variables:**
- The broker host goes in MQTT_HOST
```

## Use instead
```markdown
**Environment Variables:**
- `MQTT_HOST=127.0.0.1`: the broker host
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ...document.extract import env_says_none, read_env_item, read_env_vars
from ...document.nodes import CodeBlock, ListBlock
from ...document.render import written_items
from ...findings import Severity
from ...secrets import shorten
from ..rule import DocContext, Violation, doc_rule
from ._common import has_placeholder, unread_filled

_SHOWN = 60


def _check(ctx: DocContext) -> Iterator[Violation]:
    ref = ctx.doc.fields.get("environment variables")
    if ref is None or isinstance(ref.block, CodeBlock):
        return
    if not isinstance(ref.block, ListBlock):
        _, unread = read_env_vars(ctx.doc.document, ref)
        for line, what in unread_filled(ctx.doc.text, ref.raw, unread):
            yield Violation(
                line,
                f"Environment Variables: wiremap reads no variable from {what}, so nothing there is checked; "
                "write a ```bash block of `export NAME=value  # purpose` lines, a list of "
                "`NAME: purpose` items, or a table with a Variable column",
            )
        return
    for item in written_items(ref.block):
        if read_env_item(item) is not None or env_says_none(item) or has_placeholder(item.text):
            continue
        text = item.text.strip()
        shown = shorten(text, _SHOWN)  # masked before the cut: a cut token is no longer one to the masker
        yield Violation(
            item.line,
            f"Environment Variables item {shown!r} names no variable wiremap can read; start it with the "
            "variable: `NAME=value  # purpose` or `NAME: purpose`",
        )


RULE = doc_rule("VAL010", "unreadable-env-var", Severity.WARNING, __doc__)(_check)
