"""``[tool.wiremap]`` in pyproject.toml, or ``wiremap.toml``: found upward from the docs.

Keys (dashes and underscores are the same)::

    docs = "docs/integrations"        # default PATH of lint/fmt/show/graph/index
    root = "."                        # project root that Source paths resolve against
    select = ["DOC", "VAL001"]        # rule codes or prefixes to run (default: all)
    ignore = ["SEC001"]
    per-file-ignores = { "legacy/*.md" = ["DOC003"] }
    severity = { "AGE001" = "error" } # per-rule severity overrides
    fail-on = "error"                 # lint exits 1 at or above this severity
    baseline = ".wiremap/baseline.json"
    run-commands = false              # verify also runs the docs' Health Check / Integration Test commands
    source-line-window = 10           # SRC003: how far from the Source line the Client may be

    [tool.wiremap.integrations.checkout-service-to-payments-api]
    interval = "10s"
    expect_status = [200, 201]
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._errors import ConfigError
from .findings import Severity
from .model import Integration

__all__ = ["Config", "find_config", "load_config"]


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path | None = None
    docs: str = "docs/integrations"
    root: str | None = None
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)
    severity: dict[str, str] = Field(default_factory=dict)
    fail_on: str = "error"
    baseline: str | None = None
    run_commands: bool = False
    source_line_window: int = Field(default=10, ge=0, le=10_000)
    integrations: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("severity")
    @classmethod
    def _severities(cls, value: dict[str, str]) -> dict[str, str]:
        for code, sev in value.items():
            Severity.parse(sev)
            if not code.strip():
                raise ValueError("empty rule code")
        return {k.upper(): v for k, v in value.items()}

    @field_validator("fail_on")
    @classmethod
    def _fail_on(cls, value: str) -> str:
        Severity.parse(value)
        return value

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def docs_path(self) -> Path:
        return self.base_dir / self.docs

    def settings_for(self, integration: Integration) -> dict[str, Any]:
        """Per-integration settings: ``[tool.wiremap.integrations.<id>]``, then the doc's own
        ``<!-- wiremap: key=value -->`` directives on top (the doc is closer to the integration).

        Directive values are strings as written (``expect_status=200,201``); config values keep
        their TOML types.
        """
        merged: dict[str, Any] = dict(self.integrations.get(integration.id, {}))
        merged.update({k.replace("-", "_"): v for k, v in integration.directives.settings.items()})
        return merged

    @property
    def root_path(self) -> Path | None:
        return (self.base_dir / self.root).resolve() if self.root else None


def _table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    tool = data.get("tool", {})
    if isinstance(tool, dict) and "wiremap" in tool:
        table = tool["wiremap"]
        return table if isinstance(table, dict) else {}
    if path.name == "wiremap.toml":
        return {k: val for k, val in data.items() if k != "tool"}
    return None


def find_config(start: Path) -> Path | None:
    """The nearest wiremap.toml, or pyproject.toml with [tool.wiremap], at or above ``start``."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for d in (here, *here.parents):
        for name in ("wiremap.toml", "pyproject.toml"):
            candidate = d / name
            if candidate.is_file() and _table(candidate) is not None:
                return candidate
    return None


def _normalize(table: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        k = key.replace("-", "_")
        if k == "integrations" and isinstance(value, dict):
            # ids are slugs with dashes: keep them, normalise only each integration's own keys
            # ...and only their top-level keys: values may be tables of header names (``X-Api-Key``)
            out[k] = {
                i: {sk.replace("-", "_"): sv for sk, sv in v.items()} if isinstance(v, dict) else v
                for i, v in value.items()
            }
        elif isinstance(value, dict) and k not in ("per_file_ignores", "severity"):
            out[k] = _normalize(value)
        else:
            out[k] = value
    return out


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Read a config file (``path``), or find one upward from ``start`` (default: cwd)."""
    if path is None:
        path = find_config(start or Path.cwd())
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(f"{path}: config file does not exist")
    table = _table(path) or {}
    try:
        return Config(path=path.resolve(), **_normalize(table))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: invalid [tool.wiremap] config: {problems}") from exc
    except TypeError as exc:
        raise ConfigError(f"{path}: invalid [tool.wiremap] config: {exc}") from exc
