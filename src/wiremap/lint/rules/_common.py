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
    "ambiguity",
    "code_blocks",
    "code_placeholders",
    "has_placeholder",
    "is_iso_date",
    "is_unfilled",
    "json_placeholders",
    "prose_placeholders",
    "read_date",
    "substitute_placeholders",
    "unread_filled",
]

# A placeholder is one of the template's own (``template_placeholders``), wherever it is; in prose, also a
# bracketed phrase that stands where the template puts one: a whole value, list item, label or heading, or
# a whole part of it between the template's separators (``Name: [x]``, ``[x] → [y]``, ``Name ([x])``).
# Other bracketed text is content: ``[UNAVAILABLE]`` in a comment, ``[DEFAULT]`` in an INI block,
# ``[ -f x ]`` in a shell line, ``RFC 9110 [Section 15.5]`` in a sentence.
PROSE_PLACEHOLDER = re.compile(r"\[[^\[\]\n]*[A-Za-z][^\[\]\n]*\]")
# Links, images, footnotes, task-list boxes: brackets that are Markdown, never placeholders.
# (a link's destination of at most 1,000 characters: ``[a](`` repeated made each ``(`` read the line to its
# end, 53 s for 400 kB: round 68)
_MARKDOWN_BRACKETS = re.compile(
    r"!?\[[^\[\]\n]*\](?:\([^)\n]{0,1000}\)|\[[^\]\n]*\])|\[[ xX]\](?=\s)|\[\^[^\]\n]*\]"
)
# The template's separators between the parts of a value (not a comma: the template puts none between
# placeholders, and "EU, UK, [CH]" or "(e.g. [Fulfilment], [Mailer])" are lists of names: round 50).
_PARTS = re.compile(r"\s*(?:→|->|=>|⟶|[();]|:\s)\s*")
# A part that is nothing but bracketed phrases joined by commas, "and", "or" or slashes.
_ONLY_BRACKETS = re.compile(r"(?:\[[^\[\]\n]+\]\s*(?:,|/|\band\b|\bor\b)?\s*)+")
# An IPv6 literal such as ``[fe80::1]`` is not a placeholder.
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]$")
# Nothing written yet, said in words (a comment ``# TODO``).
_NOT_YET = re.compile(r"^(?:(?:todo|tbd|tba|fixme|xxx)\b|\.\.\.|…)[\s.:!…-]*$", re.IGNORECASE)
# Comment markers at the start or the end of a line of code.
_COMMENT_START = re.compile(r"^(?:#+|//+|--+|/\*+|\*+|;+|<!--|rem\s)\s*", re.IGNORECASE)
_COMMENT_END = re.compile(r"\s*(?:\*+/|-->)$")


@cache
def _template_alternation() -> re.Pattern[str]:
    """One regex for every template placeholder, longest first; lookahead so overlaps are all found."""
    phs = sorted(template_placeholders(), key=len, reverse=True)
    return re.compile("(?=(" + "|".join(re.escape(p) for p in phs) + "))")


@cache
def _template_any() -> re.Pattern[str]:
    """Every template placeholder, longest first (to cut them out of a text)."""
    return re.compile("|".join(re.escape(p) for p in sorted(template_placeholders(), key=len, reverse=True)))


def code_placeholders(line: str) -> list[tuple[int, str]]:
    """The template's placeholders in one line of code, as ``(column, "[text]")``, left to right.

    Not one written as a subscript (``d[value]``, ``f()[method]``): that is code.
    """
    if "[" not in line:
        return []
    found: dict[int, str] = {}
    for m in _template_alternation().finditer(line):
        start = m.start()
        if start > 0 and (line[start - 1].isalnum() or line[start - 1] in "_])"):
            continue
        found.setdefault(start, m.group(1))
    return [(k, found[k]) for k in sorted(found)]


