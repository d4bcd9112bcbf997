"""What the pages and the API show of one integration, read from the store (blocking: call it in a thread).

What leaves here is masked where it leaves the app: pages by Jinja's ``finalize``, the API by its response
class (see :mod:`wiremap.output`), not field by field here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..monitor.model import CheckResult, IntegrationState, Percentiles, Store, Transition
from ..monitor.state import (
    CLAIMED_EXCESS,
    MIN_SAMPLES,
    SIGNIFICANCE,
    documented_bound,
    excess_p_value,
    slow_limit,
)

__all__ = [
    "DAY",
    "EXACT_MAX",
    "HOUR",
    "WEEK",
    "WINDOWS",
    "Detail",
    "Live",
    "Point",
    "SlowProbes",
    "detail",
    "latency_of",
    "memory_detail",
    "memory_summaries",
    "series",
    "slow_probes",
    "summaries",
]

HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY

# window name -> (seconds, bucket seconds of its series)
WINDOWS: dict[str, tuple[float, int]] = {"1h": (HOUR, 60), "24h": (DAY, 60), "7d": (WEEK, 3600)}

RECENT = 20  # failures and transitions listed
EXACT_MAX = 200  # up to this many integrations, the catalog's day column is read exactly from raw results
_RAW_LIMIT = 20_000  # raw results read to fill buckets not rolled up yet


@dataclass(frozen=True, slots=True)
class Live:
    """An integration's state and its percentiles over the last hour and day."""

    state: IntegrationState
    hour: Percentiles
    day: Percentiles


@dataclass(frozen=True, slots=True)
class Point:
    """One bucket of a latency series; ``complete`` is false for the bucket still filling."""

    ts: float
    bucket_s: int
    count: int
    failures: int
    p50: float | None
    p95: float | None
    p99: float | None
    complete: bool = True


@dataclass(frozen=True, slots=True)
class SlowProbes:
    """The degraded rule's numbers over the last hour (:mod:`wiremap.monitor.state`): ``slow`` of ``n``
    successful probes took longer than the documented P99; ``chance`` is how likely that many would be if
    the P99 held. The rule judges only from ``min_samples`` probes, and degrades below ``significance``."""

    documented_p99: float  # the documented bound held: the P99, else the P95 (``name``)
    slow: int
    n: int
    chance: float
    min_samples: int = MIN_SAMPLES
    allowed: float = CLAIMED_EXCESS
    significance: float = SIGNIFICANCE
    name: str = "P99"

    @property
    def judged(self) -> bool:
        return self.n >= self.min_samples

    @property
    def degraded(self) -> bool:
        return self.judged and self.chance < self.significance


@dataclass(frozen=True, slots=True)
class Detail:
    live: Live
    week: Percentiles
    failures: list[CheckResult]  # newest first
    transitions: list[Transition]  # newest first
    points: list[Point]  # the last hour, per minute
    slow: SlowProbes | None = None  # None without a documented P99 or P95


def slow_probes(store: Store, state: IntegrationState, now: float) -> SlowProbes | None:
    """The degraded rule over the stored last hour (the monitor judges from its memory, a write batch
    ahead: the numbers may differ by the last second's probes)."""
    if (bound := documented_bound(state.integration)) is None:
        return None
    name, documented, share = bound
    ok = [latency_of(r) for r in store.results(state.id, now - HOUR, None, _RAW_LIMIT) if r.ok]
    limit = slow_limit(documented)
    slow = sum(1 for v in ok if v > limit)
    return SlowProbes(
        documented, slow, len(ok), excess_p_value(slow, len(ok), share), allowed=share, name=name
    )


def latency_of(result: CheckResult) -> float:
    """The latency of a check as the state machine sees it: time to first response, else duration."""
    return result.ttfb_ms if result.ttfb_ms is not None else result.duration_ms


