"""Per-integration settings as one typed model that says, for each setting, who may set it.

Settings come from ``<!-- wiremap: key=value -->`` directives in a doc and from
``[tool.wiremap.integrations.<id>]`` tables of a config file. Both can arrive in a pull request, so
each setting declares its :class:`Trust`:

- ``repository``: harmless anywhere (what status to expect, how often to probe, which gRPC service);
- ``runner``: sends a secret, weakens TLS, allows writes or remote load. Only the person who runs
  wiremap may set it: a command-line flag, a ``WIREMAP_*`` variable, or a config named with
  ``--config``. A doc or a discovered config file may *ask* for it; the check is then skipped,
  "needs the runner's …".

:data:`SETTINGS` is the table docs/security.md prints; :class:`IntegrationSettings` validates values
(one truth table for booleans: :func:`parse_flag`). An unknown key is never ignored silently: lint
reports it (CFG001) and a config file with one is a config error.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from ..values import parse_duration_ms

__all__ = [
    "ALIASES",
    "PROBE_GRANTS",
    "SETTINGS",
    "IntegrationSettings",
    "SettingSpec",
    "Trust",
    "canonical_key",
    "parse_flag",
    "suggest",
    "validate_one",
]


class Trust(enum.StrEnum):
    RUNNER = "runner"
    REPOSITORY = "repository"


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def parse_flag(value: Any) -> bool:
    """The one truth table: true/yes/on/1 and false/no/off/0 (any case); anything else is an error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"want true or false (yes/no, on/off, 1/0), got {value!r}")


_STATUS_ITEM = re.compile(r"[1-5]xx|[1-5]\d\d", re.IGNORECASE)
_HEADER_ITEM = re.compile(r"([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*[=:]\s*([A-Za-z_][A-Za-z0-9_]*)")


def _expect_status(value: Any) -> str | list[int | str]:
    items = re.split(r"[,\s]+", value.strip()) if isinstance(value, str) else value
    items = [items] if isinstance(items, int) else items
    if not isinstance(items, list) or not items or not all(isinstance(i, int | str) for i in items):
        raise ValueError(f"want a status or a list of statuses (200, 201 or 2xx), got {value!r}")
    for item in items:
        if not _STATUS_ITEM.fullmatch(str(item).strip()):
            raise ValueError(f"{item!r} is not an HTTP status (100-599 or 2xx)")
    return value if isinstance(value, str) else list(items)


MIN_INTERVAL_MS = 1000.0  # a doc may ask to be probed once a second, never more: that would be load


def _duration(value: Any) -> str:
    text = str(value).strip()
    ms = float(text) * 1000 if text.replace(".", "", 1).isdigit() else parse_duration_ms(text)
    if ms is None or ms <= 0:
        raise ValueError(f"want a duration like 30s, 500ms or 2m, got {value!r}")
    if ms < MIN_INTERVAL_MS:
        raise ValueError(f"at least 1s (a shorter interval would be load), got {value!r}")
    return text


_MAX_PEM_BYTES = 1 << 20


def _pem_path(value: Any) -> str:
    """A path of a PEM file: a regular file of at most 1 MiB when it exists (never ``/dev/zero``)."""
    text = _text(value)
    path = Path(text).expanduser()
    if path.exists() and (not path.is_file() or path.stat().st_size > _MAX_PEM_BYTES):
        raise ValueError(f"{text!r} is not a regular file of at most 1 MiB")
    return text


def _count(value: Any) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValueError(f"want a whole number, got {value!r}") from None
    if n < 1:
        raise ValueError(f"want 1 or more, got {n}")
    return n


