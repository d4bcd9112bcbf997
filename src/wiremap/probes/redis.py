"""Redis probe: connect with redis-py (asyncio) and send ``PING``.

Connection options (credentials and database number from the environment the doc names, RESP2, TLS, no
retries) and the mapping of redis-py's errors are :mod:`wiremap.protocols.redis`'s.
"""

from __future__ import annotations

import asyncio

from ..protocols import DRIVER_MISSING, DestinationError, ErrorKind, tcp
from ..protocols.redis import BadDatabase, Redis
from ._base import ProbeContext, ProbeResult, Timer, connected_as, failed, failure, skipped, success

__all__ = ["probe"]

NAME = "redis"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        redis = Redis(ctx, "wiremap-verify")
    except BadDatabase as exc:
        return [failure(NAME, None, ErrorKind.PROTOCOL, str(exc))]
    try:
        client = redis.client()
    except ImportError:
        return [skipped(NAME, DRIVER_MISSING)]

    timer = Timer()
    phase = "connecting: TCP, then the handshake"
    try:
        async with asyncio.timeout(ctx.timeout_s):
            await redis.connect(client)  # TCP, TLS, AUTH, SELECT
            timer.mark("connect")
            phase = "waiting for PONG"
            try:
                pong = await client.ping()
            except Exception as exc:
                raise redis.error(exc) from exc
            timer.mark("ping")
        if pong is not True:
            return [failure(NAME, timer, ErrorKind.PROTOCOL, f"PING answered {pong!r}", connected=True)]
        return connected_as(success(NAME, timer, f"PING → PONG (db {redis.db}){redis.who}"), redis.note)
    except TimeoutError:
        connected = "connect" in timer.phases
        if not connected and redis.options["ssl"] and await _accepts(redis.host, redis.port):
            # it takes TCP connections and never answers the TLS hello: a plaintext port ("Redis over
            # TLS" against a plain 6379 was a timeout: round 56)
            message = f"no TLS handshake within {ctx.timeout_s:g} s: the port accepts TCP; does it speak TLS?"
            return [failure(NAME, timer, ErrorKind.TLS, message, connected=True)]
        message = f"no answer within {ctx.timeout_s:g} s ({phase})"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, message, connected=connected)]
    except DestinationError as err:  # anything the server does is a result, never an exception
        connected = "connect" in timer.phases or err.kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL)
        return [failed(NAME, timer, err, connected=connected)]
    finally:
        try:
            async with asyncio.timeout(1.0):
                await client.aclose()
        except Exception:  # best effort: the result is already decided
            pass


async def _accepts(host: str, port: int) -> bool:
    """Whether a TCP connection to ``host:port`` is accepted within half a second."""
    try:
        async with asyncio.timeout(0.5):
            await tcp.connect_any(await tcp.resolve(host, port), host, port)
    except (TimeoutError, DestinationError):
        return False
    return True
