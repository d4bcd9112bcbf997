"""SARIF 2.1.0 for code-scanning dashboards: rules with stable ids, relative paths, fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from ... import __version__
from ...findings import Finding, Severity
from ..rule import Rule

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _fingerprint(f: Finding) -> str:
    return hashlib.sha256(f"{f.path}\0{f.code}\0{f.message}".encode()).hexdigest()[:32]


def render(findings: Sequence[Finding], rules: Sequence[Rule], color: bool) -> str:
    index = {r.code: n for n, r in enumerate(rules)}
    driver_rules: list[dict[str, Any]] = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.summary},
            "help": {"text": r.doc, "markdown": r.doc},
            "defaultConfiguration": {"level": _LEVEL[r.severity]},
            "properties": {"tags": [r.family]},
        }
        for r in rules
    ]
    results: list[dict[str, Any]] = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        # a URI reference: "my doc#1.md" read as a fragment (round 59)
                        "artifactLocation": {
                            "uri": quote(f.path.replace(os.sep, "/")),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
            "partialFingerprints": {"wiremapFinding/v1": _fingerprint(f)},
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        results.append(result)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "wiremap",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/wiremap/",
                        "rules": driver_rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
