"""A JSON list of findings; each object carries ``schema_version``."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ...findings import Finding
from ...model import SCHEMA_VERSION
from ..rule import Rule


def render(findings: Sequence[Finding], rules: Sequence[Rule], color: bool) -> str:
    if not findings:
        return "[]"
    # one finding per line: readable, and json's C encoder (``indent`` would force the Python one)
    rows = (
        json.dumps({"schema_version": SCHEMA_VERSION, **f.to_json()}, ensure_ascii=False) for f in findings
    )
    return "[\n  " + ",\n  ".join(rows) + "\n]"
