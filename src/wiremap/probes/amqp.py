"""AMQP 0-9-1 probe: connect with aio-pika (handshake, login, virtual host), open a channel, close.

Credentials (from the environment the doc names; RabbitMQ's ``guest`` without them), TLS and the mapping
of aiormq's errors are :mod:`wiremap.protocols.amqp`'s.
"""

from __future__ import annotations

import asyncio

from ..protocols import DRIVER_MISSING, DeadlineError, DestinationError, ErrorKind
from ..protocols.amqp import Amqp
from ._base import ProbeContext, ProbeResult, Timer, connected_as, failed, failure, skipped, success

__all__ = ["probe"]

NAME = "amqp"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    amqp = Amqp(ctx, "wiremap-verify")
    try:
        connection = amqp.connection()
    except ImportError:
        return [skipped(NAME, DRIVER_MISSING)]

    timer = Timer()
    phase = "connecting: TCP, then the handshake"
    try:
        async with asyncio.timeout(ctx.timeout_s):
            await amqp.connect(connection, ctx.timeout_s)
            timer.mark("connect")
            phase = "opening a channel"
            await amqp.open_channel(connection, ctx.timeout_s)
            timer.mark("channel")
        return connected_as(success(NAME, timer, f"channel opened as {amqp.who}"), amqp.note)
    except (TimeoutError, DeadlineError):  # ours, or aio-pika's own (the same deadline)
        connected = "connect" in timer.phases
        message = f"no answer within {ctx.timeout_s:g} s ({phase})"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, message, connected=connected)]
    except DestinationError as err:  # anything the server does is a result, never an exception
        connected = "connect" in timer.phases or err.kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL)
        return [failed(NAME, timer, err, connected=connected)]
    finally:
        await Amqp.close(connection)
