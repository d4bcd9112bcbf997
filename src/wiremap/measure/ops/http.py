"""The HTTP load operation: the request the doc describes (as the HTTP probe derives it), encoded
once and sent on a keep-alive :class:`wiremap.http1.Connection`, reopened when the server closes it.

A status outside the accepted ones (``expect_status``, default any 2xx) is a failure: 401 and 403
as :class:`NotAuthorized` (error kind ``auth``), others as :class:`StatusError` (``protocol``); so is
an accepted answer whose Content-Type says it is not JSON where the doc documents JSON
(:class:`NotJSON`, ``contract``: verify fails it too); every other failure is typed by
:func:`wiremap.protocols.http.error`.
A GET, HEAD or OPTIONS that finds its kept-alive connection closed under it is sent again once on
a new connection, not counted as an error, when the connection had sat idle for a second or more (the
server's idle timeout racing the request); closed sooner, the server dropped the request: a failure
(a server dropping every 5th GET was "errors: none": round 66).
Non-idempotent methods are refused, as the probe refuses them, unless the target is loopback, chosen
by the user, or ``--allow-writes`` is given.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from ... import http1
from ..._errors import ConfigError
from ...probes._base import ProbeContext
from ...probes.http import PreparedRequest, prepare_request, write_refusal
from ...protocols import http as http_protocol
from ...protocols.http import NotAuthorized, NotJSON, StatusError

__all__ = ["HTTPOperation", "NotAuthorized", "StatusError", "factory"]

_RETRYABLE = frozenset({"GET", "HEAD", "OPTIONS"})
# a kept-alive connection idle this long may have met the server's idle timeout: a failed request is resent
STALE_IDLE_S = 1.0


class HTTPOperation:
    """One keep-alive connection sending one pre-encoded request, over and over: awaited (``await
    op()``), or driven by the load engine's callbacks (:meth:`start`: no future, no task per request;
    the operation is its own response :class:`~wiremap.http1.Waiter`)."""

    __slots__ = (
        "_answered_at",
        "_conn",
        "_data",
        "_done",
        "_fresh",
        "_head",
        "_json",
        "_passed",
        "_retry",
        "_reused",
        "_task",
        "reopens",
        "req",
    )

    def __init__(self, req: PreparedRequest) -> None:
        self.req = req
        self._conn: http1.Connection | None = None
        self._fresh = False  # opened, no response yet (``reusable`` is known only after one)
        self._head = req.method == "HEAD"
        self._retry = req.method in _RETRYABLE
        # the doc documents a JSON answer: a body declared as something else (a maintenance page with
        # 200) is not a success; one header read per response, the body never parsed
        self._json = req.documented is not None and not self._head
        self._done: Callable[[Exception | None], None] | None = None  # the request in flight's
        self._reused = False
        self._task: asyncio.Task[None] | None = None  # the awaited path, when a request takes it
        self._passed: http1.Response | None = None  # the last response checked and accepted
        self.reopens = -1  # connections opened after the first (the engine reports them)
        self._answered_at = 0.0  # when the connection last answered (monotonic s)
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
        # only a connection made counts: a port nothing listened on said "20 reopened: the server closed
        # them" of connections never open (round 67)
        self.reopens += 1

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
                if not (reused and self._retry and self._idle_long()):
                    raise
                await self.open()
                assert self._conn is not None
                self._fresh = False
                response = await self._conn.roundtrip(self._data, head=self._head)
        except (OSError, http1.ProtocolError) as exc:
            raise http_protocol.error(exc, req.host, req.port) from exc
        self._answered_at = time.monotonic()
        self._check(response)

    def _idle_long(self) -> bool:
        """The kept-alive connection sat idle long enough for a server's idle timeout to close it."""
        return time.monotonic() - self._answered_at >= STALE_IDLE_S

    def _check(self, response: http1.Response) -> None:
        req = self.req
        status = response.status
        if not req.accepts(status):
            if status in (401, 403):
                raise NotAuthorized(status, req.expected_text, req.host, req.port)
            raise StatusError(status, req.expected_text, req.host, req.port)
        if self._json and response.body:
            declared = response.headers.get("content-type")
            if declared is not None and "json" not in declared.lower():
                raise NotJSON(declared, req.host, req.port)

    # -- driven by callbacks (the load engine's wire path) -----------------------------------------

    def start(self, done: Callable[[Exception | None], None]) -> None:
        """Send the request; ``done(None)`` or ``done(error)`` once it is answered or failed (never
        called after :meth:`abort`). A connection to open, or a stale kept-alive one to retry on,
        takes the awaited path in a task of its own; the common case takes none."""
        conn = self._conn
        if conn is None or conn.closed or not (self._fresh or conn.reusable):
            self._task = asyncio.ensure_future(self._awaited(done))
            return
        self._reused, self._fresh = not self._fresh, False
        self._done = done
        conn.start(self._data, self, head=self._head, lean=True)

    def abort(self) -> None:
        """Give up the request in flight (its deadline passed): the connection is closed."""
        self._done = None
        if self._task is not None:
            self._task.cancel()
            self._task = None
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    async def _awaited(self, done: Callable[[Exception | None], None]) -> None:
        self._done = done
        try:
            await self()
        except asyncio.CancelledError:
            raise  # aborted: the engine counted it
        except Exception as exc:
            self._task = None
            self._finish(exc)
        else:
            self._task = None
            self._finish(None)

    def _finish(self, error: Exception | None) -> None:
        done, self._done = self._done, None
        if done is not None:
            done(error)

    def done(self) -> bool:  # the Waiter the connection answers to
        return self._done is None

    def set_result(self, response: http1.Response, /) -> None:
        if response is self._passed:  # the connection read the same bytes again (the parser's repeat)
            self._finish(None)
            return
        self._answered_at = time.monotonic()
        try:
            self._check(response)
        except Exception as exc:
            self._finish(exc)
        else:
            self._passed = response
            self._finish(None)

    def set_exception(self, exc: BaseException, /) -> None:
        if (
            self._reused
            and self._retry
            and isinstance(exc, http1.IncompleteResponse | ConnectionError)
            and self._idle_long()
        ):
            done, self._done = self._done, None  # the server's idle timeout raced the request: once more
            if done is not None:
                self._fresh = False
                self._task = asyncio.ensure_future(self._awaited(done))
            return
        req = self.req
        if isinstance(exc, OSError | http1.ProtocolError):
            self._finish(http_protocol.error(exc, req.host, req.port))
        else:
            self._finish(exc if isinstance(exc, Exception) else ConnectionError(repr(exc)))

    async def close(self) -> None:
        self.abort()  # nothing in flight is answered any more, the connection closed


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
