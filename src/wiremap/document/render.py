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
from .template import SECTION_ORDER, canonical_label, canonical_section, is_footer_label

__all__ = ["canonical_title", "is_footer", "render_document", "section_body", "written_items"]

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


# A paragraph's continuation line that would start another block at column 0 (``# x``, ``- x``,
# a fence, ``===``…) is indented by four spaces: still a lazy continuation, never a new block.
_BLOCK_START = re.compile(
    r"^(?:#{1,6}(?:\s|$)|>|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|`{3,}|~{3,}|<|[-_*=](?:\s*[-_*=]){2,}\s*$|=+\s*$|-+\s*$)"
)


def _lines(lines: tuple[ParagraphLine, ...], in_list: bool) -> list[str]:
    out: list[str] = []
    for x in lines:
        # a code span may cross a line break, so one logical line can hold several physical ones
        for text in (t.strip(" \t") for t in _line(x, in_list).split("\n")):
            if out and _BLOCK_START.match(text):
                text = "    " + text
            out.append(text)
        if x.hard_break:
            out[-1] += "\\"  # a hard line break is written as a backslash: fmt drops trailing spaces
    return out


def _line(x: ParagraphLine, in_list: bool) -> str:
    if isinstance(x, TextLine):
        return x.raw
    # in a list item a label names the item (a failure mode, a metric): it is text, written as it is
    label = x.label.strip() if in_list else canonical_label(x.label)
    head = f"**{label}**:" if in_list else f"**{label}:**"
    return f"{head} {x.raw_value}" if x.raw_value else head


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + ln if ln else ln for ln in text.split("\n"))


def _code(block: CodeBlock) -> str:
    char = "~" if "`" in block.info else "`"
    runs = [len(m.group(0)) for m in re.finditer(rf"(?m)^ {{0,3}}{re.escape(char)}+", block.text)]
    fence = char * max(3, max(runs, default=0) + 1)
    body = block.text if block.text.endswith("\n") or not block.text else block.text + "\n"
    return f"{fence}{block.info}\n{body}{fence}"


def _item(item: ListItem, marker: str) -> str:
    pad = " " * (len(marker) + 1)
    own = _lines(item.lines, True)
    children = [c for c in item.children if not _empty(c)]  # an empty nested list writes nothing
    if not own and children and isinstance(head := children[0], Paragraph):
        own = _lines(head.lines, True)  # it is read back as the item's own text
        children.pop(0)
    texts = _texts(children)
    if not own and children:
        lead = children.pop(0)
        first = _indent(texts.pop(0), pad)
        if isinstance(lead, Rule):
            first = pad + "***"  # ``- ---`` would itself read as a thematic break
        # the block starts on the marker line (``- - nested``): a bare marker line under text would read as a
        # setext underline, and empty items (``- - -``, a thematic break) are never written
        out = f"{marker} {first[len(pad) :]}" if first.startswith(pad) else f"{marker} {first}"
    else:
        own = own or [""]
        out = f"{marker} {own[0]}".rstrip(" \t")
        for ln in own[1:]:
            out += "\n" + pad + ln
    for child, text in zip(children, texts, strict=True):
        sep = "\n" if isinstance(child, ListBlock) else "\n\n"
        out += sep + _indent(text, pad)
    return out


def written_items(block: ListBlock) -> list[ListItem]:
    """The items the renderer writes: an empty item is a bare bullet, with no content to keep (and ``-``
    under a text line would read as a setext heading underline). The model reads these items only."""
    return [it for it in block.items if it.lines or not all(_empty(c) for c in it.children)]


def _empty(block: Block) -> bool:
    """``block`` writes nothing (``_block(block) == ""``), told without writing a list: each level of
    nested lists wrote its children twice, to see whether they were empty and then to write them, 2^depth
    (18 levels took a second, 40 did not end: round 68)."""
    if isinstance(block, ListBlock):
        return not written_items(block)
    return not _block(block)


def _list(block: ListBlock, other: bool = False) -> str:
    """``other``: the list follows another list of its kind, and is written with the other bullet (``+``,
    ordered ``1)``): CommonMark starts a new list when the bullet changes, one bullet would merge them."""
    items = written_items(block)
    loose = any(not isinstance(c, ListBlock) for it in items for c in it.children)
    parts = []
    for n, item in enumerate(items):
        bullet = "+" if other else "-"
        parts.append(_item(item, f"{block.start + n}{')' if other else '.'}" if block.ordered else bullet))
    return ("\n\n" if loose else "\n").join(parts)


