"""Helpers shared by several rules: placeholders, code blocks, dates. Not a rule (no ``RULE``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from functools import cache

from ...document.nodes import Block, CodeBlock, Document, ListBlock
from ...document.template import template_placeholders
from ...values import is_placeholder_text, parse_date, strip_code

__all__ = [
    "PROSE_PLACEHOLDER",
    "code_blocks",
    "code_placeholders",
    "has_placeholder",
    "is_iso_date",
    "is_unfilled",
    "prose_placeholders",
    "read_date",
    "substitute_placeholders",
]

# In prose: any [bracketed words] that is not a link, an image, a footnote or a task-list box.
PROSE_PLACEHOLDER = re.compile(r"(?<![!\\\]])\[(?![ xX]\])(?!\^)([^\[\]\n]*[A-Za-z][^\[\]\n]*)\](?![(\[])")
# In code: the template's own placeholders, `[Capitalised]` / `[UPPER_CASE]` after a non-word char,
# or `[several plain words]`; never `x[0]`, `d["k"]` or a list literal of names.
_CODE = re.compile(
    r"(?<![\w\]\)\"'])\[(?:[A-Z][A-Za-z0-9_]*(?: [A-Za-z0-9_]+)*|[a-z]+(?: [a-z]+){2,})\](?!\s*[=:]\s*\S)"
)
_NOT_CODE_WORDS = re.compile(r"\b(for|in|if|else|and|or|not|lambda)\b")
# An IPv6 literal such as ``[fe80::1]`` is not a placeholder.
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]$")


@cache
def _template_alternation() -> re.Pattern[str]:
    """One regex for every template placeholder, longest first; lookahead so overlaps are all found."""
    phs = sorted(template_placeholders(), key=len, reverse=True)
    return re.compile("(?=(" + "|".join(re.escape(p) for p in phs) + "))")


def code_placeholders(line: str) -> list[tuple[int, str]]:
    """Template placeholders in one line of code, as ``(column, "[text]")``, left to right."""
    if "[" not in line:
        return []
    found = {m.start(): m.group(0) for m in _CODE.finditer(line) if not _NOT_CODE_WORDS.search(m.group(0))}
    for m in _template_alternation().finditer(line):
        found.setdefault(m.start(), m.group(1))
    return [(k, found[k]) for k in sorted(found)]


def prose_placeholders(text: str) -> list[str]:
    """``[bracketed words]`` of a line of prose (a value, a label, a list item)."""
    return [f"[{m.group(1)}]" for m in PROSE_PLACEHOLDER.finditer(text) if not _IPV6.match(m.group(0))]


def has_placeholder(text: str | None) -> bool:
    """The text is, or contains, an unfilled template placeholder (DOC003 reports those)."""
    if not text:
        return False
    if is_placeholder_text(text):
        return True
    if "[" not in text:
        return False
    if _template_alternation().search(text):
        return True
    return bool(prose_placeholders(text))


def is_unfilled(text: str | None) -> bool:
    """Missing, empty, or nothing but placeholders (and comments) on every line."""
    if text is None:
        return True
    lines = [x.strip() for x in strip_code(text).split("\n")]
    lines = [x for x in lines if x and not x.startswith(("#", "//"))]
    return not lines or all(is_placeholder_text(x) for x in lines)


def substitute_placeholders(text: str, replacement: str) -> tuple[str, set[int]]:
    """Replace every code placeholder by ``replacement``; also return the 1-based lines that had one."""
    out: list[str] = []
    touched: set[int] = set()
    for n, line in enumerate(text.split("\n"), start=1):
        spans = code_placeholders(line)
        if not spans:
            out.append(line)
            continue
        touched.add(n)
        parts: list[str] = []
        pos = 0
        for start, ph in spans:
            if start < pos:  # overlaps the previous one
                continue
            parts.append(line[pos:start])
            parts.append(replacement)
            pos = start + len(ph)
        parts.append(line[pos:])
        out.append("".join(parts))
    return "\n".join(out), touched


def _blocks(blocks: Iterable[Block]) -> Iterator[CodeBlock]:
    for block in blocks:
        if isinstance(block, CodeBlock):
            yield block
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _blocks(item.children)


def code_blocks(doc: Document) -> Iterator[CodeBlock]:
    """Every code block of the document, in order: preamble, sections, nested in list items."""
    yield from _blocks(doc.preamble)
    for section in doc.sections:
        yield from _blocks(section.blocks)


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:\s*\(.*\))?$")


def is_iso_date(text: str) -> bool:
    """``2026-11-28``, optionally followed by a ``(note)``."""
    return bool(_ISO.match(strip_code(text).strip().rstrip(":").strip()))


def read_date(text: str | None) -> dt.date | None:
    """A date the doc wrote, or ``None`` (empty, placeholder, unreadable)."""
    if not text or has_placeholder(text):
        return None
    return parse_date(text)
