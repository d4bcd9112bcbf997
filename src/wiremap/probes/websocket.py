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
import functools
import json
import os
import re
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..verify.shape import shape_mismatches
from ._base import (
    ErrorKind,
    ProbeContext,
    ProbeResult,
    Timer,
    classify,
    failure,
    skipped,
    success,
    writes_allowed,
)

__all__ = ["no_redirect_connect", "probe"]

NAME = "websocket"
CONTRACT = "contract"
DRIVER_MISSING = "driver not installed: pip install 'wiremap[probes]'"
_WS_SCHEMES = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_METHOD_PATH = re.compile(r"^[A-Z]+\s+(\S+)")
_AUTH_HEADER = re.compile(r"\bAuthorization:\s*([A-Za-z][\w-]*)\s+\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_MAX_MISMATCHES = 5
_MAX_SNIPPET = 80


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        from websockets.asyncio.client import connect  # noqa: F401 - is the driver there?
        from websockets.exceptions import InvalidStatus, InvalidURI
    except ImportError:
        return [skipped(NAME, DRIVER_MISSING)]

    loop = asyncio.get_running_loop()
    deadline = loop.time() + ctx.timeout_s
    timer = Timer()
    url = _url(ctx)
    shown = _display(url)
    try:
        ssl_context = _ssl_context(ctx.settings) if url.startswith("wss://") else None
    except (OSError, ssl.SSLError) as exc:
        return [failure(NAME, timer, ErrorKind.TLS, f"cannot load a TLS file of the settings: {exc}")]
    headers, unset = _auth_header(ctx)
    close_timeout = max(0.01, min(1.0, ctx.timeout_s / 10))
    kwargs: dict[str, Any] = {"ssl": ssl_context} if ssl_context is not None else {}
    try:
        ws = await no_redirect_connect()(
            url,
            additional_headers=headers or None,
            open_timeout=ctx.timeout_s,
            close_timeout=close_timeout,
            ping_interval=None,
            **kwargs,
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status in (401, 403):
            hint = f" (${unset} is not set)" if unset else ""
            message = f"handshake with {shown} rejected: HTTP {status}{hint}"
            return [failure(NAME, timer, ErrorKind.AUTH, message, connected=True)]
        message = f"handshake with {shown} rejected: HTTP {status}"
        return [failure(NAME, timer, ErrorKind.PROTOCOL, message, connected=True)]
    except InvalidURI as exc:
        return [failure(NAME, timer, ErrorKind.PROTOCOL, f"not a WebSocket URL: {exc}")]
    except Exception as exc:
        return [_handshake_failure(exc, url, shown, timer, ctx.timeout_s)]
    timer.mark("handshake")
    results = [success(NAME, timer, f"handshake with {shown} ok")]
    try:
        contract = await _contract(ws, ctx, deadline - 2 * close_timeout)
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2 * close_timeout):
                await ws.close()
    if contract is not None:
        results.append(contract)
    return results


def _handshake_failure(exc: Exception, url: str, shown: str, timer: Timer, timeout_s: float) -> ProbeResult:
    from websockets.exceptions import InvalidMessage

    secure = url.startswith("wss://")
    kind, message = classify(exc)
    if kind is ErrorKind.TIMEOUT:
        message = f"no handshake with {shown} within {timeout_s:g} s"
    elif kind is ErrorKind.REFUSED and message == "connection refused":
        message = f"connection to {urlsplit(shown).netloc} refused"
    elif secure and isinstance(
        exc, ConnectionResetError | ConnectionAbortedError | BrokenPipeError | EOFError
    ):
        # A reset before the HTTP upgrade (which websockets reports as InvalidMessage) is a reset of the
        # TLS handshake: typically a plaintext server that read a ClientHello.
        kind, message = (
            ErrorKind.TLS,
            "TLS handshake failed: the server closed the connection (not a TLS port?)",
        )
    elif isinstance(exc, InvalidMessage):
        hint = "" if secure else " (a TLS-only port? the URL is ws://)"
        kind, message = ErrorKind.PROTOCOL, f"handshake with {shown} failed: {exc}{hint}"
    return failure(NAME, timer, kind, message)


@functools.cache
def no_redirect_connect() -> Any:
    """websockets' ``connect`` that never follows a redirect: a 3xx is the destination's answer (an
    ``HTTP 302`` failure), and the host it points at was chosen neither by the doc nor by the runner."""
    from websockets.asyncio.client import connect

    class NoRedirect(connect):
        def process_redirect(self, exc: Exception) -> Exception | str:
            return exc

    return NoRedirect


def may_send(ctx: ProbeContext) -> bool:
    """The Request may publish: send it to loopback, to a target the user chose, or when allowed."""
    return writes_allowed(ctx)


async def _contract(ws: Any, ctx: ProbeContext, deadline: float) -> ProbeResult | None:
    """Send the documented Request, check the first reply against the documented Response."""
    from websockets.exceptions import ConnectionClosed

    request, response = ctx.integration.request, ctx.integration.response
    if request is None or not request.text.strip() or response is None:
        return None
    if not may_send(ctx):
        return skipped(
            CONTRACT, "Request example not sent: only to loopback or --target targets without --allow-writes"
        )
    loop = asyncio.get_running_loop()
    timer = Timer()
    try:
        await ws.send(request.text)
        async with asyncio.timeout(max(0.0, deadline - loop.time())):
            reply: str | bytes = await ws.recv()
        timer.mark("reply")
    except ConnectionClosed as exc:
        code = f" (close code {exc.rcvd.code})" if exc.rcvd is not None else ""
        message = f"the server closed the connection before replying{code}"
        return failure(CONTRACT, timer, ErrorKind.PROTOCOL, message, connected=True)
    except Exception as exc:
        kind, message = classify(exc)
        if kind is ErrorKind.TIMEOUT:
            message = "no reply to the Request example before the deadline"
        return failure(CONTRACT, timer, kind, message, connected=True)

    text = reply if isinstance(reply, str) else reply.decode("utf-8", errors="replace")
    expected = response.json_value
    if expected is None:  # a non-JSON Response example: any reply will do
        return success(CONTRACT, timer, f"reply received ({len(text)} characters)")
    try:
        actual = json.loads(text)
    except ValueError:
        snippet = text if len(text) <= _MAX_SNIPPET else text[: _MAX_SNIPPET - 1] + "…"
        message = f"the Response example is JSON, the reply is not: {snippet!r}"
        return failure(CONTRACT, timer, ErrorKind.CONTRACT, message, connected=True)
    mismatches = shape_mismatches(expected, actual)
    if mismatches:
        shown = "; ".join(mismatches[:_MAX_MISMATCHES])
        more = f" (+{len(mismatches) - _MAX_MISMATCHES} more)" if len(mismatches) > _MAX_MISMATCHES else ""
        return failure(CONTRACT, timer, ErrorKind.CONTRACT, shown + more, connected=True)
    return success(CONTRACT, timer, "reply has the documented Response shape")


def _url(ctx: ProbeContext) -> str:
    """The target's ws(s) URL; else the doc's ws endpoint on the target's host:port; else ``ws://host:port/``."""
    target, integ = ctx.target, ctx.integration
    scheme = _WS_SCHEMES.get((target.scheme or "").lower())
    if target.url and scheme:
        parts = urlsplit(target.url)
        return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))
    endpoint = (integ.endpoint or "").strip()
    m = _METHOD_PATH.match(endpoint)
    endpoint = m.group(1) if m else endpoint
    path = target.path or "/"
    if _URL.match(endpoint):
        parts = urlsplit(endpoint)
        scheme = scheme or _WS_SCHEMES.get(parts.scheme.lower())
        path = target.path or (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    elif endpoint.startswith("/") and not target.path:
        path = endpoint
    if scheme is None:
        scheme = "wss" if integ.tls else "ws"
    return f"{scheme}://{target.hostport}{path if path.startswith('/') else '/' + path}"


def _display(url: str) -> str:
    """The URL for messages: no user info, no query (either may hold a credential)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _auth_header(ctx: ProbeContext) -> tuple[dict[str, str], str | None]:
    """``({"Authorization": "Bearer …"}, None)`` from the Connection String and the environment, or
    ``({}, "NAME")`` when the doc names a token variable that is not set."""
    m = _AUTH_HEADER.search(ctx.integration.connection_string or "")
    if m is None:
        return {}, None
    scheme, var = m.group(1), m.group(2)
    value = ctx.secret(var)  # raises when the runner's value does not belong to this target
    if not value:
        return {}, var
    return {"Authorization": f"{scheme} {value}"}, None


def _ssl_context(settings: Mapping[str, Any]) -> ssl.SSLContext:
    """Default verification, or the ``ca_bundle``; plus a client certificate when ``client_cert`` is set."""
    ca = settings.get("ca_bundle")
    context = ssl.create_default_context(cafile=os.path.expanduser(str(ca)) if ca else None)
    cert, key = settings.get("client_cert"), settings.get("client_key")
    if cert:
        context.load_cert_chain(os.path.expanduser(str(cert)), os.path.expanduser(str(key)) if key else None)
    return context
