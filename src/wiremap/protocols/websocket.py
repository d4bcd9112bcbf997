"""WebSocket (``websockets``): the target's URL, the opening handshake (:func:`connect`) and the one
mapping of the driver's exceptions to the error tree.

``Authorization: Bearer $TOKEN`` in the doc's Connection String is sent as a header when ``$TOKEN`` is
set in the environment (the credential comes from the environment, never from the doc). TLS settings:
``ca_bundle``, ``client_cert``, ``client_key`` (file paths). Redirects are not followed: a 3xx is the
destination's answer.

Mapping, by type: ``InvalidStatus`` 401/403 -> :class:`AuthError`, other statuses and
``InvalidMessage``/``InvalidURI`` -> :class:`InvalidResponseError`; a reset or EOF during a ``wss://``
handshake -> :class:`TLSError` (a plaintext server that read a ClientHello); ``ConnectionClosed`` during
an exchange -> :class:`InvalidResponseError` with its close code; the rest through
:func:`wiremap.protocols.os_error`.
"""

from __future__ import annotations

import functools
import os
import re
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ._errors import (
    AuthError,
    ConnectDeadlineError,
    DestinationError,
    InvalidResponseError,
    RefusedError,
    TLSError,
    os_error,
)

if TYPE_CHECKING:
    from ..probes._base import ProbeContext

__all__ = ["Endpoint", "auth_header", "display", "no_redirect_connect", "ssl_context", "url"]

