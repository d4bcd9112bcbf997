"""Lint: ruff-style rules over integration docs."""

from __future__ import annotations

from .engine import active_rules, lint_catalog
from .registry import RULES, get_rule
from .rule import Rule

__all__ = ["RULES", "Rule", "active_rules", "get_rule", "lint_catalog"]
