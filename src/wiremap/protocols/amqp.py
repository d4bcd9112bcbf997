"""AMQP 0-9-1 over aio-pika/aiormq: connect (handshake, login, virtual host), open a channel, close; and the
one mapping of aiormq's exceptions to the error tree (:meth:`Amqp.error`).

Login, password and virtual host come from the first ``amqp://`` / ``amqps://`` URL the doc names as an
environment variable (its value in ``ctx.env``); the doc's example URL is never used. Without one the
login is aio-pika's default, ``guest``/``guest`` on vhost ``/``: RabbitMQ's out-of-the-box account, which
RabbitMQ only accepts from loopback, so elsewhere that is ``auth``, the honest answer. A URL with a user but
no password logs in with an empty password (never with ``guest``). TLS: ``amqps://`` targets or a doc
that says TLS.

Mapping, by type: ``ProbableAuthenticationError`` (the broker's ACCESS_REFUSED) -> auth; a socket error
under ``AMQPConnectionError`` -> :func:`wiremap.protocols.os_error`; ``IncompatibleProtocolError`` and
other AMQP errors -> invalid response. One last resort: RabbitMQ answers Connection.Open on a vhost the
user may not use with Connection.Close (NOT_ALLOWED), which aiormq raises as ``InvalidFrameError`` keeping
only the frame's repr, so "Connection.Close" is looked for in its text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from ..secrets import redact
from ._errors import AuthError, DeadlineError, DestinationError, InvalidResponseError, os_error, root_cause
from .credentials import credentials

if TYPE_CHECKING:
    from ..probes._base import ProbeContext

__all__ = ["DEFAULT_PORT", "DEFAULT_TLS_PORT", "SCHEMES", "Amqp"]

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


class Amqp:
    """One connection's URL; :meth:`connection` makes it, :meth:`error` types what fails."""

    def __init__(self, ctx: ProbeContext, name: str) -> None:
        creds = credentials(ctx, SCHEMES)
        tls = (ctx.target.scheme or "").lower() == "amqps" or ctx.integration.tls
        self.vhost = creds.database or "/"
        self.host = ctx.target.host
        self.port = ctx.target.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT)
        self._options: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "virtualhost": self.vhost,
            "ssl": tls,
            "name": name,
        }
        if creds.username is not None:
            self._options["login"] = creds.username
            self._options["password"] = creds.password or ""
        login = creds.username or "guest"
        self.who = f"{creds.user_shown(login)} on vhost {self.vhost!r}" + (
            f" (from {creds.origin})" if creds.source and not creds.username else ""
        )
        self.note = creds.unset_note("user and vhost")  # the doc's URL not set here: said on success
        self._password = creds.password

    def connection(self) -> Any:
        """An unconnected ``aio_pika`` Connection (ImportError without the driver). Connection +
        connect() rather than aio_pika.connect(): on failure the caller holds the object and closes it,
        instead of leaving its __del__ to schedule an un-awaited close()."""
        from aio_pika.connection import Connection, make_url

        _quiet_driver_logs()
        return Connection(make_url(None, **self._options))

    async def connect(self, connection: Any, timeout_s: float) -> None:
        try:
            await connection.connect(timeout=timeout_s)
        except Exception as exc:
            raise self.error(exc) from exc

    async def open_channel(self, connection: Any, timeout_s: float) -> None:
        """Open a channel and close it again."""
        try:
            channel = connection.channel(publisher_confirms=False)
            await channel.initialize(timeout=timeout_s)
            await channel.close()
        except Exception as exc:
            raise self.error(exc) from exc

    @staticmethod
    async def close(connection: Any) -> None:
        try:
            async with asyncio.timeout(1.0):
                await connection.close()
        except Exception:  # best effort: the result is already decided
            pass

    def error(self, exc: BaseException) -> DestinationError:
        """The one mapping (see the module's docstring), the password masked, the login named for auth."""
        err = self._map(exc)
        detail = redact(err.detail, self._password) if self._password else err.detail
        if isinstance(err, AuthError):
            detail = f"{detail} (as {self.who})"
        return err if detail == err.detail else type(err)(detail, self.host, self.port)

    def _map(self, exc: BaseException) -> DestinationError:
        from aiormq import exceptions as amqp_exc

        host, port = self.host, self.port
        text = str(exc) or type(exc).__name__
        if isinstance(exc, DestinationError):
            return exc
        if isinstance(exc, amqp_exc.ProbableAuthenticationError):
            return AuthError(text, host, port)
        if isinstance(exc, TimeoutError):
            return DeadlineError("no answer before the deadline", host, port)
        root = root_cause(exc)
        if root is not None:
            return os_error(root, host, port)
        if isinstance(exc, amqp_exc.InvalidFrameError) and "Connection.Close" in text:  # the last resort
            why = "it does not exist or the user may not use it"
            return InvalidResponseError(
                f"the broker refused to open virtual host {self.vhost!r}: {why}", host, port
            )
        if isinstance(exc, amqp_exc.IncompatibleProtocolError):
            return InvalidResponseError(f"not an AMQP 0-9-1 broker? {text}", host, port)
        if isinstance(exc, amqp_exc.AMQPError):
            return InvalidResponseError(f"not an AMQP 0-9-1 broker? {type(exc).__name__}: {text}", host, port)
        return os_error(exc, host, port)