def _texts(blocks: list[Block]) -> list[str]:
    """Each block written; a list right after a list of its kind alternates its bullet, so the two stay
    two lists (as they were read: a change of bullet, a rule or an empty list between them)."""
    out: list[str] = []
    prev: tuple[ListBlock, bool] | None = None
    for block in blocks:
        if isinstance(block, ListBlock):
            other = prev is not None and prev[0].ordered == block.ordered and not prev[1]
            out.append(_list(block, other))
            prev = (block, other)
        else:
            out.append(_block(block))
            prev = None
    return out


def _heading_text(text: str) -> str:
    """A trailing run of ``#`` after a space would read as the closing sequence: a closing sequence of
    its own is written after it (``## a #`` + `` #``), so the text is read back as it is."""
    m = re.search(r"(?:^|[ \t])(#+)$", text)
    return text + " #" if m else text


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return "\n".join(_lines(block.lines, False))
    if isinstance(block, CodeBlock):
        return _code(block)
    if isinstance(block, ListBlock):
        return _list(block)
    if isinstance(block, Heading):
        return f"{'#' * max(block.level, 3)} {_heading_text(block.text)}"
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


def _can_interrupt(block: ListBlock, text: str) -> bool:
    """CommonMark: a list may interrupt a paragraph only when its first item is not empty
    (and an ordered one only when it starts at 1)."""
    first_line = text.split("\n", 1)[0].strip()
    bare = ("-", "+", f"{block.start}.", f"{block.start})")
    return first_line not in bare and (not block.ordered or block.start == 1)


def _join(blocks: list[Block]) -> str:
    # drop empty lists first: the lists on either side of one are adjacent (and alternate their bullets)
    blocks = [b for b in blocks if not isinstance(b, ListBlock) or _block(b)]
    out = ""
    prev: Block | None = None
    for block, text in zip(blocks, _texts(blocks), strict=True):
        if prev is not None:
            attached = _opens_block(prev) and (
                isinstance(block, CodeBlock) or (isinstance(block, ListBlock) and _can_interrupt(block, text))
            )
            out += "\n" if attached else "\n\n"
        out += text
        prev = block
    return out


def is_footer(block: Block) -> bool:
    """A paragraph of footer fields only (Last Updated, Maintained By): it moves to the end of the doc."""
    if not isinstance(block, Paragraph) or not block.lines:
        return False
    for x in block.lines:  # noqa: SIM110 (a loop, not all() over a generator: asked of every paragraph)
        if not isinstance(x, FieldLine) or not is_footer_label(x.label):
            return False
    return True


def section_body(blocks: tuple[Block, ...] | list[Block]) -> str:
    """A section's content as written: its blocks joined the canonical way, without the footer (Last
    Updated, Maintained By), which moves to the end of the doc. The model's extra sections are this text,
    so a doc and its rewrite compare equal (the footer is read back inside whatever section comes last)."""
    return _join([b for b in blocks if not is_footer(b)])


def _ordered(sections: tuple[Section, ...]) -> list[Section]:
    """Known sections in template order; each extra section rides after the one it followed.

    A second title (``# Integration: C → D`` in the body, a section once read) starts another doc: the
    sections under it are ordered among themselves and stay under it, never mixed into the first doc's
    (whose fields are read first)."""
    rank = {name: i for i, name in enumerate(SECTION_ORDER)}
    keyed: list[tuple[int, float, int, Section]] = []
    group, last = 0, -1.0
    for pos, s in enumerate(sections):
        known = canonical_section(s.title)
        if known is not None:
            last = float(rank[known])
        elif _TITLE.match(s.title):
            group, last = group + 1, -1.0
        keyed.append((group, last, pos, s))
    return [t[3] for t in sorted(keyed, key=lambda t: t[:3])]


def render_document(doc: Document) -> str:
    """The canonical Markdown of ``doc``, ending with one newline."""
    chunks: list[str] = []
    footer: list[Block] = []
    head = [f"# {_heading_text(canonical_title(doc.title))}"] if doc.title is not None else []
    body = [b for b in doc.preamble if not is_footer(b)]
    footer.extend(b for b in doc.preamble if is_footer(b))
    joined = _join(body)
    if joined:
        head.append(joined)
    if head:
        chunks.append("\n\n".join(head))
    for section in _ordered(doc.sections):
        title = canonical_section(section.title) or section.title
        footer.extend(b for b in section.blocks if is_footer(b))
        title = _heading_text(title)
        joined = section_body(section.blocks)
        chunks.append(f"## {title}\n\n{joined}" if joined else f"## {title}")
    if footer:
        lines = [_line(x, False) for b in footer if isinstance(b, Paragraph) for x in b.lines]
        chunks.append("\n".join(lines))
    text = "\n\n---\n\n".join(chunks) + "\n"
    # the front matter stays first, as written (a block of the top of the file, before the title)
    if doc.front_matter is None:
        return text
    return f"{doc.front_matter}\n\n{text}" if chunks else f"{doc.front_matter}\n"
