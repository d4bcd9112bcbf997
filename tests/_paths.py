"""Paths the tests share (importable as ``tests._paths``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "shop"
EXAMPLE_DOCS = EXAMPLE / "docs" / "integrations"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATE = ROOT / "src" / "wiremap" / "document" / "template.md"
