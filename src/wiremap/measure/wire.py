"""The engine's callback path: the same open model as :mod:`.engine`, with no task, no future and no
timer per request, for the operations that can be driven by callbacks (:class:`WireOperation`).

The awaited path hands each request to a worker task through a future and wraps it in its own
``asyncio.timeout`` (a timer handle pushed and cancelled per request): most of its ~300 µs of client
CPU per request went there, not to the bytes (issue 14, ``bench/measure_vs_wrk.py``). Here a
connection is a *slot*: the scheduler starts a request on an idle slot (``op.start(done)``, which
writes the pre-encoded bytes), the response's own ``data_received`` calls ``done``, and the slot
takes the next request waiting, if any, in the same callback. Deadlines are one sweep every few
milliseconds over the slots and the queue, not a timer each. What is measured, and how, is the
awaited path's (:class:`.engine.Run`): intended send times, corrected latency, service time, send
lateness, errors per kind, the early stop, progress.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from ._base import Operation, WireOperation
from .engine import QueueTimeout, Run, _now

__all__ = ["SWEEP_S", "WireRun", "can_wire"]

SWEEP_S: Final = 0.005  # how often deadlines are looked at (a timeout is late by at most this)


def can_wire(ops: list[Operation]) -> bool:
    """Every operation can be driven by callbacks."""
    return all(callable(getattr(op, "start", None)) and callable(getattr(op, "abort", None)) for op in ops)


class _Slot:
    """One connection of the run and the request on it."""

    __slots__ = ("busy", "done", "intended", "op", "send")

    def __init__(self, run: WireRun, op: WireOperation) -> None:
        self.op = op
        self.busy = False
        self.intended = 0
        self.send = 0

        def done(error: Exception | None) -> None:
            run.finished(self, error)

        self.done = done


class WireRun(Run):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.slots = [_Slot(self, op) for op in self.ops]  # type: ignore[arg-type]
        self.free: list[_Slot] = []  # idle slots (a stack: the warmest connection first)
        self.drained: asyncio.Future[None] | None = None

    async def _start_workers(self, opened: list[bool]) -> list[asyncio.Task[None]]:
        self.free = list(reversed(self.slots))
        self.drained = asyncio.get_running_loop().create_future()
        return [asyncio.ensure_future(self._sweep())]

    async def _drain(self, workers: list[asyncio.Task[None]], stop_task: asyncio.Future[Any] | None) -> bool:
        """Wait for the requests in flight and queued (each has its deadline, the sweep enforces it)."""
        assert self.drained is not None
        self.closing = True
        self._settled()
        return await self._race(self.drained, stop_task, timeout=self.plan.timeout_s + 1.0)

    async def _stop_workers(self, workers: list[asyncio.Task[None]]) -> None:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        for slot in self.slots:
            if slot.busy:  # abandoned: the run stopped (Ctrl-C, the error rate) with it in flight
                slot.busy = False
                slot.op.abort()

    # -- requests --------------------------------------------------------------------------------

    def _dispatch(self, intended: int) -> None:
        if self.free:
            self._go(self.free.pop(), intended)
        else:
            if intended >= self.measure_start:
                self.queued += 1
            self.pending.append(intended)
            self._grow()

    def _add(self, op: Operation, opened: bool) -> None:
        slot = _Slot(self, op)  # type: ignore[arg-type]
        self.slots.append(slot)
        if self.pending:
            self._go(slot, self.pending.popleft())
        else:
            self.free.append(slot)

    def _go(self, slot: _Slot, intended: int) -> None:
        """Start ``intended`` on ``slot``, or (its deadline gone while it queued) count it as a
        timeout and take the next one waiting."""
        timeout_ns = self.timeout_ns
        pending = self.pending
        while True:
            send = _now()
            if intended + timeout_ns > send:
                slot.intended, slot.send, slot.busy = intended, send, True
                self.in_flight += 1
                self.last_send = send
                try:
                    slot.op.start(slot.done)
                except Exception as exc:  # a bug or a closed connection: this request's failure
                    self.finished(slot, exc)
                return
            self._account(intended, send, send, QueueTimeout())  # not sent: no connection in time
            if not pending:
                self.free.append(slot)
                return
            intended = pending.popleft()

    def finished(self, slot: _Slot, error: Exception | None) -> None:
        """``slot``'s request is answered or failed: count it, then the slot takes the next one."""
        if not slot.busy:
            return  # counted already (its deadline passed and it was aborted)
        slot.busy = False
        self.in_flight -= 1
        self._account(slot.intended, slot.send, _now(), error)
        if self.pending:
            self._go(slot, self.pending.popleft())
        else:
            self.free.append(slot)
            self._settled()

    def _settled(self) -> None:
        """After the schedule: nothing in flight or queued any more, the run may end."""
        drained = self.drained
        idle = self.in_flight == 0 and not self.pending
        if self.closing and idle and drained is not None and not drained.done():
            drained.set_result(None)

    async def _sweep(self) -> None:
        """Every :data:`SWEEP_S`: a request past its deadline is a timeout (its connection closed); a
        queued one past it is a timeout not sent."""
        timeout_ns = self.timeout_ns
        pending = self.pending
        while True:
            await asyncio.sleep(SWEEP_S)
            now = _now()
            for slot in self.slots:
                if slot.busy and slot.intended + timeout_ns <= now:
                    # what the operation knows of it (a TLS hello a plaintext port never answered is
                    # ``tls``, as verify says: measure said ``timeout``: round 64)
                    said = getattr(slot.op, "deadline_error", None)
                    error = said() if callable(said) else None
                    if error is None and self._shortened(now - slot.send):
                        error = QueueTimeout(sent=True)  # the queue used up what its deadline left it
                    slot.op.abort()
                    self.finished(slot, error or TimeoutError())
            while pending and pending[0] + timeout_ns <= now:
                intended = pending.popleft()
                self._account(intended, now, now, QueueTimeout())
            self._settled()
