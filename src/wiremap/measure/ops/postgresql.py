"""PostgreSQL operation: one psycopg 3 ``AsyncConnection`` (autocommit) per operation, ``SELECT 1`` per call.

Connection parameters and errors are :mod:`wiremap.protocols.postgresql`'s, as the probe's: user,
password and database from the first ``postgresql://``/``postgres://`` URL the doc names as an environment
variable, else ``$PGUSER``/``$PGDATABASE`` from ``ctx.env``, else ``postgres``; ``sslmode=require`` when
the doc says TLS; credentials masked in messages.

psycopg opens the connection (TLS, authentication); then the operation drives its libpq connection by
callbacks, as the load engine's wire path wants (:meth:`PostgresSelect1.start`: ``SELECT 1`` sent
non-blocking, the socket's readability consumes the answer; no task, future or timer per query: the
awaited cursor cost ~95 µs of client CPU a query, 0.36× pgbench, issue 14). libpq keeps TLS, so a TLS
connection is driven the same way. Queries are made one at a time, as the engine makes them. An error
the server answers (a SQLSTATE) keeps the connection; a lost one, or a query abandoned at the engine's
deadline (the connection is closed, not cancelled), is opened again by the next query. The factory
raises ConfigError without the driver.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ...probes._base import ProbeContext
from ...protocols import DRIVER_MISSING, InvalidResponseError, ResetError
from ...protocols.postgresql import Postgres
from .._base import Operation
from ._callback import CallbackOperation
from ._driver import require_driver

__all__ = ["PostgresSelect1", "factory"]


class PostgresSelect1(CallbackOperation):
    def __init__(self, ctx: ProbeContext) -> None:
        super().__init__()
        require_driver("postgresql", "psycopg")
        self._timeout_s = ctx.timeout_s
        self._pg = Postgres(ctx, "wiremap-measure")
        self._conn: Any = None  # psycopg's AsyncConnection: it opened the connection, the operation drives it
        self._pgconn: Any = None  # its libpq connection
        self._fd = -1
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failure: Exception | None = None  # what the query's results said, until they end
        self._row = False  # the query returned its 1
        self._answered = 0  # queries answered on the connection

    async def open(self) -> None:
        self._drop()
        try:
            async with asyncio.timeout(self._timeout_s):
                conn = await self._pg.connect()
        except ImportError as exc:
            raise RuntimeError(f"postgresql: {DRIVER_MISSING}") from exc
        self._conn, self._pgconn, self._answered = conn, conn.pgconn, 0
        self.reopens += 1  # opened: only a connection made counts (round 67)
        self._fd = self._pgconn.socket
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self._fd, self._readable)

    def _ready(self) -> Exception | None:
        self._failure, self._row = None, False
        return None

    def _connected(self) -> bool:
        return self._pgconn is not None

    def _open_error(self, exc: Exception) -> Exception:
        return self._pg.error(exc)

    def _send(self) -> None:
        import psycopg

        pgconn = self._pgconn
        try:
            pgconn.send_query(b"SELECT 1")
            if pgconn.flush() != 0 and self._loop is not None:
                self._loop.add_writer(self._fd, self._writable)
        except psycopg.Error as exc:
            self._lost(exc)

    def _writable(self) -> None:
        import psycopg

        try:
            if self._pgconn is not None and self._pgconn.flush() == 0 and self._loop is not None:
                self._loop.remove_writer(self._fd)
        except psycopg.Error as exc:
            self._lost(exc)

    def _readable(self) -> None:
        import psycopg
        from psycopg import pq
        from psycopg.errors import error_from_result

        pgconn = self._pgconn
        if pgconn is None:
            return
        try:
            pgconn.consume_input()
            while not pgconn.is_busy():
                result = pgconn.get_result()
                if result is None:  # the query's results ended (or nothing was asked: a notice)
                    if self._done is not None:
                        failure = self._failure
                        if failure is None and not self._row:
                            failure = self._invalid("SELECT 1 returned no row")
                        self._finish(failure)
                    break
                if result.status == pq.ExecStatus.TUPLES_OK:
                    value = result.get_value(0, 0) if result.ntuples else None
                    if value == b"1":
                        self._row = True
                        self._answered += 1
                    else:
                        self._failure = self._invalid(f"SELECT 1 returned {value!r}")
                elif result.status != pq.ExecStatus.COMMAND_OK:  # an error the server answered
                    self._failure = self._pg.error(error_from_result(result))
        except psycopg.Error as exc:
            self._lost(exc)
            return
        if pgconn.status == pq.ConnStatus.BAD:  # the server went away (after answering, or idle)
            self._lost(psycopg.OperationalError(pgconn.get_error_message() or "connection lost"))

    def _invalid(self, said: str) -> InvalidResponseError:
        return InvalidResponseError(said, self._pg.host, self._pg.port)

    def _lost(self, exc: Exception) -> None:
        error = self._failure or self._pg.error(exc)
        if self._answered and isinstance(error, InvalidResponseError) and self._failure is None:
            # closed by a server that had answered on it: a PostgreSQL server dropping the connection, not
            # "not a PostgreSQL server?" (round 64)
            why = f"the server closed the connection after {self._answered} answer(s) on it ({exc})"
            error = ResetError(why, self._pg.host, self._pg.port)
        self._drop()
        self._finish(error)

    def _drop(self) -> None:
        pgconn, self._pgconn, self._conn = self._pgconn, None, None
        if self._loop is not None and self._fd >= 0:
            self._loop.remove_reader(self._fd)
            self._loop.remove_writer(self._fd)
        self._fd = -1
        if pgconn is not None:
            pgconn.finish()  # the AsyncConnection over it counts as closed


def factory(ctx: ProbeContext) -> Operation:
    return PostgresSelect1(ctx)
