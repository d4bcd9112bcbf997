"""The HTTP load operation: the request the doc describes (as the HTTP probe derives it), encoded
once and sent on a keep-alive :class:`wiremap.http1.Connection`, reopened when the server closes it.

A status outside the accepted ones (``expect_status``, default any 2xx) is a failure: 401 and 403
as :class:`NotAuthorized` (error kind ``auth``), others as :class:`StatusError` (``protocol``); so is
an accepted answer whose Content-Type says it is not JSON where the doc documents JSON
(:class:`NotJSON`, ``contract``: verify fails it too); every other failure is typed by
:func:`wiremap.protocols.http.error`.
A GET, HEAD or OPTIONS that finds its kept-alive connection closed under it is sent again once on
a new connection (the server's idle timeout racing the request), not counted as an error.
Non-idempotent methods are refused, as the probe refuses them, unless the target is loopback, chosen
by the user, or ``--allow-writes`` is given.
"""

from __future__ import annotations

from ... import http1
from ..._errors import ConfigError
from ...probes._base import ProbeContext
from ...probes.http import PreparedRequest, prepare_request, write_refusal
from ...protocols import http as http_protocol
from ...protocols.http import NotAuthorized, NotJSON, StatusError

__all__ = ["HTTPOperation", "NotAuthorized", "StatusError", "factory"]

_RETRYABLE = frozenset({"GET", "HEAD", "OPTIONS"})


class HTTPOperation:
    """One keep-alive connection sending one pre-encoded request, over and over."""

    __slots__ = ("_conn", "_data", "_fresh", "_head", "_json", "_retry", "req")

    def __init__(self, req: PreparedRequest) -> None:
        self.req = req
        self._conn: http1.Connection | None = None
        self._fresh = False  # opened, no response yet (``reusable`` is known only after one)
        self._head = req.method == "HEAD"
        self._retry = req.method in _RETRYABLE
        # the doc documents a JSON answer: a body declared as something else (a maintenance page with
        # 200) is not a success; one header read per response, the body never parsed
        self._json = req.documented is not None and not self._head
        self._data = http1.encode_request(
            req.method,
            req.host,
            req.port,
            req.path,
            req.headers,
            req.body,
            default_port=443 if req.https else 80,
        )

    async def open(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._conn = await http_protocol.connect(self.req.host, self.req.port, ssl=self.req.ssl)
        self._fresh = True

    async def __call__(self) -> None:
        req = self.req
        try:
            conn = self._conn
            if conn is None or conn.closed or not (self._fresh or conn.reusable):
                await self.open()
                conn = self._conn
                assert conn is not None
            reused, self._fresh = not self._fresh, False
            try:
                response = await conn.roundtrip(self._data, head=self._head)
            except (http1.IncompleteResponse, ConnectionError):
                # A kept-alive connection the server closed just as the request went out (its idle
                # timeout): an idempotent request is sent again once, on a new connection, as HTTP
                # clients do (RFC 9112 section 9.3.1). The time it takes counts in the latency.
                if not (reused and self._retry):
                    raise
                await self.open()
                assert self._conn is not None
                self._fresh = False
                response = await self._conn.roundtrip(self._data, head=self._head)
        except (OSError, http1.ProtocolError) as exc:
            raise http_protocol.error(exc, req.host, req.port) from exc
        status = response.status
        if not req.accepts(status):
            if status in (401, 403):
                raise NotAuthorized(status, req.expected_text, req.host, req.port)
            raise StatusError(status, req.expected_text, req.host, req.port)
        if self._json and response.body:
            declared = response.headers.get("content-type")
            if declared is not None and "json" not in declared.lower():
                raise NotJSON(declared, req.host, req.port)

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def factory(ctx: ProbeContext) -> HTTPOperation:
    """An operation for the doc's request. ConfigError for a bad setting, a request that cannot be
    encoded, or a write method to a target it must not be sent to."""
    req = prepare_request(ctx)
    refusal = write_refusal(ctx, req.method)
    if refusal is not None:
        raise ConfigError(refusal)
    try:
        return HTTPOperation(req)
    except ValueError as exc:  # a header value with a newline, a method that is not a token
        raise ConfigError(f"cannot build the request: {exc}") from exc
