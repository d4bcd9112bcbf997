"""Verify report formats, by name: one module per format."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..engine import IntegrationReport
from . import github, json_, junit, text

__all__ = ["FORMATS", "Reporter"]

Reporter = Callable[[Sequence[IntegrationReport], bool], str]

FORMATS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_.render,
    "junit": junit.render,
    "github": github.render,
}
