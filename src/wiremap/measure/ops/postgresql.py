"""PostgreSQL operation: one psycopg 3 ``AsyncConnection`` (autocommit) per operation, ``SELECT 1`` per call.

Connection parameters and errors are :mod:`wiremap.protocols.postgresql`'s, as the probe's: user,
password and database from the first ``postgresql://``/``postgres://`` URL the doc names as an environment
variable, else ``$PGUSER``/``$PGDATABASE`` from ``ctx.env``, else ``postgres``; ``sslmode=require`` when
the doc says TLS; credentials masked in messages.

psycopg prepares the statement after its 5th execution (``prepare_threshold``), so steady-state calls
are Bind/Execute of a prepared ``SELECT 1``, on one cursor reused by every call (calls are made one at a
time, as the engine makes them). A call abandoned mid-query (the engine's deadline) makes
psycopg cancel the query on the server before the cancellation returns (up to 5 s, psycopg's bound).
The factory raises ConfigError without the driver.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ...probes._base import ProbeContext
from ...protocols import DRIVER_MISSING, InvalidResponseError
from ...protocols.postgresql import Postgres
from .._base import Operation
from ._driver import require_driver

__all__ = ["PostgresSelect1", "factory"]


class PostgresSelect1:
    def __init__(self, ctx: ProbeContext) -> None:
        require_driver("postgresql", "psycopg")
        self._timeout_s = ctx.timeout_s
        self._pg = Postgres(ctx, "wiremap-measure")
        self._conn: Any = None
        self._cur: Any = None  # one cursor for every call (a quarter less CPU than conn.execute)

    async def open(self) -> None:
        await self.close()
        try:
            async with asyncio.timeout(self._timeout_s):
                self._conn = await self._pg.connect()
        except ImportError as exc:
            raise RuntimeError(f"postgresql: {DRIVER_MISSING}") from exc
        self._cur = self._conn.cursor()

    async def __call__(self) -> None:
        try:
            cur = self._cur
            await cur.execute("SELECT 1")
            row = await cur.fetchone()
        except Exception as exc:
            raise self._pg.error(exc) from exc
        if row is None or row[0] != 1:
            raise InvalidResponseError(f"SELECT 1 returned {row!r}", self._pg.host, self._pg.port)

    async def close(self) -> None:
        conn, self._conn, self._cur = self._conn, None, None
        await Postgres.close(conn)


def factory(ctx: ProbeContext) -> Operation:
    return PostgresSelect1(ctx)
