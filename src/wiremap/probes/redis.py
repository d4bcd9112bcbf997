"""Redis probe: connect with redis-py (asyncio) and send ``PING``.

Username, password and database number come from the first ``redis://`` / ``rediss://`` URL the doc
names as an environment variable (its value in ``ctx.env``); the doc's example URL is never used.

The probe speaks RESP2 (``AUTH [user] password``), not redis-py's RESP3 default: RESP2 works with
every Redis-compatible server, and ``HELLO 3 AUTH default <password>`` is silently accepted by a
server without a password, which would hide a wrong configuration. TLS: ``rediss://`` targets or a
doc that says TLS. redis-py's own retries are off: one attempt, bounded by ``ctx.timeout_s``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ._base import ErrorKind, ProbeContext, ProbeResult, Timer, classify, failure, skipped, success
from ._base import root_cause as _root_cause
from ._credentials import credentials

__all__ = ["probe"]

NAME = "redis"
DEFAULT_PORT = 6379
DEFAULT_TLS_PORT = 6380
SCHEMES = ("redis", "rediss")
_AUTH_MARKERS = (
    "NOAUTH",
    "WRONGPASS",
    "AUTH <password> called without",
    "Client sent AUTH",
    "invalid password",
)


def _classify(exc: BaseException) -> tuple[ErrorKind, str]:
    from redis import exceptions as rex

    text = str(exc) or type(exc).__name__
    if isinstance(exc, rex.AuthenticationError) or any(m in text for m in _AUTH_MARKERS):
        return ErrorKind.AUTH, text
    if isinstance(exc, TimeoutError | rex.TimeoutError):
        return ErrorKind.TIMEOUT, f"no answer before the deadline ({text})"
    root = _root_cause(exc)
    if root is not None:
        return classify(root)
    if isinstance(exc, rex.InvalidResponse):
        return ErrorKind.PROTOCOL, f"not a Redis server? {text}"
    if isinstance(exc, rex.ResponseError):
        return ErrorKind.PROTOCOL, f"server error: {text}"
    return classify(exc)


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError:
        return [skipped(NAME, "driver not installed: pip install 'wiremap[probes]'")]

    creds = credentials(ctx, SCHEMES)
    tls = (ctx.target.scheme or "").lower() == "rediss" or ctx.integration.tls
    db = 0
    if creds.database:
        try:
            db = int(creds.database)
        except ValueError:
            message = f"${creds.source} names database {creds.database!r}: Redis databases are numbers"
            return [failure(NAME, None, ErrorKind.PROTOCOL, message)]
    options: dict[str, Any] = {
        "host": ctx.target.host,
        "port": ctx.target.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT),
        "username": creds.username,
        "password": creds.password,
        "db": db,
        "socket_connect_timeout": ctx.timeout_s,
        "socket_timeout": ctx.timeout_s,
        "ssl": tls,
        "protocol": 2,
        "retry": Retry(NoBackoff(), 0),
        "single_connection_client": True,
        "client_name": "wiremap-verify",
    }
    who = f" (credentials from ${creds.source})" if creds.source else ""

    timer = Timer()
    client = Redis(**options)
    phase = "connecting"
    try:
        async with asyncio.timeout(ctx.timeout_s):
            await client.initialize()  # connects: TCP, TLS, AUTH, SELECT
            timer.mark("connect")
            phase = "waiting for PONG"
            pong = await client.ping()
            timer.mark("ping")
        if pong is not True:
            return [failure(NAME, timer, ErrorKind.PROTOCOL, f"PING answered {pong!r}", connected=True)]
        return [success(NAME, timer, f"PING → PONG (db {db}){who}")]
    except TimeoutError:
        connected = "connect" in timer.phases
        message = f"no answer within {ctx.timeout_s:g} s ({phase})"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, message, connected=connected)]
    except Exception as exc:  # anything the server does is a result, never an exception
        kind, message = _classify(exc)
        if creds.password:
            message = message.replace(creds.password, "***")
        if kind is ErrorKind.AUTH:
            message += who
        connected = "connect" in timer.phases or kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL)
        return [failure(NAME, timer, kind, message, connected=connected)]
    finally:
        try:
            async with asyncio.timeout(1.0):
                await client.aclose()
        except Exception:  # best effort: the result is already decided
            pass
