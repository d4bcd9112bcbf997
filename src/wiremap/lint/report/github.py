"""GitHub Actions workflow commands: ``::error file=…,line=…,title=…::message``."""

from __future__ import annotations

from collections.abc import Sequence

from ..._gha import escape_data as _data
from ..._gha import escape_property as _prop
from ...findings import Finding, Severity
from ..rule import Rule

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(findings: Sequence[Finding], rules: Sequence[Rule], color: bool) -> str:
    return "\n".join(
        f"::{_LEVEL[f.severity]} file={_prop(f.path)},line={f.line},col={f.column},"
        f"title={_prop(f'{f.code} {f.name}')}::{_data(f.message)}"
        for f in findings
    )
