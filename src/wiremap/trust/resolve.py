"""The settings in force for one integration, and what was asked for but not granted.

Layers, lowest first: the config's ``[tool.wiremap.integrations.<id>]`` table, then the doc's
``<!-- wiremap: key=value -->`` directives (the doc is closer to the integration). A repository-level
setting takes the topmost value. A runner-only setting takes the runner's config value only; a doc or a
repository config that asks for one produces a :class:`Refusal` (the command then skips what needed it
and says how the runner grants it). An unknown key or a bad value in a doc is a :class:`SettingProblem`
with its line (lint reports it: CFG001); it is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .settings import SETTINGS, Trust, canonical_key, validate_one

if TYPE_CHECKING:
    from ..config import Config
    from ..model import Integration

__all__ = ["Refusal", "ResolvedSettings", "SettingProblem", "resolve_settings"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A runner-only setting asked for by a file the runner did not name."""

    key: str
    where: str  # ``docs/x.md:3`` or the repository config's path

    @property
    def needs(self) -> str:
        return SETTINGS[self.key].needs

    @property
    def message(self) -> str:
        return f"{self.where} asks for {self.key}, which only the runner may set: needs {self.needs}"


@dataclass(frozen=True, slots=True)
class SettingProblem:
    path: str
    line: int
    key: str
    message: str


@dataclass(frozen=True, slots=True)
class ResolvedSettings:
    values: Mapping[str, Any]
    refused: tuple[Refusal, ...] = ()
    problems: tuple[SettingProblem, ...] = ()

    def refusal(self, *keys: str) -> Refusal | None:
        """The first refusal of one of ``keys`` (None: none of them was refused)."""
        return next((r for r in self.refused if r.key in keys), None)


def _asks(value: Any) -> bool:
    """A value that grants something (``allow_remote=false`` asks for nothing)."""
    return value not in (None, False, "", {}, [])


def doc_settings(integ: Integration) -> tuple[dict[str, Any], list[SettingProblem]]:
    """The doc's directives, typed; unknown keys and bad values as problems with their line."""
    values: dict[str, Any] = {}
    problems: list[SettingProblem] = []
    lines = integ.directives.lines
    for key, raw in integ.directives.settings.items():
        try:
            values[canonical_key(key)] = validate_one(key, raw)
        except ValueError as exc:
            problems.append(SettingProblem(integ.path, lines.get(key, 1), key, str(exc)))
    return values, problems


def resolve_settings(integ: Integration, config: Config) -> ResolvedSettings:
    table = config.integrations.get(integ.id, {})
    from_doc, problems = doc_settings(integ)
    values: dict[str, Any] = {}
    refused: list[Refusal] = []
    for name, spec in SETTINGS.items():
        if spec.trust is Trust.REPOSITORY:
            value = from_doc.get(name, table.get(name))
            if value is not None:
                values[name] = value
            continue
        granted = table.get(name) if config.trust is Trust.RUNNER else None
        if granted is not None:
            values[name] = granted
        asked = from_doc.get(name)
        if _asks(asked) and asked != granted:
            line = integ.directives.lines.get(name) or next(
                (n for k, n in integ.directives.lines.items() if canonical_key(k) == name), 1
            )
            refused.append(Refusal(name, f"{integ.path}:{line}"))
    repo_keys = {r.rpartition(".")[2] for r in config.refused if r.startswith(f"integrations.{integ.id}.")}
    for name in sorted(repo_keys - {r.key for r in refused}):
        if name in SETTINGS and name not in values:
            refused.append(Refusal(name, str(config.path)))
    return ResolvedSettings(values, tuple(refused), tuple(problems))
