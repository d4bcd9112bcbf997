"""TCP probe: resolve the destination, open a TCP connection to it, close it.

It is the probe of ``tcp`` integrations and the fallback of every protocol wiremap has no probe of
(``sftp``, ``kafka``, …): then it only proves that something listens, and its message says so.
"""

from __future__ import annotations

import asyncio

from ..protocols import PROTOCOLS, DestinationError, ErrorKind, tcp
from ._base import ProbeContext, ProbeResult, Timer, failure, skipped, success

__all__ = ["probe"]

NAME = "tcp"


def _fallback_note(protocol: str | None) -> str:
    """``no sftp probe: TCP connect only`` when ``tcp`` stands in for the doc's protocol, else ``""``."""
    if protocol == NAME or protocol in PROTOCOLS:
        return ""
    if not protocol:
        return "no protocol documented: TCP connect only"
    return f"no {protocol} probe: TCP connect only"


def _with_note(message: str, note: str) -> str:
    return f"{message} ({note})" if note else message


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    target = ctx.target
    note = _fallback_note(ctx.integration.protocol)
    if not target.port:
        return [skipped(NAME, "no port to connect to")]
    timer = Timer()
    try:
        async with asyncio.timeout(ctx.timeout_s):
            infos = await tcp.resolve(target.host, target.port)
            timer.mark("dns")
            await tcp.connect_any(infos, target.host, target.port)
            timer.mark("connect")
    except TimeoutError:
        message = f"no connection to {target.hostport} within {ctx.timeout_s:g} s"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, _with_note(message, note))]
    except DestinationError as err:
        return [failure(NAME, timer, err.kind, _with_note(str(err), note))]
    return [success(NAME, timer, _with_note(f"connected to {target.hostport}", note))]
