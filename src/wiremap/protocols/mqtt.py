"""MQTT over aiomqtt (paho-mqtt): CONNECT, wait for a positive CONNACK, DISCONNECT; and the one mapping of
aiomqtt's exceptions to the error tree (:meth:`Mqtt.error`).

Username and password come from the first ``mqtt://`` / ``mqtts://`` URL the doc names as an environment
variable (its value in ``ctx.env``); the doc's example URL is never used. Without one the client connects
anonymously. TLS: ``mqtts://`` targets or a doc that says TLS.

aiomqtt (over paho-mqtt) needs three corrections to fail once, quietly and on time:

* a server that closes the connection before CONNACK (not a broker) would only end aiomqtt's
  wait at its timeout; the wait fails when paho reports the disconnect;
* after a failed connect paho's socket stays open and registered with the event loop, and a socket
  whose TLS handshake failed is not closed at all; :meth:`Mqtt.cleanup` closes both;
* its log records go to a logger of ours with a NullHandler, not to stderr.

Mapping, by type and reason code: ``MqttCodeError`` carries the CONNACK's reason code (4, 5 and their
MQTT 5 counterparts: auth; others: the broker refused); aiomqtt re-raises paho's socket errors and its
own timeout as ``MqttError(str(exc)) from None``, which keeps the original as ``__context__``, where
:func:`wiremap.protocols.root_cause` finds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import ssl
from typing import TYPE_CHECKING, Any

from ..secrets import redact
from ._errors import (
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

__all__ = ["DEFAULT_PORT", "DEFAULT_TLS_PORT", "SCHEMES", "Mqtt"]

DEFAULT_PORT = 1883
DEFAULT_TLS_PORT = 8883
SCHEMES = ("mqtt", "mqtts")

_LOG = logging.getLogger("wiremap.probes.mqtt.client")  # the name users may have configured
_LOG.addHandler(logging.NullHandler())

# CONNACK return codes: MQTT 3.1.1 (4, 5) and the MQTT 5 reason codes paho maps them to.
_AUTH_CODES = frozenset({4, 5, 134, 135, 140})
_CLOSED_EARLY = "the server closed the connection before CONNACK"


class _ClosedBeforeConnack(Exception):
    pass


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


class Mqtt:
    """One client's options; :meth:`client` makes it (with the corrections), :meth:`connect` awaits the
    CONNACK, :meth:`error` types what fails, :meth:`cleanup` closes what paho leaves open."""

    def __init__(self, ctx: ProbeContext, name: str) -> None:
        creds = credentials(ctx, SCHEMES)
        self.tls = (ctx.target.scheme or "").lower() == "mqtts" or ctx.integration.tls
        self.host = ctx.target.host
        self.port = ctx.target.port or (DEFAULT_TLS_PORT if self.tls else DEFAULT_PORT)
        self.who = creds.user_shown("anonymous") if creds.username else "anonymous"
        self.who += f" (from {creds.origin})" if creds.source and not creds.username else ""
        self.note = creds.unset_note("user")  # the doc's connection URL not set here: said on success
        self._creds = creds
        self._name = name
        self._timeout_s = ctx.timeout_s
        self._tls_context: _TrackingContext | None = None
        self._paho: Any = None

    def client(self) -> Any:
        """An unconnected ``aiomqtt.Client`` (ImportError without the driver)."""
        import aiomqtt

        self._tls_context = _tls_context() if self.tls else None
        client = aiomqtt.Client(
            self.host,
            self.port,
            username=self._creds.username,
            password=self._creds.password,
            identifier=f"{self._name}-{secrets.token_hex(4)}",
            clean_session=True,
            timeout=self._timeout_s,
            logger=_LOG,
            tls_context=self._tls_context,
        )
        self._paho = paho = getattr(client, "_client", None)
        if paho is not None:
            with contextlib.suppress(Exception):
                paho.connect_timeout = self._timeout_s  # bounds the blocking connect in aiomqtt's thread
            _fail_wait_on_disconnect(client, paho, asyncio.get_running_loop())
        return client

    async def connect(self, stack: contextlib.AsyncExitStack, client: Any) -> None:
        """CONNECT and a positive CONNACK (the client entered in ``stack``); a :class:`DestinationError`."""
        try:
            await stack.enter_async_context(client)
        except Exception as exc:
            raise self.error(exc) from exc

    def cleanup(self) -> None:
        """Close paho's socket and any TLS socket paho left open."""
        if self._paho is not None:
            _close_socket(self._paho)
        for sock in self._tls_context.sockets if self._tls_context is not None else ():
            with contextlib.suppress(OSError):
                sock.close()

    def error(self, exc: BaseException) -> DestinationError:
        """The one mapping (see the module's docstring), the password masked, the user named for auth."""
        err = self._map(exc)
        password = self._creds.password
        detail = redact(err.detail, password) if password else err.detail
        if isinstance(err, AuthError):
            detail += f" (as {self.who})"
        return err if detail == err.detail else type(err)(detail, self.host, self.port)

    def _map(self, exc: BaseException) -> DestinationError:
        from aiomqtt import MqttCodeError

        host, port, tls = self.host, self.port, self.tls
        if isinstance(exc, DestinationError):
            return exc
        if isinstance(exc, MqttCodeError):
            code = getattr(exc.rc, "value", exc.rc)
            reason = str(exc.rc) if exc.rc is not None else str(exc)
            if code in _AUTH_CODES:
                return AuthError(f"CONNACK: {reason}", host, port)
            return InvalidResponseError(f"the broker refused the connection: CONNACK {reason}", host, port)
        if isinstance(exc, _ClosedBeforeConnack):
            message = f"{_CLOSED_EARLY} (not an MQTT{' over TLS' if tls else ''} broker?)"
            return TLSError(message, host, port) if tls else InvalidResponseError(message, host, port)
        root = exc if isinstance(exc, TimeoutError) else root_cause(exc)
        if isinstance(root, TimeoutError):  # ours, or aiomqtt's "Operation timed out" over it
            return DeadlineError("no CONNACK before the deadline", host, port)
        if root is not None:
            if tls and isinstance(root, ConnectionResetError | BrokenPipeError):
                return TLSError(f"TLS handshake failed: {root} (does the port speak TLS?)", host, port)
            return os_error(root, host, port)
        text = str(exc) or type(exc).__name__
        return InvalidResponseError(f"{type(exc).__name__}: {text}", host, port)
