"""CODEOWNERS: who owns a source file (package ``codeowners``, GitHub's matching rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

__all__ = ["Owners", "find_codeowners"]

LOCATIONS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


_STARS = re.compile(r"\*{3,}")
_MAX_LINE = 512


def _tame(text: str) -> str:
    """CODEOWNERS from a pull request, made safe to match: a run of three or more ``*`` means what ``**``
    means, but the package's regex backtracks exponentially on it (``****…x`` hung lint); overlong lines
    are dropped."""
    lines = (_STARS.sub("**", line) for line in text.splitlines())
    return "\n".join(line for line in lines if len(line) <= _MAX_LINE)


@dataclass(frozen=True)
class Owners:
    path: Path
    text: str

    @cached_property
    def _parsed(self) -> Any:
        from codeowners import CodeOwners

        try:
            return CodeOwners(_tame(self.text))
        except (ValueError, IndexError, re.error):  # a malformed file: no owners rather than a crash
            return None

    def of(self, rel_path: str) -> list[str]:
        """The owners of a path relative to the CODEOWNERS root (``@team``, ``user@example.com``)."""
        parsed = self._parsed
        if parsed is None:
            return []
        try:
            return [name for _, name in parsed.of(rel_path)]
        except (ValueError, IndexError, re.error):  # a malformed pattern: no owner rather than a crash
            return []


def find_codeowners(root: Path) -> Owners | None:
    for name in LOCATIONS:
        path = root / name
        if path.is_file():
            try:
                return Owners(path, path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                return None
    return None
