"""## What it does
Reports a file that cannot be read as text: it is binary (contains NUL bytes) or is not valid UTF-8.
The loader (`wiremap.load`) reports it while reading the file, before any rule runs: this rule only
documents the finding, its own check never reports anything.

## Why is this bad?
A doc nobody can read is no doc at all. wiremap cannot parse it, so none of the other rules check it, and
readers (and `git diff`) see garbage. A non-UTF-8 file is usually a doc saved by an editor in a legacy
encoding (Latin-1, UTF-16), or an image or PDF given a `.md` name.

## Example
`docs/integrations/payments.md` saved as UTF-16, or a screenshot renamed to `payments.md`.

## Use instead
Save the doc as UTF-8 Markdown (`iconv -f latin1 -t utf-8 payments.md`), and keep images and PDFs out of
the docs folder or give them their real extension.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule


def _check(ctx: DocContext) -> Iterator[Violation]:
    # A doc that reaches the rules was read: the loader (wiremap.catalog.load) reports the others.
    return iter(())


RULE = doc_rule("DOC000", "unreadable-document", Severity.ERROR, __doc__)(_check)
