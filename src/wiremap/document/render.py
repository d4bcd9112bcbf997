"""Document -> canonical Markdown (the template's layout).

Layout only: headings, label spelling, bullets, rules, blank lines, line
endings and the title arrow change; every value and every block's content is
written back as it was read. Known sections go in template order; an extra
section stays after the section it followed.
"""

from __future__ import annotations

import re

from .nodes import (
    Block,
    CodeBlock,
    Document,
    FieldLine,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    ParagraphLine,
    RawBlock,
    Rule,
    Section,
    TextLine,
)
from .template import FOOTER_LABELS, SECTION_ORDER, canonical_label, canonical_section, normalize_key

__all__ = ["canonical_title", "render_document"]

_ARROW = re.compile(r"\s*(?:->|→|⟶|=>)\s*")
_TITLE = re.compile(r"^\s*integration\s*:\s*", re.IGNORECASE)


def canonical_title(title: str) -> str:
    """``integration:A -> B`` -> ``Integration: A → B``."""
    m = _TITLE.match(title)
    if not m:
        return title.strip()
    rest = title[m.end() :]
    parts = _ARROW.split(rest, maxsplit=1)
    if len(parts) == 2:
        rest = f"{parts[0].strip()} → {parts[1].strip()}"
    return f"Integration: {rest.strip()}"


def _line(x: ParagraphLine, in_list: bool) -> str:
    if isinstance(x, TextLine):
        return x.raw
    label = canonical_label(x.label)
    head = f"**{label}**:" if in_list else f"**{label}:**"
    return f"{head} {x.raw_value}" if x.raw_value else head


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + ln if ln else ln for ln in text.split("\n"))


def _code(block: CodeBlock) -> str:
    fence = "```"
    while fence in block.text:
        fence += "`"
    body = block.text if block.text.endswith("\n") or not block.text else block.text + "\n"
    return f"{fence}{block.info}\n{body}{fence}"


def _item(item: ListItem, marker: str) -> str:
    pad = " " * (len(marker) + 1)
    own = [_line(x, True) for x in item.lines] or [""]
    out = f"{marker} {own[0]}".rstrip()
    for ln in own[1:]:
        out += "\n" + pad + ln
    for child in item.children:
        sep = "\n" if isinstance(child, ListBlock) else "\n\n"
        out += sep + _indent(_block(child), pad)
    return out


def _list(block: ListBlock) -> str:
    loose = any(not isinstance(c, ListBlock) for it in block.items for c in it.children)
    parts = []
    for n, item in enumerate(block.items):
        marker = f"{block.start + n}." if block.ordered else "-"
        parts.append(_item(item, marker))
    return ("\n\n" if loose else "\n").join(parts)


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return "\n".join(_line(x, False) for x in block.lines)
    if isinstance(block, CodeBlock):
        return _code(block)
    if isinstance(block, ListBlock):
        return _list(block)
    if isinstance(block, Heading):
        return f"{'#' * max(block.level, 3)} {block.text}"
    if isinstance(block, RawBlock):
        return block.text
    if isinstance(block, Rule):
        return "---"
    raise TypeError(block)  # pragma: no cover - exhaustive


def _opens_block(block: Block) -> bool:
    """A paragraph ending in an empty ``**Label:**`` owns the code block or list right under it."""
    return (
        isinstance(block, Paragraph)
        and bool(block.lines)
        and isinstance(block.lines[-1], FieldLine)
        and not block.lines[-1].raw_value
    )


def _join(blocks: list[Block]) -> str:
    out = ""
    prev: Block | None = None
    for block in blocks:
        if prev is not None:
            attached = _opens_block(prev) and isinstance(block, CodeBlock | ListBlock)
            out += "\n" if attached else "\n\n"
        out += _block(block)
        prev = block
    return out


def _is_footer(block: Block) -> bool:
    return (
        isinstance(block, Paragraph)
        and bool(block.lines)
        and all(isinstance(x, FieldLine) and normalize_key(x.label) in FOOTER_LABELS for x in block.lines)
    )


def _ordered(sections: tuple[Section, ...]) -> list[Section]:
    """Known sections in template order; each extra section rides after the one it followed."""
    rank = {name: i for i, name in enumerate(SECTION_ORDER)}
    keyed: list[tuple[float, int, Section]] = []
    last = -1.0
    for pos, s in enumerate(sections):
        known = canonical_section(s.title)
        if known is not None:
            last = float(rank[known])
        keyed.append((last, pos, s))
    return [s for _, _, s in sorted(keyed, key=lambda t: (t[0], t[1]))]


def render_document(doc: Document) -> str:
    """The canonical Markdown of ``doc``, ending with one newline."""
    chunks: list[str] = []
    footer: list[Block] = []
    head = [f"# {canonical_title(doc.title)}"] if doc.title is not None else []
    body = [b for b in doc.preamble if not _is_footer(b)]
    footer.extend(b for b in doc.preamble if _is_footer(b))
    if body:
        head.append(_join(body))
    if head:
        chunks.append("\n\n".join(head))
    for section in _ordered(doc.sections):
        title = canonical_section(section.title) or section.title
        body = [b for b in section.blocks if not _is_footer(b)]
        footer.extend(b for b in section.blocks if _is_footer(b))
        chunks.append(f"## {title}\n\n{_join(body)}" if body else f"## {title}")
    if footer:
        lines = [_line(x, False) for b in footer if isinstance(b, Paragraph) for x in b.lines]
        chunks.append("\n".join(lines))
    return "\n\n---\n\n".join(chunks) + "\n"
