"""What a lint rule is: a code, a kebab-case name, a severity, a docstring and a check."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from ..config import Config
from ..document import ParsedDoc
from ..findings import Severity
from ..model import Integration

if TYPE_CHECKING:  # the code indexers load when an SRC rule runs (lint import time)
    from ..code.project import Projects

__all__ = ["CatalogContext", "DocContext", "Rule", "Violation", "catalog_rule", "doc_rule"]


@dataclass(frozen=True, slots=True)
class Violation:
    """A problem a rule found: the doc line and a message. ``path`` only for catalog rules."""

    line: int
    message: str
    path: str | None = None


@dataclass(frozen=True, slots=True)
class DocContext:
    doc: ParsedDoc
    config: Config = field(default_factory=Config)
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def integration(self) -> Integration:
        return self.doc.integration


@dataclass(frozen=True, slots=True)
class CatalogContext:
    """The whole catalog; ``projects`` finds the source tree each doc describes (None: SRC rules off)."""

    docs: tuple[ParsedDoc, ...]
    config: Config = field(default_factory=Config)
    today: dt.date = field(default_factory=dt.date.today)
    projects: Projects | None = None


DocCheck = Callable[[DocContext], Iterator[Violation]]
CatalogCheck = Callable[[CatalogContext], Iterator[Violation]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    doc: str
    check_doc: DocCheck | None = None
    check_catalog: CatalogCheck | None = None

    @property
    def family(self) -> str:
        return re.sub(r"\d+$", "", self.code)

    @property
    def summary(self) -> str:
        """The first sentence of "What it does"."""
        m = re.search(r"## What it does\s+(.+?)(?:\n\n|$)", self.doc, re.DOTALL)
        text = " ".join((m.group(1) if m else self.doc).split())
        return text.split(". ")[0].rstrip(".") + "."


_CODE = re.compile(r"^[A-Z]{3}\d{3}$")
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _make(module: ModuleType | str, code: str, name: str, severity: Severity) -> tuple[str, str]:
    doc = module.__doc__ if isinstance(module, ModuleType) else module
    if not _CODE.match(code) or not _NAME.match(name):
        raise ValueError(f"bad rule code/name {code} {name}")
    if not doc or "## What it does" not in doc or "## Why" not in doc:
        raise ValueError(f"{code}: rule docstring needs '## What it does' and '## Why' sections")
    return code, doc.strip()


def doc_rule(code: str, name: str, severity: Severity, doc: str | None) -> Callable[[DocCheck], Rule]:
    """Decorate a per-doc check.

    ``RULE = doc_rule("DOC001", "missing-section", Severity.ERROR, __doc__)(check)``
    """

    def wrap(fn: DocCheck) -> Rule:
        c, d = _make(doc or "", code, name, severity)
        return Rule(c, name, severity, d, check_doc=fn)

    return wrap


def catalog_rule(code: str, name: str, severity: Severity, doc: str | None) -> Callable[[CatalogCheck], Rule]:
    """Decorate a whole-catalog check (e.g. duplicates across docs)."""

    def wrap(fn: CatalogCheck) -> Rule:
        c, d = _make(doc or "", code, name, severity)
        return Rule(c, name, severity, d, check_catalog=fn)

    return wrap
