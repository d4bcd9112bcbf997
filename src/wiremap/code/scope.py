"""Which environment reads of a Source file belong to one integration, for SRC006.

A file often holds several integrations (one function per broker, one class per API). The variables a
doc must list are those its own code reads, not every read of the file:

- the **anchors** are the doc's Source line and the lines where its Client is (definition, call sites);
- the integration's code is, for each anchor, the top-level class or function that holds it, or the
  module-level statement it is on;
- a read inside that code belongs to the integration; a read elsewhere belongs to it when the
  integration uses what the read is bound to: the module-level name it is assigned to (``AMQP_URL =
  os.environ[…]``, followed through other module-level names and helper functions), the function it is
  in (``def amqp_url(): return os.environ[…]``) or the settings field it is (``amqp_url: str``).

Text-based and language-agnostic (Python, JavaScript, Go): it needs only the index's definitions and the
file's lines. When the doc gives no line at all, every read of the file counts, as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Integration
from .locate import client_lines, client_name
from .model import Definition, EnvRead, FileIndex

__all__ = ["integration_env_reads"]

_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_BINDING = re.compile(
    r"^\s*(?:export\s+)?(?:const\s+|let\s+|var\s+)?"
    r"(?P<names>[A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*)\s*(?::[^=]*)?:?=(?!=)"
)
_FIELD = re.compile(r"^\s*(?P<name>[A-Za-z_$][\w$]*)\s*[:=]")
_NOT_A_START = ("#", "//", "/*", "*", ")", "]", "}")


def _top_level(defs: Sequence[Definition]) -> list[Definition]:
    return [
        d for d in defs if not any(o is not d and o.line <= d.line and d.end_line <= o.end_line for o in defs)
    ]


def _innermost(defs: Sequence[Definition], line: int) -> Definition | None:
    inside = [d for d in defs if d.line <= line <= d.end_line]
    return max(inside, key=lambda d: d.line) if inside else None


def _bindings(text: str) -> set[str]:
    m = _BINDING.match(text)
    return {n.strip() for n in m.group("names").split(",")} if m else set()


class _Module:
    """The file's lines, cut into module-level statements (lines outside every top-level definition)."""

    def __init__(self, lines: list[str], tops: list[Definition]) -> None:
        self.lines = lines
        self.inside = {n for d in tops for n in range(d.line, d.end_line + 1)}
        starts = [
            n
            for n in range(1, len(lines) + 1)
            if n not in self.inside
            and lines[n - 1].strip()
            and not lines[n - 1][:1].isspace()
            and not lines[n - 1].lstrip().startswith(_NOT_A_START)
        ]
        self.statements: list[tuple[int, int]] = []
        for i, first in enumerate(starts):
            last = starts[i + 1] - 1 if i + 1 < len(starts) else len(lines)
            n = first + 1
            while n <= last and n not in self.inside:  # a definition ends the statement
                n += 1
            self.statements.append((first, n - 1))

    def statement(self, line: int) -> tuple[int, int] | None:
        """The module-level statement holding ``line``: ``(first, last)``; None inside a definition."""
        if line in self.inside:
            return None
        return next((s for s in self.statements if s[0] <= line <= s[1]), None)

    def words(self, first: int, last: int) -> set[str]:
        return set(_WORD.findall("\n".join(self.lines[first - 1 : last])))


def integration_env_reads(integration: Integration, f: FileIndex, lines: list[str]) -> list[EnvRead]:
    """The reads of ``f`` (``lines``: its text) that the doc's integration uses (see the module doc)."""
    ref = integration.source_ref
    anchors = [ref.line] if ref is not None and ref.line is not None else []
    name = client_name(integration.client)
    if name is not None:
        anchors += [first for first, _ in client_lines(f, name)]
    anchors = [a for a in anchors if 1 <= a <= len(lines)]
    if not anchors:
        return list(f.env_reads)
    tops = _top_level(f.definitions)
    module = _Module(lines, tops)
    spans: list[tuple[int, int]] = []
    for a in anchors:
        top = next((d for d in tops if d.line <= a <= d.end_line), None)
        span = (top.line, top.end_line) if top is not None else module.statement(a)
        if span is not None:
            spans.append(span)
    used: set[str] = set()
    for first, last in spans:
        used |= module.words(first, last)
    # follow what the code uses: module-level names and top-level functions, to a fixpoint
    followed: set[tuple[int, int]] = set(spans)
    grew = True
    while grew:
        grew = False
        for stmt in module.statements:
            if stmt not in followed and _bindings(lines[stmt[0] - 1]) & used:
                followed.add(stmt)
                used |= module.words(*stmt)
                grew = True
        for d in tops:
            if d.kind != "class" and (d.line, d.end_line) not in followed and d.name in used:
                followed.add((d.line, d.end_line))
                used |= module.words(d.line, d.end_line)
                grew = True

    def belongs(read: EnvRead) -> bool:
        if any(first <= read.line <= last for first, last in followed):
            return True
        inner = _innermost(f.definitions, read.line)
        if inner is None:  # a module-level statement nothing of the integration uses
            return False
        if inner.kind == "class":  # a settings field: ``amqp_url: str``
            m = _FIELD.match(lines[read.line - 1])
            return m is not None and m.group("name") in used
        return inner.name in used  # a helper function (or a method) the integration calls

    return [r for r in f.env_reads if belongs(r)]
