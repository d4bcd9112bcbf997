"""NATS probe: connect with nats-py (INFO, CONNECT), ``flush()`` (a PING/PONG round trip), close.

Credentials come from the first ``nats://`` / ``tls://`` URL the doc names as an environment
variable (its value in ``ctx.env``): ``nats://user:password@host`` logs in with user and password,
``nats://token@host`` with a token. The doc's example URL is never used. TLS: ``tls://`` targets or a
doc that says TLS; a server that does not require TLS is then a ``tls`` failure, because nats-py
would carry on in plaintext.

nats-py is made to fail once and quietly: no reconnects, no wait between its (at most two) attempts
at the TCP connect, and no-op callbacks so that nothing is printed; the errors it reports to its
error callback are kept, because a failed initial connect only raises ``NoServersError``.
"""

from __future__ import annotations

import asyncio
import math
import ssl

from ._base import ErrorKind, ProbeContext, ProbeResult, Timer, classify, failure, skipped, success
from ._base import root_cause as _root_cause
from ._credentials import credentials

__all__ = ["probe"]

NAME = "nats"
DEFAULT_PORT = 4222
SCHEMES = ("nats", "tls")


def _classify(exc: BaseException) -> tuple[ErrorKind, str]:
    from nats import errors as nerr

    text = str(exc) or type(exc).__name__
    if isinstance(exc, nerr.AuthorizationError) or "authorization violation" in text.lower():
        return ErrorKind.AUTH, "nats: authorization violation"
    if "authentication" in text.lower():  # 'Authentication Timeout', 'User Authentication Expired'
        return ErrorKind.AUTH, text
    if isinstance(exc, TimeoutError | nerr.TimeoutError | nerr.FlushTimeoutError):
        return ErrorKind.TIMEOUT, f"no answer before the deadline ({text})"
    root = _root_cause(exc)
    if root is not None:
        return classify(root)
    if "INFO" in text or isinstance(exc, nerr.ProtocolError):
        return ErrorKind.PROTOCOL, f"not a NATS server? {text}"
    if isinstance(exc, nerr.Error):
        return ErrorKind.PROTOCOL, text
    return ErrorKind.PROTOCOL, f"{type(exc).__name__}: {text}"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        from nats import errors as nerr
        from nats.aio.client import Client
    except ImportError:
        return [skipped(NAME, "driver not installed: pip install 'wiremap[probes]'")]

    creds = credentials(ctx, SCHEMES)
    tls = (ctx.target.scheme or "").lower() == "tls" or ctx.integration.tls
    host = f"[{ctx.target.host}]" if ":" in ctx.target.host else ctx.target.host
    server = f"{'tls' if tls else 'nats'}://{host}:{ctx.target.port or DEFAULT_PORT}"
    secret = creds.password if creds.password is not None else creds.username
    if creds.username and creds.password is not None:
        how = f"user and password of ${creds.source}" if creds.source else "a user and password"
    elif creds.username:
        how = "a token"
    else:
        how = "no credentials"
    who = how + (f" (from ${creds.source})" if creds.source and "$" not in how else "")

    errors: list[BaseException] = []

    async def on_error(exc: Exception) -> None:
        errors.append(exc)

    async def on_event() -> None:
        return None

    timer = Timer()
    nc = Client()
    # nats-py wants whole seconds; the asyncio deadline below is the real bound.
    seconds = max(1, math.ceil(ctx.timeout_s))
    phase = "connecting"
    try:
        async with asyncio.timeout(ctx.timeout_s):
            await nc.connect(
                servers=[server],
                name="wiremap-verify",
                connect_timeout=seconds,
                allow_reconnect=False,
                # 0 would mean "retry this server forever" in the initial connect loop.
                max_reconnect_attempts=1,
                reconnect_time_wait=0,
                error_cb=on_error,
                disconnected_cb=on_event,
                closed_cb=on_event,
                reconnected_cb=on_event,
                tls=ssl.create_default_context() if tls else None,
                tls_hostname=ctx.target.host if tls else None,
                user=creds.username if creds.password is not None else None,
                password=creds.password,
                token=creds.username if creds.username and creds.password is None else None,
            )
            timer.mark("connect")
            # nats-py upgrades to TLS only when the server's INFO requires it; otherwise a tls://
            # target silently goes on in plaintext.
            info = getattr(nc, "_server_info", None)
            if tls and isinstance(info, dict) and not info.get("tls_required"):
                message = "the server does not require TLS, so the connection went on in plaintext"
                return [failure(NAME, timer, ErrorKind.TLS, message, connected=True)]
            phase = "waiting for PONG"
            await nc.flush(timeout=seconds)
            timer.mark("flush")
        v = nc.connected_server_version
        return [
            success(NAME, timer, f"PING → PONG from NATS server {v.major}.{v.minor}.{v.patch} with {who}")
        ]
    except TimeoutError:
        connected = "connect" in timer.phases
        message = f"no answer within {ctx.timeout_s:g} s ({phase})"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, message, connected=connected)]
    except Exception as exc:  # anything the server does is a result, never an exception
        # NoServersError says nothing: the last error nats-py reported is the reason.
        cause = errors[-1] if isinstance(exc, nerr.NoServersError) and errors else exc
        kind, message = _classify(cause)
        if secret:
            message = message.replace(secret, "***")
        if kind is ErrorKind.AUTH:
            message += f" (with {who})"
        connected = "connect" in timer.phases or kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL)
        return [failure(NAME, timer, kind, message, connected=connected)]
    finally:
        try:
            async with asyncio.timeout(1.0):
                await nc.close()
        except Exception:  # best effort: the result is already decided
            pass
