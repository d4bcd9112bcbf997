"""What the operations driven by callbacks share (:mod:`.redis`, :mod:`.postgresql`): a request started
on the open connection, or on one opened for it in a task; given up at its deadline; awaited as a call.

An operation says how to send its request on the connection it holds (:meth:`CallbackOperation._send`),
whether it holds one (:meth:`~CallbackOperation._connected`), how to let it go
(:meth:`~CallbackOperation._drop`) and what a failed opening is (:meth:`~CallbackOperation._open_error`);
its protocol's callbacks call :meth:`~CallbackOperation._finish` with the request's outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["CallbackOperation"]


class CallbackOperation:
    def __init__(self) -> None:
        self._done: Callable[[Exception | None], None] | None = None  # the request in flight's
        self._task: asyncio.Task[None] | None = None  # a connection being opened for a request
        self.reopens = -1  # connections opened after the first (the engine reports them)

    # -- what each operation says --------------------------------------------------------------------

    async def open(self) -> None:
        raise NotImplementedError

    def _connected(self) -> bool:
        raise NotImplementedError

    def _send(self) -> None:
        raise NotImplementedError

    def _drop(self) -> None:
        raise NotImplementedError

    def _open_error(self, exc: Exception) -> Exception:
        raise NotImplementedError

    def _ready(self) -> Exception | None:
        """Before a request: its per-request state reset, or an error to answer it with at once."""
        return None

    # -- the shared part -----------------------------------------------------------------------------

    async def __call__(self) -> None:
        answered: asyncio.Future[Exception | None] = asyncio.get_running_loop().create_future()

        def done(error: Exception | None) -> None:
            if not answered.done():
                answered.set_result(error)

        self.start(done)
        try:
            error = await answered
        except asyncio.CancelledError:
            self.abort()
            raise
        if error is not None:
            raise error

    def start(self, done: Callable[[Exception | None], None]) -> None:
        """Send the request; ``done(None)`` when answered well, ``done(error)`` otherwise (never after
        :meth:`abort`). A connection to open takes a task of its own; the common case takes none."""
        self._done = done
        if (early := self._ready()) is not None:
            self._finish(early)
        elif not self._connected():
            self._task = asyncio.ensure_future(self._reopened())
        else:
            self._send()

    def abort(self) -> None:
        """Give up the request in flight (its deadline passed): the connection is closed."""
        self._done = None
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._drop()

    async def close(self) -> None:
        self.abort()

    async def _reopened(self) -> None:
        try:
            await self.open()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._task = None
            self._finish(self._open_error(exc))
            return
        self._task = None
        self._send()

    def _finish(self, error: Exception | None) -> None:
        done, self._done = self._done, None
        if done is not None:
            done(error)
