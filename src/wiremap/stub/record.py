"""What a stub saw: one :class:`Recorded` per attempt, kept by a :class:`Recorder`.

The recorder is shared by the stub's event loop and whoever reads it (the CLI, a test, the pytest plugin
in another thread): every method takes one lock, and :meth:`Recorder.wait_for` blocks on a condition
(:meth:`Recorder.wait_for_async` from a coroutine). A refused attempt reaches no stub and is not recorded.

Timing: :attr:`Recorded.ts` is wall-clock time for people and ``--record`` files; most servers stamp an
attempt as it arrives, but some record it once answered (a WebSocket handshake, the second command of a
connection) and the TCP stub and the proxy append it when the connection ends, so neither the order of
:attr:`Recorder.items` nor ``ts`` is the time an attempt began. :meth:`Recorder.starts` is: the
``time.monotonic()`` at which :meth:`StubContext.next_attempt` numbered each attempt, before any fault,
on the clock the SYN counter (:mod:`wiremap.faults.syns`) uses for refused attempts.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

__all__ = ["Recorded", "Recorder"]


@dataclass(frozen=True, slots=True)
class Recorded:
    """One attempt at the stub: an HTTP request, a gRPC call, a command, a message, or a connection."""

    ts: float  # time.time(), when the attempt arrived or was answered (see the module doc)
    attempt: int  # 1, 2, 3 … (StubContext.next_attempt)
    connection: int  # 1, 2, 3 … (StubContext.next_connection): keep-alive requests share one
    peer: str  # "127.0.0.1:54321"
    bytes_in: int
    bytes_out: int
    request: dict[str, Any] = field(default_factory=dict)  # {"method": "GET", "path": "/x", …}
    fault: str | None = None  # str(Fault) applied, None: answered as documented

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line for the terminal: ``#3 conn 2 127.0.0.1:5123 GET /v1/x -> 503 [first:…]``."""
        r = self.request
        keys = ("method", "path", "command", "call", "message")
        what = " ".join(str(r[k]) for k in keys if r.get(k) is not None)
        result = f" -> {r['status']}" if r.get("status") is not None else ""
        fault = f" fault={self.fault}" if self.fault else ""
        return (
            f"#{self.attempt} conn {self.connection} {self.peer} {what or '(connection)'}{result}"
            f" in={self.bytes_in} out={self.bytes_out}{fault}"
        )


class Recorder:
    """Every :class:`Recorded`, in arrival order; optionally written as JSON lines to ``sink`` and
    passed to ``on_record`` (the CLI prints each one) as it arrives."""

    def __init__(
        self,
        sink: TextIO | None = None,
        on_record: Callable[[Recorded], None] | None = None,
    ) -> None:
        self._items: list[Recorded] = []
        self._starts: dict[int, float] = {}  # attempt number -> time.monotonic() it began
        self._cond = threading.Condition()
        self._sink = sink
        self._on_record = on_record

    def append(self, item: Recorded) -> None:
        with self._cond:
            self._items.append(item)
            if self._sink is not None:
                self._sink.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
                self._sink.flush()
            self._cond.notify_all()
        if self._on_record is not None:
            self._on_record(item)

    def record(
        self,
        *,
        attempt: int,
        connection: int,
        peer: str,
        bytes_in: int,
        bytes_out: int,
        request: dict[str, Any] | None = None,
        fault: object | None = None,
        ts: float | None = None,
    ) -> Recorded:
        """Build a :class:`Recorded` (``fault``: a Fault or None) and :meth:`append` it."""
        item = Recorded(
            ts=time.time() if ts is None else ts,
            attempt=attempt,
            connection=connection,
            peer=peer,
            bytes_in=bytes_in,
            bytes_out=bytes_out,
            request=dict(request or {}),
            fault=None if fault is None else str(fault),
        )
        self.append(item)
        return item

    def started(self, attempt: int, at: float | None = None) -> None:
        """Note that attempt ``attempt`` began at ``at`` (``time.monotonic()``, by default now); the first
        note of an attempt wins. :meth:`StubContext.next_attempt` calls it for every attempt."""
        with self._cond:
            self._starts.setdefault(attempt, time.monotonic() if at is None else at)

    def starts(self) -> list[float]:
        """When each attempt began (``time.monotonic()``), in attempt order: also the attempts not
        recorded yet (one the stub still holds open under ``timeout``)."""
        with self._cond:
            return [self._starts[n] for n in sorted(self._starts)]

    @property
    def items(self) -> list[Recorded]:
        """A copy of what is recorded so far."""
        with self._cond:
            return list(self._items)

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def wait_for(self, n: int, timeout: float = 5.0) -> list[Recorded]:
        """Block until at least ``n`` attempts are recorded, then return them all; TimeoutError after
        ``timeout`` seconds. Not from the stub's own event loop (use :meth:`wait_for_async`)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._items) >= n, timeout):
                raise TimeoutError(f"{len(self._items)} of {n} requests recorded after {timeout:g} s")
            return list(self._items)

    async def wait_for_async(self, n: int, timeout: float = 5.0) -> list[Recorded]:
        """:meth:`wait_for` for a coroutine on the stub's loop: polls, never blocks the loop."""
        deadline = time.monotonic() + timeout
        while True:
            items = self.items
            if len(items) >= n:
                return items
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{len(items)} of {n} requests recorded after {timeout:g} s")
            await asyncio.sleep(0.01)

    def clear(self) -> None:
        with self._cond:
            self._items.clear()
            self._starts.clear()

    def to_jsonl(self) -> str:
        """Everything recorded, one JSON object a line."""
        return "".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in self.items)
