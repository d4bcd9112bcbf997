"""PostgreSQL probe: connect with psycopg 3 (libpq) and run ``SELECT 1``.

User, password and database come from the first ``postgresql://`` / ``postgres://`` URL the doc names
as an environment variable (its value in ``ctx.env``); without one the user is ``$PGUSER`` else
``postgres`` and the database ``$PGDATABASE`` else ``postgres`` (both looked up in ``ctx.env``).
The doc's example URL is never used. The password is always passed explicitly (``""`` when no
value belongs to the target), so libpq never falls back to the process's own ``$PGPASSWORD``; it still
reads ``~/.pgpass`` (whose entries name their hosts) and ``PGSSLMODE``-style settings.

TLS: ``sslmode=require`` when the doc says TLS; otherwise libpq's default (``prefer``). The target
scheme is not used for this: ``postgres`` ends with an "s" but does not mean TLS.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import re
import socket
import ssl
from typing import Any

from ._base import ErrorKind, ProbeContext, ProbeResult, Timer, classify, failure, skipped, success
from ._credentials import credentials, libpq_password

__all__ = ["probe"]

NAME = "postgresql"
DEFAULT_PORT = 5432
SCHEMES = ("postgresql", "postgres")

_AUTH = re.compile(
    r"password authentication failed|role \S+ does not exist|no pg_hba\.conf entry|"
    r"no password supplied|authentication failed|permission denied|not permitted to log in",
    re.IGNORECASE,
)
_NO_DATABASE = re.compile(r"database \S+ does not exist", re.IGNORECASE)
_TLS = re.compile(r"SSL|TLS|certificate", re.IGNORECASE)
_NOT_POSTGRES = re.compile(
    r"invalid response to SSL negotiation|expected authentication request|"
    r"invalid message|lost synchronization|server closed the connection unexpectedly",
    re.IGNORECASE,
)


def _detail(text: str) -> str:
    """libpq's useful part: ``FATAL: role "x" does not exist`` without the ``connection failed:`` prefix."""
    text = " ".join(text.split())
    _, sep, tail = text.rpartition(" failed: ")
    return tail if sep and tail else text


def _classify(exc: BaseException, dbname: str) -> tuple[ErrorKind, str]:
    if isinstance(exc, TimeoutError):
        return ErrorKind.TIMEOUT, "no answer before the deadline"
    if isinstance(exc, socket.gaierror | ssl.SSLError | ConnectionRefusedError):
        return classify(exc)
    text = str(exc)
    detail = _detail(text)
    if "could not translate host name" in text or "failed to resolve host" in text:
        return ErrorKind.DNS, f"name does not resolve: {detail}"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return ErrorKind.DNS, f"name does not resolve: {detail}"
    if "Connection refused" in text:
        return ErrorKind.REFUSED, "connection refused"
    if "timeout expired" in text or "timed out" in text:
        return ErrorKind.TIMEOUT, f"no answer before the deadline ({detail})"
    if _NO_DATABASE.search(text):
        return ErrorKind.PROTOCOL, f"the server answers but database {dbname!r} does not exist ({detail})"
    if _AUTH.search(text):
        return ErrorKind.AUTH, detail
    if _NOT_POSTGRES.search(text):
        return ErrorKind.PROTOCOL, f"not a PostgreSQL server? {detail}"
    if _TLS.search(text):
        return ErrorKind.TLS, f"TLS failed: {detail}"
    kind, _ = classify(exc)
    return kind, detail if kind is not ErrorKind.PROTOCOL else f"{type(exc).__name__}: {detail}"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        import psycopg
    except ImportError:
        return [skipped(NAME, "driver not installed: pip install 'wiremap[probes]'")]

    creds = credentials(ctx, SCHEMES)
    user = creds.username or ctx.env.get("PGUSER") or "postgres"
    if not creds.username and ctx.env.get("PGUSER"):  # a user name from the environment is never shown
        creds = dataclasses.replace(creds, username=user, source=creds.source or "PGUSER")
    dbname = creds.database or ctx.env.get("PGDATABASE") or "postgres"
    params: dict[str, Any] = {
        "host": ctx.target.host,
        "port": ctx.target.port or DEFAULT_PORT,
        "user": user,
        "dbname": dbname,
        # psycopg enforces at least 2 s; the asyncio deadline below is the real bound.
        "connect_timeout": max(1, math.ceil(ctx.timeout_s)),
        "application_name": "wiremap-verify",
    }
    # explicit, so libpq never sends the process's own $PGPASSWORD (or a ``*`` line of ~/.pgpass) to a host
    # it does not belong to
    params.update(libpq_password(ctx, creds))
    if ctx.integration.tls:
        params["sslmode"] = "require"
    who = f"{creds.user_shown(user)} on database {dbname}" + (
        f" (from ${creds.source})" if creds.source and not creds.username else ""
    )

    timer = Timer()
    conn: psycopg.AsyncConnection[Any] | None = None
    phase = "connecting"
    try:
        async with asyncio.timeout(ctx.timeout_s):
            conn = await psycopg.AsyncConnection.connect(autocommit=True, **params)
            timer.mark("connect")
            phase = "waiting for SELECT 1"
            cur = await conn.execute("SELECT 1")
            row = await cur.fetchone()
            timer.mark("query")
        if row is None or row[0] != 1:
            return [failure(NAME, timer, ErrorKind.PROTOCOL, f"SELECT 1 returned {row!r}", connected=True)]
        version = conn.info.server_version
        return [success(NAME, timer, f"SELECT 1 as {who} (PostgreSQL {version // 10000}.{version % 10000})")]
    except TimeoutError:
        connected = "connect" in timer.phases
        message = f"no answer within {ctx.timeout_s:g} s ({phase})"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, message, connected=connected)]
    except Exception as exc:  # anything the server does is a result, never an exception
        kind, message = _classify(exc, dbname)
        if kind is ErrorKind.AUTH and "PGPASSWORD" in ctx.withheld:
            message = f"{message}; {ctx.withheld['PGPASSWORD'].reason}"
        if creds.password:
            message = message.replace(creds.password, "***")
        if creds.username and creds.source:  # ``for user "<token>"``: a user name from the environment
            message = message.replace(f'"{creds.username}"', '"***"')
        connected = "connect" in timer.phases or kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL)
        if kind is ErrorKind.AUTH:
            message = f"{message} (as {who})"
        return [failure(NAME, timer, kind, message, connected=connected)]
    finally:
        if conn is not None:
            try:
                async with asyncio.timeout(1.0):
                    await conn.close()
            except Exception:  # best effort: the result is already decided
                pass
