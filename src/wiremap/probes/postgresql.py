"""PostgreSQL probe: connect with psycopg 3 (libpq) and run ``SELECT 1``.

Connection parameters (credentials from the environment the doc names, TLS) and the mapping of psycopg's
errors are :mod:`wiremap.protocols.postgresql`'s.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..protocols import DRIVER_MISSING, DestinationError, ErrorKind
from ..protocols.postgresql import Postgres
from ._base import ProbeContext, ProbeResult, Timer, connected_as, failed, failure, skipped, success

__all__ = ["probe"]

NAME = "postgresql"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        import psycopg  # noqa: F401 - is the driver there?
    except ImportError:
        return [skipped(NAME, DRIVER_MISSING)]

    pg = Postgres(ctx, "wiremap-verify")
    timer = Timer()
    conn: Any = None
    phase = "connecting: TCP, then the handshake"
    try:
        async with asyncio.timeout(ctx.timeout_s):
            conn = await pg.connect()
            timer.mark("connect")
            phase = "waiting for SELECT 1"
            try:
                cur = await conn.execute("SELECT 1")
                row = await cur.fetchone()
            except Exception as exc:
                raise pg.error(exc) from exc
            timer.mark("query")
        if row is None or row[0] != 1:
            return [failure(NAME, timer, ErrorKind.PROTOCOL, f"SELECT 1 returned {row!r}", connected=True)]
        version = conn.info.server_version
        who = pg.who
        said = f"SELECT 1 as {who} (PostgreSQL {version // 10000}.{version % 10000})"
        return connected_as(success(NAME, timer, said), pg.note)
    except TimeoutError:
        connected = "connect" in timer.phases
        message = f"no answer within {ctx.timeout_s:g} s ({phase})"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, message, connected=connected)]
    except DestinationError as err:  # anything the server does is a result, never an exception
        connected = "connect" in timer.phases or err.kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL)
        return [failed(NAME, timer, err, connected=connected)]
    finally:
        await Postgres.close(conn)
