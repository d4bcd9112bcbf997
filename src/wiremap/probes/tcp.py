"""TCP probe: resolve the destination, open a TCP connection to it, close it.

It is the probe of ``tcp`` integrations and the fallback of every protocol wiremap has no probe of
(``sftp``, ``kafka``, …): then it only proves that something listens, and its message says so.
"""

from __future__ import annotations

import asyncio
import os
import ssl

from ..protocols import PROTOCOLS, DestinationError, ErrorKind, tcp
from ._base import ProbeContext, ProbeResult, Timer, failure, skipped, success

__all__ = ["CONNECT_ONLY", "probe"]

NAME = "tcp"
CONNECT_ONLY = "TCP connect only"  # in the message of a connect standing in for a protocol's probe


def _fallback_note(protocol: str | None) -> str:
    """``no sftp probe: TCP connect only`` when ``tcp`` stands in for the doc's protocol, else ``""``."""
    if protocol == NAME or protocol in PROTOCOLS:
        return ""
    if not protocol:
        return f"no protocol documented: {CONNECT_ONLY}"
    return f"no {protocol} probe: {CONNECT_ONLY}"


def _with_note(message: str, note: str) -> str:
    return f"{message} ({note})" if note else message


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    target = ctx.target
    note = _fallback_note(ctx.integration.protocol)
    if not target.port:
        return [skipped(NAME, "no port to connect to")]
    timer = Timer()
    # the doc says TLS ("TCP over TLS", "Kafka (SSL)"): a plaintext port that accepts is no pass (a
    # connect alone said ok: round 56), so the handshake is made, the certificate verified
    tls = ctx.integration.tls is True
    shaking = False
    try:
        async with asyncio.timeout(ctx.timeout_s):
            infos = await tcp.resolve(target.host, target.port)
            timer.mark("dns")
            await tcp.connect_any(infos, target.host, target.port)
            timer.mark("connect")
            if tls:
                shaking = True
                version = await tcp.tls_handshake(infos, target.host, target.port, _context(ctx))
                timer.mark("tls")
    except TimeoutError:
        if shaking:
            message = (
                f"no TLS handshake with {target.hostport} within {ctx.timeout_s:g} s "
                "(does the port speak TLS?)"
            )
            return [failure(NAME, timer, ErrorKind.TLS, _with_note(message, note))]
        message = f"no connection to {target.hostport} within {ctx.timeout_s:g} s"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, _with_note(message, note))]
    except DestinationError as err:
        return [failure(NAME, timer, err.kind, _with_note(str(err), note))]
    if tls:
        said = f"connected to {target.hostport}, {version} handshake done, certificate verified"
        return [success(NAME, timer, _with_note(said, note))]
    return [success(NAME, timer, _with_note(f"connected to {target.hostport}", note))]


def _context(ctx: ProbeContext) -> ssl.SSLContext:
    """Default verification, or the runner's ``ca_bundle``."""
    ca = ctx.settings.get("ca_bundle")
    return ssl.create_default_context(cafile=os.path.expanduser(str(ca)) if ca else None)
