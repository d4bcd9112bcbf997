"""Helpers of the ERR rules: milliseconds as people say them, the Error Handling section's text."""

from __future__ import annotations

from ...document import ParsedDoc
from ...document.template import canonical_section

__all__ = ["error_handling_text", "human_ms"]


def human_ms(ms: float) -> str:
    """``250`` -> ``250 ms``, ``30000`` -> ``30 s``."""
    if ms >= 1000:
        return f"{ms / 1000:g} s"
    return f"{ms:g} ms"


def error_handling_text(doc: ParsedDoc) -> str:
    """The Markdown of the Error Handling section as written ("" without one)."""
    sections = doc.document.sections
    lines = doc.text.split("\n")
    for n, section in enumerate(sections):
        if canonical_section(section.title) == "Error Handling":
            end = sections[n + 1].line - 1 if n + 1 < len(sections) else len(lines)
            return "\n".join(lines[section.line - 1 : end])
    return ""
