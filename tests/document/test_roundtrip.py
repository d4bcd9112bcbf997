"""fmt's contract: canonical docs round-trip byte for byte; rendering is idempotent and layout-only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS, FIXTURES, TEMPLATE
from wiremap.document import parse_text, render_document
from wiremap.document.guard import layout_only

CANONICAL = [TEMPLATE, *sorted(EXAMPLE_DOCS.glob("*.md"))]


@pytest.mark.parametrize("path", CANONICAL, ids=lambda p: p.name)
def test_canonical_doc_round_trips_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert render_document(parse_text(text, str(path)).document) == text


def test_messy_doc_becomes_canonical_without_losing_content() -> None:
    text = (FIXTURES / "messy.md").read_text(encoding="utf-8")
    before = parse_text(text, "messy.md")
    once = render_document(before.document)
    assert once != text
    assert "\r" not in once and "__" not in once.split("## Error Handling")[0]
    assert layout_only(before, once) is None
    assert render_document(parse_text(once, "messy.md").document) == once  # idempotent
    # the extra section stays right after the section it followed
    assert (
        once.index("## Quick Reference")
        < once.index("## Notes from the team")
        < once.index("## Request Format")
    )
    # known sections move into template order
    assert once.index("## Error Handling") < once.index("## Performance")
    assert once.startswith("# Integration: Zahlungs-Dienst → Büro API\n")
    assert once.endswith("**Last Updated:** 2026-11-02\n**Maintained By:** Ünal Öztürk\n")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# Integration: A -> B\n\n*** \n\n## Monitoring\n\n**Metrics:**\n* x: y\n", "- x: y"),
        ("# Integration: A → B\n\n## Testing\n\n    indented code\n", "```\nindented code\n```"),
        ("# Integration: A → B\n\nSetext\n======\n", "## Setext"),
        ("# Integration: A → B\n\n1. one\n2. two\n", "1. one\n2. two"),
    ],
)
def test_layout_normalisations(source: str, expected: str) -> None:
    doc = parse_text(source, "x.md")
    out = render_document(doc.document)
    assert expected in out
    assert layout_only(doc, out) is None
    assert render_document(parse_text(out, "x.md").document) == out


def test_code_block_containing_fence_gets_longer_fence() -> None:
    source = "# Integration: A → B\n\n## Code Example\n\n````markdown\n```python\nx = 1\n```\n````\n"
    out = render_document(parse_text(source, "x.md").document)
    assert "````markdown\n```python\nx = 1\n```\n````" in out
