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
    run-commands = false              # verify also runs the docs' commands (runner's config only)
    source-line-window = 10           # SRC003: how far from the Source line the Client may be

    [tool.wiremap.integrations.checkout-service-to-payments-api]
    interval = "10s"
    expect_status = [200, 201]

    [tool.wiremap.bind-secrets]       # runner's config only: where each secret may be sent
    PAYMENTS_API_TOKEN = "payments.internal:443"

Who may set what (docs/security.md): a config named with ``--config`` or ``$WIREMAP_CONFIG`` is the
*runner's* and may set everything. A config wiremap finds by itself (the nearest ``wiremap.toml`` or
``pyproject.toml``) is part of the *repository*: a pull request can change it, so its runner-only keys
(``run-commands``, ``bind-secrets``, runner-only integration settings) are not used; they are listed in
:attr:`Config.refused` and commands say so.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._errors import ConfigError
from .findings import Severity
from .model import Integration
from .trust.settings import SETTINGS, Trust, canonical_key, validate_one

__all__ = ["CONFIG_ENV", "Config", "find_config", "load_config"]

CONFIG_ENV = "WIREMAP_CONFIG"
_RUNNER_KEYS = ("run_commands", "bind_secrets")
_HOSTPORT = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$")


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
    bind_secrets: dict[str, list[str]] = Field(default_factory=dict)
    trust: Trust = Trust.REPOSITORY
    refused: list[str] = Field(default_factory=list)  # runner-only keys a repository config tried to set

    @field_validator("integrations", mode="before")
    @classmethod
    def _integrations(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, dict[str, Any]] = {}
        for integ_id, table in value.items():
            if not isinstance(table, dict):
                raise ValueError(f"{integ_id}: want a table of settings")
            typed: dict[str, Any] = {}
            for key, raw in table.items():
                try:
                    typed[canonical_key(key)] = validate_one(key, raw)
                except ValueError as exc:
                    raise ValueError(f"{integ_id}: {exc}") from None
            out[str(integ_id)] = typed
        return out

    @field_validator("bind_secrets", mode="before")
    @classmethod
    def _bind_secrets(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, list[str]] = {}
        for var, where in value.items():
            hosts = [where] if isinstance(where, str) else where
            if not isinstance(hosts, list) or not all(
                isinstance(h, str) and _HOSTPORT.match(h) for h in hosts
            ):
                raise ValueError(f"{var}: want host:port or a list of them, got {where!r}")
            out[str(var)] = [h.lower() for h in hosts]
        return out

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
        """The settings in force for ``integration``, typed: see :func:`wiremap.trust.resolve_settings`
        (what a doc or a repository config asked for but only the runner may set is left out)."""
        from .trust.resolve import resolve_settings

        return dict(resolve_settings(integration, self).values)

    @property
    def root_path(self) -> Path | None:
        return (self.base_dir / self.root).resolve() if self.root else None


def _table(path: Path, *, named: bool = False) -> dict[str, Any] | None:
    """The wiremap settings of a config file: its ``[tool.wiremap]`` table, else (a ``wiremap.toml``, or
    any file a runner names that is not a ``pyproject.toml``) its top-level keys; ``None`` for a
    ``pyproject.toml`` without the table. A named file is never read as "no settings": a runner's
    ``--config runner.toml`` with top-level keys was silently ignored (lint: "All checks passed")."""
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
    if path.name == "wiremap.toml" or (named and path.name != "pyproject.toml"):
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


def _asks(value: Any) -> bool:
    """A value that grants something: ``allow_remote = false`` asks for nothing."""
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0", ""):
        return False
    return value not in (None, False, 0, {}, [])


def _runner_only(table: dict[str, Any]) -> list[str]:
    """The runner-only keys a repository config sets (top level and per integration)."""
    found = [k.replace("_", "-") for k in _RUNNER_KEYS if _asks(table.get(k))]
    for integ_id, settings in (table.get("integrations") or {}).items():
        if isinstance(settings, dict):
            found.extend(
                f"integrations.{integ_id}.{canonical_key(k)}"
                for k, v in settings.items()
                if SETTINGS.get(canonical_key(k)) is not None
                and SETTINGS[canonical_key(k)].trust is Trust.RUNNER
                and _asks(v)
            )
    return found


def _strip_runner_only(table: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in table.items() if k not in _RUNNER_KEYS}
    integrations = table.get("integrations")
    if isinstance(integrations, dict):
        out["integrations"] = {
            i: {
                k: v
                for k, v in s.items()
                if SETTINGS.get(canonical_key(k)) is None
                or SETTINGS[canonical_key(k)].trust is Trust.REPOSITORY
            }
            if isinstance(s, dict)
            else s
            for i, s in integrations.items()
        }
    return out


def _line_of(path: Path, key: str) -> str:
    """``path:line`` of the first line naming ``key`` (TOML has no positions), else ``path``."""
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if key and key in line.replace("-", "_"):
                return f"{path}:{n}"
    except (OSError, UnicodeDecodeError):
        pass
    return str(path)


def load_config(
    path: Path | None = None,
    start: Path | None = None,
    env: dict[str, str] | None = None,
    trust: Trust | None = None,
) -> Config:
    """Read the runner's config file (``path``, else ``$WIREMAP_CONFIG``), or find the repository's
    upward from ``start`` (default: cwd). ``trust`` overrides the level (a file wiremap found itself and
    now reads by path is still the repository's)."""
    environ = os.environ if env is None else env
    level = Trust.RUNNER
    if path is None and environ.get(CONFIG_ENV):
        path = Path(environ[CONFIG_ENV])
    if path is None:
        level = Trust.REPOSITORY
        path = find_config(start or Path.cwd())
    trust = trust or level
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(f"{path}: config file does not exist")
    found = _table(path, named=level is Trust.RUNNER)
    if found is None and level is Trust.RUNNER:
        raise ConfigError(f"{path}: no [tool.wiremap] table: the config named has no wiremap settings")
    table = _normalize(found or {})
    refused: list[str] = []
    if trust is Trust.REPOSITORY:
        refused = _runner_only(table)
        table = _strip_runner_only(table)
    try:
        config = Config(path=path.resolve(), trust=trust, refused=refused, **table)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first["loc"]]
        msg = str(first["msg"]).removeprefix("Value error, ")
        key = msg.split("unknown setting ", 1)[-1].split("'")[1] if "unknown setting '" in msg else loc[-1]
        where = _line_of(path, key.replace("-", "_"))
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise ConfigError(f"{where}: invalid [tool.wiremap] config: {problems}") from exc
    except TypeError as exc:
        raise ConfigError(f"{path}: invalid [tool.wiremap] config: {exc}") from exc
    if trust is Trust.REPOSITORY:
        _inside_the_repository(config)
    return config


def _inside_the_repository(config: Config) -> None:
    """A repository's config may name paths of that repository only: ``baseline = "../../.bashrc"`` would
    let ``lint --write-baseline`` overwrite a file of the runner, ``root = "/"`` index the machine."""
    from .code.history import git_toplevel

    assert config.path is not None
    git_top = git_toplevel(config.base_dir)
    top = (git_top or config.base_dir).resolve()
    where = f"the repository ({top})" if git_top else f"the config's folder ({top}, not in a git repository)"
    for key in ("docs", "root", "baseline"):
        value = getattr(config, key)
        if value is None:
            continue
        try:
            (config.base_dir / value).resolve().relative_to(top)
        except (ValueError, OSError):
            raise ConfigError(
                f"{_line_of(config.path, key)}: {key} = {value!r} is outside {where}; "
                "only the runner's config (--config) may name paths outside it"
            ) from None
