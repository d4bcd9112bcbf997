"""Lint report formats, by name: one module per format."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...findings import Finding
from ..rule import Rule
from . import github, json_, sarif, text

__all__ = ["FORMATS", "Reporter"]

Reporter = Callable[[Sequence[Finding], Sequence[Rule], bool], str]

FORMATS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_.render,
    "sarif": sarif.render,
    "github": github.render,
}
