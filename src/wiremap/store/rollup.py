"""Percentile math and bucketing of raw results, in plain Python (the same numbers on every backend).

Percentiles use the **nearest-rank** method: the p-th percentile of n sorted values is the value at rank
``ceil(p * n / 100)`` (1-based). It always returns a latency that was really observed, needs no
interpolation, and is exact on small samples (a test can state the expected numbers by hand). SQLite has
no percentile function, so computing them here keeps both backends identical.

Latency is ``ttfb_ms`` when the protocol has one, else ``duration_ms``; only successful results count
(a timeout's duration says nothing about the server's latency). Failures count towards ``failures``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..monitor.model import Percentiles, Rollup

__all__ = [
    "BUCKETS",
    "Accumulator",
    "bucket_floor",
    "combine",
    "nearest_rank",
    "summarize",
]

BUCKETS = (60, 3600)  # minute and hour rollups


def bucket_floor(ts: float, bucket_s: int) -> float:
    """Start of the bucket holding ``ts``. Floor division of floats is exact in Python, so a ``ts`` just
    below a boundary stays in the earlier bucket (as the SQL range ``ts < boundary`` has it)."""
    return (ts // bucket_s) * bucket_s


def nearest_rank(ordered: Sequence[float], pct: int) -> float | None:
    """The ``pct``-th percentile (integer 1-100) of sorted values; integer arithmetic, so no rank is off
    by one through float rounding (``0.95 * 20`` must be 19, not 19.000000000000004)."""
    n = len(ordered)
    if not n:
        return None
    rank = max(1, (pct * n + 99) // 100)
    return ordered[rank - 1]


@dataclass(slots=True)
class Accumulator:
    """Count, failures and the latencies of the successful results of one window or bucket."""

    count: int = 0
    failures: int = 0
    latencies: list[float] = field(default_factory=list)

    def add(self, ok: bool, latency_ms: float) -> None:
        self.count += 1
        if ok:
            self.latencies.append(latency_ms)
        else:
            self.failures += 1

    def percentiles(self) -> Percentiles:
        ordered = sorted(self.latencies)
        return Percentiles(
            self.count,
            self.failures,
            nearest_rank(ordered, 50),
            nearest_rank(ordered, 95),
            nearest_rank(ordered, 99),
        )


def summarize(rows: Iterable[tuple[str, float, bool, float]], bucket_s: int) -> list[Rollup]:
    """Rollups of ``(integration_id, ts, ok, latency_ms)`` rows, one per integration and bucket."""
    buckets: dict[tuple[str, float], Accumulator] = {}
    for integration_id, ts, ok, latency in rows:
        key = (integration_id, bucket_floor(ts, bucket_s))
        acc = buckets.get(key)
        if acc is None:
            acc = buckets[key] = Accumulator()
        acc.add(bool(ok), latency)
    out: list[Rollup] = []
    for (integration_id, start), acc in sorted(buckets.items()):
        p = acc.percentiles()
        out.append(Rollup(integration_id, start, bucket_s, p.count, p.failures, p.p50, p.p95, p.p99))
    return out


def combine(parts: Iterable[Percentiles]) -> Percentiles:
    """Several windows as one (the documented approximation beyond raw retention): see
    :meth:`Percentiles.combine`."""
    return Percentiles.combine(parts)
