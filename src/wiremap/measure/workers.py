"""``--workers N``: the load sent from N processes, one open model between them.

One Python process tops out at a few thousand requests a second (its one core); a remote destination
may take many times that. Each worker is a process of its own (forked, so it shares nothing with the
parent's loop), with its own event loop, connections and histograms. The schedule is split, not
copied: worker ``k`` of ``n`` offers ``rate / n`` starting ``k / rate`` after the common start, so
together they send at ``t0 + i / rate`` for every ``i``, one constant rate, each request's intended time
kept (the corrected latency stays exact). Every worker opens its connections first and says so; the
parent then gives them all one start time. The parent merges the histograms (HdrHistogram's encoded
form, added) and sums the counts: the result is the one a single process sending it all would have
reported, and the same JSON.

A worker that stops early (the error rate) stops the others; Ctrl-C stops them all (they ignore the
signal and follow the parent). By default one worker: against a destination on this machine the other
cores are the destination's, and a rate one process keeps up with gains nothing from more
(:func:`choose_workers` says why it chose what it chose).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import signal
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from .._errors import UsageError
from .._loop import run
from ..probes._base import ProbeContext, is_loopback
from ._base import ErrorCount, LoadPlan, MeasureResult, OperationFactory, Percentiles, Progress
from .histogram import Histogram

__all__ = ["MAX_WORKERS", "PER_WORKER_RATE", "choose_workers", "merge", "run_load_workers", "split"]

# a rate one worker keeps up with on any protocol with room to spare (HTTP reaches ~8,000/s here)
PER_WORKER_RATE = 2_000.0
MAX_WORKERS = 16
_START_AFTER_S = 0.02  # between the last worker saying it is ready and the common start
_STOP_POLL_S = 0.05


def choose_workers(host: str, rate: float, cores: int | None = None) -> tuple[int, str]:
    """The default worker count for a run at ``rate`` against ``host``, and why (said to the user)."""
    cores = cores if cores is not None else os.cpu_count() or 1
    if is_loopback(host) or _own_address(host):
        return 1, "the destination runs on this machine: the other cores are its"
    if cores < 2:
        return 1, "one core"
    if rate <= PER_WORKER_RATE:
        return 1, f"{rate:g}/s is within one worker's reach"
    n = min(cores, MAX_WORKERS, math.ceil(rate / PER_WORKER_RATE))
    return n, f"{rate:g}/s over {n} of {cores} cores, at most {PER_WORKER_RATE:g}/s each"


def _own_address(host: str) -> bool:
    """``host`` is (or names) an address of one of this machine's interfaces: one a socket can be bound
    to (the host's name resolving elsewhere, or an address only ``hostname -I`` lists, both say so)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except (OSError, UnicodeError):
        return False
    for family, kind, proto, _, address in infos:
        try:
            with socket.socket(family, kind, proto) as probe:
                probe.bind((address[0], 0))
        except OSError:
            continue
        return True
    return False


def split(plan: LoadPlan, workers: int, index: int) -> LoadPlan:
    """Worker ``index``'s share of ``plan``: every ``workers``-th request of its schedule from the
    ``index``-th (the engine counts them: the shares add up to the plan's, not each rounded up), and its
    share of the connections, to the same total (a fixed count stays that count; at least one each: see
    :func:`usable_workers`)."""
    if not 0 <= index < workers:
        raise ValueError(f"worker {index} of {workers}")
    conns = _part_of(plan.connections, workers, index)
    most = 0 if plan.max_connections == 0 else max(conns, _part_of(plan.max_connections, workers, index))
    return replace(plan, connections=max(1, conns), max_connections=most, worker=index, workers=workers)


def usable_workers(plan: LoadPlan, workers: int) -> int:
    """At most one worker per connection up front (a worker sends over connections of its own)."""
    return max(1, min(workers, plan.connections))


def _part_of(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


@dataclass(frozen=True, slots=True)
class _Part:
    """One worker's result and its three histograms, encoded (what crosses the pipe)."""

    result: MeasureResult
    latency: bytes
    uncorrected: bytes
    lateness: bytes
    done_times: bytes = b""  # the measured successes' completion times (ns, this machine's monotonic clock)
    measure_start: int = 0  # the intended time of this worker's first measured request
    stopped_at: int | None = None
    done_all: int = 0  # requests done, warm-up included, and those that failed (the error-rate rule)
    failed_all: int = 0


def merge(parts: Sequence[_Part], plan: LoadPlan, interrupted: bool = False) -> MeasureResult:
    """One result from the workers': histograms added, counts summed, the first reason kept."""
    hists = [Histogram(), Histogram(), Histogram()]
    for part in parts:
        for hist, data in zip(hists, (part.latency, part.uncorrected, part.lateness), strict=True):
            hist.add_encoded(data)
    results = [p.result for p in parts]
    errors: dict[str, ErrorCount] = {}
    for r in results:
        for kind, e in r.errors.items():
            had = errors.get(kind)
            errors[kind] = (
                e
                if had is None
                else ErrorCount(
                    had.count + e.count, had.first_message or e.first_message, had.warmup + e.warmup
                )
            )
    # a worker stopped by another's early stop says "interrupted": the first reason of its own is the run's
    reasons = [r.stopped_early for r in results if r.stopped_early]
    own = [x for x in reasons if x != "interrupted"]
    stopped: str | None = "interrupted" if interrupted else next(iter(own or reasons), None)
    baselines = [r.baseline_service_ms for r in results if r.baseline_service_ms is not None]
    shares = [r.client_cpu_share for r in results if r.client_cpu_share is not None]
    failed_run: str | None = None
    done_all, failed_all = sum(p.done_all for p in parts), sum(p.failed_all for p in parts)
    if stopped is None and done_all and failed_all > plan.max_error_rate * done_all:
        # the engine's end-of-run rule, on every worker's totals
        failed_run = f"error rate above {plan.max_error_rate:.0%}: {failed_all} of {done_all} requests failed"
    return MeasureResult(
        latency_ms=_exact_max(hists[0].percentiles(), [r.latency_ms.max for r in results]),
        uncorrected_ms=_exact_max(hists[1].percentiles(), [r.uncorrected_ms.max for r in results]),
        lateness_ms=_exact_max(hists[2].percentiles(), [r.lateness_ms.max for r in results]),
        throughput_per_s=_throughput(parts, hists[0], results),
        requests=sum(r.requests for r in results),
        errors=errors,
        rate=plan.rate,
        duration_s=max((r.duration_s for r in results), default=0.0),
        connections=sum(r.connections for r in results),
        connections_grown=sum(r.connections_grown for r in results),
        connections_failed=sum(r.connections_failed for r in results),
        connection_error=next((r.connection_error for r in results if r.connection_error), ""),
        stopped_early=stopped,
        failed_run=failed_run,
        warmup_requests=sum(r.warmup_requests for r in results),
        queued=sum(r.queued for r in results),
        queue_timeouts=sum(r.queue_timeouts for r in results),
        reopened=sum(r.reopened for r in results),
        connect_each=all(r.connect_each for r in results),
        baseline_service_ms=min(baselines) if baselines else None,
        client_cpu_share=max(shares) if shares else None,
        workers=len(parts),
        samples=hists[0],
    )


def _throughput(parts: Sequence[_Part], latency: Histogram, results: list[MeasureResult]) -> float:
    """The engine's achieved rate over every worker's completions: those in the measured period (from
    the first worker's first measured request, as long as the longest one's), shifted by the median
    latency less half an interval, per second."""
    done = sorted(t for p in parts for t in array("q", p.done_times))
    window_s = max((r.duration_s for r in results), default=0.0)
    if not done or window_s <= 0:
        return 0.0
    lag = int(latency.values_at(50.0)[0] * 1e6) - int(5e8 / results[0].rate)  # (the engine's)
    start = min(p.measure_start for p in parts) + lag
    end = start + int(window_s * 1e9)
    stops = [p.stopped_at for p in parts if p.stopped_at is not None]
    if stops:
        end = min(end, max(stops))
    if end <= start:
        return 0.0
    return (bisect_right(done, end) - bisect_left(done, start)) / ((end - start) / 1e9)


def _exact_max(merged: Percentiles, maxima: list[float]) -> Percentiles:
    """The workers' exact max (the encoded form keeps a bucket's, 0.1% above), no percentile above it."""
    top = max(maxima, default=merged.max)
    m = merged
    low = (min(m.p50, top), min(m.p90, top), min(m.p95, top), min(m.p99, top), min(m.p999, top))
    return Percentiles(*low, top)


async def run_load_workers(
    factory: OperationFactory,
    ctx: ProbeContext,
    plan: LoadPlan,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
    *,
    workers: int,
) -> MeasureResult:
    """:func:`~wiremap.measure.engine.run_load` from ``workers`` processes (``progress`` is not reported:
    the workers' figures meet only at the end)."""
    workers = usable_workers(plan, workers)
    if workers < 2:
        from .engine import run_load

        return await run_load(factory, ctx, plan, progress, stop)
    if "fork" not in multiprocessing.get_all_start_methods():
        raise UsageError("--workers needs processes started by fork (Linux, macOS): run with --workers 1")
    mp = multiprocessing.get_context("fork")
    flag = mp.Event()  # set: every worker stops (Ctrl-C, or one stopped early)
    totals = mp.Array("q", 2)  # requests done, and failed, by every worker (the error-rate stop's)
    loop = asyncio.get_running_loop()
    pipes: list[tuple[Any, Connection]] = []
    for k in range(workers):
        ours, theirs = mp.Pipe()
        proc = mp.Process(
            target=_worker, args=(theirs, factory, ctx, split(plan, workers, k), flag, totals), daemon=True
        )
        proc.start()
        theirs.close()
        pipes.append((proc, ours))
    watcher = asyncio.ensure_future(_forward_stop(stop, flag)) if stop is not None else None
    try:
        ready = await asyncio.gather(*(loop.run_in_executor(None, _recv, c) for _, c in pipes))
        failure = next((m[1] for m in ready if m[0] == "error"), None)
        start = time.perf_counter_ns() + int(_START_AFTER_S * 1e9)
        for (_, conn), message in zip(pipes, ready, strict=True):
            if message[0] == "ready":
                conn.send(0 if failure is not None else start)
        done = [
            m if m[0] != "ready" else await loop.run_in_executor(None, _recv, c)
            for m, (_, c) in zip(ready, pipes, strict=True)
        ]
    finally:
        if watcher is not None:
            watcher.cancel()
        flag.set()
        for proc, conn in pipes:
            conn.close()
            await loop.run_in_executor(None, proc.join, 5.0)
            if proc.is_alive():
                proc.kill()
    if failure is None:
        failure = next((m[1] for m in done if m[0] == "error"), None)
    if failure is not None:
        raise failure
    parts = [m[1] for m in done]
    return merge(parts, plan, interrupted=stop is not None and stop.is_set())


def _recv(conn: Connection) -> tuple[str, Any]:
    try:
        message: tuple[str, Any] = conn.recv()
    except (EOFError, OSError):
        return ("error", RuntimeError("a load worker process ended without a result"))
    return message


async def _forward_stop(stop: asyncio.Event, flag: Any) -> None:
    await stop.wait()
    flag.set()


# -- the worker process ----------------------------------------------------------------------------


def _worker(
    conn: Connection, factory: OperationFactory, ctx: ProbeContext, plan: LoadPlan, flag: Any, totals: Any
) -> None:
    """A forked child: the parent's loop is not running here, but the thread that forked still believes
    it is inside it, so the child's loop runs in a thread of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers (Ctrl-C reaches them all)
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)  # the parent's loop's: a signal here must not wake it
    box: dict[str, Any] = {}

    def body() -> None:
        try:
            box["part"] = run(_work(conn, factory, ctx, plan, flag, totals))
        except BaseException as exc:  # sent to the parent, raised there
            box["error"] = exc

    thread = threading.Thread(target=body, name="wiremap-load")
    thread.start()
    thread.join()
    message: tuple[str, Any] = ("error", box["error"]) if "error" in box else ("done", box["part"])
    try:
        conn.send(message)
    except Exception as exc:  # an exception that does not pickle: its words do
        conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    conn.close()


async def _work(
    conn: Connection, factory: OperationFactory, ctx: ProbeContext, plan: LoadPlan, flag: Any, totals: Any
) -> _Part:
    from .engine import make_run

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    runner = make_run(factory, ctx, plan, None, stop)

    async def gate() -> int:
        conn.send(("ready", None))
        start: int = await loop.run_in_executor(None, conn.recv)
        if not start:  # another worker could not start: none does
            stop.set()
        return start

    parent = os.getppid()

    async def watch() -> None:
        # the parent gone (SIGTERM, SIGKILL: it stops no worker then) stops this one too: no load is sent
        # after wiremap has exited
        while not flag.is_set() and os.getppid() == parent:
            await asyncio.sleep(_STOP_POLL_S)
        stop.set()

    def tally(failed: bool) -> tuple[int, int]:
        with totals.get_lock():
            totals[0] += 1
            totals[1] += failed
            return int(totals[0]), int(totals[1])

    runner.start_gate = gate
    runner.tally = tally
    watcher = asyncio.ensure_future(watch())
    try:
        result = await runner.run()
    finally:
        watcher.cancel()
    if result.stopped_early and result.stopped_early != "interrupted":
        flag.set()  # the error rate stopped this worker: the others stop too
    return _Part(
        replace(result, samples=None),
        runner.latency.encode(),
        runner.uncorrected.encode(),
        runner.lateness.encode(),
        runner.done_times.tobytes(),
        runner.measure_start,
        runner.stopped_at,
        runner.done_all,
        runner.failed_all,
    )
