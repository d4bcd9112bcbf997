"""The data of ``wiremap serve``: check results, statuses, rollups, and the interfaces between the parts.

Data flows one way: scheduler → (state machine, store, metrics, alerts) → web. The web layer only
reads, through :class:`MonitorView`; the store is reached only through :class:`Store`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..catalog import Catalog
from ..model import Integration

__all__ = [
    "CheckResult",
    "DocBroken",
    "IntegrationState",
    "LocationStatus",
    "MonitorView",
    "Percentiles",
    "RecentCheck",
    "Rollup",
    "Status",
    "Store",
    "Transition",
]


class Status(enum.StrEnum):
    UNKNOWN = "unknown"  # not probed yet
    SKIPPED = "skipped"  # not checked, and why (a write not allowed, a secret not sent): never alerted
    UP = "up"
    DEGRADED = "degraded"  # up, but the last hour contradicts the documented P99 (monitor.state)
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One probe of one integration. ``ts`` is the start, in seconds since the epoch (UTC);
    ``ttfb_ms`` the time to the first response where the protocol has one (else ``duration_ms``)."""

    integration_id: str
    ts: float
    ok: bool
    duration_ms: float
    ttfb_ms: float | None = None
    error_kind: str | None = None
    message: str = ""
    location: str = ""  # where it ran (``serve --location``; monitor.cluster)


@dataclass(frozen=True, slots=True)
class RecentCheck:
    """One cell of the dashboard's strip of recent checks, kept in the monitor's memory.

    ``outcome`` is ``ok``, ``failed`` or ``skipped`` (nothing was checked, ``detail`` says why);
    ``latency_ms`` of a success as everywhere (the call itself, connect not counted: monitor.service), of a
    failure the whole probe (how long it took to fail); ``detail`` the error kind and message of a
    failure (masked where it leaves, like the message)."""

    ts: float
    outcome: str
    latency_ms: float | None = None
    detail: str = ""

    @classmethod
    def of(cls, result: CheckResult) -> RecentCheck:
        if result.ok:
            latency = result.ttfb_ms if result.ttfb_ms is not None else result.duration_ms
            return cls(result.ts, "ok", latency)
        what = result.error_kind or "error"
        detail = f"{what}: {result.message}" if result.message else what
        return cls(result.ts, "failed", result.duration_ms, detail)


@dataclass(frozen=True, slots=True)
class Transition:
    """A status change of one integration, as the state machine decided it."""

    integration_id: str
    ts: float
    old: Status
    new: Status
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Over a window: number of checks, failed ones, and latency percentiles (ms) of the successful ones.

    Latency, everywhere in the monitor (state machine, store, rollups, web): ``ttfb_ms`` when the check
    has one, else ``duration_ms``, of successful checks only; percentiles by nearest rank."""

    count: int = 0
    failures: int = 0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None

    @property
    def uptime(self) -> float | None:
        return (self.count - self.failures) / self.count if self.count else None

    @staticmethod
    def combine(parts: Iterable[Percentiles]) -> Percentiles:
        """Several windows as one: counts add up, each percentile is the **maximum** of the parts'.

        Percentiles cannot be merged exactly from summaries; the maximum errs on the pessimistic side, so
        a window's p99 is never reported better than its worst part's and a spike does not vanish."""
        count = failures = 0
        best: list[float | None] = [None, None, None]
        for p in parts:
            count, failures = count + p.count, failures + p.failures
            for i, v in enumerate((p.p50, p.p95, p.p99)):
                cur = best[i]
                if v is not None and (cur is None or v > cur):
                    best[i] = v
        return Percentiles(count, failures, best[0], best[1], best[2])


@dataclass(frozen=True, slots=True)
class Rollup:
    """A per-minute (``bucket_s`` 60) or per-hour (3600) summary; ``bucket_start`` in epoch seconds.
    Latency as in :class:`Percentiles`. Only complete buckets are rolled up."""

    integration_id: str
    bucket_start: float
    bucket_s: int
    count: int
    failures: int
    p50: float | None
    p95: float | None
    p99: float | None


class Store(Protocol):
    """History of checks. SQLite by default, PostgreSQL for a shared deployment; both pass one contract
    suite. Calls are synchronous and may block: the monitor writes from one worker thread while the web
    app reads from others, concurrently; implementations must allow that."""

    def add_results(self, results: Sequence[CheckResult]) -> None:
        """Append results (one transaction for the batch)."""

    def add_transition(self, transition: Transition) -> None: ...

    def add_transitions(self, transitions: Sequence[Transition]) -> None:
        """Append status changes (one transaction for the batch)."""

    def results(
        self, integration_id: str, since: float, until: float | None = None, limit: int | None = None
    ) -> list[CheckResult]:
        """Raw results of one integration in ``[since, until)``, oldest first (the newest ``limit``)."""

    def failures(self, integration_id: str, since: float, limit: int = 50) -> list[CheckResult]:
        """Failed results, newest first."""

    def percentiles(self, integration_id: str, since: float, until: float | None = None) -> Percentiles:
        """Over raw results when the window is within raw retention, else over rollups."""

    def rollups(
        self, integration_id: str, bucket_s: int, since: float, until: float | None = None
    ) -> list[Rollup]: ...

    def summaries(self, bucket_s: int, since: float, until: float | None = None) -> dict[str, Percentiles]:
        """Every integration's ``bucket_s`` rollups in the window combined (counts summed, percentiles the
        maximum of the buckets'): the day column of a catalog of thousands, in one query."""

    def transitions(self, integration_id: str | None, since: float, limit: int = 100) -> list[Transition]: ...

    def latest(self) -> dict[str, CheckResult]:
        """The newest result of every integration (to restore state after a restart)."""

    def roll_up(self, now: float) -> None:
        """Write the per-minute and per-hour rollups of every bucket that is complete at ``now``."""

    def prune(self, now: float, raw_days: float = 7, minute_days: float = 30, hour_days: float = 400) -> None:
        """Delete what is older than each retention."""

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class DocBroken:
    """An integration whose doc broke while serve ran (unreadable, emptied, cut off mid-edit): its last
    good version is still monitored; ``finding`` says what is wrong with the doc on disk now."""

    since: float
    finding: str
    path: str


