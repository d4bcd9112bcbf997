"""Every piece of text in a document with its line, for rules that scan the whole doc."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .nodes import Block, CodeBlock, Document, FieldLine, Heading, ListBlock, Paragraph, RawBlock, TextLine

__all__ = ["TextUnit", "text_units"]


@dataclass(frozen=True, slots=True)
class TextUnit:
    """One line of text; ``kind`` is title, heading, label, value, text, code or raw."""

    line: int
    text: str
    kind: str
    language: str | None = None


def _lines(line: int, x: FieldLine | TextLine) -> Iterator[TextUnit]:
    if isinstance(x, FieldLine):
        yield TextUnit(x.line, x.label, "label")
        if x.raw_value:
            yield TextUnit(x.line, x.raw_value, "value")
    else:
        yield TextUnit(x.line, x.raw, "text")


def _block(block: Block) -> Iterator[TextUnit]:
    if isinstance(block, Paragraph):
        for x in block.lines:
            yield from _lines(block.line, x)
    elif isinstance(block, CodeBlock):
        for n, text in enumerate(block.text.rstrip("\n").split("\n")):
            yield TextUnit(block.content_line + n, text, "code", block.language)
    elif isinstance(block, ListBlock):
        for item in block.items:
            for x in item.lines:
                yield from _lines(item.line, x)
            for child in item.children:
                yield from _block(child)
    elif isinstance(block, Heading):
        yield TextUnit(block.line, block.text, "heading")
    elif isinstance(block, RawBlock):
        for n, text in enumerate(block.text.split("\n")):
            yield TextUnit(block.line + n, text, "raw")


def text_units(doc: Document) -> Iterator[TextUnit]:
    if doc.title is not None:
        yield TextUnit(doc.title_line, doc.title, "title")
    for block in doc.preamble:
        yield from _block(block)
    for section in doc.sections:
        yield TextUnit(section.line, section.title, "heading")
        for block in section.blocks:
            yield from _block(block)
