"""The unified diff of ``fmt --diff`` and ``sync``: the whole change, as ``git apply`` reads it."""

from __future__ import annotations

import difflib

__all__ = ["unified_diff"]

_NO_NEWLINE = "\\ No newline at end of file\n"


def _lines(text: str) -> list[str]:
    """Lines split at LF only, each with its LF (``str.splitlines`` would also split at VT, FF, U+2028…)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """``old`` → ``new`` as a unified diff. A last line without a newline is marked as git marks it: difflib
    alone glues it to the next line of the diff (``-text+text``), hiding that the change is the newline."""
    out: list[str] = []
    for line in difflib.unified_diff(_lines(old), _lines(new), old_name, new_name):
        out.append(line if line.endswith("\n") else line + "\n" + _NO_NEWLINE)
    return "".join(out)
