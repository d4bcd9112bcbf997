"""Credentials for a connection: from the environment variables the doc names, never from the doc.

A doc's Configuration lists ``export ORDERS_DATABASE_URL=postgresql://checkout@db/orders``; the example
value is documentation. What the probe uses is ``$ORDERS_DATABASE_URL`` as set where wiremap runs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from ..probes._base import ProbeContext

__all__ = ["CONNECTION_STRING", "FROM_TARGET", "Credentials", "credentials", "libpq_password"]

CONNECTION_STRING = "Connection String"  # Credentials.unset: the doc's Connection String names them
FROM_TARGET = (
    "--target"  # Credentials.source of the runner's own target URL (``--target``, WIREMAP_TARGET_<ID>)
)


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str | None = None
    password: str | None = None
    database: str | None = None  # path of the URL: db name, vhost, redis db number
    source: str | None = None  # the env var they came from (for messages; never the value)
    # a variable the doc documents as a URL of the protocol that is not set where wiremap runs: the
    # connection was made without what the doc describes (its user, database), and messages say so
    unset: str | None = None

    def unset_note(self, what: str = "user and database") -> str:
        """``what``: what the URL names besides the host, in the protocol's words (AMQP: user and vhost;
        NATS, MQTT: the user)."""
        if self.source or not self.unset:
            return ""
        verb = "were" if " and " in what else "was"
        if self.unset == CONNECTION_STRING:  # named in the doc only: documentation, never used
            return (
                f"; the doc's {what} in its Connection String {verb} not used: wiremap connects with what an"
                " env var the doc names holds where it runs, and none is set here"
            )
        return f"; ${self.unset} is not set here, so the doc's {what} {verb} not checked"

    @property
    def origin(self) -> str:
        """Where the credentials came from, for messages: ``$VAR``, or the runner's target."""
        return "the runner's --target" if self.source == FROM_TARGET else f"${self.source}"

    def user_shown(self, default: str) -> str:
        """The user for messages: never a value from the environment (a token often stands where a user
        name would: ``mqtt://TOKEN@broker``), only where it came from."""
        if self.username and self.source:
            return f"the user of {self.origin}"
        return self.username or default


_PASSWORD_SUFFIXES = ("_PASSWORD", "_PASSWD", "_PASS", "_PWD")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"`<>]+", re.IGNORECASE)


def _password_var(ctx: ProbeContext) -> str | None:
    """A ``*_PASSWORD`` variable the doc names, as set in ``ctx.env`` (often kept apart from the URL)."""
    for var in ctx.integration.env_vars:
        if var.name.upper().endswith(_PASSWORD_SUFFIXES):
            value = ctx.secret(var.name)  # raises when the runner's value does not belong to the target
            if value:
                return value
    return None


def credentials(ctx: ProbeContext, schemes: tuple[str, ...]) -> Credentials:
    """The first env var named in the doc whose value (in ``ctx.env``) is a URL of one of ``schemes``;
    a password missing from that URL comes from a ``*_PASSWORD`` variable the doc also names.

    Raises :class:`~wiremap.trust.credentials.CredentialsWithheld` when such a value exists in the
    runner's environment but belongs to another host (the engine skips the check, saying why).

    The runner's own target (``--target postgresql://worker:…@127.0.0.1/orders``) comes first: its user,
    password and database are the runner's, for that host (they were dropped, and verify connected as
    ``postgres`` to ``postgres`` and said ok: new user, round 27)."""
    target = ctx.target
    if target.explicit and target.url and "://" in target.url:
        parts = urlsplit(target.url)
        if parts.scheme.lower() in schemes and (parts.username or parts.password or parts.path.strip("/")):
            path = unquote(parts.path.lstrip("/")) or None
            user = unquote(parts.username) if parts.username else None
            password = unquote(parts.password) if parts.password else None
            return Credentials(user, password, path, FROM_TARGET)
    for var in ctx.integration.env_vars:
        held = ctx.withheld.get(var.name)
        if held is not None and (held.scheme or "") in schemes:
            ctx.secret(var.name)
        value = _without_jdbc(ctx.env.get(var.name))
        if not value or "://" not in value:
            continue
        parts = urlsplit(value)
        if parts.scheme.lower() not in schemes:
            continue
        path = unquote(parts.path.lstrip("/")) or None
        password = unquote(parts.password) if parts.password else _password_var(ctx)
        return Credentials(unquote(parts.username) if parts.username else None, password, path, var.name)
    return Credentials(password=_password_var(ctx), unset=_documented_but_unset(ctx, schemes))


def _without_jdbc(value: str | None) -> str | None:
    """``jdbc:postgresql://db/app`` is the URL ``postgresql://db/app`` (a JDBC URL set for a Java
    service was not read, and verify said no variable was set: new user, round 42)."""
    return value[5:] if value is not None and value[:5].lower() == "jdbc:" else value


def _documented_but_unset(ctx: ProbeContext, schemes: tuple[str, ...]) -> str | None:
    """The first variable the doc documents with a URL of ``schemes`` that ``ctx.env`` does not hold;
    else :data:`CONNECTION_STRING` when the doc's Connection String is such a URL naming a user or a
    database (``postgresql://postgres@db:5432/test``: verify connected to ``postgres`` and said ok,
    with no word that the doc's database went unchecked: round 39)."""
    for var in ctx.integration.env_vars:
        documented = _without_jdbc((var.value or "").strip().strip("\"'")) or ""
        scheme = documented.partition("://")[0].lower() if "://" in documented else ""
        if scheme in schemes and not ctx.env.get(var.name) and var.name not in ctx.withheld:
            parts = urlsplit(documented)
            if parts.username or parts.path.strip("/"):  # naming no user nor database: nothing unchecked
                return var.name
    for m in _URL.finditer(ctx.integration.connection_string or ""):
        parts = urlsplit(m.group(0))
        if parts.scheme.lower() in schemes and (parts.username or parts.path.strip("/")):
            return CONNECTION_STRING
    return None


def libpq_password(ctx: ProbeContext, creds: Credentials) -> dict[str, str]:
    """The password parameters to hand libpq: always explicit ("" sends none), and no password file, so
    libpq never falls back to the process's own ``$PGPASSWORD`` or a ``*:*:*:*:pw`` line of ``~/.pgpass``
    for a host they do not belong to. ``$PGPASSWORD`` is used when the gate lets it through."""
    password = creds.password if creds.password is not None else ctx.env.get("PGPASSWORD") or ""
    return {"password": password, "passfile": os.path.join(os.devnull, "pgpass")}  # never a file
