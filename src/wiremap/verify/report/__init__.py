"""Verify report formats, by name: one module per format."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...findings import Finding
from ..engine import IntegrationReport
from . import github, json_, junit, text

__all__ = ["FORMATS", "Reporter"]

# (reports, color, the docs that could not be read: CI formats carry them, the others leave them to stderr)
Reporter = Callable[[Sequence[IntegrationReport], bool, Sequence[Finding]], str]

FORMATS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_.render,
    "junit": junit.render,
    "github": github.render,
}
