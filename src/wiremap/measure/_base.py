"""The measure contract: a load plan in, a result out; one Operation per protocol.

An :class:`Operation` is opened once per connection and then called once per request. Latency is
counted from the request's *intended* send time (open model: requests are scheduled at a constant
rate whether or not earlier ones have returned), so a stalled server shows up in the percentiles
instead of silently lowering the rate (coordinated omission, as wrk2 corrects it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..probes._base import ProbeContext

__all__ = [
    "ErrorCount",
    "LoadPlan",
    "MeasureResult",
    "Operation",
    "OperationFactory",
    "Percentiles",
    "Progress",
    "SampleCounts",
    "WireOperation",
]


@dataclass(frozen=True, slots=True)
class LoadPlan:
    rate: float = 200.0  # requests per second, offered at fixed intervals
    duration_s: float = 10.0  # measured period (after warm-up)
    connections: int = 8  # keep-alive connections the requests are spread over (opened up front)
    # more may be opened while requests wait for a free one, up to this many (0: ``connections`` fixed):
    # an open model needs rate x service time of them (Little's law), unknown until measured
    max_connections: int = 0
    warmup_s: float = 0.0  # sent at the same rate, not recorded
    timeout_s: float = 5.0  # one request's deadline (counts as an error of kind "timeout")
    max_error_rate: float = 0.5  # stop early when more than this share of requests fail (after 20 requests)
    # this run sends request i of the schedule (at i / rate) when i % workers == worker: the runs of the n
    # worker processes together are one constant rate (see :mod:`wiremap.measure.workers`)
    worker: int = 0
    workers: int = 1


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Milliseconds. JSON keys: p50, p90, p95, p99, p999, max."""

    p50: float = 0.0
    p90: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    p999: float = 0.0
    max: float = 0.0

    def to_json(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 3) for k in ("p50", "p90", "p95", "p99", "p999", "max")}


@dataclass(frozen=True, slots=True)
class ErrorCount:
    """The requests that failed one way (an ErrorKind), warm-up included. JSON keys: count, warmup,
    first_message."""

    count: int  # requests that failed this way, warm-up included
    first_message: str = ""  # the first one's message ("connection refused")
    warmup: int = 0  # how many of ``count`` were in the warm-up

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "warmup": self.warmup, "first_message": self.first_message}


class SampleCounts(Protocol):
    def count_above(self, ms: float) -> int: ...


# the client is late (see MeasureResult.fell_behind)
LATENESS_P99_MS = 1.0
LATENESS_SHARE = 0.02
# the destination is saturating (see MeasureResult.saturating): its service time p50 this many times its
# unloaded one, and at least this much longer, while every connection was busy; not when wiremap's own CPU
# was this busy over the run (a busy client reads answers late: its service times grow too)
SATURATION_RISE = 1.5
SATURATION_MIN_MS = 0.5
CLIENT_CPU_BUSY = 0.9


