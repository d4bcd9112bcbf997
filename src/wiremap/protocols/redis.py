"""Redis over redis-py (asyncio): connection options, connect, ``PING``, and the one mapping of redis-py's
exceptions to the error tree (:meth:`Redis.error`).

Username, password and database number come from the first ``redis://`` / ``rediss://`` URL the doc
names as an environment variable (its value in ``ctx.env``); the doc's example URL is never used. RESP2
(``AUTH [user] password``), not redis-py's RESP3 default: RESP2 works with every Redis-compatible server,
and ``HELLO 3 AUTH default <password>`` is silently accepted by a server without a password, which would
hide a wrong configuration. TLS: ``rediss://`` targets or a doc that says TLS. redis-py's own retries are
off: one attempt.

Mapping, by type only: redis-py turns the server's error replies into classes (``WRONGPASS``,
``NOAUTH``, ``AUTH ... called without any password``: ``AuthenticationError`` and its kin), wraps socket
errors with the original as cause (``ConnectionError`` from ``gaierror``), and has its own
``TimeoutError`` and ``InvalidResponse``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..secrets import redact
from ._errors import (
    AnsweredError,
    AuthError,
    DeadlineError,
    DestinationError,
    InvalidResponseError,
    TLSError,
    os_error,
    root_cause,
)
from .credentials import credentials

if TYPE_CHECKING:
    from ..probes._base import ProbeContext

__all__ = ["DEFAULT_PORT", "DEFAULT_TLS_PORT", "SCHEMES", "BadDatabase", "Redis"]

DEFAULT_PORT = 6379
DEFAULT_TLS_PORT = 6380
SCHEMES = ("redis", "rediss")


class BadDatabase(ValueError):
    """The URL's database is not a number (a configuration problem: nothing was sent)."""


class Redis:
    """One client's options; :meth:`client` makes it, :meth:`error` types what fails."""

    def __init__(self, ctx: ProbeContext, client_name: str) -> None:
        creds = credentials(ctx, SCHEMES)
        tls = (ctx.target.scheme or "").lower() == "rediss" or ctx.integration.tls
        self.db = 0
        if creds.database:
            try:
                self.db = int(creds.database)
            except ValueError:
                message = f"{creds.origin} names database {creds.database!r}: Redis databases are numbers"
                raise BadDatabase(message) from None
        self.host = ctx.target.host
        self.port = ctx.target.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT)
        self.who = f" (credentials from {creds.origin})" if creds.source else ""
        self.note = creds.unset_note()  # the doc's connection URL not set here: said on success
        self._password = creds.password
        self.options: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "username": creds.username,
            "password": creds.password,
            "db": self.db,
            "socket_connect_timeout": ctx.timeout_s,
            "socket_timeout": ctx.timeout_s,
            "ssl": tls,
            "protocol": 2,
            "single_connection_client": True,
            "client_name": client_name,
        }

    def client(self) -> Any:
        """An unconnected ``redis.asyncio.Redis`` without retries (ImportError without the driver)."""
        from redis.asyncio import Redis as Client
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        return Client(retry=Retry(NoBackoff(), 0), **self.options)

    async def connect(self, client: Any) -> None:
        """TCP, TLS, AUTH, SELECT; a :class:`DestinationError` when one fails."""
        try:
            await client.initialize()
        except Exception as exc:
            raise self.error(exc) from exc

    def error(self, exc: BaseException) -> DestinationError:
        """The one mapping (see the module's docstring), the password masked."""
        err = self._map(exc)
        detail = err.detail
        if self._password:
            detail = redact(detail, self._password)
        if isinstance(err, AuthError):
            detail += self.who
        return err if detail == err.detail else type(err)(detail, self.host, self.port)

    def _map(self, exc: BaseException) -> DestinationError:
        from redis import exceptions as rex

        host, port = self.host, self.port
        text = str(exc) or type(exc).__name__
        if isinstance(exc, DestinationError):
            return exc
        if isinstance(exc, rex.AuthenticationError | rex.AuthenticationWrongNumberOfArgsError):
            return AuthError(text, host, port)
        if isinstance(exc, TimeoutError | rex.TimeoutError):
            if self.options["ssl"] and "connecting" in text.lower():
                # a plaintext port takes the TLS hello and never answers it ("Redis over TLS" against a
                # plain 6379 was a timeout, where MQTT says TLS: round 56)
                said = f"no TLS handshake before the deadline ({text}): does the port speak TLS?"
                return TLSError(said, host, port)
            return DeadlineError(f"no answer before the deadline ({text})", host, port)
        root = root_cause(exc)
        if root is not None:
            return os_error(root, host, port)
        if isinstance(exc, rex.InvalidResponse):
            return InvalidResponseError(f"not a Redis server? {text}", host, port)
        if isinstance(exc, rex.ResponseError):
            return AnsweredError(f"server error: {text}", host, port)  # an error reply: the connection holds
        # "Connection closed by server." before any reply: whatever listens there does not speak RESP
        if isinstance(exc, rex.ConnectionError) and "closed" in text.lower():
            return InvalidResponseError(
                f"not a Redis server? it closed the connection without a Redis reply ({text})", host, port
            )
        return InvalidResponseError(f"{type(exc).__name__}: {text}", host, port)
