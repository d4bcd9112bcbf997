"""The load engine: constant-rate (open model) requests over keep-alive connections, latency counted
from each request's intended send time (coordinated omission corrected, as wrk2 does).

Request ``i`` is *intended* at ``t0 + i / rate`` whatever happened to the ones before it. One
scheduler task hands each request, at its intended time, to one of ``plan.connections`` worker
tasks (one per :class:`Operation`, each opened up front and doing one request at a time). When every
connection is busy the request waits in a backlog for the first one free; the wait counts in its
latency. Per request the engine records, in HdrHistograms:

- latency (corrected): completion − intended send time (successes only)
- service time (uncorrected): completion − actual send time (successes only)
- send lateness: actual send − intended send time (every request of the measured period)

A request's deadline is its intended time + ``plan.timeout_s``: one still in the backlog at its
deadline is not sent at all, and both count as ``timeout`` errors. A failed operation is closed and
reopened (inside the next request's deadline) by the next request on that connection.

Timers: uvloop's timers count whole milliseconds (and fire up to one early or late) and the stock
loop rounds its poll timeout up to the next millisecond, so the scheduler sleeps until
:data:`SPIN_UVLOOP_S` (uvloop; the sleep rounded down to whole milliseconds) or
:data:`SPIN_ASYNCIO_S` before the intended time and then spins (a callback rescheduled every loop
iteration, so responses keep being handled) up to it. At rates above ~1,000/s that means one core busy. The
remaining lateness (OS scheduling, a busy loop) is reported, not hidden. It also busy-yields for the
first :data:`HOT_S` after a send while that request is in flight: an answer that comes within it is
read as it lands, so a fast service's latency at a low rate does not include this process waking up
(at 100 req/s on one connection to a local nginx: p50 190 µs sleeping, 135 µs so; a plain blocking
socket spinning the same way measures 145 µs, the rest is the server's own wake-up).
"""

from __future__ import annotations

import asyncio
import math
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Final

from ..probes._base import ProbeContext
from ..protocols import AnsweredError, describe
from ._base import ErrorCount, LoadPlan, MeasureResult, Operation, OperationFactory, Progress
from .histogram import Histogram

__all__ = [
    "MIN_REQUESTS_FOR_ERROR_STOP",
    "PROGRESS_INTERVAL_S",
    "SPIN_ASYNCIO_S",
    "SPIN_UVLOOP_S",
    "Run",
    "make_run",
    "run_load",
]

SPIN_UVLOOP_S: Final = 0.001  # busy-yield for the last millisecond before an intended send time
SPIN_ASYNCIO_S: Final = 0.0015  # the stock loop's timeouts are rounded up to whole milliseconds
HOT_S: Final = 0.001  # busy-yield the first millisecond a request is in flight (no wake-up in its latency)
PROGRESS_INTERVAL_S: Final = 0.25
MIN_REQUESTS_FOR_ERROR_STOP: Final = 20
EARLY_ANSWERS: Final = 8  # answers whose quickest service time is the unloaded baseline (MeasureResult)
_CLOSE_TIMEOUT_S: Final = 1.0

_now = time.perf_counter_ns


class QueueTimeout(TimeoutError):
    """A request whose deadline wiremap's own queue used up: it passed while the request waited for a free
    connection (never sent), or left it less than its whole deadline to be answered in."""

    def __init__(self, sent: bool = False) -> None:
        super().__init__()
        self.sent = sent

    def __str__(self) -> str:
        if self.sent:
            return "no answer in what was left of its deadline after waiting in wiremap's own queue"
        return "not sent: no free connection before its deadline (wiremap's own queue)"


