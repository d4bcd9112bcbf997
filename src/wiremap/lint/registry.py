"""Every lint rule, by code: one import and one line per rule."""

from __future__ import annotations

from .rule import Rule
from .rules import (
    cat001_duplicate_integration,
    doc003_unfilled_placeholder,
)

__all__ = ["RULES", "get_rule", "rules_matching"]

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        doc003_unfilled_placeholder.RULE,
        cat001_duplicate_integration.RULE,
    )
}


def get_rule(code: str) -> Rule | None:
    code = code.strip().upper()
    return RULES.get(code) or next((r for r in RULES.values() if r.name == code.lower()), None)


def rules_matching(selectors: list[str]) -> list[Rule]:
    """Rules whose code starts with any selector (``DOC`` or ``DOC003``); ``ALL`` matches all."""
    sel = [s.strip().upper() for s in selectors if s.strip()]
    return [r for r in RULES.values() if any(s == "ALL" or r.code.startswith(s) for s in sel)]