def _headers(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        pairs = [(str(k), str(v)) for k, v in value.items()]
    elif isinstance(value, str):
        pairs = []
        for item in filter(None, (p.strip() for p in value.split(","))):
            m = _HEADER_ITEM.fullmatch(item)
            if m is None:
                raise ValueError(f"want Header=ENV_VAR pairs, got {item!r}")
            pairs.append((m.group(1), m.group(2)))
    else:
        raise ValueError(f"want a table or Header=ENV_VAR pairs, got {value!r}")
    for name, var in pairs:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", var):
            raise ValueError(f"{name}: {var!r} is not an environment variable name")
    return dict(pairs)


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        raise ValueError(f"want text, got {value!r}")
    return str(value).strip()


Flag = Annotated[bool, BeforeValidator(parse_flag)]
Status = Annotated[str | list[int | str], BeforeValidator(_expect_status)]
Duration = Annotated[str, BeforeValidator(_duration)]
Count = Annotated[int, BeforeValidator(_count)]
HeaderEnv = Annotated[dict[str, str], BeforeValidator(_headers)]
Text = Annotated[str, BeforeValidator(_text)]
PemPath = Annotated[str, BeforeValidator(_pem_path)]


class IntegrationSettings(BaseModel):
    """Every per-integration setting; None means "not set" (the command's default applies)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    expect_status: Status | None = None
    interval: Duration | None = None
    down_after: Count | None = None
    up_after: Count | None = None
    tls: Flag | None = None
    grpc_service: Text | None = None
    ca_bundle: PemPath | None = None
    headers_from_env: HeaderEnv | None = None
    client_cert: PemPath | None = None
    client_key: PemPath | None = None
    insecure: Flag | None = None
    allow_writes: Flag | None = None
    allow_remote: Flag | None = None
    run_commands: Flag | None = None


@dataclass(frozen=True, slots=True)
class SettingSpec:
    name: str
    type: str
    trust: Trust
    allows: str
    needs: str = ""  # for runner-only settings: how the runner grants it


SETTINGS: dict[str, SettingSpec] = {
    s.name: s
    for s in (
        SettingSpec(
            "expect_status", "statuses", Trust.REPOSITORY, "which HTTP statuses pass (200,201 / 2xx)"
        ),
        SettingSpec("interval", "duration", Trust.REPOSITORY, "how often serve probes the integration"),
        SettingSpec("down_after", "count", Trust.REPOSITORY, "failures in a row before serve says down"),
        SettingSpec("up_after", "count", Trust.REPOSITORY, "successes in a row before serve says up"),
        SettingSpec("tls", "bool", Trust.REPOSITORY, "force TLS on or off for gRPC"),
        SettingSpec("grpc_service", "text", Trust.REPOSITORY, "the gRPC health service asked about"),
        SettingSpec(
            "ca_bundle",
            "path",
            Trust.RUNNER,
            "trust this CA instead of the system's (a CA of the doc's choosing could read what is sent)",
            "the runner's config",
        ),
        SettingSpec(
            "headers_from_env",
            "Header=ENV_VAR",
            Trust.RUNNER,
            "send environment values (tokens) as request headers",
            "the runner's config (--config) and a host bound to each variable",
        ),
        SettingSpec(
            "client_cert",
            "path",
            Trust.RUNNER,
            "present the runner's TLS client certificate",
            "the runner's config (--config)",
        ),
        SettingSpec(
            "client_key",
            "path",
            Trust.RUNNER,
            "the key of that certificate",
            "the runner's config (--config)",
        ),
        SettingSpec(
            "insecure",
            "bool",
            Trust.RUNNER,
            "skip certificate checks (a man in the middle could read what is sent)",
            "the runner's config (--config)",
        ),
        SettingSpec(
            "allow_writes",
            "bool",
            Trust.RUNNER,
            "send POST/PUT/PATCH/DELETE (repeatedly, under serve and measure)",
            "the runner's --allow-writes",
        ),
        SettingSpec(
            "allow_remote",
            "bool",
            Trust.RUNNER,
            "let measure load a host beyond loopback",
            "the runner's --allow-remote",
        ),
        SettingSpec(
            "run_commands",
            "bool",
            Trust.RUNNER,
            "run the doc's Health Check and Integration Test commands in a shell",
            "the runner's --run-commands",
        ),
    )
}

ALIASES = {"header_env": "headers_from_env"}

# runner-only settings that change what a probe sends or whom it trusts: asked for by a doc but not granted,
# the probe does not run (its check is skipped, saying why)
PROBE_GRANTS = ("headers_from_env", "client_cert", "client_key", "insecure", "ca_bundle")

assert set(SETTINGS) == set(IntegrationSettings.model_fields), "SETTINGS and IntegrationSettings disagree"


def canonical_key(key: str) -> str:
    k = key.strip().lower().replace("-", "_")
    return ALIASES.get(k, k)


def suggest(key: str) -> str:
    """`` (did you mean expect_status?)`` for a near miss, else ``""``."""
    # (0.6 offered down_after for "owner": a near miss shares most of its letters in order)
    close = difflib.get_close_matches(canonical_key(key), list(SETTINGS), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def validate_one(key: str, value: Any) -> Any:
    """The typed value of one setting; ValueError with a one-line message when it is unknown or bad."""
    name = canonical_key(key)
    if name not in SETTINGS:
        raise ValueError(f"unknown setting {key!r}{suggest(key)}")
    try:
        model = IntegrationSettings.model_validate({name: value})
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise ValueError(f"{name}: {msg}") from None
    return getattr(model, name)