@dataclass(frozen=True, slots=True)
class MeasureResult:
    latency_ms: Percentiles  # completion - intended send time (corrected)
    uncorrected_ms: Percentiles  # completion - actual send time (service time)
    lateness_ms: Percentiles  # actual send - intended send time (the client falling behind)
    throughput_per_s: float  # successful responses per second over the measured period
    requests: int  # requests sent in the measured period
    # ErrorKind value -> the failures of that kind, warm-up included (the early stop counts them too)
    errors: Mapping[str, ErrorCount] = field(default_factory=dict)
    rate: float = 0.0  # offered rate
    duration_s: float = 0.0  # measured period actually run
    connections: int = 0  # at the end (those opened while requests waited included)
    connections_grown: int = 0  # of those, opened while requests waited (LoadPlan.max_connections)
    # of those, the ones that could not be opened up front (a server refusing more clients: the load then
    # went over fewer than ``connections``), and why the first did not
    connections_failed: int = 0
    connection_error: str = ""
    stopped_early: str | None = None  # why the run stopped before its duration (Ctrl-C, error rate)
    # a run that went its whole course with more failures than the stop allows (too few requests to stop
    # on: 15 timeouts of 15 at --rate 5 exited 0): "error rate above 50%: 15 of 15 requests failed"
    failed_run: str | None = None
    warmup_requests: int = 0  # requests done in the warm-up (not in ``requests`` nor the percentiles)
    # measured requests that waited for a free connection (every one busy with a request not yet
    # answered): send lateness that is no CPU's, and a too-small or too-slowly-growing pool
    queued: int = 0
    # measured requests whose deadline wiremap's own queue used up: never sent (it passed while they
    # waited for a free connection), or sent with less than their deadline left. Counted with the
    # ``timeout`` errors (no answer came), but wiremap's limit, not the destination's: --check does not hold
    # them against it (a 600 ms service on too few connections FAILed a P95 of 800 ms: round 64)
    queue_timeouts: int = 0
    # connections opened again during the run: the server closed them, broke their framing, or a request
    # failed on them (each one's opening in the latency of the request that waited for it)
    reopened: int = 0
    connect_each: bool = False  # each request opens its own connection (TCP's connect time)
    # the destination's service time unloaded: the quickest of the run's first answers (before any queue),
    # or with --find-max the lowest p50 of a sustained step; None when unknown
    baseline_service_ms: float | None = None
    # wiremap's CPU time over the run's wall time (its threads included); None when unknown
    client_cpu_share: float | None = None
    workers: int = 1  # processes the load was sent from (--workers), each its share of rate and connections
    # the corrected latencies themselves, for a count above a limit (the --check's significance test);
    # None where only percentiles are known (a result read back, a test's hand-made one)
    samples: SampleCounts | None = field(default=None, compare=False, repr=False)

    @property
    def fell_behind(self) -> bool:
        """The client sent late enough to bend the figures: send lateness p99 of 1 ms, or 2% of the
        service time p99 when that is longer (1.2 ms of lateness does not bend a 200 ms answer; on a
        1 ms answer it is the whole measurement). Lateness counts a busy client CPU and the wait for a
        free connection (too few for the rate): wiremap's limits, never the destination's."""
        if self.saturating:  # the wait was the destination's queue, held in wiremap: its latency
            return False
        return self.lateness_ms.p99 >= max(LATENESS_P99_MS, LATENESS_SHARE * self.uncorrected_ms.p99)

    @property
    def saturating(self) -> bool:
        """Requests waited for a free connection while the destination's own service time rose well above
        its unloaded one (:attr:`baseline_service_ms`), wiremap's CPU not busy: the destination answers
        no faster whatever the connections (a server with one worker at 2 connections was "client-bound",
        more connections would only have lengthened its queue: round 64). Its queue is then in wiremap's
        pool instead of its own: the corrected latency is the destination's, as an open model means."""
        base = self.baseline_service_ms
        # requests that did wait (not only Little's law saying they would: a server slowing over the run
        # with room for every request was "saturated" at 4 connections: round 65)
        if base is None or self.queued <= max(0.01 * self.requests, 0):
            return False
        if self.client_cpu_share is not None and self.client_cpu_share >= CLIENT_CPU_BUSY:
            return False
        p50 = self.uncorrected_ms.p50
        return p50 >= SATURATION_RISE * base and p50 - base >= SATURATION_MIN_MS

    def saturation(self) -> str:
        """:attr:`saturating` in words."""
        base, p50 = self.baseline_service_ms or 0.0, self.uncorrected_ms.p50
        return (
            f"the destination's service time rose from {base:.2f} ms with few requests in flight to "
            f"{p50:.2f} ms (p50) with all {self.connections} connections busy: it is saturated, and more "
            "connections would wait on it too"
        )

    @property
    def connections_needed(self) -> int:
        """Connections an open model needs at this rate for the service time measured (Little's law:
        rate x p99 service time, with half again for the spread), at least one."""
        return max(1, math.ceil(1.5 * self.rate * self.uncorrected_ms.p99 / 1000))

    @property
    def queued_for_connections(self) -> bool:
        """Requests waited for a free connection: more than 1% of those measured, or the p99 service time
        says the pool is too small for the rate (Little's law)."""
        if self.connections and self.connections_needed > self.connections:
            return True
        return self.queued > max(0.01 * self.requests, 0)

    def behind(self) -> str:
        """Why the client fell behind, in words (:attr:`fell_behind`): requests that waited for a free
        connection (the pool, held by answers not yet come), else this machine's CPU."""
        said = f"the client fell behind (send lateness p99 {self.lateness_ms.p99:.2f} ms"
        if self.connections and self.connections_needed > self.connections:
            return (
                f"{said}: {self.connections} connections at a service time of "
                f"{self.uncorrected_ms.p99:.0f} ms are too few for {self.rate:g}/s, --connections "
                f"{self.connections_needed} would do)"
            )
        if self.queued_for_connections:
            # a stall: a few answers as slow as the max hold every connection (1 s every 3 s at 100/s on 2
            # connections was said to be "this machine's CPU": round 55)
            needed = max(self.connections + 1, math.ceil(1.5 * self.rate * self.uncorrected_ms.max / 1000))
            # (a run stopped early counts no request it abandoned: "192 of 151" was said: round 64)
            of = f" of {self.requests}" if self.queued <= self.requests else ""
            timeouts = self.errors.get("timeout")
            if timeouts is not None and timeouts.count > timeouts.warmup:
                # the connections were held by requests the destination never answered: its failure, and
                # more connections would only hold more of them (round 64)
                return (
                    f"{said}: {self.queued}{of} requests waited for a free connection, all {self.connections}"
                    f" held by requests the destination did not answer before their deadline)"
                )
            return (
                f"{said}: {self.queued}{of} requests waited for a free connection, all "
                f"{self.connections} held by answers as slow as {self.uncorrected_ms.max:.0f} ms; "
                f"--connections {needed} sends them on time)"
            )
        return f"{said}: this machine's CPU)"

    @property
    def destination_errors(self) -> int:
        """Failed requests of the measured period less those wiremap's queue timed out (see
        ``queue_timeouts``)."""
        return max(0, self.measured_errors - self.queue_timeouts)

    @property
    def measured_errors(self) -> int:
        """Failed requests of the measured period (``errors`` less the warm-up's)."""
        return sum(e.count - e.warmup for e in self.errors.values())

    @property
    def unmeasured(self) -> str:
        """Why no latency was measured, in words (``successes`` is 0): nothing of the measured period
        succeeded, or the run stopped before it began."""
        if self.requests == 0 and self.warmup_requests:
            return "no request in the measured period: the run stopped in the warm-up"
        return "no request of the measured period succeeded"

    @property
    def successes(self) -> int:
        """Requests of the measured period that succeeded: the samples of the latency percentiles.
        Without any, the percentiles (0.00) measure nothing."""
        return self.requests - self.measured_errors

    @property
    def error_counts(self) -> dict[str, int]:
        """ErrorKind value -> count, warm-up included."""
        return {kind: e.count for kind, e in self.errors.items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms.to_json(),
            "uncorrected_ms": self.uncorrected_ms.to_json(),
            "lateness_ms": self.lateness_ms.to_json(),
            "throughput_per_s": round(self.throughput_per_s, 3),
            "requests": self.requests,
            "successes": self.successes,
            "warmup_requests": self.warmup_requests,
            "errors": {kind: e.to_json() for kind, e in self.errors.items()},
            "rate": self.rate,
            "duration_s": round(self.duration_s, 3),
            "connections": self.connections,
            "connections_grown": self.connections_grown,
            "connections_failed": self.connections_failed,
            "connection_error": self.connection_error,
            "queued": self.queued,
            "queue_timeouts": self.queue_timeouts,
            "reopened": self.reopened,
            "baseline_service_ms": None
            if self.baseline_service_ms is None
            else round(self.baseline_service_ms, 3),
            "client_cpu_share": None if self.client_cpu_share is None else round(self.client_cpu_share, 3),
            "workers": self.workers,
            "saturated": self.saturating,
            "client_fell_behind": self.fell_behind,
            "stopped_early": self.stopped_early,
            "failed_run": self.failed_run,
        }


class Operation(Protocol):
    """One connection's worth of requests of one protocol."""

    async def open(self) -> None: ...

    async def __call__(self) -> None:
        """One request/round trip; raises a :class:`wiremap.protocols.DestinationError` on failure."""
        ...

    async def close(self) -> None: ...


class WireOperation(Operation, Protocol):
    """An operation the engine drives by callbacks (:mod:`wiremap.measure.wire`): no task, future or
    timer per request."""

    def start(self, done: Callable[[Exception | None], None]) -> None:
        """Send one request; ``done(None)`` when answered, ``done(error)`` (a
        :class:`wiremap.protocols.DestinationError`) when failed, from the event loop's callbacks."""
        ...

    def abort(self) -> None:
        """Give up the request in flight: ``done`` is not called for it; the connection is closed."""
        ...


OperationFactory = Callable[[ProbeContext], Operation]

# Called about 4 times a second while running: elapsed s, requests so far, p50 and p99 so far (ms).
Progress = Callable[[float, int, float, float], None]
