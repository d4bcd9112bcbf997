"""Shapes where ``fmt`` refused a doc or changed its meaning: the canonical form keeps the content.

Each case is rendered, checked with fmt's guard (same model, same text) and rendered again (idempotent).
"""

from __future__ import annotations

import pytest

from wiremap.document import parse_text, render_document
from wiremap.document.guard import layout_only
from wiremap.document.nodes import ListBlock, Paragraph, TextLine

H = "# Integration: A → B\n\n"


def fmt(text: str) -> str:
    """The canonical form of ``text``, asserted layout-only and idempotent."""
    before = parse_text(text, "x.md")
    once = render_document(before.document)
    assert layout_only(before, once) is None
    assert render_document(parse_text(once, "x.md").document) == once
    return once


# 1. adjacent lists: CommonMark starts a new list when the bullet (or the ordered delimiter) changes, or
# after a rule; one bullet for both merged them, and a field owns only the list right under it


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "## Error Handling\n\n**Failure Modes:**\n- **A**: x → y\n* **B**: x → y\n",
            "**Failure Modes:**\n- **A**: x → y\n\n+ **B**: x → y\n",
        ),
        (
            "## Error Handling\n\n**Failure Modes:**\n- **A**: x → y\n\n* **B**: x → y\n",
            "**Failure Modes:**\n- **A**: x → y\n\n+ **B**: x → y\n",
        ),
        ("## Recent Changes\n\n**2026-01-01:**\n- a\n+ b\n", "**2026-01-01:**\n- a\n\n+ b\n"),
        ("## Monitoring\n\n**Metrics:**\n- a: x\n\n***\n\n- b: y\n", "**Metrics:**\n- a: x\n\n+ b: y\n"),
        ("## Performance\n\n**Latency:**\n- x\n+ P95: 80 ms\n", "**Latency:**\n- x\n\n+ P95: 80 ms\n"),
        ("## Notes\n\n1. a\n2) b\n", "1. a\n\n2) b\n"),
        ("## Notes\n\n- a\n* b\n- c\n", "- a\n\n+ b\n\n- c\n"),
        ("## Notes\n\n- a\n\n  - x\n  * y\n", "- a\n  - x\n  + y\n"),
        # an ordered list next to a bullet list: two lists already, whatever the bullets
        ("## Error Handling\n\n**Failure Modes:**\n1. a: x → y\n- b: x → y\n", "1. a: x → y\n\n- b: x → y\n"),
    ],
)
def test_adjacent_lists_stay_separate(source: str, expected: str) -> None:
    out = fmt(H + source)
    assert out.endswith(expected)


def test_a_list_whose_marker_changes_is_the_same_field() -> None:
    """A new list to CommonMark (``-`` then ``*``, ``1.`` then ``1)``), not to the writer: the second one's
    modes were dropped with nothing said (round 57); fmt's one marker keeps them the field's."""
    doc = parse_text(H + "## Error Handling\n\n**Failure Modes:**\n- **A**: x → y\n* **B**: x → y\n", "x.md")
    assert [m.name for m in doc.integration.failure_modes] == ["A", "B"]
    again = parse_text(render_document(doc.document), "x.md")
    assert again.integration.failure_modes == doc.integration.failure_modes


@pytest.mark.parametrize(
    "source",
    [
        "## Monitoring\n\n**Metrics:**\n\n-\n",
        "## Recent Changes\n\n**2026-01-01:**\n\n*\n",
        "## Error Handling\n\n**Failure Modes:**\n- **A**: x → y\n-\n- **B**: x → y\n",
    ],
)
def test_an_empty_bullet_is_no_entry(source: str) -> None:
    """fmt drops a bare bullet (there is nothing to keep): the model does not count it either."""
    integ = parse_text(H + source, "x.md").integration
    assert all(m.name for m in integ.monitoring.metrics)
    assert all(all(c.items) for c in integ.recent_changes)
    assert all(m.name for m in integ.failure_modes)
    fmt(H + source)


# 2. a second title: another integration's sections stay under it, in their own template order


def test_a_second_title_keeps_its_sections() -> None:
    source = (
        H + "## Recent Changes\n\n**2026-01-01:**\n- a\n\n"
        "# Integration: C → D\n\n**Endpoint:** x\n\n## Testing\n\nt\n\n## Request Format\n\n**Endpoint:** y\n"
    )
    out = fmt(source)
    assert out.index("## Recent Changes") < out.index("## Integration: C → D")
    assert out.index("## Integration: C → D") < out.index("## Request Format") < out.index("## Testing")
    assert parse_text(out, "x.md").integration.endpoint == "x"


