"""A baseline of known findings, so a large catalog can adopt wiremap and fail only on new ones.

Findings match on (path, code, message), not on line, so edits above a known finding do not
resurface it; each baseline entry absorbs at most as many findings as it counts.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from .._errors import ConfigError
from ..findings import Finding
from ..model import SCHEMA_VERSION
from ..writes import atomic_write_text

__all__ = ["filter_baseline", "read_baseline", "write_baseline"]

Key = tuple[str, str, str]


def _rel(doc_path: str, base: Path) -> str:
    """A finding's path relative to the baseline's folder, so any working directory matches."""
    try:
        return Path(os.path.relpath(Path(doc_path).resolve(), base)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(doc_path).as_posix()


def _key(f: Finding, base: Path) -> Key:
    return (_rel(f.path, base), f.code, f.message)


def write_baseline(path: Path, findings: list[Finding]) -> None:
    base = path.resolve().parent
    counts = Counter(_key(f, base) for f in findings)
    entries = [{"path": p, "code": c, "message": m, "count": n} for (p, c, m), n in sorted(counts.items())]
    atomic_write_text(
        path, json.dumps({"schema_version": SCHEMA_VERSION, "findings": entries}, indent=2) + "\n"
    )


def read_baseline(path: Path) -> Counter[Key]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Counter(
            {(e["path"], e["code"], e["message"]): int(e.get("count", 1)) for e in data["findings"]}
        )
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: baseline file does not exist (create it with --write-baseline)") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a wiremap baseline file: {exc}") from exc


def filter_baseline(findings: list[Finding], baseline: Counter[Key], path: Path) -> list[Finding]:
    """Findings not absorbed by the baseline read from ``path``."""
    base = path.resolve().parent
    left = Counter(baseline)
    out: list[Finding] = []
    for f in findings:
        k = _key(f, base)
        if left[k] > 0:
            left[k] -= 1
        else:
            out.append(f)
    return out
