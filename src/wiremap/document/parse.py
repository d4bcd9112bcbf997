"""Markdown text -> :class:`~wiremap.document.nodes.Document`.

A real CommonMark parser (pulldown-cmark through ``pyromark``) gives the block
structure and byte ranges; this module only groups its events into the blocks
wiremap cares about and turns byte offsets into 1-based lines.
"""

from __future__ import annotations

import re
from bisect import bisect_right
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
_TEMPLATE_LABELS = frozenset({"purpose", "protocol", "direction", "critical path", "source", "destination"})


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; a leading BOM is dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _tag(event: Any) -> tuple[str, Any]:
    """``({'Start': X}, r)`` -> ("Start", X) etc.; plain string events -> (name, None)."""
    if isinstance(event, str):
        return event, None
    ((kind, payload),) = event.items()
    return kind, payload


def _tag_name(payload: Any) -> str:
    if isinstance(payload, str):
        return payload
    ((name, _),) = payload.items()
    return str(name)


class _Builder:
    def __init__(self, text: str) -> None:
        self.data = text.encode()
        self.line_starts = [0]
        self.line_starts.extend(m.end() for m in re.finditer(rb"\n", self.data))
        self.events: list[Event] = list(cast(Iterable[Event], pyromark.events_with_range(text)))
        self.match = self._match_ends()
        self.directives: list[tuple[int, str]] = []

    def _match_ends(self) -> list[int]:
        match = [-1] * len(self.events)
        stack: list[int] = []
        for i, (ev, _) in enumerate(self.events):
            if isinstance(ev, dict):
                if "Start" in ev:
                    stack.append(i)
                elif "End" in ev and stack:
                    match[stack.pop()] = i
        return match

    def line(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def src(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", "replace")

    # -- blocks -------------------------------------------------------------------------------------------

    def blocks(self, i: int, j: int) -> list[Block]:
        out: list[Block] = []
        while i < j:
            ev, rng = self.events[i]
            kind, payload = _tag(ev)
            if kind == "Start":
                k = self.match[i]
                if k < 0:
                    k = j
                block = self.block(_tag_name(payload), payload, i, k, rng)
                if block is not None:
                    out.append(block)
                i = k + 1
                continue
            if kind == "Rule":
                out.append(Rule(self.line(rng["start"])))
            elif kind in ("Html", "InlineHtml"):
                self._scan_directive(str(payload), rng["start"])
            i += 1
        return out

    def block(self, name: str, payload: Any, i: int, k: int, rng: dict[str, int]) -> Block | None:
        line = self.line(rng["start"])
        inner = range(i + 1, k)
        if name == "Paragraph":
            return Paragraph(line, tuple(self.inline_lines(inner)))
        if name == "Heading":
            level = int(str(payload["Heading"]["level"])[1:])
            text = " ".join(x.strip() for x in self.inline_raw(inner).split("\n"))
            return Heading(line, level, text)
        if name == "CodeBlock":
            kind = payload["CodeBlock"]
            text = "".join(
                str(self.events[x][0]["Text"]) for x in inner if _tag(self.events[x][0])[0] == "Text"
            )
            if isinstance(kind, dict):
                info = str(kind.get("Fenced", "")).strip()
                language = info.split()[0] if info else None
                return CodeBlock(line, language, info, text, fenced=True)
            return CodeBlock(line, None, "", text, fenced=False)
        if name == "List":
            start = payload["List"]
            return ListBlock(line, start is not None, int(start or 1), tuple(self.items(i + 1, k)))
        if name == "HtmlBlock":
            text = "".join(str(self.events[x][0].get("Html", "")) for x in inner)
            self._scan_directive(text, rng["start"])
            return RawBlock(line, "html", _strip_lines(text))
        return RawBlock(line, name.lower(), _strip_lines(self.src(rng["start"], rng["end"])))

    def items(self, i: int, j: int) -> list[ListItem]:
        out: list[ListItem] = []
        while i < j:
            ev, rng = self.events[i]
            if _tag(ev)[0] == "Start":
                k = self.match[i]
                out.append(self.item(i + 1, k, self.line(rng["start"])))
                i = k + 1
            else:
                i += 1
        return out

    def item(self, i: int, k: int, line: int) -> ListItem:
        # Leading inline events (tight item) or a first Paragraph carry the item's own text.
        x = i
        while x < k and not self._is_block_start(x):
            x += 1
        lines: list[ParagraphLine] = self.inline_lines(range(i, x)) if x > i else []
        children = self.blocks(x, k)
        if not lines and children and isinstance(children[0], Paragraph):
            lines = list(children[0].lines)
            children = children[1:]
        return ListItem(line, tuple(lines), tuple(children))

    def _is_block_start(self, x: int) -> bool:
        kind, payload = _tag(self.events[x][0])
        if kind == "Rule":
            return True
        return kind == "Start" and _tag_name(payload) in {
            "Paragraph",
            "List",
            "CodeBlock",
            "Heading",
            "BlockQuote",
            "HtmlBlock",
            "Table",
        }

    # -- inline -------------------------------------------------------------------------------------------

    def inline_raw(self, idx: Sequence[int] | range) -> str:
        if not idx:
            return ""
        start = min(self.events[x][1]["start"] for x in idx)
        end = max(self.events[x][1]["end"] for x in idx)
        return self.src(start, end).strip()

    def plain(self, idx: Sequence[int] | range) -> str:
        parts: list[str] = []
        for x in idx:
            kind, payload = _tag(self.events[x][0])
            if kind in ("Text", "Code"):
                parts.append(str(payload))
            elif kind == "InlineHtml":
                self._scan_directive(str(payload), self.events[x][1]["start"])
            elif kind in ("SoftBreak", "HardBreak"):
                parts.append(" ")
        return "".join(parts)

    def inline_lines(self, idx: range) -> list[ParagraphLine]:
        """One entry per *physical* source line of a paragraph (or tight list item).

        Working on source lines rather than on inline events keeps spans that cross a line
        break (code spans, emphasis) from being split or written twice.
        """
        if not idx:
            return []
        start = min(self.events[x][1]["start"] for x in idx)
        end = max(self.events[x][1]["end"] for x in idx)
        strong_at: dict[int, int] = {}
        for x in idx:
            kind, payload = _tag(self.events[x][0])
            if kind == "Start" and _tag_name(payload) == "Strong":
                strong_at.setdefault(self.events[x][1]["start"], x)
            elif kind == "InlineHtml":
                self._scan_directive(str(payload), self.events[x][1]["start"])
        out: list[ParagraphLine] = []
        pos = start
        while pos < end:
            nl = self.data.find(b"\n", pos, end)
            seg_end = end if nl < 0 else nl
            out_line = self.physical_line(pos, seg_end, idx, strong_at)
            if out_line is not None:
                out.append(out_line)
            pos = seg_end + 1
        return out

    def physical_line(self, a: int, b: int, idx: range, strong_at: dict[int, int]) -> ParagraphLine | None:
        seg = self.data[a:b]
        stripped = seg.lstrip(b" \t")
        if not stripped.strip():
            return None
        lead = a + (len(seg) - len(stripped))
        line = self.line(lead)
        raw = self.src(lead, b).strip()
        x = strong_at.get(lead)
        if x is not None and (k := self.match[x]) >= 0 and self.events[k][1]["end"] <= b:
            label = self.plain(range(x + 1, k)).strip()
            strong_end = self.events[k][1]["end"]
            rest_raw = self.src(strong_end, b)
            after = [y for y in idx if y > k and strong_end <= self.events[y][1]["start"] < b]
            rest_plain = self.plain(after)
            if label.endswith(":") and len(label) > 1:
                return FieldLine(line, label[:-1].strip(), rest_raw.strip(), rest_plain.strip(), True)
            if label and rest_raw.startswith(":"):
                return FieldLine(line, label, rest_raw[1:].strip(), rest_plain.strip()[1:].strip(), False)
        return TextLine(line, raw)

    def _scan_directive(self, html: str, offset: int) -> None:
        for m in _DIRECTIVE.finditer(html):
            self.directives.append((self.line(offset), m.group(1)))


def _strip_lines(text: str) -> str:
    return "\n".join(x.rstrip() for x in text.rstrip("\n").split("\n"))


def parse_markdown(text: str, path: str = "<string>") -> Document:
    """Parse Markdown text into a :class:`Document`. Never raises on any ``str``."""
    text = normalize_newlines(text)
    b = _Builder(text)
    blocks = b.blocks(0, len(b.events))
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
    has_labels = any(
        isinstance(p, Paragraph) and any(f.label.lower() in _TEMPLATE_LABELS for f in p.fields)
        for p in blocks
    )
    return Document(
        path=path,
        title=title,
        title_line=title_line,
        preamble=tuple(preamble),
        sections=tuple(sections),
        directives=tuple(b.directives),
        line_count=len(b.line_starts) - (1 if text.endswith("\n") else 0),
        has_template_labels=has_labels,
        first_heading=next((b.text for b in blocks if isinstance(b, Heading)), None),
    )
