"""NATS over nats-py: connect (INFO, CONNECT), ``flush()`` (a PING/PONG round trip), close; and the one
mapping of nats-py's exceptions to the error tree (:meth:`Nats.error`).

Credentials come from the first ``nats://`` / ``tls://`` URL the doc names as an environment variable
(its value in ``ctx.env``): ``nats://user:password@host`` logs in with user and password,
``nats://token@host`` with a token. The doc's example URL is never used. TLS: ``tls://`` targets or a
doc that says TLS.

nats-py is made to fail once and quietly: no reconnects, no wait between its (at most two) attempts at
the TCP connect, and no-op callbacks so that nothing is printed; the errors it reports to its error
callback are kept, because a failed initial connect only raises ``NoServersError``.

Mapping: by type first (``AuthorizationError``, its timeouts, a socket error, ``ProtocolError``). During
the initial connect nats-py raises a plain ``nats.errors.Error("nats: <the server's -ERR>")``: the NATS
protocol's error identifiers are strings ('Authorization Violation', 'Authentication Timeout', 'User
Authentication Expired'), so those are matched in its text, as is nats-py's "expecting INFO message"
(the peer did not greet as a NATS server): the last resort, nats-py gives nothing else.
"""

from __future__ import annotations

import math
import ssl
from typing import TYPE_CHECKING, Any

from ..secrets import redact
from ._errors import AuthError, DeadlineError, DestinationError, InvalidResponseError, os_error, root_cause
from .credentials import credentials

if TYPE_CHECKING:
    from ..probes._base import ProbeContext

__all__ = ["DEFAULT_PORT", "SCHEMES", "Nats"]

DEFAULT_PORT = 4222
SCHEMES = ("nats", "tls")
_AUTH_ERRORS = ("authorization violation", "authentication")  # 'Authentication Timeout', '... Expired'


class Nats:
    """One client's options; :meth:`connect` connects a ``nats.aio.client.Client``, :meth:`error` types
    what fails."""

    def __init__(self, ctx: ProbeContext, name: str) -> None:
        creds = credentials(ctx, SCHEMES)
        self.tls = (ctx.target.scheme or "").lower() == "tls" or ctx.integration.tls
        self.host = ctx.target.host
        self.port = ctx.target.port or DEFAULT_PORT
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.server = f"{'tls' if self.tls else 'nats'}://{shown}:{self.port}"
        self._name = name
        self._creds = creds
        self._secret = creds.password if creds.password is not None else creds.username
        if creds.username and creds.password is not None:
            how = f"user and password of {creds.origin}" if creds.source else "a user and password"
        elif creds.username:
            how = "a token"
        else:
            how = "no credentials"
        self.who = how + (f" (from {creds.origin})" if creds.source and "$" not in how else "")
        self.note = creds.unset_note("user")  # the doc's connection URL not set here: said on success
        # nats-py wants whole seconds; the caller's asyncio deadline is the real bound.
        self.seconds = max(1, math.ceil(ctx.timeout_s))
        self.reported: list[BaseException] = []

    def client(self) -> Any:
        """An unconnected client (ImportError without the driver)."""
        from nats import errors  # noqa: F401 - the mapping's; ``nats`` itself may be missing
        from nats.aio.client import Client

        return Client()

    async def connect(self, nc: Any) -> None:
        """INFO, CONNECT (and TLS when asked); a :class:`DestinationError` when it fails."""
        from nats import errors as nerr

        async def on_error(exc: Exception) -> None:
            self.reported.append(exc)

        async def on_event() -> None:
            return None

        creds = self._creds
        try:
            await nc.connect(
                servers=[self.server],
                name=self._name,
                connect_timeout=self.seconds,
                allow_reconnect=False,
                # 0 would mean "retry this server forever" in the initial connect loop.
                max_reconnect_attempts=1,
                reconnect_time_wait=0,
                error_cb=on_error,
                disconnected_cb=on_event,
                closed_cb=on_event,
                reconnected_cb=on_event,
                tls=ssl.create_default_context() if self.tls else None,
                tls_hostname=self.host if self.tls else None,
                user=creds.username if creds.password is not None else None,
                password=creds.password,
                token=creds.username if creds.username and creds.password is None else None,
            )
        except Exception as exc:
            # NoServersError says nothing: the last error nats-py reported is the reason.
            cause = self.reported[-1] if isinstance(exc, nerr.NoServersError) and self.reported else exc
            raise self.error(cause) from exc

    async def flush(self, nc: Any) -> None:
        try:
            await nc.flush(timeout=self.seconds)
        except Exception as exc:
            raise self.error(exc) from exc

    def error(self, exc: BaseException) -> DestinationError:
        """The one mapping (see the module's docstring), the secret masked, the credentials named for auth."""
        err = self._map(exc)
        detail = redact(err.detail, self._secret) if self._secret else err.detail
        if isinstance(err, AuthError):
            detail += f" (with {self.who})"
        return err if detail == err.detail else type(err)(detail, self.host, self.port)

    def _map(self, exc: BaseException) -> DestinationError:
        from nats import errors as nerr

        host, port = self.host, self.port
        text = str(exc) or type(exc).__name__
        lowered = text.lower()
        if isinstance(exc, DestinationError):
            return exc
        if isinstance(exc, nerr.AuthorizationError):
            return AuthError("nats: authorization violation", host, port)
        if isinstance(exc, nerr.Error) and any(e in lowered for e in _AUTH_ERRORS):  # the last resort
            if "authorization violation" in lowered:
                return AuthError("nats: authorization violation", host, port)
            return AuthError(text, host, port)
        if isinstance(exc, TimeoutError | nerr.TimeoutError | nerr.FlushTimeoutError):
            return DeadlineError(f"no answer before the deadline ({text})", host, port)
        root = root_cause(exc)
        if root is not None:
            return os_error(root, host, port)
        if isinstance(exc, nerr.ProtocolError) or (isinstance(exc, nerr.Error) and "INFO" in text):
            return InvalidResponseError(f"not a NATS server? {text}", host, port)
        if isinstance(exc, nerr.Error):
            return InvalidResponseError(text, host, port)
        return InvalidResponseError(f"{type(exc).__name__}: {text}", host, port)
