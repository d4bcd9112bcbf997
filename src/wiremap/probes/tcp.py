"""TCP probe: resolve the destination, open a TCP connection to it, close it.

It is the probe of ``tcp`` integrations and the fallback of every protocol wiremap has no probe of
(``sftp``, ``kafka``, …): then it only proves that something listens, and its message says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Sequence
from typing import Any

from ._base import ErrorKind, ProbeContext, ProbeResult, Timer, classify, failure, skipped, success
from .registry import PROBES

__all__ = ["probe"]

NAME = "tcp"


def _fallback_note(protocol: str | None) -> str:
    """``no sftp probe: TCP connect only`` when ``tcp`` stands in for the doc's protocol, else ``""``."""
    if protocol == NAME or protocol in PROBES:
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
    loop = asyncio.get_running_loop()
    timer = Timer()
    try:
        async with asyncio.timeout(ctx.timeout_s):
            infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            timer.mark("dns")
            await _connect_any(loop, infos)
            timer.mark("connect")
    except Exception as exc:
        kind, message = classify(exc)
        if kind is ErrorKind.TIMEOUT:
            message = f"no connection to {target.hostport} within {ctx.timeout_s:g} s"
        elif kind is ErrorKind.REFUSED and message == "connection refused":
            message = f"connection to {target.hostport} refused"
        return [failure(NAME, timer, kind, _with_note(message, note))]
    return [success(NAME, timer, _with_note(f"connected to {target.hostport}", note))]


async def _connect_any(
    loop: asyncio.AbstractEventLoop,
    infos: Sequence[tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]],
) -> None:
    """Connect to the resolved addresses in order; the first that accepts wins. The last error is raised."""
    last: BaseException | None = None
    for family, kind, proto, _canon, addr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, addr)
        except OSError as exc:
            last = exc
            continue
        finally:
            with contextlib.suppress(OSError):
                sock.close()
        return
    raise last if last is not None else OSError("the name resolves to no address")