@dataclass(frozen=True, slots=True)
class LocationStatus:
    """The status of an integration as the instances of one ``--location`` see it (monitor.cluster):
    decided by the instance holding its lease there; ``live`` is False once no instance of
    the location has sent a heartbeat within the lease time (it then no longer counts for the quorum)."""

    location: str
    status: Status
    since: float | None
    reason: str
    consecutive_failures: int
    consecutive_successes: int
    last: CheckResult | None
    updated_at: float
    live: bool = True


@dataclass(frozen=True, slots=True)
class IntegrationState:
    """What the monitor knows of one integration now."""

    integration: Integration
    status: Status
    since: float | None  # when the status last changed
    last: CheckResult | None
    consecutive_failures: int
    consecutive_successes: int
    next_run: float | None = None
    note: str = ""  # why it is not probed or not checked, or why it is degraded; else empty
    hour: Percentiles | None = None  # the last hour, kept in memory by the monitor (exact)
    recent: tuple[RecentCheck, ...] = ()  # the last checks, oldest first (the dashboard's strip)
    # what is probed, without credentials (``scheme://host:port/path``), and where that address comes
    # from: ``--target``, ``WIREMAP_TARGET_<ID>`` or ``doc``; None when there is nothing to probe
    target: str | None = None
    target_from: str = "doc"
    # backpressure (monitor.scheduler): how late its last probe started, rounds skipped since the start
    late_s: float | None = None
    skipped_rounds: int = 0
    doc_broken: DocBroken | None = None  # its doc broke: the last good version is what is monitored
    # several locations on one store (monitor.cluster): the status seen from each; ``status`` is then the
    # global one (by quorum) and ``quorum`` says how it was reached
    locations: tuple[LocationStatus, ...] = ()
    quorum: str = ""

    @property
    def id(self) -> str:
        return self.integration.id


class MonitorView(Protocol):
    """The read side the web app sees (it never writes, never runs anything). ``states()`` and ``state()``
    are called on the event loop's thread only: the monitor changes its trackers there."""

    @property
    def catalog(self) -> Catalog: ...

    @property
    def store(self) -> Store: ...

    def states(self) -> list[IntegrationState]:
        """Every integration's state, critical path first, then by id."""

    def state(self, integration_id: str) -> IntegrationState | None: ...

    @property
    def started_at(self) -> float: ...

    @property
    def interval_s(self) -> float: ...
