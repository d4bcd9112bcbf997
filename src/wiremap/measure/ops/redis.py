"""Redis operation: one redis-py (asyncio) connection per operation, ``PING`` per call.

Connection options and errors are :mod:`wiremap.protocols.redis`'s, as the probe's: credentials and
database number from the first ``redis://``/``rediss://`` URL the doc names as an environment variable,
RESP2, TLS for ``rediss`` targets or a doc that says TLS, no retries; passwords masked in messages.

A call writes a pre-packed ``PING`` on the client's one connection and reads the reply, bypassing the
client's per-command machinery (locks, retries, metrics: a third of the CPU of ``client.ping()``); calls
are made one at a time, as the engine makes them. After a failed or abandoned call redis-py drops the
connection and the next call reconnects (its connect time is then part of that call's latency; the
engine reopens the operation after a failure anyway). The factory raises ConfigError for a database that
is not a number or without the driver.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..._errors import ConfigError
from ...probes._base import ProbeContext
from ...protocols import DRIVER_MISSING, InvalidResponseError
from ...protocols.redis import BadDatabase, Redis
from .._base import Operation
from ._driver import require_driver

__all__ = ["RedisPing", "factory"]


class RedisPing:
    def __init__(self, ctx: ProbeContext) -> None:
        require_driver("redis", "redis")
        self._timeout_s = ctx.timeout_s
        try:
            self._redis = Redis(ctx, "wiremap-measure")
        except BadDatabase as exc:
            raise ConfigError(f"redis: {exc}") from None
        self._client: Any = None
        self._conn: Any = None  # the client's one connection, driven directly (a third less CPU per PING)
        self._ping: Any = None

    async def open(self) -> None:
        await self.close()
        try:
            self._client = client = self._redis.client()
        except ImportError as exc:
            raise RuntimeError(f"redis: {DRIVER_MISSING}") from exc
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._redis.connect(client)  # TCP, TLS, AUTH, SELECT
        except BaseException:
            await self.close()
            raise
        self._conn = client.connection
        self._ping = self._conn.pack_command("PING")

    async def __call__(self) -> None:
        conn = self._conn
        try:
            await conn.send_packed_command(self._ping, check_health=False)
            pong = await conn.read_response()
        except Exception as exc:
            raise self._redis.error(exc) from exc
        if pong != b"PONG":
            raise InvalidResponseError(f"PING answered {pong!r}", self._redis.host, self._redis.port)

    async def close(self) -> None:
        client, self._client, self._conn = self._client, None, None
        if client is None:
            return
        try:
            async with asyncio.timeout(1.0):
                await client.aclose()
        except Exception:  # best effort: nothing is measured any more
            pass


def factory(ctx: ProbeContext) -> Operation:
    return RedisPing(ctx)
