"""Shared by the readers of code in C-like languages (Go, Java/Kotlin, JavaScript/TypeScript): comments
blanked out, numbers as literals write them, the doc line of a position. Read with bounded regexes over
at most :data:`MAX_TEXT` characters; nothing is executed.
"""

from __future__ import annotations

import math
import re

from ._draft import MAX_TEXT

__all__ = ["MAX_TEXT", "NUM", "PRODUCT", "Code", "closing", "product"]

# 30, 30_000, 1.5, 3e3, 5000L, 2.0f
NUM = r"\d[\d_]{0,15}(?:\.\d{1,9})?(?:[eE]\d{1,3})?[lLfFdD]?"
# a number, or a product of a few: 30 * 1000
PRODUCT = rf"{NUM}(?:\s*\*\s*{NUM}){{0,4}}"
_LITERAL = re.compile(r"^(\d[\d_]*(?:\.\d+)?(?:[eE]\d+)?)[lLfFdD]?$")
# a line comment (not the // of a URL: it follows a space or starts the line), or a block comment
_COMMENT = re.compile(r"(?:(?<=\s)|^)//[^\n]*|/\*.*?\*/", re.DOTALL | re.MULTILINE)
_BIG = 1e15


def closing(text: str, start: int, pair: str, limit: int) -> int | None:
    """Where the bracket matching the ``pair[0]`` just before ``start`` closes (``pair`` is ``"()"`` or
    ``"{}"``), looking at most ``limit`` characters on; None when it does not within them."""
    depth = 1
    for i in range(start, min(len(text), start + limit)):
        if text[i] == pair[0]:
            depth += 1
        elif text[i] == pair[1]:
            depth -= 1
            if depth == 0:
                return i
    return None


def product(text: str) -> float | None:
    """``"30 * 1000"`` -> ``30000.0``; ``None`` for anything else or a huge value."""
    value = 1.0
    for part in text.split("*")[:5]:
        m = _LITERAL.match(part.strip())
        if m is None:
            return None
        value *= float(m.group(1).replace("_", ""))
    return value if math.isfinite(value) and 0 <= value < _BIG else None


class Code:
    """A block's code with its comments blanked (offsets and lines kept), and where each line is."""

    __slots__ = ("first_line", "text")

    def __init__(self, text: str, first_line: int) -> None:
        self.text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text[:MAX_TEXT])
        self.first_line = first_line

    def line(self, pos: int) -> int:
        return self.first_line + self.text.count("\n", 0, pos)
