"""PostgreSQL operation: one psycopg 3 ``AsyncConnection`` (autocommit) per operation, ``SELECT 1`` per call.

Connection parameters are the probe's (:mod:`wiremap.probes.postgresql`): user, password and database
from the first ``postgresql://``/``postgres://`` URL the doc names as an environment variable, else
``$PGUSER``/``$PGDATABASE`` from ``ctx.env``, else ``postgres``; ``sslmode=require`` when the doc says
TLS. Errors are classified by the probe's classifier and raised as exceptions
:func:`wiremap.probes._base.classify` maps to the same kind, passwords masked.

psycopg prepares the statement after its 5th execution (``prepare_threshold``), so steady-state calls
are Bind/Execute of a prepared ``SELECT 1``, on one cursor reused by every call (calls are made one at a
time, as the engine makes them). A call abandoned mid-query (the engine's deadline) makes
psycopg cancel the query on the server before the cancellation returns (up to 5 s, psycopg's bound).
The factory raises ConfigError without the driver.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from ...probes._base import ErrorKind, ProbeContext
from ...probes._credentials import credentials, libpq_password
from ...probes.postgresql import DEFAULT_PORT, SCHEMES, _classify
from .._base import Operation
from .tcp import DRIVER_MISSING, OperationError, error_of, require_driver

__all__ = ["PostgresSelect1", "factory"]


class PostgresSelect1:
    def __init__(self, ctx: ProbeContext) -> None:
        require_driver("postgresql", "psycopg")
        self._ctx = ctx
        creds = credentials(ctx, SCHEMES)
        self._password = libpq_password(ctx, creds)  # explicit: never $PGPASSWORD or ~/.pgpass
        self._dbname = creds.database or ctx.env.get("PGDATABASE") or "postgres"
        self._user = creds.username or ctx.env.get("PGUSER") or "postgres"
        self._who = f"{creds.user_shown(self._user)} on database {self._dbname}" + (
            f" (from ${creds.source})" if creds.source and not creds.username else ""
        )
        self._conn: Any = None
        self._cur: Any = None  # one cursor for every call (a quarter less CPU than conn.execute)

    def _params(self) -> dict[str, Any]:
        ctx = self._ctx
        params: dict[str, Any] = {
            "host": ctx.target.host,
            "port": ctx.target.port or DEFAULT_PORT,
            "user": self._user,
            "dbname": self._dbname,
            # psycopg enforces at least 2 s; the asyncio deadline in open() is the real bound.
            "connect_timeout": max(1, math.ceil(ctx.timeout_s)),
            "application_name": "wiremap-measure",
        }
        params.update(self._password)
        if ctx.integration.tls:
            params["sslmode"] = "require"
        return params

    async def open(self) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise RuntimeError(f"postgresql: {DRIVER_MISSING}") from exc
        await self.close()
        try:
            async with asyncio.timeout(self._ctx.timeout_s):
                self._conn = await psycopg.AsyncConnection.connect(autocommit=True, **self._params())
            self._cur = self._conn.cursor()
        except Exception as exc:
            if isinstance(exc, TimeoutError):
                raise
            raise self._error(exc) from exc

    async def __call__(self) -> None:
        try:
            cur = self._cur
            await cur.execute("SELECT 1")
            row = await cur.fetchone()
        except Exception as exc:
            raise self._error(exc) from exc
        if row is None or row[0] != 1:
            raise error_of(ErrorKind.PROTOCOL, f"SELECT 1 returned {row!r}")

    async def close(self) -> None:
        conn, self._conn, self._cur = self._conn, None, None
        if conn is None:
            return
        try:
            async with asyncio.timeout(1.0):
                await conn.close()
        except Exception:  # best effort: nothing is measured any more
            pass

    def _error(self, exc: Exception) -> OperationError:
        kind, message = _classify(exc, self._dbname)
        if self._password["password"]:
            message = message.replace(self._password["password"], "***")
        if kind is ErrorKind.AUTH:
            message = f"{message} (as {self._who})"
        return error_of(kind, message)


def factory(ctx: ProbeContext) -> Operation:
    return PostgresSelect1(ctx)