async def run_load(
    factory: OperationFactory,
    ctx: ProbeContext,
    plan: LoadPlan,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> MeasureResult:
    """Offer ``plan.rate`` requests per second for ``plan.warmup_s`` (not recorded) and then
    ``plan.duration_s`` (recorded), over ``plan.connections`` operations made by ``factory(ctx)``.

    ``requests`` counts the measured period's requests that finished, well or not (one whose
    deadline passed before a connection was free is a ``timeout`` without being sent), and
    ``warmup_requests`` the warm-up's; ``errors`` counts the failures of both, per kind, with the
    first one's message and the warm-up's share (a closed port is refused before the measured
    period starts, and the early stop counts those refusals: so does the report);
    ``throughput_per_s`` is their successes per second as they complete, over a period as long as
    the measured one (``duration_s``) shifted by the median latency: what was achieved.

    Stops early, with ``stopped_early`` saying why and the partial result, when more than
    ``plan.max_error_rate`` of the requests so far (warm-up included) failed, once there are 20, or
    when ``stop`` is set (``"interrupted"``); requests in flight then are abandoned, not counted.
    Otherwise waits for the requests in flight (each has its own deadline). ``progress`` is called
    about 4 times a second with the seconds since the first send, the measured requests done, and
    the p50 and p99 latency so far (ms). A factory's exception (a bad setting) propagates before
    any traffic."""
    if not plan.rate > 0 or not math.isfinite(plan.rate):
        raise ValueError(f"rate must be a positive number, not {plan.rate!r}")
    if plan.connections < 1:
        raise ValueError(f"connections must be at least 1, not {plan.connections!r}")
    if plan.duration_s < 0 or plan.warmup_s < 0 or not plan.timeout_s > 0:
        raise ValueError("duration and warm-up must not be negative, and the timeout must be positive")
    return await make_run(factory, ctx, plan, progress, stop).run()


def make_run(
    factory: OperationFactory,
    ctx: ProbeContext,
    plan: LoadPlan,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> Run:
    """The run :func:`run_load` awaits (a worker process reads its histograms after it)."""
    ops = [factory(ctx) for _ in range(plan.connections)]
    from .wire import WireRun, can_wire  # (the callback path imports this module)

    run = WireRun if can_wire(ops) else Run
    return run(plan, ops, progress, stop, lambda: factory(ctx))


class Run:
    """One run over awaited operations: a worker task per connection (:mod:`.wire` drives the
    operations that take callbacks, with none)."""

    def __init__(
        self,
        plan: LoadPlan,
        ops: list[Operation],
        progress: Progress | None,
        stop: asyncio.Event | None,
        more: Callable[[], Operation] | None = None,
    ) -> None:
        """``more``: makes one more operation, when the plan lets the run grow (``max_connections``)."""
        self.plan = plan
        self.ops = ops
        self.more = more if plan.max_connections > len(ops) else None
        self.growing = False  # a connection being opened to serve the queue
        self.grown = 0
        self.answered = 0  # requests the destination answered (successes and answered errors)
        self.answered_at_growth = 0  # ``answered`` when the last connection was added
        self.opener: asyncio.Future[None] | None = None
        self.workers: list[asyncio.Task[None]] = []
        self.progress = progress
        self.stop = stop
        # a worker process sends every ``workers``-th request of the schedule, from its ``worker``-th on
        stride, first = max(1, plan.workers), plan.worker
        self.interval_ns = stride * 1e9 / plan.rate
        self.offset_ns = int(first * 1e9 / plan.rate)
        self.timeout_ns = int(plan.timeout_s * 1e9)
        n_warmup = _count(plan.warmup_s, plan.rate)
        n_total = n_warmup + _count(plan.duration_s, plan.rate)
        self.n_warmup = _share(n_warmup, first, stride)
        self.n_total = _share(n_total, first, stride)
        self.window_s = (n_total - n_warmup) / plan.rate  # the measured period (every worker's)
        # called on each request done with whether it failed: the totals of every worker (the error-rate
        # stop judges them, not one worker's share); None: this run's own
        self.tally: Callable[[bool], tuple[int, int]] | None = None
        self.stopped_at: int | None = None
        self.latency = Histogram()
        self.uncorrected = Histogram()
        self.lateness = Histogram()
        self.errors: dict[str, list[Any]] = {}  # kind -> [count, warm-up count, first message]
        self.requests = 0  # measured requests done (success or error)
        self.warmup_requests = 0
        self.successes = 0
        self.done_times = array("q")  # completion times of the measured successes, in order
        self.done_all = 0  # every request done, warm-up included (for the error-rate stop)
        self.failed_all = 0
        self.stopped_early: str | None = None
        self.t0 = 0
        self.measure_start = 0
        self.pending: deque[int] = deque()  # intended times due, waiting for a free connection
        self.idle: deque[asyncio.Future[int | None]] = deque()  # workers waiting for a request
        self.closing = False
        self.failed: asyncio.Future[None] | None = None  # set when the error rate stops the run
        self.in_flight = 0
        self.queued = 0  # measured requests that waited for a free connection
        self.queue_timeouts = 0  # measured requests whose deadline that wait used up
        self.reopened = 0  # connections a request opened again (awaited path; wire ops count theirs)
        self.last_send = 0  # when the latest request was sent
        self.open_failed = 0  # connections that could not be opened up front
        # awaited once the connections are open: when the schedule starts (a worker process's start, the
        # same for every worker); None: at once
        self.start_gate: Callable[[], Awaitable[int]] | None = None
        self.early: list[int] = []  # service times (ns) of the run's first answers: the unloaded baseline
        self.cpu0 = 0.0  # wiremap's CPU time when the schedule started
        self.open_error = ""

    # -- the run ---------------------------------------------------------------------------------

    async def run(self) -> MeasureResult:
        loop = asyncio.get_running_loop()
        self.failed = loop.create_future()
        stop_task = asyncio.ensure_future(self.stop.wait()) if self.stop is not None else None
        workers: list[asyncio.Task[None]] = []
        stopped_at: int | None = None
        try:
            opening = asyncio.ensure_future(asyncio.gather(*(self._open(op) for op in self.ops)))
            if not await self._race(opening, stop_task):
                opening.cancel()
                stopped_at = _now()
                self.stopped_early = "interrupted"
                return self._result(stopped_at)
            opened = opening.result()
            start = await self.start_gate() if self.start_gate is not None else 0
            self.t0 = max(_now(), start) + self.offset_ns
            self.cpu0 = time.process_time()
            self.measure_start = self.t0 + int(self.n_warmup * self.interval_ns)
            workers = await self._start_workers(opened)
            scheduler = asyncio.ensure_future(self._schedule())
            if not await self._race(scheduler, stop_task):
                scheduler.cancel()
                stopped_at = _now()
                return self._result(stopped_at)
            scheduler.result()  # a bug in the scheduler is a bug: let it out
            if not await self._drain(workers, stop_task) and self.stopped_early is not None:
                stopped_at = _now()
            for task in workers:  # a worker that died of something else than a request is a bug
                if task.done() and not task.cancelled() and task.exception() is not None:
                    raise RuntimeError("a load worker failed") from task.exception()
            return self._result(stopped_at)
        finally:
            if stop_task is not None:
                stop_task.cancel()
            await self._stop_workers(workers)
            await self._close_all()

    async def _start_workers(self, opened: list[bool]) -> list[asyncio.Task[None]]:
        self.workers = [
            asyncio.ensure_future(self._worker(op, ok)) for op, ok in zip(self.ops, opened, strict=True)
        ]
        return self.workers

    # -- more connections while requests wait (Little's law: rate x service time of them) -------

    def _grow(self) -> None:
        """Requests are waiting for a connection: open one more (one at a time, up to the plan's
        ``max_connections``). Its opening is no request's: the queue waits as it would anyway."""
        if self.more is None or self.growing or self.closing or len(self.ops) >= self.plan.max_connections:
            return
        if self.answered == self.answered_at_growth:
            # one more connection for each answer that came: a destination that answers nothing (hung)
            # holds every connection it is given, and growing to 256 exhausted a PostgreSQL's
            # max_connections, the slots its own applications needed (round 64)
            return
        self.answered_at_growth = self.answered
        self.growing = True
        self.opener = asyncio.ensure_future(self._open_more(self.more))

    async def _open_more(self, more: Callable[[], Operation]) -> None:
        try:
            op = more()
        except Exception:  # the factory worked for the first ones: a failure now is not the run's
            self.more = None
            return
        try:
            opened = await self._open(op)
        except asyncio.CancelledError:  # the run ended as it opened
            await _close(op)
            raise
        finally:
            self.growing = False
        if self.closing:
            await _close(op)
            return
        self.ops.append(op)
        self.grown += 1
        self._add(op, opened)
        if self.pending:
            self._grow()

    def _add(self, op: Operation, opened: bool) -> None:
        """A connection opened while the run goes on: it takes its share of the queue."""
        self.workers.append(asyncio.ensure_future(self._worker(op, opened)))

    async def _drain(self, workers: list[asyncio.Task[None]], stop_task: asyncio.Future[Any] | None) -> bool:
        """Let the workers finish the requests in flight and queued; False when stopped or timed out."""
        self.closing = True
        while self.idle:
            fut = self.idle.popleft()
            if not fut.done():
                fut.set_result(None)
        drain = asyncio.ensure_future(asyncio.wait(workers))
        drained = await self._race(drain, stop_task, timeout=self.plan.timeout_s + _CLOSE_TIMEOUT_S)
        if not drained:
            drain.cancel()
        return drained

    async def _stop_workers(self, workers: list[asyncio.Task[None]]) -> None:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    async def _race(
        self, main: asyncio.Future[Any], stop_task: asyncio.Future[Any] | None, timeout: float | None = None
    ) -> bool:
        """Wait for ``main``; False when the run is stopped first (Ctrl-C or the error rate, which
        ``stopped_early`` then says) or ``timeout`` passes."""
        assert self.failed is not None
        waiting: set[asyncio.Future[Any]] = {main, self.failed}
        if stop_task is not None:
            waiting.add(stop_task)
        await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if main.done():
            return True
        if stop_task is not None and stop_task.done() and self.stopped_early is None:
            self.stopped_early = "interrupted"
        return False

    def _result(self, stopped_at: int | None) -> MeasureResult:
        plan = self.plan
        self.stopped_at = stopped_at
        window = self.window_s
        if stopped_at is not None and self.t0:
            window = min(window, max(0.0, (stopped_at - self.measure_start) / 1e9))
        elif stopped_at is not None:
            window = 0.0
        wall_s = ((stopped_at or _now()) - self.t0) / 1e9 if self.t0 else 0.0
        return MeasureResult(
            latency_ms=self.latency.percentiles(),
            uncorrected_ms=self.uncorrected.percentiles(),
            lateness_ms=self.lateness.percentiles(),
            throughput_per_s=self._throughput(window, stopped_at),
            requests=self.requests,
            errors={kind: ErrorCount(n, first, warmup) for kind, (n, warmup, first) in self.errors.items()},
            rate=plan.rate,
            duration_s=window,
            connections=len(self.ops),
            connections_grown=self.grown,
            connections_failed=self.open_failed,
            connection_error=self.open_error,
            # those still waiting when the run stopped were never done: not among ``requests`` either (an
            # early stop's JSON said 192 queued of 151 requests: round 64)
            queued=min(self.requests, self.queued - sum(1 for t in self.pending if t >= self.measure_start)),
            queue_timeouts=self.queue_timeouts,
            # (-1: an operation whose connection was never opened)
            reopened=self.reopened + sum(max(0, getattr(op, "reopens", 0)) for op in self.ops),
            connect_each=all(getattr(op, "connect_each", False) for op in self.ops),
            stopped_early=self.stopped_early,
            failed_run=self._failed_run(),
            warmup_requests=self.warmup_requests,
            # the quickest: the first answers already queue at the destination when it is saturated (their
            # median read 21 ms of a one-worker server's 10: round 65)
            baseline_service_ms=min(self.early) / 1e6 if len(self.early) >= EARLY_ANSWERS else None,
            client_cpu_share=(time.process_time() - self.cpu0) / wall_s if wall_s > 0.2 else None,
            samples=self.latency,
        )

    def _failed_run(self) -> str | None:
        """The error-rate stop's rule applied to the whole run when the run was too short to stop on it
        (fewer than 20 requests done by then, or their failures known only at the end: timeouts)."""
        limit = self.plan.max_error_rate
        if self.stopped_early or not self.done_all or self.failed_all <= limit * self.done_all:
            return None
        return f"error rate above {limit:.0%}: {self.failed_all} of {self.done_all} requests failed"

    def _throughput(self, window_s: float, stopped_at: int | None) -> float:
        """Measured successes per second, counted as they complete in the measured period shifted by
        the median latency: the rate achieved, not merely offered (a client or server that cannot
        keep up finishes its share late), and no tail request at the end counted against it."""
        done = self.done_times
        if not done or window_s <= 0:
            return 0.0
        lag = int(self.latency.values_at(50.0)[0] * 1e6)
        # half an interval early: request i completes about i intervals + the median latency after the
        # start, and its own latency may be below the median (the first one was counted half the time:
        # 9.0/s achieved of 10/s offered: round 65)
        start = self.measure_start + lag - int(5e8 / self.plan.rate)
        end = start + int(window_s * 1e9)
        if stopped_at is not None:
            end = min(end, stopped_at)
        if end <= start:
            return 0.0
        return (bisect_right(done, end) - bisect_left(done, start)) / ((end - start) / 1e9)

    # -- connections -----------------------------------------------------------------------------

    async def _open(self, op: Operation) -> bool:
        """Open one connection up front; a failure leaves it to the first request to reopen."""
        try:
            async with asyncio.timeout(self.plan.timeout_s):
                await op.open()
        except Exception as exc:
            # said in the result: 7 of 8 refused ("max number of clients reached") and the load going over
            # the one left was "over 8 connections, errors: none" (round 64)
            self.open_failed += 1
            self.open_error = self.open_error or describe(exc)[1]
            await _close(op)
            return False
        return True

    async def _close_all(self) -> None:
        if self.opener is not None:
            self.opener.cancel()
            await asyncio.gather(self.opener, return_exceptions=True)
        await asyncio.gather(*(_close(op) for op in self.ops))

    # -- the schedule ----------------------------------------------------------------------------

    async def _schedule(self) -> None:
        """Hand out request ``i`` at ``t0 + i * interval`` (sleep, then spin the last stretch).

        A callback of the loop, not a task: a spin is one ``call_soon`` per loop iteration (half the
        cost of a task's ``await asyncio.sleep(0)`` on uvloop, and at 20,000 req/s the loop turns ~15
        times per request)."""
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        t0, interval, n = self.t0, self.interval_ns, self.n_total
        if n <= 0:  # a worker whose share of a short schedule is empty
            return
        uvloop = type(loop).__module__.startswith("uvloop")
        spin_ns = int((SPIN_UVLOOP_S if uvloop else SPIN_ASYNCIO_S) * 1e9)
        hot_ns = int(HOT_S * 1e9)
        progress = self.progress
        progress_ns = int(PROGRESS_INTERVAL_S * 1e9)
        next_progress = t0 + progress_ns
        dispatch = self._dispatch
        call_soon, call_later = loop.call_soon, loop.call_later
        i = 0
        intended = t0
        handle: asyncio.Handle | None = None

        def tick() -> None:
            nonlocal i, intended, next_progress, handle
            try:
                now = _now()
                delay = intended - now
                if delay > 0:
                    if delay <= spin_ns or (self.in_flight and now - self.last_send < hot_ns):
                        handle = call_soon(tick)
                    elif uvloop:  # whole milliseconds, rounded down: uvloop rounds to the nearest one
                        handle = call_later((delay - spin_ns) // 1_000_000 / 1e3, tick)
                    else:
                        handle = call_later((delay - spin_ns) / 1e9, tick)
                    return
                while intended <= now:  # everything due (more than one when the loop was late)
                    dispatch(intended)
                    i += 1
                    if i >= n:
                        break
                    intended = t0 + int(i * interval)
                if progress is not None and now >= next_progress:
                    next_progress = now + progress_ns
                    p50, p99 = self.latency.values_at(50.0, 99.0)
                    progress((now - t0) / 1e9, self.requests, p50, p99)
                if i >= n:
                    if not finished.done():
                        finished.set_result(None)
                    return
                handle = call_soon(tick)
            except BaseException as exc:  # a bug in the scheduler is a bug: the run raises it
                if not finished.done():
                    finished.set_exception(exc)

        handle = call_soon(tick)
        try:
            await finished
        finally:
            if handle is not None:
                handle.cancel()

    def _dispatch(self, intended: int) -> None:
        idle = self.idle
        while idle:
            fut = idle.popleft()
            if not fut.done():
                fut.set_result(intended)
                return
        if intended >= self.measure_start:
            self.queued += 1
        self.pending.append(intended)
        self._grow()

    # -- one connection --------------------------------------------------------------------------

    async def _worker(self, op: Operation, opened: bool) -> None:
        loop = asyncio.get_running_loop()
        pending, idle = self.pending, self.idle
        timeout_ns = self.timeout_ns
        needs_open = not opened
        was_open = opened  # a connection was made on this worker: opening one again is a reopen
        while True:
            if pending:
                intended = pending.popleft()
            elif self.closing:
                return
            else:
                fut: asyncio.Future[int | None] = loop.create_future()
                idle.append(fut)
                handed = await fut
                if handed is None:
                    return
                intended = handed
            send = _now()
            remaining = intended + timeout_ns - send
            error: Exception | None = None
            broken = False
            if remaining <= 0:
                error = QueueTimeout()  # its deadline passed while it waited for a connection: not sent
            else:
                self.in_flight += 1
                self.last_send = send
                try:
                    async with asyncio.timeout(remaining / 1e9):
                        if needs_open:
                            await op.open()
                            needs_open = False
                            if was_open:  # a connection made again, not a first one
                                self.reopened += 1
                            was_open = True
                        await op()
                except AnsweredError as exc:  # an answer that is a failure: the connection holds
                    error = exc
                except Exception as exc:
                    # a deadline the queue shortened is wiremap's (sent with less than its deadline left)
                    shortened = isinstance(exc, TimeoutError) and self._shortened(remaining)
                    error = QueueTimeout(sent=True) if shortened else exc
                    broken = needs_open = True
                finally:
                    self.in_flight -= 1
            self._account(intended, send, _now(), error)
            if broken:  # the next request on this connection reopens it
                await _close(op)

    def _shortened(self, in_flight_ns: float) -> bool:
        """A request that timed out after ``in_flight_ns`` in flight had its deadline shortened by wiremap's
        queue: it had less than its whole deadline, and less than the destination's p99 answer so far (a
        destination that never answers within the deadline is the destination's timeout)."""
        if in_flight_ns >= 0.99 * self.timeout_ns or self.successes <= 0:
            return False
        return in_flight_ns < self.uncorrected.values_at(99.0)[0] * 1e6

    def _account(self, intended: int, send: int, done: int, error: Exception | None) -> None:
        self.done_all += 1
        # every worker's totals, counted with this request (a failure of the destination or not)
        totals = (
            self.tally(error is not None and not isinstance(error, QueueTimeout))
            if self.tally is not None
            else None
        )
        measured = intended >= self.measure_start
        if measured:
            self.requests += 1
            self.lateness.record_us((send - intended + 500) // 1000)
            if error is None:
                self.successes += 1
                self.done_times.append(done)
                self.latency.record_us((done - intended + 500) // 1000)
                self.uncorrected.record_us((done - send + 500) // 1000)
        else:
            self.warmup_requests += 1
        if error is None or isinstance(error, AnsweredError):
            self.answered += 1
            if self.pending:
                self._grow()
        if error is None and len(self.early) < EARLY_ANSWERS:
            self.early.append(done - send)
        if error is not None:
            kind_, message = describe(error)
            if isinstance(error, QueueTimeout):
                message = str(error)
                if measured:
                    self.queue_timeouts += 1
            tally = self.errors.get(kind_.value)
            if tally is None:
                tally = self.errors[kind_.value] = [0, 0, message]
            tally[0] += 1
            if not measured:
                tally[1] += 1
            if isinstance(error, QueueTimeout):
                return  # wiremap's own limit: no failure of the destination to stop the run on
            self.failed_all += 1
            done_all, failed_all = totals if totals is not None else (self.done_all, self.failed_all)
            limit = self.plan.max_error_rate
            if (
                done_all >= MIN_REQUESTS_FOR_ERROR_STOP
                and failed_all > limit * done_all
                and self.failed is not None
                and not self.failed.done()
            ):
                self.stopped_early = f"error rate above {limit:.0%}"
                self.failed.set_result(None)


def _share(n: int, first: int, stride: int) -> int:
    """How many of requests ``0 .. n-1`` are ``first``, ``first + stride``, … (a worker's share)."""
    return max(0, (n - first + stride - 1) // stride)


def _count(seconds: float, rate: float) -> int:
    """How many requests are intended in ``seconds`` at ``rate`` (send times i / rate < seconds)."""
    return max(0, math.ceil(round(seconds * rate, 6)))


async def _close(op: Operation) -> None:
    try:
        async with asyncio.timeout(_CLOSE_TIMEOUT_S):
            await op.close()
    except Exception:
        return
