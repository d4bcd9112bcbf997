"""AMQP 0-9-1 probe: connect with aio-pika (handshake, login, virtual host), open a channel, close.

Login, password and virtual host come from the first ``amqp://`` / ``amqps://`` URL the doc names as
an environment variable (its value in ``ctx.env``); the doc's example URL is never used. Without
one the probe logs in the way aio-pika does by default, ``guest``/``guest`` on vhost ``/``: that is
RabbitMQ's out-of-the-box account, which RabbitMQ only accepts from loopback, so elsewhere a probe
without credentials reports ``auth``, which is the honest answer. A URL with a user but no password
logs in with an empty password (never with ``guest``).

TLS: ``amqps://`` targets or a doc that says TLS.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ._base import ErrorKind, ProbeContext, ProbeResult, Timer, classify, failure, skipped, success
from ._base import root_cause as _root_cause
from ._credentials import credentials

__all__ = ["probe"]

NAME = "amqp"
DEFAULT_PORT = 5672
DEFAULT_TLS_PORT = 5671
SCHEMES = ("amqp", "amqps")


def _quiet_driver_logs() -> None:
    """aiormq logs failed connects at ERROR; without a handler Python prints them to stderr.

    A NullHandler (what a library should add itself) stops that and still lets an application's
    own logging configuration receive the records.
    """
    for name in ("aiormq", "aio_pika"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _classify(exc: BaseException, vhost: str) -> tuple[ErrorKind, str]:
    from aiormq import exceptions as amqp_exc

    text = str(exc) or type(exc).__name__
    if isinstance(exc, amqp_exc.ProbableAuthenticationError) or "ACCESS_REFUSED" in text:
        return ErrorKind.AUTH, text
    if isinstance(exc, TimeoutError):
        return ErrorKind.TIMEOUT, "no answer before the deadline"
    root = _root_cause(exc)
    if root is not None:
        return classify(root)
    if isinstance(exc, amqp_exc.ProtocolSyntaxError) and "Connection.Close" in text:
        # RabbitMQ answers Connection.Open with Connection.Close (NOT_ALLOWED); aiormq drops the text.
        why = "it does not exist or the user may not use it"
        return ErrorKind.PROTOCOL, f"the broker refused to open virtual host {vhost!r}: {why}"
    if isinstance(exc, amqp_exc.IncompatibleProtocolError):
        return ErrorKind.PROTOCOL, f"not an AMQP 0-9-1 broker? {text}"
    if isinstance(exc, amqp_exc.AMQPError):
        return ErrorKind.PROTOCOL, f"not an AMQP 0-9-1 broker? {type(exc).__name__}: {text}"
    return ErrorKind.PROTOCOL, f"{type(exc).__name__}: {text}"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        from aio_pika.connection import Connection, make_url
    except ImportError:
        return [skipped(NAME, "driver not installed: pip install 'wiremap[probes]'")]

    _quiet_driver_logs()
    creds = credentials(ctx, SCHEMES)
    tls = (ctx.target.scheme or "").lower() == "amqps" or ctx.integration.tls
    vhost = creds.database or "/"
    url_options: dict[str, Any] = {
        "host": ctx.target.host,
        "port": ctx.target.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT),
        "virtualhost": vhost,
        "ssl": tls,
        "name": "wiremap-verify",
    }
    if creds.username is not None:
        url_options["login"] = creds.username
        url_options["password"] = creds.password or ""
    login = creds.username or "guest"
    who = f"{creds.user_shown(login)} on vhost {vhost!r}" + (
        f" (from ${creds.source})" if creds.source and not creds.username else ""
    )

    timer = Timer()
    # Connection + connect() rather than aio_pika.connect(): on failure we hold the object and
    # close it, instead of leaving its __del__ to schedule an un-awaited close().
    connection = Connection(make_url(None, **url_options))
    phase = "connecting"
    try:
        async with asyncio.timeout(ctx.timeout_s):
            await connection.connect(timeout=ctx.timeout_s)
            timer.mark("connect")
            phase = "opening a channel"
            channel = connection.channel(publisher_confirms=False)
            await channel.initialize(timeout=ctx.timeout_s)
            await channel.close()
            timer.mark("channel")
        return [success(NAME, timer, f"channel opened as {who}")]
    except TimeoutError:
        connected = "connect" in timer.phases
        message = f"no answer within {ctx.timeout_s:g} s ({phase})"
        return [failure(NAME, timer, ErrorKind.TIMEOUT, message, connected=connected)]
    except Exception as exc:  # anything the server does is a result, never an exception
        kind, message = _classify(exc, vhost)
        if creds.password:
            message = message.replace(creds.password, "***")
        if kind is ErrorKind.AUTH:
            message = f"{message} (as {who})"
        connected = "connect" in timer.phases or kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL)
        return [failure(NAME, timer, kind, message, connected=connected)]
    finally:
        try:
            async with asyncio.timeout(1.0):
                await connection.close()
        except Exception:  # best effort: the result is already decided
            pass
