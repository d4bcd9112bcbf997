"""The block structure of a Markdown document, with 1-based source lines.

This is the layout-level view that :mod:`render` writes back canonically and
:mod:`extract` turns into the typed :class:`wiremap.model.Integration`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Block",
    "CodeBlock",
    "Document",
    "FieldLine",
    "Heading",
    "ListBlock",
    "ListItem",
    "Paragraph",
    "ParagraphLine",
    "Problem",
    "RawBlock",
    "Rule",
    "Section",
    "TextLine",
]


@dataclass(slots=True)
class TextLine:
    """A line of a paragraph that is not a ``**Label:** value`` field.

    ``hard_break``: the line ends with a hard line break (two spaces or a backslash at its end); the
    mark is not part of ``raw``.
    """

    line: int
    raw: str
    hard_break: bool = False


@dataclass(slots=True)
class FieldLine:
    """``**Label:** value`` (or ``**Label**: value``) on one line.

    ``raw_value`` is the Markdown after the label, ``value`` its plain text
    (code spans unwrapped, emphasis dropped). ``hard_break`` as for :class:`TextLine`.
    """

    line: int
    label: str
    raw_value: str
    value: str
    colon_inside: bool = True
    hard_break: bool = False


ParagraphLine = TextLine | FieldLine


@dataclass(slots=True)
class Paragraph:
    line: int
    lines: tuple[ParagraphLine, ...]

    @property
    def fields(self) -> tuple[FieldLine, ...]:
        return tuple(x for x in self.lines if isinstance(x, FieldLine))


@dataclass(slots=True)
class CodeBlock:
    line: int
    language: str | None
    info: str
    text: str
    fenced: bool = True

    @property
    def content_line(self) -> int:
        """Line of the block's first content line."""
        return self.line + 1 if self.fenced else self.line


@dataclass(slots=True)
class ListItem:
    line: int
    lines: tuple[ParagraphLine, ...]
    children: tuple[Block, ...] = ()

    @property
    def text(self) -> str:
        """Plain text of the item's own lines, joined by spaces."""
        parts = [x.raw if isinstance(x, TextLine) else f"{x.label}: {x.value}" for x in self.lines]
        return " ".join(p for p in parts if p)

    @property
    def raw(self) -> str:
        return " ".join(
            x.raw if isinstance(x, TextLine) else f"**{x.label}**: {x.raw_value}" for x in self.lines
        )


@dataclass(slots=True)
class ListBlock:
    line: int
    ordered: bool
    start: int
    items: tuple[ListItem, ...]


@dataclass(slots=True)
class Heading:
    line: int
    level: int
    text: str


@dataclass(slots=True)
class Rule:
    line: int


@dataclass(slots=True)
class RawBlock:
    """A block kept as written: HTML, tables, quotes, anything else."""

    line: int
    kind: str
    text: str


Block = Paragraph | CodeBlock | ListBlock | Heading | Rule | RawBlock


@dataclass(slots=True)
class Section:
    """An ``## H2`` section and the blocks up to the next one (rules removed)."""

    title: str
    line: int
    blocks: tuple[Block, ...]


@dataclass(slots=True)
class Problem:
    """Something the parser could not read; becomes a lint finding."""

    line: int
    message: str


@dataclass(slots=True)
class Document:
    path: str
    title: str | None
    title_line: int
    preamble: tuple[Block, ...]
    sections: tuple[Section, ...]
    directives: tuple[tuple[int, str], ...] = ()
    problems: list[Problem] = field(default_factory=list)
    line_count: int = 0
    first_heading: str | None = None
    cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    # a YAML front-matter block at the very top (``---`` … ``---``), as written: kept, never read as fields
    front_matter: str | None = None