# 3. a hard break (two spaces at the end of a line) is written as a backslash, which fmt does not strip


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("## Notes\n\nline one  \nline two\n", "line one\\\nline two\n"),
        ("**Purpose:** a  \nb\n", "**Purpose:** a\\\nb\n"),
        ("## Notes\n\n- a  \n  b\n", "- a\\\n  b\n"),
        ("## Notes\n\n- **Label**: a   \n  b\n", "- **Label**: a\\\n  b\n"),
        ("## Notes\n\n> a  \n> b\n", "> a\\\n> b\n"),
        ("## Notes\n\nalready\\\nbackslash\n", "already\\\nbackslash\n"),
        # not breaks: one space, and two spaces at the end of a paragraph
        ("## Notes\n\none \nspace\n", "one\nspace\n"),
        ("## Notes\n\nend  \n\nnext\n", "end\n\nnext\n"),
    ],
)
def test_hard_break_is_kept(source: str, expected: str) -> None:
    assert fmt(H + source).endswith(expected)


def test_hard_break_is_no_text() -> None:
    """Both spellings read the same: the break is not part of the line's text or of a value."""
    spaces = parse_text(H + "**Purpose:** a  \nb\n\n## Notes\n\n- x  \n  y\n", "x.md")
    slash = parse_text(H + "**Purpose:** a\\\nb\n\n## Notes\n\n- x\\\n  y\n", "x.md")
    assert spaces.integration == slash.integration
    assert spaces.integration.purpose == "a b"
    para = spaces.document.sections[0].blocks[0]
    assert isinstance(para, ListBlock) and para.items[0].text == "x y"
    head = slash.document.preamble[0]
    assert isinstance(head, Paragraph) and head.lines[0].hard_break and not head.lines[1].hard_break
    assert isinstance(head.lines[1], TextLine) and head.lines[1].raw == "b"


def test_the_guard_sees_a_lost_hard_break() -> None:
    before = parse_text(H + "line one  \nline two\n", "x.md")
    problem = layout_only(before, H + "line one\nline two\n")
    assert problem is not None and "text would differ" in problem
    assert layout_only(before, H + "line one\\\nline two\n") is None


# 4. a paragraph right above a ``---`` line is a setext heading: it stays a heading, never a paragraph


@pytest.mark.parametrize(
    "source",
    [
        "## Notes\n\ntext\n---\n\nmore\n",
        "**Purpose:** p\ntext\n---\n",
        "## Error Handling\n\n**Failure Modes:**\ntext\n---\n",
        "## Notes\n\n- item\n  text\n  ---\n",
        "## Notes\n\na  \nb\n---\n",
    ],
)
def test_setext_heading_keeps_its_meaning(source: str) -> None:
    fmt(H + source)


# found by fuzzing (`make fuzz`-style exploration): each was refused, or changed meaning unseen


@pytest.mark.parametrize(
    "source",
    [
        # the field's empty list writes nothing: the model reads the list fmt puts under the field
        "## Error Handling\n\n**Failure Modes:**\n\n*\n- **A**: x → y\n",
        # the footer between a field and its list moves to the end: the same
        "## Error Handling\n\n**Failure Modes:**\n\n**Last Updated:**\n* **A**: x → y\n",
        # an escaped backslash first in a paragraph was read without its escape, and written as a hard break
        "## Notes\n\n\\\\\n|\n",
        # a literal backslash right before a hard break of spaces
        "## Notes\n\na \\  \nb\n",
        "## Notes\n\n> a \\  \n> b\n",
        "## Notes\n\n- a \\\\  \n  x\n",
        # a heading whose text ends in ``#``
        "## ## #\n",
        "## Notes\n\n### a #\\#\n",
        # a template label inside a list item is the item's text (``Unit Test`` would gain ``(Mock)``)
        "## Performance\n\n**Throughput:**\n+ 1\n__Critical path:__\n",
        "## Notes\n\n- **unit test**: x\n",
    ],
)
def test_fuzz_findings(source: str) -> None:
    fmt(H + source)


def test_empty_list_under_a_field_gives_way_to_the_next() -> None:
    doc = parse_text(H + "## Error Handling\n\n**Failure Modes:**\n\n*\n- **A**: x → y\n", "x.md")
    assert [m.name for m in doc.integration.failure_modes] == ["A"]


def test_escaped_backslash_is_no_hard_break() -> None:
    assert fmt(H + "## Notes\n\n\\\\\n|\n").endswith("## Notes\n\n\\\\\n|\n")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("## Notes\n\n- **unit test**: x\n", "- **unit test**: x\n"),
        ("## Notes\n\na \\  \nb\n", "a \\\\\\\nb\n"),
        ("## Notes\n\n> a \\  \n> b\n", "> a \\\\\\\n> b\n"),
        ("## ## #\n", "## ## #\n"),
    ],
)
def test_fuzz_findings_written(source: str, expected: str) -> None:
    assert fmt(H + source).endswith(expected)
