"""Secrets bound to their host: what of the runner's environment a probe of one target may see.

A doc names the environment variables its client reads (``REDIS_URL``, ``PAYMENTS_API_TOKEN``) and
picks the destination host. Both arrive in a pull request; the *values* are the runner's. So a value
that carries a secret is handed to a probe only when it belongs to that probe's target:

- a URL with credentials (``redis://:pw@cache.internal:6379``) belongs to the host:port it names;
- any secret belongs to the hosts the runner binds it to (``--bind-secret VAR=HOST:PORT``, or
  ``[tool.wiremap.bind-secrets]`` in the runner's ``--config``);
- a bare secret (``*_PASSWORD``, a token, credentials in a URL without a host) belongs to a target the
  runner chose for the integration (``--target``, ``WIREMAP_TARGET_<ID>``), and to nothing else.

Host and port must both match; loopback spellings (``localhost``, ``127.0.0.1``, ``::1``) are one host,
but ``127.0.0.1.attacker.example`` is a name like any other, and a host list is no host.

Anything else is *withheld*: left out of the probe's environment, with the reason
("REDIS_URL names cache.internal:6379, the doc's destination is 203.0.113.9:6379: credentials not
sent"). A probe that needs a withheld value raises :class:`CredentialsWithheld`; the engine reports the
check as skipped with that reason. This module is the one place the rule lives.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from ..ports import DEFAULT_PORTS
from ..secrets import URL_PASSWORD, looks_secret_name, mask_text

__all__ = ["CredentialsWithheld", "SecretGate", "Withheld", "parse_bindings"]

_LOOPBACK = "loopback"
_SECRET_QUERY = re.compile(r"pass|pwd|token|secret|api_?key|apikey|auth|sig|credential", re.IGNORECASE)


class CredentialsWithheld(Exception):
    """A probe needs a secret that does not belong to its target."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Withheld:
    name: str
    reason: str
    scheme: str | None = None  # of a URL value, so a probe knows whether it would have used it


_HOSTNAME = re.compile(r"^[a-z0-9._-]+$|^[0-9a-f:.]+$")


def _host_key(host: str) -> str | None:
    """One spelling per host: loopback addresses and names are one host; None for what is not a single
    host name or address (``127.0.0.1,192.0.2.2`` is a libpq host list; never a match)."""
    h = host.strip().strip("[]").lower().rstrip(".")
    if h in ("localhost", "localhost.localdomain"):
        return _LOOPBACK
    try:
        addr = ipaddress.ip_address(h)
    except ValueError:
        return h if _HOSTNAME.match(h) else None  # ``127.0.0.1.attacker.example`` is a name, not loopback
    return _LOOPBACK if addr.is_loopback else addr.compressed


