"""NATS probe: connect with nats-py (INFO, CONNECT), ``flush()`` (a PING/PONG round trip), close.

Credentials, TLS and the mapping of nats-py's errors are :mod:`wiremap.protocols.nats`'s. With TLS asked
for, a server that does not require TLS is a ``tls`` failure, because nats-py would carry on in plaintext.
"""

from __future__ import annotations

import asyncio

from ..protocols import DRIVER_MISSING, DeadlineError, DestinationError, ErrorKind
from ..protocols.nats import Nats
from ._base import ProbeContext, ProbeResult, Timer, connected_as, failed, failure, skipped, success

__all__ = ["probe"]

NAME = "nats"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    nats = Nats(ctx, "wiremap-verify")
    try:
        nc = nats.client()
    except ImportError:
        return [skipped(NAME, DRIVER_MISSING)]

    timer = Timer()
    phase = "connecting: TCP, then the handshake"
    try:
        async with asyncio.timeout(ctx.timeout_s):
            await nats.connect(nc)
            timer.mark("connect")
            # nats-py upgrades to TLS only when the server's INFO requires it; otherwise a tls://
            # target silently goes on in plaintext.
            info = getattr(nc, "_server_info", None)
            if nats.tls and isinstance(info, dict) and not info.get("tls_required"):
                message = "the server does not require TLS, so the connection went on in plaintext"
                return [failure(NAME, timer, ErrorKind.TLS, message, connected=True)]
            phase = "waiting for PONG"
            await nats.flush(nc)
            timer.mark("flush")
        v = nc.connected_server_version
        said = f"PING → PONG from NATS server {v.major}.{v.minor}.{v.patch} with {nats.who}"
        return connected_as(success(NAME, timer, said), nats.note)
    except (TimeoutError, DeadlineError):  # ours, or nats-py's own (the same deadline)
        connected = "connect" in timer.phases
        message = f"no answer within {ctx.timeout_s:g} s ({phase})"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, message, connected=connected)]
    except DestinationError as err:  # anything the server does is a result, never an exception
        connected = "connect" in timer.phases or err.kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL)
        return [failed(NAME, timer, err, connected=connected)]
    finally:
        try:
            async with asyncio.timeout(1.0):
                await nc.close()
        except Exception:  # best effort: the result is already decided
            pass
