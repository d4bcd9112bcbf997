"""CODEOWNERS: who owns a source file (package ``codeowners``, GitHub's matching rules)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Owners", "find_codeowners"]

LOCATIONS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


@dataclass(frozen=True)
class Owners:
    path: Path
    text: str

    def of(self, rel_path: str) -> list[str]:
        """The owners of a path relative to the CODEOWNERS root (``@team``, ``user@example.com``)."""
        from codeowners import CodeOwners

        try:
            return [name for _, name in CodeOwners(self.text).of(rel_path)]
        except (ValueError, IndexError):  # a malformed pattern: no owner rather than a crash
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
