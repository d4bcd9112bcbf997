"""Pointing a Source at a stub: the doc's configuration env vars that hold the destination's address.

The Source's own test reaches its destination through the env vars the doc lists under Configuration
(``export PAYMENTS_API_URL=http://127.0.0.1:8081``). To run it against a stub, each variable whose
documented value names the destination — a URL, ``host:port``, or a host and a port held in two
variables — is rewritten to the stub's address, keeping everything else the value says (scheme, path,
database, user). Which variables were rewritten is part of every result: a test that reads another
variable would still reach the real destination, and the person reading the verdict must know.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit, urlunsplit

from ..model import EnvVar, Integration
from ..ports import DEFAULT_PORTS
from ..trust.env_names import runtime_variable

__all__ = ["Rewrite", "point_at"]

_HOSTPORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")
_HOST = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)$")
_PORT = re.compile(r"^\d{1,5}$")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass(frozen=True, slots=True)
class Rewrite:
    """The env vars to set (name -> new value) and, for each, what the doc said it was."""

    env: Mapping[str, str]
    was: Mapping[str, str]
    # name -> why the doc's variable was not set although it holds the address (PATH: round 68)
    refused: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        said = ", ".join(f"{name}={value}" for name, value in self.env.items()) or "nothing"
        if self.refused:
            said += "; not set: " + ", ".join(f"{name} ({why})" for name, why in self.refused.items())
        return said


def _same_host(a: str, b: str) -> bool:
    a, b = a.strip("[]").lower(), b.strip("[]").lower()
    return a == b or (a in _LOOPBACK and b in _LOOPBACK)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _url(value: str, host: str, port: int | None, stub_host: str, stub_port: int) -> str | None:
    for parts in _readings(value):
        try:
            got_port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
        except ValueError:
            continue
        if parts.hostname and _same_host(parts.hostname, host) and not (port and got_port != port):
            return _pointed(parts, stub_host, stub_port)
    return None


def _readings(value: str) -> list[SplitResult]:
    """The URL as RFC 3986 reads it, then, when its password holds a ``/``, ``?`` or ``#`` unescaped
    (``mqtt://sensor:p@ss/w0rd!@127.0.0.1:1883``, as people write them and as the masker reads them), with
    the credentials running to the last ``@`` before the host."""
    out: list[SplitResult] = []
    with contextlib.suppress(ValueError):
        out.append(urlsplit(value))
    # an "@" past the authority, which holds credentials itself or no valid port: the password went on
    # (``http://other:5432/a@h`` is a path with an "@" in it, left alone)
    beyond = "@" if not out else out[0].path + out[0].query + out[0].fragment
    scheme, sep, rest = value.partition("://")
    at = rest.rfind("@")
    if sep and at > 0 and "@" in beyond and not any(c.isspace() for c in rest) and _cut_short(out):
        with contextlib.suppress(ValueError):
            tail = urlsplit(f"{scheme}://{rest[at + 1 :]}")
            out.append(tail._replace(netloc=f"{rest[:at]}@{tail.netloc}"))
    return out


def _cut_short(readings: list[SplitResult]) -> bool:
    if not readings:
        return True
    try:
        readings[0].port  # noqa: B018 - raises on a port that is no number ("app:p" of "app:p#w@h")
    except ValueError:
        return True
    return "@" in readings[0].netloc


def _pointed(parts: SplitResult, stub_host: str, stub_port: int) -> str:
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if userinfo else "") + f"{_bracket(stub_host)}:{stub_port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _says_port(var: EnvVar) -> bool:
    """A number is a port only where the variable says so (``DB_PORT``, ``# port of …``): a pool size
    of 5432 is not the database's port."""
    return "PORT" in var.name.upper() or "port" in (var.purpose or "").lower()


def _value(var: EnvVar) -> str:
    return (var.value or "").strip().strip("\"'")


def point_at(
    integration: Integration,
    stub_host: str,
    stub_port: int,
    *,
    host: str | None = None,
    port: int | None = None,
) -> Rewrite:
    """The rewrite that sends ``integration``'s Source to ``stub_host:stub_port`` instead of its
    destination (``host:port``, by default the doc's). Variables are matched by their documented value,
    never by name alone; a host variable is rewritten only with a port variable beside it (a host alone
    would keep the destination's port)."""
    host = host or integration.destination_host
    port = port or integration.destination_port
    env: dict[str, str] = {}
    was: dict[str, str] = {}
    if not host:
        return Rewrite(env, was)
    variables: Sequence[EnvVar] = integration.env_vars
    host_vars: list[EnvVar] = []
    port_vars: list[EnvVar] = []
    refused: dict[str, str] = {}
    for var in variables:
        value = _value(var)
        if not value:
            continue
        if (why := runtime_variable(var.name)) is not None:  # the doc's to name, not to set (round 68)
            if _points_at(value, host, port):
                refused[var.name] = why
            continue
        new: str | None = None
        if "://" in value:
            new = _url(value, host, port, stub_host, stub_port)
        elif (m := _HOSTPORT.match(value)) is not None:
            if _same_host(m.group("host"), host) and (port is None or int(m.group("port")) == port):
                new = f"{_bracket(stub_host)}:{stub_port}"
        elif _HOST.match(value) and _same_host(value, host):
            host_vars.append(var)
        elif _PORT.match(value) and port is not None and int(value) == port and _says_port(var):
            port_vars.append(var)
        if new is not None:
            env[var.name] = new
            was[var.name] = value
    if host_vars and port_vars:
        for var in host_vars:
            env[var.name], was[var.name] = stub_host.strip("[]"), _value(var)
        for var in port_vars:
            env[var.name], was[var.name] = str(stub_port), _value(var)
    return Rewrite(env, was, refused)


def _points_at(value: str, host: str, port: int | None) -> bool:
    """``value`` names ``host`` (and ``port``): a URL or a ``host:port``."""
    if "://" in value:
        return _url(value, host, port, host, port or 1) is not None
    m = _HOSTPORT.match(value)
    return (
        m is not None and _same_host(m.group("host"), host) and (port is None or int(m.group("port")) == port)
    )
