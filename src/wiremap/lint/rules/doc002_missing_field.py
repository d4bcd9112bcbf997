"""## What it does
Finds a required field that is absent or has no value: Purpose, Protocol, Direction, Critical Path,
Source, Destination, Client, Health Check, Endpoint, Last Updated, Maintained By. Health Check may hold
its command in the code block under the label. The finding points at the label when it is there but
empty, otherwise at the section where the field belongs (line 1 for header and footer fields).

## Why is this bad?
Each of these fields is read by people and by wiremap: Source points at the code, Destination and
Health Check are what `verify` probes, Critical Path decides how loud an outage is, Maintained By is
whom to call. A missing one silently turns the doc into guesswork.

## Example
```markdown
## Quick Reference

**Source:** `services/checkout/payments_client.py:39`
**Destination:**
```

## Use instead
```markdown
## Quick Reference

**Source:** `services/checkout/payments_client.py:39`
**Destination:** Payments API (payments.internal:443)
**Client:** `PaymentsClient`
```
"""

from __future__ import annotations

from collections.abc import Iterator
from difflib import SequenceMatcher

from ...document import FieldRef
from ...document.nodes import CodeBlock, ListBlock
from ...document.template import canonical_section, is_template_label, normalize_key
from ...findings import Severity
from ...values import strip_code
from ..rule import DocContext, Violation, doc_rule

# (label, where it belongs: "header", "footer" or a section title)
REQUIRED_FIELDS: tuple[tuple[str, str], ...] = (
    ("Purpose", "header"),
    ("Protocol", "header"),
    ("Direction", "header"),
    ("Critical Path", "header"),
    ("Source", "Quick Reference"),
    ("Destination", "Quick Reference"),
    ("Client", "Quick Reference"),
    ("Health Check", "Quick Reference"),
    ("Endpoint", "Request Format"),
    ("Last Updated", "footer"),
    ("Maintained By", "footer"),
)


def _block_has_text(block: CodeBlock | ListBlock | None) -> bool:
    if isinstance(block, CodeBlock):
        return bool(block.text.strip())
    if isinstance(block, ListBlock):
        return any(item.text.strip() for item in block.items)
    return False


def _is_empty(label: str, ref: FieldRef) -> bool:
    if strip_code(ref.value):
        return False
    return not (label == "Health Check" and _block_has_text(ref.block))


def _check(ctx: DocContext) -> Iterator[Violation]:
    doc = ctx.doc.document
    section_lines: dict[str, int] = {}
    for s in doc.sections:
        name = canonical_section(s.title)
        if name is not None:
            section_lines.setdefault(name, s.line)
    for label, place in REQUIRED_FIELDS:
        ref = ctx.doc.fields.get(label)
        if ref is not None:
            if _is_empty(label, ref):
                yield Violation(ref.line, f"field '{label}' is empty")
            continue
        if place == "header":
            line, where = doc.title_line, "under the title"
        elif place == "footer":
            line, where = 1, "at the end of the doc"
        else:
            line, where = section_lines.get(place, 1), f"in '## {place}'"
        near = _misspelt(ctx, label)
        if near is not None:  # "**Protcol:** Redis": said where it is, not only that it is missing
            yield Violation(
                near.line, f"missing field '**{label}:**'; '**{near.label}:**' here looks like it, misspelt"
            )
            continue
        yield Violation(line, f"missing field '**{label}:**' ({where})")


def _misspelt(ctx: DocContext, label: str) -> FieldRef | None:
    """A label of the doc that is no template label but one letter or two from ``label`` ("Protcol",
    "Critcal Path": new user, round 32)."""
    want = normalize_key(label)
    for ref in ctx.doc.fields.all:
        key = normalize_key(ref.label)
        if (
            key != want
            and not is_template_label(ref.label)
            and SequenceMatcher(None, key, want).ratio() >= 0.85
        ):
            return ref
    return None


RULE = doc_rule("DOC002", "missing-field", Severity.ERROR, __doc__)(_check)
