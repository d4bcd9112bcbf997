"""MQTT probe: connect with aiomqtt (CONNECT, wait for a positive CONNACK), then DISCONNECT.

Username and password come from the first ``mqtt://`` / ``mqtts://`` URL the doc names as an
environment variable (its value in ``ctx.env``); the doc's example URL is never used. Without one
the probe connects anonymously. TLS: ``mqtts://`` targets or a doc that says TLS.

aiomqtt (over paho-mqtt) needs three corrections to fail once, quietly and on time:

* a server that closes the connection before CONNACK (not a broker) would only end aiomqtt's
  wait at its timeout; the probe fails the wait when paho reports the disconnect;
* after a failed connect paho's socket stays open and registered with the event loop, and a socket
  whose TLS handshake failed is not closed at all; the probe closes both;
* its log records go to a logger of ours with a NullHandler, not to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import ssl
from typing import Any

from ._base import ErrorKind, ProbeContext, ProbeResult, Timer, classify, failure, skipped, success
from ._base import root_cause as _root_cause
from ._credentials import credentials

__all__ = ["probe"]

NAME = "mqtt"
DEFAULT_PORT = 1883
DEFAULT_TLS_PORT = 8883
SCHEMES = ("mqtt", "mqtts")

_LOG = logging.getLogger("wiremap.probes.mqtt.client")
_LOG.addHandler(logging.NullHandler())

# CONNACK return codes: MQTT 3.1.1 (4, 5) and the MQTT 5 reason codes paho maps them to.
_AUTH_CODES = frozenset({4, 5, 134, 135, 140})
_CLOSED_EARLY = "the server closed the connection before CONNACK"


class _ClosedBeforeConnack(Exception):
    pass


def _classify(exc: BaseException, tls: bool) -> tuple[ErrorKind, str]:
    from aiomqtt import MqttCodeError

    if isinstance(exc, MqttCodeError):
        code = getattr(exc.rc, "value", exc.rc)
        reason = str(exc.rc) if exc.rc is not None else str(exc)
        if code in _AUTH_CODES:
            return ErrorKind.AUTH, f"CONNACK: {reason}"
        return ErrorKind.PROTOCOL, f"the broker refused the connection: CONNACK {reason}"
    if isinstance(exc, _ClosedBeforeConnack) or _CLOSED_EARLY in str(exc):
        kind = ErrorKind.TLS if tls else ErrorKind.PROTOCOL
        return kind, f"{_CLOSED_EARLY} (not an MQTT{' over TLS' if tls else ''} broker?)"
    text = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError) or text == "Operation timed out":
        return ErrorKind.TIMEOUT, "no CONNACK before the deadline"
    root = _root_cause(exc)
    if root is not None:
        kind, message = classify(root)
        if tls and isinstance(root, ConnectionResetError | BrokenPipeError):
            return ErrorKind.TLS, f"TLS handshake failed: {root} (does the port speak TLS?)"
        return kind, message
    return ErrorKind.PROTOCOL, f"{type(exc).__name__}: {text}"


def _fail_wait_on_disconnect(client: Any, paho: Any, loop: asyncio.AbstractEventLoop) -> None:
    """Make a disconnect before CONNACK end aiomqtt's wait at once, not at its timeout."""
    inner = paho.on_disconnect

    def fail(fut: asyncio.Future[None]) -> None:
        if not fut.done():
            fut.set_exception(_ClosedBeforeConnack(_CLOSED_EARLY))

    def on_disconnect(*args: Any) -> None:
        fut = getattr(client, "_connected", None)
        if isinstance(fut, asyncio.Future):
            if fut.cancelled():
                return  # our deadline already ended the wait; aiomqtt's callback would raise
            if not fut.done():
                loop.call_soon_threadsafe(fail, fut)
                return
        if inner is not None:
            inner(*args)

    paho.on_disconnect = on_disconnect


class _TrackingContext(ssl.SSLContext):
    """``ssl.create_default_context()`` that remembers its sockets: paho leaks one whose handshake fails."""

    sockets: list[ssl.SSLSocket]

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        sock = super().wrap_socket(*args, **kwargs)
        self.sockets.append(sock)
        return sock


def _tls_context() -> _TrackingContext:
    context = _TrackingContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificate and host name
    context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    context.sockets = []
    return context


def _close_socket(paho: Any) -> None:
    """Close paho's socket after a failed connect (it unregisters it from the event loop too)."""
    close = getattr(paho, "_sock_close", None)
    with contextlib.suppress(Exception):
        if callable(close):
            close()
        elif paho.socket() is not None:
            paho.socket().close()


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        import aiomqtt
    except ImportError:
        return [skipped(NAME, "driver not installed: pip install 'wiremap[probes]'")]

    creds = credentials(ctx, SCHEMES)
    tls = (ctx.target.scheme or "").lower() == "mqtts" or ctx.integration.tls
    who = creds.user_shown("anonymous") if creds.username else "anonymous"
    who += f" (from ${creds.source})" if creds.source and not creds.username else ""

    timer = Timer()
    loop = asyncio.get_running_loop()
    tls_context = _tls_context() if tls else None
    client = aiomqtt.Client(
        ctx.target.host,
        ctx.target.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT),
        username=creds.username,
        password=creds.password,
        identifier=f"wiremap-verify-{secrets.token_hex(4)}",
        clean_session=True,
        timeout=ctx.timeout_s,
        logger=_LOG,
        tls_context=tls_context,
    )
    paho = getattr(client, "_client", None)
    if paho is not None:
        with contextlib.suppress(Exception):
            paho.connect_timeout = ctx.timeout_s  # bounds the blocking connect in aiomqtt's thread
        _fail_wait_on_disconnect(client, paho, loop)

    stack = contextlib.AsyncExitStack()
    try:
        async with asyncio.timeout(ctx.timeout_s):
            await stack.enter_async_context(client)
            timer.mark("connect")
        return [success(NAME, timer, f"CONNACK accepted ({who})")]
    except TimeoutError:
        return [failure(NAME, timer, ErrorKind.TIMEOUT, f"no CONNACK within {ctx.timeout_s:g} s")]
    except Exception as exc:  # anything the server does is a result, never an exception
        kind, message = _classify(exc, tls)
        if creds.password:
            message = message.replace(creds.password, "***")
        if kind is ErrorKind.AUTH:
            message += f" (as {who})"
        connected = kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL)
        return [failure(NAME, timer, kind, message, connected=connected)]
    finally:
        if "connect" in timer.phases:
            try:
                async with asyncio.timeout(1.0):
                    await stack.aclose()
            except Exception:  # best effort: the result is already decided
                pass
        if paho is not None:
            _close_socket(paho)
        for sock in tls_context.sockets if tls_context is not None else ():
            with contextlib.suppress(OSError):
                sock.close()