def summaries(store: Store, states: Iterable[IntegrationState], now: float) -> list[Live]:
    """The catalog's numbers, the day always holding the hour (its count never below the hour's).

    Up to :data:`EXACT_MAX` integrations both windows are exact, read from the same raw results (the
    hour used to come from the monitor's memory, a write batch ahead of the store, so the day could
    count fewer checks than the hour). Above, one query combines the hourly rollups that start before
    the hour holding ``now - 1 h`` with the monitor's exact last hour (so the day column covers the last
    23 to 24 hours), percentiles the maximum of the parts."""
    states = list(states)
    batched = len(states) > EXACT_MAX
    cut = (now - HOUR) - (now - HOUR) % HOUR
    older = store.summaries(3600, now - DAY, cut) if batched else {}
    out = []
    for s in states:
        if batched:
            hour = s.hour if s.hour is not None else store.percentiles(s.id, now - HOUR, now)
            day = Percentiles.combine([older.get(s.id, Percentiles()), hour])
        else:
            hour = store.percentiles(s.id, now - HOUR, now)
            day = store.percentiles(s.id, now - DAY, now)
        out.append(Live(s, hour, day))
    return out


def memory_summaries(states: Iterable[IntegrationState]) -> list[Live]:
    """The catalog's numbers while the store is unavailable: the last hour from the monitor's memory
    (exact, as the batched catalog uses it), the day unknown (empty; the pages and API say why)."""
    return [Live(s, s.hour if s.hour is not None else Percentiles(), Percentiles()) for s in states]


def memory_detail(state: IntegrationState) -> Detail:
    """One integration's page while the store is unavailable: what the monitor keeps in memory (status,
    last hour, the strip of recent checks); the day, the week, failures, transitions and the per-minute
    series need the store (empty here; the pages and API say why)."""
    hour = state.hour if state.hour is not None else Percentiles()
    return Detail(Live(state, hour, Percentiles()), Percentiles(), [], [], [], None)


def detail(store: Store, state: IntegrationState, now: float) -> Detail:
    """One integration's page: exact percentiles from the store (raw results)."""
    live = Live(
        state,
        store.percentiles(state.id, now - HOUR, now),
        store.percentiles(state.id, now - DAY, now),
    )
    failures = list(store.failures(state.id, now - WEEK, limit=RECENT))
    failures.sort(key=lambda r: r.ts, reverse=True)
    transitions = list(store.transitions(state.id, now - WEEK, limit=RECENT))
    transitions.sort(key=lambda t: t.ts, reverse=True)
    return Detail(
        live,
        store.percentiles(state.id, now - WEEK, now),
        failures,
        transitions,
        series(store, state.id, HOUR, 60, now),
        slow_probes(store, state, now),
    )


def _rank(values: Sequence[float], pct: int) -> float:
    """Nearest rank ``ceil(pct * n / 100)`` in integers, as the store computes it."""
    return values[max(0, -(-pct * len(values) // 100) - 1)]


def _bucket(start: float, bucket_s: int, results: Sequence[CheckResult], now: float) -> Point:
    ok = sorted(latency_of(r) for r in results if r.ok)
    p50, p95, p99 = (_rank(ok, pct) for pct in (50, 95, 99)) if ok else (None, None, None)
    failures = sum(1 for r in results if not r.ok)
    return Point(start, bucket_s, len(results), failures, p50, p95, p99, start + bucket_s <= now)


def series(store: Store, integration_id: str, window_s: float, bucket_s: int, now: float) -> list[Point]:
    """Per-bucket percentiles over the window ending now: the store's rollups, then the buckets not
    rolled up yet (the current one included) from raw results, nearest-rank like the state machine."""
    first = (math.floor((now - window_s) / bucket_s) + 1) * bucket_s
    rolled = [r for r in store.rollups(integration_id, bucket_s, first, None) if r.bucket_start >= first]
    points = [
        Point(r.bucket_start, r.bucket_s, r.count, r.failures, r.p50, r.p95, r.p99, True)
        for r in sorted(rolled, key=lambda r: r.bucket_start)
    ]
    tail = max(first, points[-1].ts + bucket_s) if points else first
    if tail <= now:
        grouped: dict[float, list[CheckResult]] = defaultdict(list)
        for r in store.results(integration_id, tail, None, _RAW_LIMIT):
            if r.ts >= tail:
                grouped[math.floor(r.ts / bucket_s) * bucket_s].append(r)
        points += [_bucket(start, bucket_s, grouped[start], now) for start in sorted(grouped)]
    return points
