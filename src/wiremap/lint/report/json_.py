"""A JSON list of findings; each object carries ``schema_version``."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ...findings import Finding
from ...model import SCHEMA_VERSION
from ..rule import Rule


def render(findings: Sequence[Finding], rules: Sequence[Rule], color: bool) -> str:
    return json.dumps(
        [{"schema_version": SCHEMA_VERSION, **f.to_json()} for f in findings], indent=2, ensure_ascii=False
    )
