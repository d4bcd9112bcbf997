"""MQTT probe: connect with aiomqtt (CONNECT, wait for a positive CONNACK), then DISCONNECT.

Credentials (from the environment the doc names; anonymous without them), TLS, aiomqtt's corrections and
the mapping of its errors are :mod:`wiremap.protocols.mqtt`'s.
"""

from __future__ import annotations

import asyncio
import contextlib

from ..protocols import DRIVER_MISSING, DestinationError, ErrorKind
from ..protocols.mqtt import Mqtt
from ._base import ProbeContext, ProbeResult, Timer, connected_as, failed, failure, skipped, success

__all__ = ["probe"]

NAME = "mqtt"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    mqtt = Mqtt(ctx, "wiremap-verify")
    timer = Timer()
    try:
        client = mqtt.client()
    except ImportError:
        return [skipped(NAME, DRIVER_MISSING)]

    stack = contextlib.AsyncExitStack()
    try:
        async with asyncio.timeout(ctx.timeout_s):
            await mqtt.connect(stack, client)
            timer.mark("connect")
        return connected_as(success(NAME, timer, f"CONNACK accepted ({mqtt.who})"), mqtt.note)
    except TimeoutError:
        return [failure(NAME, timer, ErrorKind.TIMEOUT, f"no CONNACK within {ctx.timeout_s:g} s")]
    except DestinationError as err:  # anything the server does is a result, never an exception
        return [failed(NAME, timer, err, connected=err.kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL))]
    finally:
        if "connect" in timer.phases:
            try:
                async with asyncio.timeout(1.0):
                    await stack.aclose()
            except Exception:  # best effort: the result is already decided
                pass
        mqtt.cleanup()
