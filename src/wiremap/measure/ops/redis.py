"""Redis operation: one redis-py (asyncio) connection per operation, ``PING`` per call.

Connection settings are the probe's (:mod:`wiremap.probes.redis`): credentials and database number from
the first ``redis://``/``rediss://`` URL the doc names as an environment variable, RESP2, TLS for
``rediss`` targets or a doc that says TLS, no retries. Errors are classified by the probe's classifier
and raised as exceptions :func:`wiremap.probes._base.classify` maps to the same kind; passwords are
masked in their messages. A call writes a pre-packed ``PING`` on the client's one connection and reads
the reply, bypassing the client's per-command machinery (locks, retries, metrics: a third of the CPU of
``client.ping()``); calls are made one at a time, as the engine makes them. After a failed or abandoned
call redis-py drops the connection and the next call reconnects (its connect time is then part of
that call's latency; the engine reopens the operation after a failure anyway). The factory raises ConfigError
for a database that is not a number or without the driver.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..._errors import ConfigError
from ...probes._base import ErrorKind, ProbeContext
from ...probes._credentials import credentials
from ...probes.redis import DEFAULT_PORT, DEFAULT_TLS_PORT, SCHEMES, _classify
from .._base import Operation
from .tcp import DRIVER_MISSING, OperationError, error_of, require_driver

__all__ = ["RedisPing", "factory"]


class RedisPing:
    def __init__(self, ctx: ProbeContext) -> None:
        require_driver("redis", "redis")
        self._ctx = ctx
        self._client: Any = None
        self._conn: Any = None  # the client's one connection, driven directly (a third less CPU per PING)
        self._ping: Any = None
        self._password: str | None = None
        self._options = self._connection_options()

    def _connection_options(self) -> dict[str, Any]:
        ctx = self._ctx
        creds = credentials(ctx, SCHEMES)
        self._password = creds.password
        tls = (ctx.target.scheme or "").lower() == "rediss" or ctx.integration.tls
        db = 0
        if creds.database:
            try:
                db = int(creds.database)
            except ValueError:
                message = f"${creds.source} names database {creds.database!r}: Redis databases are numbers"
                raise ConfigError(f"redis: {message}") from None
        return {
            "host": ctx.target.host,
            "port": ctx.target.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT),
            "username": creds.username,
            "password": creds.password,
            "db": db,
            "socket_connect_timeout": ctx.timeout_s,
            "socket_timeout": ctx.timeout_s,
            "ssl": tls,
            "protocol": 2,
            "single_connection_client": True,
            "client_name": "wiremap-measure",
        }

    async def open(self) -> None:
        try:
            from redis.asyncio import Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
        except ImportError as exc:
            raise RuntimeError(f"redis: {DRIVER_MISSING}") from exc
        await self.close()
        self._client = client = Redis(retry=Retry(NoBackoff(), 0), **self._options)
        try:
            async with asyncio.timeout(self._ctx.timeout_s):
                await client.initialize()  # connects: TCP, TLS, AUTH, SELECT
        except BaseException as exc:
            await self.close()
            if isinstance(exc, Exception) and not isinstance(exc, TimeoutError):
                raise self._error(exc) from exc
            raise
        self._conn = client.connection
        self._ping = self._conn.pack_command("PING")

    async def __call__(self) -> None:
        conn = self._conn
        try:
            await conn.send_packed_command(self._ping, check_health=False)
            pong = await conn.read_response()
        except Exception as exc:
            raise self._error(exc) from exc
        if pong != b"PONG":
            raise error_of(ErrorKind.PROTOCOL, f"PING answered {pong!r}")

    async def close(self) -> None:
        client, self._client, self._conn = self._client, None, None
        if client is None:
            return
        try:
            async with asyncio.timeout(1.0):
                await client.aclose()
        except Exception:  # best effort: nothing is measured any more
            pass

    def _error(self, exc: Exception) -> OperationError:
        kind, message = _classify(exc)
        if self._password:
            message = message.replace(self._password, "***")
        return error_of(kind, message)


def factory(ctx: ProbeContext) -> Operation:
    return RedisPing(ctx)
