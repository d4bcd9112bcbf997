"""WebSocket probe: the opening handshake, then (when the doc has examples) one request/reply exchange.

Checks:

* ``websocket`` — the handshake with the target URL (``ws://``/``wss://``). A rejection with HTTP 401/403
  is ``auth``; any other status is ``protocol``.
* ``contract`` — only when both a Request and a Response example are documented: the Request text is
  sent as one text message and the first reply must arrive before the deadline; when the Response is
  JSON, the reply must be JSON of the same shape (``$.event: expected string, got number``). The
  Request is sent to loopback targets and to targets the user chose (--target), to others only with
  ``allow_writes`` (it may publish).

``Authorization: Bearer $TOKEN`` in the doc's Connection String is sent as a header when ``$TOKEN`` is
set in the environment (the credential comes from the environment, never from the doc). TLS settings:
``ca_bundle``, ``client_cert``, ``client_key`` (file paths).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any

from ..protocols import DRIVER_MISSING, DestinationError, ErrorKind, os_error
from ..protocols import websocket as ws_protocol
from ..secrets import shorten
from ..values import parse_json
from ..verify.shape import shape_mismatches
from ._base import (
    ProbeContext,
    ProbeResult,
    Timer,
    failed,
    failure,
    skipped,
    success,
    writes_allowed,
)

__all__ = ["may_send", "probe"]

NAME = "websocket"
CONTRACT = "contract"
_MAX_MISMATCHES = 5
_MAX_SNIPPET = 80


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        from websockets.asyncio.client import connect  # noqa: F401 - is the driver there?
    except ImportError:
        return [skipped(NAME, DRIVER_MISSING)]

    # serve: the handshake alone would say "up" about an exchange nobody checked; it is still made, so a
    # destination that does not answer is down (not "not checked"), and one that does is not checked
    handshake_only = ctx.repeated and _has_exchange(ctx) and not may_send(ctx)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ctx.timeout_s
    timer = Timer()
    url = ws_protocol.url(ctx)
    try:
        ssl_context = ws_protocol.ssl_context(ctx.settings) if url.startswith("wss://") else None
    except (OSError, ssl.SSLError) as exc:
        return [failure(NAME, timer, ErrorKind.TLS, f"cannot load a TLS file of the settings: {exc}")]
    headers, unset = ws_protocol.auth_header(ctx)
    endpoint = ws_protocol.Endpoint(url, headers=headers, unset=unset, context=ssl_context)
    close_timeout = max(0.01, min(1.0, ctx.timeout_s / 10))
    try:
        ws = await endpoint.connect(ctx.timeout_s, close_timeout)
    except DestinationError as err:
        return [failed(NAME, timer, err, connected=err.kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL))]
    timer.mark("handshake")
    if handshake_only:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2 * close_timeout):
                await ws.close()
        return [skipped(NAME, f"{_refusal(ctx)} (the handshake with {endpoint.shown} answered)")]
    results = [success(NAME, timer, f"handshake with {endpoint.shown} ok")]
    try:
        contract = await _contract(ws, endpoint, ctx, deadline - 2 * close_timeout)
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2 * close_timeout):
                await ws.close()
    if contract is not None:
        results.append(contract)
    return results


def may_send(ctx: ProbeContext) -> bool:
    """The Request may publish: send it to loopback, to a target the user chose, or when allowed."""
    return writes_allowed(ctx)


def _has_exchange(ctx: ProbeContext) -> bool:
    request, response = ctx.integration.request, ctx.integration.response
    return request is not None and bool(request.text.strip()) and response is not None


def _refusal(ctx: ProbeContext) -> str:
    if ctx.repeated:
        return "Request example not sent every interval: it may publish; needs the runner's --allow-writes"
    return "Request example not sent: only to loopback or --target targets without --allow-writes"


async def _contract(
    ws: Any, endpoint: ws_protocol.Endpoint, ctx: ProbeContext, deadline: float
) -> ProbeResult | None:
    """Send the documented Request, check the first reply against the documented Response."""
    from websockets.exceptions import ConnectionClosed

    request, response = ctx.integration.request, ctx.integration.response
    if request is None or not request.text.strip() or response is None:
        return None
    if not may_send(ctx):
        return skipped(CONTRACT, _refusal(ctx))
    loop = asyncio.get_running_loop()
    timer = Timer()
    try:
        await ws.send(request.text)
        async with asyncio.timeout(max(0.0, deadline - loop.time())):
            reply: str | bytes = await ws.recv()
        timer.mark("reply")
    except ConnectionClosed as exc:
        return failed(CONTRACT, timer, endpoint.closed(exc), connected=True)
    except TimeoutError:
        message = "no reply to the Request example before the deadline"
        return failure(CONTRACT, timer, ErrorKind.TIMEOUT, message, connected=True)
    except Exception as exc:
        return failed(CONTRACT, timer, os_error(exc, endpoint.host, endpoint.port), connected=True)

    text = reply if isinstance(reply, str) else reply.decode("utf-8", errors="replace")
    expected = response.json_value
    if expected is None:  # a non-JSON Response example: any reply will do
        return success(CONTRACT, timer, f"reply received ({len(text)} characters)")
    try:
        actual = parse_json(text)
    except ValueError:
        snippet = shorten(text, _MAX_SNIPPET)
        message = f"the Response example is JSON, the reply is not: {snippet!r}"
        return failure(CONTRACT, timer, ErrorKind.CONTRACT, message, connected=True)
    mismatches = shape_mismatches(expected, actual)
    if mismatches:
        shown = "; ".join(mismatches[:_MAX_MISMATCHES])
        more = f" (+{len(mismatches) - _MAX_MISMATCHES} more)" if len(mismatches) > _MAX_MISMATCHES else ""
        return failure(CONTRACT, timer, ErrorKind.CONTRACT, shown + more, connected=True)
    return success(CONTRACT, timer, "reply has the documented Response shape")
