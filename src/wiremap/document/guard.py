"""The guard of ``fmt``: a rewrite may change layout, never content."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from . import ParsedDoc, parse_text
from .render import canonical_title
from .template import canonical_label, canonical_section
from .walk import text_units

__all__ = ["layout_only", "link_definitions"]

_LINK_DEFINITION = re.compile(r"^ {0,3}\[(?!\s*\])((?:[^\]\\]|\\.){1,999})\]:[ \t]*(?:\S|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def link_definitions(text: str) -> list[tuple[int, str]]:
    """``(line, label)`` of each link reference definition (``[ref]: https://…``) outside code: the
    parser resolves and drops them, so the canonical form has no place for them (fmt deleted an unused
    one and said "reformatted": round 57)."""
    out: list[tuple[int, str]] = []
    fence: str | None = None
    for n, line in enumerate(text.splitlines(), 1):
        m = _FENCE.match(line)
        if fence is not None:
            if m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m is not None:
            fence = m.group(1)
            continue
        if line.startswith(("    ", "\t")):
            continue
        if (d := _LINK_DEFINITION.match(line)) is not None:
            out.append((n, d.group(1)))
    return out


_WS = " \t"  # what the renderer strips from the ends of a line: CommonMark's spaces and tabs, no more


def _content(doc: ParsedDoc) -> Counter[str]:
    """Every piece of text, normalised exactly as the renderer normalises it: labels, section titles and
    the title get their canonical spelling, lines lose the spaces and tabs at their ends; code is
    written back as it was read, so it is compared as it is (its indentation is content)."""
    units: Counter[str] = Counter()
    for u in text_units(doc.document):
        if u.kind == "label":
            units[f"label:{canonical_label(u.text)}"] += 1
        elif u.kind == "heading":
            units[f"heading:{canonical_section(u.text) or u.text}"] += 1
        elif u.kind == "title":
            units[f"title:{canonical_title(u.text)}"] += 1
        elif u.kind == "code":
            units[f"code:{u.text}"] += 1
        else:
            units[f"{u.kind}:{u.text.strip(_WS)}"] += 1
    return units


# where things were read moves with the layout; what was read must not
_LINES: dict[str, Any] = {
    "lines": True,
    "error_handling": {"failure_modes": {"__all__": {"line"}}, "retry": {"line", "lines"}},
    "directives": {"lines"},  # (a directive after a field line gets a blank line before it: round 50)
}


def layout_only(before: ParsedDoc, new_text: str) -> str | None:
    """``None`` when ``new_text`` holds the same content as ``before``; else what differs."""
    after = parse_text(new_text, before.path)
    a = before.integration.model_dump(exclude=_LINES)
    b = after.integration.model_dump(exclude=_LINES)
    if a != b:
        keys = sorted(k for k in a if a[k] != b.get(k))
        return f"fields {', '.join(keys)} would differ"
    ca, cb = _content(before), _content(after)
    if ca != cb:
        lost = list((ca - cb).elements())[:3]
        gained = list((cb - ca).elements())[:3]
        return f"text would differ (lost {lost}, gained {gained})"
    return None
