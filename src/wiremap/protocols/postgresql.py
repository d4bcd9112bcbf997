"""PostgreSQL over psycopg 3 (libpq): connection parameters, connect, ``SELECT 1``, and the one mapping of
psycopg's exceptions to the error tree (:meth:`Postgres.error`).

User, password and database come from the first ``postgresql://`` / ``postgres://`` URL the doc names
as an environment variable (its value in ``ctx.env``); without one the user is ``$PGUSER`` else
``postgres`` and the database ``$PGDATABASE`` else ``postgres`` (both looked up in ``ctx.env``). The
doc's example URL is never used. The password is always passed explicitly (``""`` when no value belongs
to the target), so libpq never falls back to the process's own ``$PGPASSWORD`` or ``~/.pgpass``.
TLS: ``sslmode=require`` when the doc says TLS; otherwise libpq's default (``prefer``). The target
scheme is not used for this: ``postgres`` ends with an "s" but does not mean TLS.

Mapping: by type (``TimeoutError``, ``psycopg.errors.ConnectionTimeout``, a socket error under the
driver's), then by SQLSTATE for errors the server sends in a session (class 28 and 42501: auth;
3D000: no such database; class 08 and 57P0x: the connection went away). A connection attempt that
fails in libpq carries no SQLSTATE (libpq only has ``PQerrorMessage`` then, the server's FATAL included),
so for those -- and only those -- libpq's message is read: the last resort, in :func:`_connect_failure`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import re
from typing import TYPE_CHECKING, Any

from ..secrets import redact
from ._errors import (
    AuthError,
    ConnectDeadlineError,
    DeadlineError,
    DestinationError,
    DNSError,
    InvalidResponseError,
    RefusedError,
    ResetError,
    TLSError,
    os_error,
    root_cause,
)
from .credentials import credentials, libpq_password

if TYPE_CHECKING:
    from ..probes._base import ProbeContext

__all__ = ["DEFAULT_PORT", "SCHEMES", "Postgres"]

DEFAULT_PORT = 5432
SCHEMES = ("postgresql", "postgres")

# the last resort (see the module's docstring): libpq's and the server's words for a failed connection
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


class Postgres:
    """One database session's parameters; :meth:`connect` opens it, :meth:`error` types what fails."""

    def __init__(self, ctx: ProbeContext, application_name: str) -> None:
        creds = credentials(ctx, SCHEMES)
        user = creds.username or ctx.env.get("PGUSER") or "postgres"
        if not creds.username and ctx.env.get("PGUSER"):  # a user name from the environment is never shown
            creds = dataclasses.replace(creds, username=user, source=creds.source or "PGUSER")
        self.dbname = creds.database or ctx.env.get("PGDATABASE") or "postgres"
        self.host = ctx.target.host
        self.port = ctx.target.port or DEFAULT_PORT
        self.who = f"{creds.user_shown(user)} on database {self.dbname}" + (
            f" (from {creds.origin})" if creds.source and not creds.username else ""
        )
        self.note = creds.unset_note()  # what the connection was not (the doc's user and database)
        self.params: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": user,
            "dbname": self.dbname,
            # psycopg enforces at least 2 s; the caller's asyncio deadline is the real bound.
            "connect_timeout": max(1, math.ceil(ctx.timeout_s)),
            "application_name": application_name,
        }
        # explicit, so libpq never sends the process's own $PGPASSWORD (or a ``*`` line of ~/.pgpass) to a
        # host it does not belong to
        self.params.update(libpq_password(ctx, creds))
        if ctx.integration.tls:
            self.params["sslmode"] = "require"
        self._password = self.params["password"]
        self._env_user = creds.username if creds.username and creds.source else None
        held = ctx.withheld.get("PGPASSWORD")
        self._withheld = held.reason if held is not None else None

    async def connect(self) -> Any:
        """An autocommit ``psycopg.AsyncConnection`` (ImportError without the driver); a
        :class:`DestinationError` when there is none. No deadline of its own."""
        import psycopg

        try:
            return await psycopg.AsyncConnection.connect(autocommit=True, **self.params)
        except Exception as exc:
            raise self.error(exc) from exc

    @staticmethod
    async def close(conn: Any) -> None:
        if conn is None:
            return
        try:
            async with asyncio.timeout(1.0):
                await conn.close()
        except Exception:  # best effort: the result is already decided
            pass

    def error(self, exc: BaseException) -> DestinationError:
        """The one mapping (see the module's docstring), credentials masked, the user named for auth."""
        err = self._map(exc)
        detail = err.detail
        if isinstance(err, AuthError) and self._withheld:
            detail = f"{detail}; {self._withheld}"
        if self._password:
            detail = redact(detail, self._password)
        if self._env_user:  # ``for user "<token>"``: a user name from the environment
            detail = detail.replace(f'"{self._env_user}"', '"***"')
        if isinstance(err, AuthError):
            detail = f"{detail} (as {self.who})"
        if detail != err.detail:
            err = type(err)(detail, self.host, self.port)
        return err

    def _map(self, exc: BaseException) -> DestinationError:
        from psycopg import errors as pgerr

        host, port = self.host, self.port
        if isinstance(exc, DestinationError):
            return exc
        if isinstance(exc, TimeoutError):
            return DeadlineError("no answer before the deadline", host, port)
        if isinstance(exc, pgerr.ConnectionTimeout):
            return ConnectDeadlineError(f"no answer before the deadline ({_detail(str(exc))})", host, port)
        if not isinstance(exc, pgerr.Error):
            return os_error(exc, host, port)
        sqlstate = exc.sqlstate
        if sqlstate is not None:
            return self._server_error(sqlstate, _detail(str(exc)))
        root = root_cause(exc)
        if root is not None:
            return os_error(root, host, port)
        return self._connect_failure(exc)

    def _server_error(self, sqlstate: str, detail: str) -> DestinationError:
        host, port = self.host, self.port
        if sqlstate.startswith("28") or sqlstate == "42501":
            return AuthError(detail, host, port)
        if sqlstate == "3D000":
            message = f"the server answers but database {self.dbname!r} does not exist ({detail})"
            return InvalidResponseError(message, host, port)
        if sqlstate.startswith("08") or sqlstate.startswith("57P0"):
            return ResetError(f"the server ended the session ({sqlstate}): {detail}", host, port)
        return InvalidResponseError(f"server error {sqlstate}: {detail}", host, port)

    def _connect_failure(self, exc: BaseException) -> DestinationError:
        """The last resort: a connection attempt libpq failed, known only by its message."""
        host, port = self.host, self.port
        text = str(exc)
        detail = _detail(text)
        if "could not translate host name" in text or "failed to resolve host" in text:
            return DNSError(f"name does not resolve: {detail}", host, port)
        if "Name or service not known" in text or "nodename nor servname" in text:
            return DNSError(f"name does not resolve: {detail}", host, port)
        if "Connection refused" in text:
            return RefusedError("connection refused", host, port)
        if "timeout expired" in text or "timed out" in text:
            return ConnectDeadlineError(f"no answer before the deadline ({detail})", host, port)
        if _NO_DATABASE.search(text):
            message = f"the server answers but database {self.dbname!r} does not exist ({detail})"
            return InvalidResponseError(message, host, port)
        if _AUTH.search(text):
            return AuthError(detail, host, port)
        if _NOT_POSTGRES.search(text):
            return InvalidResponseError(f"not a PostgreSQL server? {detail}", host, port)
        if _TLS.search(text):
            return TLSError(f"TLS failed: {detail}", host, port)
        return InvalidResponseError(f"{type(exc).__name__}: {detail}", host, port)
