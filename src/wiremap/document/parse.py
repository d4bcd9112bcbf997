"""Markdown text -> :class:`~wiremap.document.nodes.Document`.

A real CommonMark parser (pulldown-cmark through ``pyromark``) gives the block
structure and byte ranges; this module only groups its events into the blocks
wiremap cares about and turns byte offsets into 1-based lines.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import Any, cast

import pyromark

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

__all__ = ["normalize_newlines", "parse_markdown"]

Event = tuple[Any, dict[str, int]]

_DIRECTIVE = re.compile(r"<!--\s*wiremap:\s*(.*?)\s*-->", re.DOTALL)


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; a leading BOM is dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_WS = " \t"  # CommonMark's whitespace; str.strip() would also eat \x1c-\x1f and NBSP
_BLOCK_TAGS = frozenset({"Paragraph", "List", "CodeBlock", "Heading", "BlockQuote", "HtmlBlock", "Table"})
# a YAML front-matter block at the very top: ``---``, ``key: value`` lines, ``---`` (or ``...``). Its title
# was "missing" (DOC004) and verify skipped the doc (new user, round 35). pulldown-cmark's metadata
# option is not used: it takes a ``---`` rule and what follows anywhere in a doc for one
_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\n(?P<body>(?:(?!(?:---|\.\.\.)[ \t]*(?:\n|\Z)).*\n){1,200}?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)"
)
_YAML_KEY = re.compile(r"^[A-Za-z_][\w.-]*[ \t]*:(?:[ \t]|$)", re.MULTILINE)
_MD_HEADING = re.compile(r"^#{1,6}[ \t]", re.MULTILINE)
_INLINE_KINDS = frozenset({"Text", "Code", "SoftBreak", "HardBreak"})
# lists nested deeper than this are kept as their source text (a raw block), not read into items: 400 levels
# of ``- a`` ran every command into Python's recursion limit, and one doc stopped the whole run (round 68)
MAX_DEPTH = 32


class _Builder:
    """Flattens pyromark's events into parallel arrays once, then groups them into blocks."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self.data = text.encode()
        self.line_starts = [0]
        self.line_starts.extend(m.end() for m in re.finditer(rb"\n", self.data))
        events = list(cast(Iterable[Event], pyromark.events_with_range(text, merge_text=True)))
        # Parallel arrays built by comprehensions (several times faster than one loop of appends).
        kinds: list[str] = [ev if type(ev) is str else next(iter(ev)) for ev, _ in events]
        payloads: list[Any] = [None if type(ev) is str else next(iter(ev.values())) for ev, _ in events]
        starts: list[int] = [rng["start"] for _, rng in events]
        ends: list[int] = [rng["end"] for _, rng in events]
        names: list[str] = [
            (p if type(p) is str else next(iter(p))) if k == "Start" else ""
            for k, p in zip(kinds, payloads, strict=True)
        ]
        match: list[int] = [-1] * len(kinds)
        stack: list[int] = []
        for i, kind in enumerate(kinds):
            if kind == "Start":
                stack.append(i)
            elif kind == "End" and stack:
                match[stack.pop()] = i
        self.kinds, self.names, self.payloads = kinds, names, payloads
        self.starts, self.ends, self.match = starts, ends, match
        self.n = len(kinds)
        self.directives: list[tuple[int, str]] = []

    def src_with_breaks(self, start: int, end: int, inner: range) -> str:
        """Source ``start:end`` with each hard break written with spaces given a backslash instead, which
        the stripping of trailing spaces keeps (a quote's ``> a  `` stays a break)."""
        breaks = (self.starts[x] for x in inner if self.kinds[x] == "HardBreak")
        spaced = [s for s in breaks if self.data[s] != 92]  # 92: a backslash break is kept as it is
        if not spaced:
            return self.src(start, end)
        data = bytearray(self.data[start:end])
        for s in reversed(spaced):  # the spaces run to the end of the line
            eol = self.data.find(b"\n", s)
            data[s - start : (end if eol < 0 else eol) - start] = _break_mark(self.src(start, s)).encode()
        return data.decode("utf-8", "replace")

    def line(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def src(self, start: int, end: int) -> str:
        if self.ascii:  # byte offsets are character offsets: slice the str, no decoding
            return self.text[start:end]
        return self.data[start:end].decode("utf-8", "replace")

    # -- blocks -------------------------------------------------------------------------------------------

    def blocks(self, i: int, j: int, depth: int = 0) -> list[Block]:
        out: list[Block] = []
        kinds = self.kinds
        names = self.names
        while i < j:
            kind = kinds[i]
            if kind in _INLINE_KINDS or (kind == "Start" and names[i] not in _BLOCK_TAGS):
                # tight list item text after a nested list (``- 1.`` then ``  text``): a paragraph of its own
                x = i
                while x < j and names[x] not in _BLOCK_TAGS and kinds[x] != "Rule":  # up to the next block
                    x += 1
                out.append(Paragraph(self.line(self.starts[i]), tuple(self.inline_lines(range(i, x)))))
                i = x
                continue
            if kind == "Start":
                k = self.match[i]
                if k < 0:
                    k = j
                block = self.block(i, k, depth)
                if block is not None:
                    out.append(block)
                i = k + 1
                continue
            if kind == "Rule":
                out.append(Rule(self.line(self.starts[i])))
            elif kind in ("Html", "InlineHtml"):
                self._scan_directive(str(self.payloads[i]), self.starts[i])
            i += 1
        return out

    def block(self, i: int, k: int, depth: int = 0) -> Block | None:
        name, payload = self.names[i], self.payloads[i]
        line = self.line(self.starts[i])
        inner = range(i + 1, k)
        if name == "Paragraph":
            return Paragraph(line, tuple(self.inline_lines(inner)))
        if name == "Heading":
            level = int(str(payload["Heading"]["level"])[1:])
            text = " ".join(x.strip() for x in self.inline_raw(inner).split("\n"))
            return Heading(line, level, text)
        if name == "CodeBlock":
            kind = payload["CodeBlock"]
            text = "".join(str(self.payloads[x]) for x in inner if self.kinds[x] == "Text")
            if isinstance(kind, dict):
                info = str(kind.get("Fenced", "")).strip()
                language = info.split()[0] if info else None
                return CodeBlock(line, language, info, text, fenced=True)
            return CodeBlock(line, None, "", text, fenced=False)
        if name == "List" and depth < MAX_DEPTH:
            start = payload["List"]
            return ListBlock(line, start is not None, int(start or 1), tuple(self.items(i + 1, k, depth)))
        if name == "HtmlBlock":
            text = "".join(str(self.payloads[x]) for x in inner if self.kinds[x] == "Html")
            self._scan_directive(text, self.starts[i])
            return RawBlock(line, "html", _strip_lines(text))
        raw = _strip_lines(self.src_with_breaks(self.starts[i], self.ends[i], range(i + 1, k)))
        if name == "List":  # deeper than MAX_DEPTH: its source, its lines indented from its own column (the
            # renderer indents it as deep again)
            column = self.starts[i] - self.line_starts[self.line(self.starts[i]) - 1]
            first, *rest = raw.split("\n")
            raw = "\n".join([first, *(x[min(column, len(x) - len(x.lstrip(" "))) :] for x in rest)])
        if name in ("BlockQuote", "Table"):
            # indentation before ``>`` / ``|`` (and of lazy continuation lines) carries no meaning, but inside
            # a list item it includes the item's own indent: drop it, the renderer indents again
            raw = "\n".join(x.lstrip(" \t") for x in raw.split("\n"))
        return RawBlock(line, name.lower(), raw)

    def items(self, i: int, j: int, depth: int) -> list[ListItem]:
        out: list[ListItem] = []
        while i < j:
            if self.kinds[i] == "Start":
                k = self.match[i]
                out.append(self.item(i + 1, k, self.line(self.starts[i]), depth))
                i = k + 1
            else:
                i += 1
        return out

    def item(self, i: int, k: int, line: int, depth: int) -> ListItem:
        # Leading inline events (tight item) or a first Paragraph carry the item's own text.
        x = i
        kinds, names = self.kinds, self.names
        while x < k and not (kinds[x] == "Rule" or (kinds[x] == "Start" and names[x] in _BLOCK_TAGS)):
            x += 1
        lines: list[ParagraphLine] = self.inline_lines(range(i, x)) if x > i else []
        children = self.blocks(x, k, depth + 1)
        if not lines and children and isinstance(children[0], Paragraph):
            lines = list(children[0].lines)
            children = children[1:]
        return ListItem(line, tuple(lines), tuple(children))

    # -- inline -------------------------------------------------------------------------------------------

    def inline_raw(self, idx: range) -> str:
        if not idx:
            return ""
        start = min(self.starts[x] for x in idx)
        end = max(self.ends[x] for x in idx)
        return self.src(start, end).strip()

    def plain(self, idx: Sequence[int] | range) -> str:
        parts: list[str] = []
        kinds, payloads = self.kinds, self.payloads
        for x in idx:
            kind = kinds[x]
            if kind == "Text" or kind == "Code":
                parts.append(payloads[x])
            elif kind == "SoftBreak" or kind == "HardBreak":
                parts.append(" ")
        return "".join(parts)

    def inline_lines(self, idx: range) -> list[ParagraphLine]:
        """One entry per *physical* source line of a paragraph (or tight list item).

        Working on source lines rather than on inline events keeps spans that cross a line
        break (code spans, emphasis) from being split or written twice.
        """
        if not idx:
            return []
        # inline events come in document order: the first starts the text, the last ends it
        start, end = self.starts[idx.start], max(self.ends[idx.stop - 1], self.starts[idx.stop - 1])
        if start > 0 and self.data[start - 1] == 92:
            start -= 1  # the text starts after an escaping backslash (``\\``): the line starts at it
        strong_at: dict[int, int] = {}
        breaks: list[int] = []  # where each hard break starts: at its backslash or its first space
        kinds, names = self.kinds, self.names
        for x in idx:
            kind = kinds[x]
            if kind == "Start" and names[x] == "Strong":
                strong_at.setdefault(self.starts[x], x)
            elif kind == "HardBreak":
                breaks.append(self.starts[x])
            elif kind == "InlineHtml":
                self._scan_directive(str(self.payloads[x]), self.starts[x])
        out: list[ParagraphLine] = []
        pos = start
        data = self.data
        while pos < end:
            nl = data.find(b"\n", pos, end)
            seg_end = end if nl < 0 else nl
            at = bisect_left(breaks, pos)
            brk = breaks[at] if at < len(breaks) and breaks[at] < seg_end else None
            out_line = self.physical_line(pos, seg_end, idx, strong_at, brk)
            if out_line is not None:
                out.append(out_line)
            pos = seg_end + 1
        return out

    def physical_line(
        self, a: int, b: int, idx: range, strong_at: dict[int, int], brk: int | None = None
    ) -> ParagraphLine | None:
        """Source line ``a:b``; ``brk`` is where a hard break at its end starts (its mark is left out)."""
        hard = brk is not None
        if brk is not None:
            b = brk  # the text ends where the break's backslash or spaces begin
        seg = self.data[a:b]
        stripped = seg.lstrip(b" \t")
        if not stripped.strip():
            return TextLine(self.line(a), "", True) if hard else None
        lead = a + (len(seg) - len(stripped))
        line = self.line(lead)
        x = strong_at.get(lead)
        if x is not None and (k := self.match[x]) >= 0 and self.ends[k] <= b:
            label = self.plain(range(x + 1, k)).strip()
            strong_end = self.ends[k]
            rest_raw = self.src(strong_end, b)
            starts = self.starts
            after = []
            kinds = self.kinds
            for y in range(k + 1, idx.stop):
                if starts[y] >= b and (kinds[y] == "Text" or kinds[y] == "Code"):
                    break  # text events come in document order: the rest is on later lines
                if strong_end <= starts[y] < b:
                    after.append(y)
            rest_plain = self.plain(after)
            if label.endswith(":") and len(label) > 1:
                raw = self.break_text(rest_raw.strip(_WS), brk)
                return FieldLine(line, label[:-1].strip(), raw, rest_plain.strip(), True, hard)
            if label and rest_raw.startswith(":"):
                raw = self.break_text(rest_raw[1:].strip(_WS), brk)
                return FieldLine(line, label, raw, rest_plain.strip()[1:].strip(), False, hard)
        return TextLine(line, self.break_text(self.src(lead, b).strip(_WS), brk), hard)

    def break_text(self, text: str, brk: int | None) -> str:
        """``text`` before a hard break made of spaces ends in a literal backslash: escaped, as the
        renderer's backslash break needs (both spellings of the break read the same)."""
        if brk is None or self.data[brk] == 92:
            return text
        return text + _break_mark(text)[:-1]

    def _scan_directive(self, html: str, offset: int) -> None:
        if "wiremap" not in html:
            return
        for m in _DIRECTIVE.finditer(html):
            self.directives.append((self.line(offset), m.group(1)))


def _break_mark(before: str) -> str:
    r"""The backslash that writes a hard break made of spaces after ``before``. After an odd run of
    backslashes the last one is a literal backslash (``a \  ``): it is escaped first (``a \\\``), or the
    two would read as one escaped backslash and no break."""
    run = len(before) - len(before.rstrip("\\"))
    return "\\\\" if run % 2 else "\\"


def _strip_lines(text: str) -> str:
    """Trailing spaces and tabs of each line go (CommonMark whitespace only: not \\f, not NBSP)."""
    return "\n".join(x.rstrip(_WS) for x in text.rstrip("\n").split("\n"))


def parse_markdown(text: str, path: str = "<string>") -> Document:
    """Parse Markdown text into a :class:`Document`. Never raises on any ``str``."""
    text = normalize_newlines(text)
    front_matter = None
    if text.startswith("---") and (fm := _FRONT_MATTER.match(text)) is not None:
        body = fm.group("body")
        if _YAML_KEY.search(body) and not _MD_HEADING.search(body):
            front_matter = text[: fm.end()].rstrip("\n")
            # its lines left blank: every line number of the rest holds
            text = "\n" * fm.group(0).count("\n") + text[fm.end() :]
    b = _Builder(text)
    blocks = b.blocks(0, b.n)
    title: str | None = None
    title_line = 1
    preamble: list[Block] = []
    sections: list[Section] = []
    current: tuple[str, int, list[Block]] | None = None
    for block in blocks:
        if (
            isinstance(block, Heading)
            and block.level == 1
            and title is None
            and not sections
            and current is None
        ):
            title, title_line = block.text, block.line
            continue
        if isinstance(block, Heading) and block.level <= 2:
            if current is not None:
                sections.append(Section(current[0], current[1], tuple(current[2])))
            current = (block.text, block.line, [])
            continue
        if isinstance(block, Rule):
            continue
        (current[2] if current is not None else preamble).append(block)
    if current is not None:
        sections.append(Section(current[0], current[1], tuple(current[2])))
    return Document(
        path=path,
        title=title,
        title_line=title_line,
        preamble=tuple(preamble),
        sections=tuple(sections),
        directives=tuple(b.directives),
        line_count=len(b.line_starts) - (1 if text.endswith("\n") else 0),
        first_heading=next((b.text for b in blocks if isinstance(b, Heading)), None),
        front_matter=front_matter,
    )