def _hostport(host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown


def parse_bindings(items: Iterable[str]) -> dict[str, list[str]]:
    """``["REDIS_PASSWORD=cache.internal:6379"]`` -> ``{"REDIS_PASSWORD": ["cache.internal:6379"]}``."""
    from .._errors import UsageError

    out: dict[str, list[str]] = {}
    for raw in items:
        var, eq, where = raw.partition("=")
        host, colon, port = where.strip().rpartition(":")
        if not eq or not var.strip() or not colon or not host or not port.isdigit():
            # (the option's name last: the masker reads the word after ``--bind-secret`` as its value)
            raise UsageError(f"a value of VAR=HOST:PORT is wanted, got {mask_text(raw)!r} (--bind-secret)")
        out.setdefault(var.strip(), []).append(where.strip().lower())
    return out


@dataclass(frozen=True, slots=True)
class _Secret:
    name: str
    url_host: str | None = None  # the host of a URL value (None: a bare secret)
    url_port: int | None = None
    scheme: str | None = None


def _classify(name: str, value: str) -> _Secret | None:
    """The secret an environment variable carries, or None when its value is harmless."""
    if not value:
        return None
    if "://" in value:
        try:  # a JDBC URL (``jdbc:postgresql://u:pw@db/app``) belongs to the host of the URL it wraps
            url = value.strip()
            parts = urlsplit(url[5:] if url[:5].lower() == "jdbc:" else url)
            port: int | None = parts.port
            host = parts.hostname
            userinfo = "@" in parts.netloc
            query_secret = any(
                _SECRET_QUERY.search(k) for k, _ in parse_qsl(parts.query, keep_blank_values=True)
            )
            scheme: str | None = parts.scheme.lower()
        except ValueError:
            port, host, userinfo, query_secret, scheme = None, None, "@" in value, False, None
        # any user info counts: ``nats://TOKEN@host`` carries its token where a user name would be
        if not (userinfo or query_secret or URL_PASSWORD.search(value) or looks_secret_name(name)):
            return None
        if host:
            return _Secret(name, host, port or DEFAULT_PORTS.get(scheme or ""), scheme)
        # credentials for no host (``postgresql://app:pw@/db?host=/cloudsql/...``): a bare secret
        return _Secret(name, None, None, scheme)
    if looks_secret_name(name) or mask_text(value) != value:
        return _Secret(name)
    return None


@dataclass(slots=True)
class SecretGate:
    """Built once per run from the runner's environment and bindings; :meth:`env_for` per target."""

    env: Mapping[str, str]
    bindings: Mapping[str, list[str]] = field(default_factory=dict)
    _secrets: dict[str, _Secret] = field(init=False)

    def __post_init__(self) -> None:
        self._secrets = {}
        for name, value in self.env.items():
            secret = _classify(name, value)
            if secret is not None:
                self._secrets[name] = secret

    def _bound(self, secret: _Secret, host: str, port: int | None, explicit: bool) -> bool:
        """Host *and* port must match (a destination without a port matches nothing: the probe would
        pick a default port the secret may not belong to)."""
        key = _host_key(host)
        if key is None:
            return False
        for where in self.bindings.get(secret.name, ()):
            b_host, _, b_port = where.rpartition(":")
            if _host_key(b_host) == key and port is not None and b_port == str(port):
                return True
        if secret.url_host is not None:
            return _host_key(secret.url_host) == key and port is not None and secret.url_port == port
        # a bare secret names no host: it may go to a target the runner chose for this integration
        return explicit

    def _reason(self, secret: _Secret, host: str, port: int | None) -> str:
        dest = _hostport(host, port)
        bound = self.bindings.get(secret.name)
        hint = f"bind it with --bind-secret {secret.name}={dest}" + (
            "" if secret.url_host else " or give --target"
        )
        if bound:
            return f"{secret.name} is bound to {', '.join(bound)}, the doc's destination is {dest}: not sent"
        if secret.url_host is not None:
            names = _hostport(secret.url_host, secret.url_port)
            return (
                f"{secret.name} names {names}, the doc's destination is {dest}: credentials not sent ({hint})"
            )
        return f"{secret.name} is bound to no host: not sent to {dest}, the doc's destination ({hint})"

    def reason_for(self, name: str, host: str, port: int | None, explicit: bool) -> str | None:
        """Why the value of ``name`` may not be sent to ``host:port`` as a credential (None: it may).
        A variable a probe sends as a credential is a secret whatever its name or value looks like."""
        secret = self._secrets.get(name) or _Secret(name)
        return None if self._bound(secret, host, port, explicit) else self._reason(secret, host, port)

    def env_for(
        self, host: str, port: int | None, explicit: bool
    ) -> tuple[dict[str, str], dict[str, Withheld]]:
        """The environment a probe of ``host:port`` may see, and what was withheld from it (and why)."""
        if not self._secrets:
            return dict(self.env), {}
        withheld: dict[str, Withheld] = {}
        for name, secret in self._secrets.items():
            if not self._bound(secret, host, port, explicit):
                withheld[name] = Withheld(name, self._reason(secret, host, port), secret.scheme)
        if not withheld:
            return dict(self.env), {}
        return {k: v for k, v in self.env.items() if k not in withheld}, withheld
