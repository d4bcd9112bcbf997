"""Where to probe an integration: ``--target ID=URL``, then ``WIREMAP_TARGET_<ID>``, then the doc.

The Connection String section is a format, not a target; credentials never come from the doc.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from .._errors import UsageError
from ..model import Integration
from ..probes._base import Target

__all__ = ["DEFAULT_PORTS", "parse_target_options", "resolve_target"]

DEFAULT_PORTS = {
    "http": 80,
    "https": 443,
    "ws": 80,
    "wss": 443,
    "grpc": 443,
    "grpcs": 443,
    "postgresql": 5432,
    "postgres": 5432,
    "redis": 6379,
    "rediss": 6380,
    "amqp": 5672,
    "amqps": 5671,
    "nats": 4222,
    "tls": 4222,
    "mqtt": 1883,
    "mqtts": 8883,
    "tcp": None,
}
_METHOD_PATH = re.compile(r"^([A-Z]+)\s+(\S+)")


def parse_target_options(values: list[str]) -> dict[str, str]:
    """``["checkout-to-payments=http://127.0.0.1:9000"]`` -> ``{id: url}``; bad input is a usage error."""
    out: dict[str, str] = {}
    for raw in values:
        name, eq, url = raw.partition("=")
        if not eq or not name.strip() or not url.strip():
            raise UsageError(f"--target wants NAME=URL, got {raw!r}")
        out[name.strip()] = url.strip()
    return out


def _from_url(url: str, explicit: bool) -> Target:
    if "://" not in url:
        url = f"tcp://{url}"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError as exc:
        raise UsageError(f"bad port in target {url!r}") from exc
    if not parts.hostname:
        raise UsageError(f"target {url!r} has no host")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return Target(parts.hostname, port, scheme, url, path or None, explicit)


def _endpoint_url(integ: Integration) -> str | None:
    ep = (integ.endpoint or "").strip()
    m = _METHOD_PATH.match(ep)
    candidate = m.group(2) if m else ep
    return candidate if re.match(r"^[a-z][a-z0-9+.-]*://", candidate, re.IGNORECASE) else None


def resolve_target(integ: Integration, overrides: Mapping[str, str], env: Mapping[str, str]) -> Target | None:
    """The target for ``integ``; ``None`` when the doc names no host (nothing to probe)."""
    for key in (integ.id, integ.name, integ.path):
        if key in overrides:
            return _from_url(overrides[key], explicit=True)
    env_url = env.get(f"WIREMAP_TARGET_{integ.env_id}")
    if env_url:
        return _from_url(env_url, explicit=True)
    url = _endpoint_url(integ)
    if url:
        t = _from_url(url, explicit=False)
        if integ.destination_host and integ.destination_port and t.host == integ.destination_host:
            return Target(t.host, t.port or integ.destination_port, t.scheme, t.url, t.path, False)
        return t
    if not integ.destination_host:
        return None
    return Target(integ.destination_host, integ.destination_port, None, None, None, False)