# In JSON a bracketed phrase of bare words is no array (``"order_id": [order id]``): a placeholder there;
# ``[true]``, ``[null]``, ``["a"]`` and ``[1, 2]`` are JSON.
_JSON_WORDS = re.compile(r"(?<![\w\]\)\"'])\[\s*(?!(?:true|false|null)\s*\])[A-Za-z][A-Za-z0-9 _./|:-]*\]")


def json_placeholders(line: str) -> list[tuple[int, str]]:
    """The placeholders of one line of a JSON block: the template's (as in any code) and bracketed phrases
    of bare words, which no JSON value is (BLK001 called ``[order id]`` invalid JSON and DOC003 said
    nothing, while rules.md leaves such placeholders to DOC003: round 50)."""
    found = dict(code_placeholders(line))
    for m in _JSON_WORDS.finditer(line):
        if not any(k <= m.start() < k + len(v) for k, v in found.items()):
            found.setdefault(m.start(), m.group())
    return sorted(found.items())


def prose_placeholders(text: str) -> list[str]:
    """The placeholders of a line of prose (a value, a label, a list item), left to right."""
    if "[" not in text:
        return []
    plain = _MARKDOWN_BRACKETS.sub(lambda m: " " * len(m.group(0)), text)  # same length: same columns
    found: dict[int, str] = {}
    for m in _template_alternation().finditer(plain):
        found.setdefault(m.start(), m.group(1))
    pos = 0
    for sep in [*_PARTS.finditer(plain), None]:
        end = sep.start() if sep is not None else len(plain)
        part = plain[pos:end].strip(" \t*_`.")
        if PROSE_PLACEHOLDER.fullmatch(part) and not _IPV6.match(part):
            found.setdefault(plain.index(part, pos), part)
        elif part and _ONLY_BRACKETS.fullmatch(part):  # "[team], [channel]": nothing but placeholders
            for m in PROSE_PLACEHOLDER.finditer(part):
                if not _IPV6.match(m.group()):
                    found.setdefault(plain.index(part, pos) + m.start(), m.group())
        pos = sep.end() if sep is not None else end
    return [found[k] for k in sorted(found)]


def ambiguity(number: str) -> str:
    """Why a number like ``1.200`` is not read (:func:`wiremap.values.ambiguous_number`)."""
    whole, _, frac = number.partition(".")
    return (
        f"{number} reads two ways ({float(number):g} in English, {whole}{frac} where a dot groups "
        f"thousands): write {whole}{frac} or {float(number):g}"
    )


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


def _says_something(line: str) -> bool:
    """A line says something once its comment markers and the template's placeholders are gone."""
    rest = _COMMENT_END.sub("", _COMMENT_START.sub("", line.strip())).strip()
    if "[" in rest:
        rest = _template_any().sub("", rest).strip()
    return bool(rest) and not is_placeholder_text(rest) and not _NOT_YET.match(rest)


def is_unfilled(text: str | None) -> bool:
    """Missing, empty, or nothing but the template's placeholders, comment markers and "TODO" on every line.

    A comment is content: ``# no retries: the job runs again at night`` is a Retry Strategy.
    """
    if text is None:
        return True
    return not any(_says_something(x) for x in strip_code(text).split("\n"))


def substitute_placeholders(text: str, replacement: str, *, json: bool = False) -> tuple[str, set[int]]:
    """Replace every code placeholder (``json``: of a JSON block) by ``replacement``; also return the 1-based
    lines that had one."""
    out: list[str] = []
    touched: set[int] = set()
    find = json_placeholders if json else code_placeholders
    for n, line in enumerate(text.split("\n"), start=1):
        spans = find(line)
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


def unread_filled(text: str, label_raw: str, unread: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """What a reader left unread under a label (line, what it is), less the template's placeholders there
    (DOC003's): the unread shapes VAL010 and VAL011 report."""
    if has_placeholder(label_raw):
        return
    lines = text.split("\n")
    for line, what in unread:
        if not has_placeholder(lines[line - 1] if 0 < line <= len(lines) else ""):
            yield line, what
