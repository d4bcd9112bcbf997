"""Every piece of text in a document with its line, for rules that scan the whole doc."""

from __future__ import annotations

from typing import NamedTuple

from .nodes import Block, CodeBlock, Document, FieldLine, Heading, ListBlock, Paragraph, RawBlock, TextLine
from .render import is_footer

__all__ = ["TextUnit", "text_units"]


class TextUnit(NamedTuple):
    """One line of text; ``kind`` is title, heading, label, value, text, code, raw or break (a hard line
    break at the end of the line, whose text is the line's)."""

    line: int
    text: str
    kind: str
    language: str | None = None


def _lines(out: list[TextUnit], lines: tuple[FieldLine | TextLine, ...], breaks: bool = True) -> None:
    for x in lines:
        if isinstance(x, FieldLine):
            out.append(TextUnit(x.line, x.label, "label"))
            if x.raw_value:
                out.append(TextUnit(x.line, x.raw_value, "value"))
        else:
            out.append(TextUnit(x.line, x.raw, "text"))
        if x.hard_break and breaks:
            out.append(TextUnit(x.line, x.raw_value if isinstance(x, FieldLine) else x.raw, "break"))


def _block(out: list[TextUnit], block: Block) -> None:
    if isinstance(block, Paragraph):
        # the footer is written a field a line, its breaks dropped: two spaces after "**Last Updated:** …"
        # are layout (fmt refused such a doc: "lost break": round 35)
        _lines(out, block.lines, breaks=not is_footer(block))
    elif isinstance(block, CodeBlock):
        first, lang = block.content_line, block.language
        out.extend(
            TextUnit(first + n, text, "code", lang)
            for n, text in enumerate(block.text.rstrip("\n").split("\n"))
        )
    elif isinstance(block, ListBlock):
        for item in block.items:
            _lines(out, item.lines)
            for child in item.children:
                _block(out, child)
    elif isinstance(block, Heading):
        out.append(TextUnit(block.line, block.text, "heading"))
    elif isinstance(block, RawBlock):
        out.extend(TextUnit(block.line + n, text, "raw") for n, text in enumerate(block.text.split("\n")))


def text_units(doc: Document) -> tuple[TextUnit, ...]:
    """Every line of text of ``doc`` (computed once per document, several rules read it)."""
    cached = doc.cache.get("text_units")
    if cached is None:
        out: list[TextUnit] = []
        if doc.front_matter is not None:  # at the very top, line 1 on
            out.extend(TextUnit(1 + n, text, "raw") for n, text in enumerate(doc.front_matter.split("\n")))
        if doc.title is not None:
            out.append(TextUnit(doc.title_line, doc.title, "title"))
        for block in doc.preamble:
            _block(out, block)
        for section in doc.sections:
            out.append(TextUnit(section.line, section.title, "heading"))
            for block in section.blocks:
                _block(out, block)
        cached = doc.cache["text_units"] = tuple(out)
    return cached  # type: ignore[return-value]