_WS_SCHEMES = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_METHOD_PATH = re.compile(r"^[A-Z]+\s+(\S+)")
_AUTH_HEADER = re.compile(r"\bAuthorization:\s*([A-Za-z][\w-]*)\s+\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def url(ctx: ProbeContext) -> str:
    """The target's ws(s) URL; else the doc's ws endpoint on the target's host:port; else ``ws://host:port/``."""
    target, integ = ctx.target, ctx.integration
    scheme = _WS_SCHEMES.get((target.scheme or "").lower())
    if scheme == "ws" and integ.tls and not target.explicit:
        # the doc says WSS and its Endpoint ws://: the doc's TLS holds (a plaintext server passed, where
        # NATS in the same case fails on TLS: round 56); a runner's own ws:// target is its choice
        scheme = "wss"
    if target.url and scheme and (parts := urlsplit(target.url)).path:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    # a ws(s) target without a path keeps the documented one, as HTTP does (it probed "/": round 47)
    endpoint = (integ.endpoint or "").strip()
    m = _METHOD_PATH.match(endpoint)
    endpoint = m.group(1) if m else endpoint
    path = target.path or "/"
    if _URL.match(endpoint):
        parts = urlsplit(endpoint)
        scheme = scheme or _WS_SCHEMES.get(parts.scheme.lower())
        if scheme == "ws" and integ.tls and not target.explicit:
            scheme = "wss"
        path = target.path or (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    elif endpoint.startswith("/") and not target.path:
        path = endpoint
    if scheme is None:
        scheme = "wss" if integ.tls else "ws"
    return f"{scheme}://{target.hostport}{path if path.startswith('/') else '/' + path}"


def display(address: str) -> str:
    """The URL for messages: no user info, no query (either may hold a credential)."""
    parts = urlsplit(address)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def auth_header(ctx: ProbeContext) -> tuple[dict[str, str], str | None]:
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


def ssl_context(settings: Mapping[str, Any]) -> ssl.SSLContext:
    """Default verification, or the ``ca_bundle``; plus a client certificate when ``client_cert`` is set."""
    ca = settings.get("ca_bundle")
    context = ssl.create_default_context(cafile=os.path.expanduser(str(ca)) if ca else None)
    cert, key = settings.get("client_cert"), settings.get("client_key")
    if cert:
        context.load_cert_chain(os.path.expanduser(str(cert)), os.path.expanduser(str(key)) if key else None)
    return context


@functools.cache
def no_redirect_connect() -> Any:
    """websockets' ``connect`` that never follows a redirect: a 3xx is the destination's answer (an
    ``HTTP 302`` failure), and the host it points at was chosen neither by the doc nor by the runner."""
    from websockets.asyncio.client import connect

    class NoRedirect(connect):
        def process_redirect(self, exc: Exception) -> Exception | str:
            return exc

    return NoRedirect


class Endpoint:
    """Where and how to open the connection: :meth:`connect`, then :meth:`closed` for a
    ``ConnectionClosed`` met on it."""

    def __init__(
        self,
        address: str,
        *,
        headers: Mapping[str, str] | None = None,
        unset: str | None = None,
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.url = address
        self.shown = display(address)
        parts = urlsplit(self.shown)
        self.host = parts.hostname or ""
        try:
            self.port: int | None = parts.port or (443 if parts.scheme == "wss" else 80)
        except ValueError:
            self.port = None
        self.secure = address.startswith("wss://")
        self._headers = dict(headers or {})
        self._unset = unset
        self._ssl = context

    async def connect(self, timeout_s: float, close_timeout: float) -> Any:
        """The opened connection (ImportError without the driver); a :class:`DestinationError` else."""
        from websockets.exceptions import InvalidMessage, InvalidStatus, InvalidURI

        kwargs: dict[str, Any] = {"ssl": self._ssl} if self._ssl is not None else {}
        try:
            return await no_redirect_connect()(
                self.url,
                additional_headers=self._headers or None,
                open_timeout=timeout_s,
                close_timeout=close_timeout,
                ping_interval=None,
                **kwargs,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                hint = f" (${self._unset} is not set)" if self._unset else ""
                raise AuthError(
                    f"handshake with {self.shown} rejected: HTTP {status}{hint}", self.host, self.port
                ) from exc
            message = f"handshake with {self.shown} rejected: HTTP {status}"
            raise InvalidResponseError(message, self.host, self.port) from exc
        except InvalidURI as exc:
            raise InvalidResponseError(f"not a WebSocket URL: {exc}", self.host, self.port) from exc
        except InvalidMessage as exc:
            cause = str(exc.__cause__ or "")
            if "HTTP/" in cause:  # the peer spoke HTTP, not one wiremap can upgrade: "HTTP/1.0 404 …"
                hint = f" ({cause})"
            else:
                hint = "" if self.secure else " (a TLS-only port? the URL is ws://)"
            message = f"handshake with {self.shown} failed: {exc}{hint}"
            raise InvalidResponseError(message, self.host, self.port) from exc
        except Exception as exc:
            raise self._error(exc, timeout_s) from exc

    def _plaintext(self) -> TLSError:
        # a reset before the HTTP upgrade is a reset of the TLS handshake: typically a plaintext server
        # that read a ClientHello
        message = "TLS handshake failed: the server closed the connection (not a TLS port?)"
        return TLSError(message, self.host, self.port)

    def _error(self, exc: BaseException, timeout_s: float) -> DestinationError:
        if isinstance(exc, TimeoutError):
            return ConnectDeadlineError(
                f"no handshake with {self.shown} within {timeout_s:g} s", self.host, self.port
            )
        if self.secure and isinstance(
            exc, ConnectionResetError | ConnectionAbortedError | BrokenPipeError | EOFError
        ):
            return self._plaintext()
        err = os_error(exc, self.host, self.port)
        if isinstance(err, RefusedError):
            return RefusedError(f"connection to {urlsplit(self.shown).netloc} refused", self.host, self.port)
        return err

    def closed(self, exc: BaseException) -> InvalidResponseError:
        """A ``ConnectionClosed`` met in an exchange: the peer closed (its close code, when it sent one)."""
        received: Any = getattr(exc, "rcvd", None)
        code = f" (close code {received.code})" if received is not None else ""
        return InvalidResponseError(
            f"{urlsplit(self.shown).netloc} closed the connection{code}", self.host, self.port
        )
