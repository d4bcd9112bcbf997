"""A JSON list, one object per integration (stable names: integration, path, ok, checks[...])."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...findings import Finding
from ...model import SCHEMA_VERSION
from ..engine import IntegrationReport
from ._common import message, probed


def to_json(r: IntegrationReport) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "id": r.integration.id,
        "integration": r.integration.name,
        "path": r.integration.path,
        "protocol": r.integration.protocol,
        "critical_path": r.integration.critical_path,
        "target": probed(r),  # host:port probed (null: not probed)
        "ok": r.ok if r.checked else None,  # null: every check skipped, nothing was checked
        "checks": [
            {
                "name": c.name,
                "ok": c.ok,
                "error_kind": str(c.error_kind) if c.error_kind else None,
                "message": message(c),
                "duration_ms": round(c.duration_ms, 3),
                "phases_ms": {k: round(v, 3) for k, v in c.phases_ms.items()},
            }
            for c in r.checks
        ],
    }


def render(reports: Sequence[IntegrationReport], color: bool, problems: Sequence[Finding] = ()) -> str:
    return json.dumps([to_json(r) for r in reports], indent=2, ensure_ascii=False)
