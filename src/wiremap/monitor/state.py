"""One state machine for the dashboard and the alerts.

down after N consecutive failed probes (default 2), up again after M successes (default 2), degraded
while up but the rolling p99 of time-to-first-response over the last hour exceeds the documented P99
(judged once the hour holds at least 10 successful probes). A first success brings an unknown
integration up at once; it goes down only after N failures.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from ..model import Integration
from .model import CheckResult, IntegrationState, Percentiles, Status, Transition

__all__ = ["Thresholds", "Tracker", "rolling_p99"]

WINDOW_S = 3600.0
MIN_SAMPLES = 10  # a p99 of fewer samples is their maximum: one cold connection would "degrade" a new start


@dataclass(frozen=True, slots=True)
class Thresholds:
    down_after: int = 2
    up_after: int = 2


def rolling_p99(samples: deque[tuple[float, float]]) -> float | None:
    """Nearest-rank p99 of the latencies in ``samples`` (``(ts, ms)`` pairs)."""
    if not samples:
        return None
    values = sorted(ms for _, ms in samples)
    return values[max(0, math.ceil(0.99 * len(values)) - 1)]


class Tracker:
    """The state of one integration, fed one result at a time."""

    def __init__(self, integration: Integration, thresholds: Thresholds) -> None:
        self.integration = integration
        self.thresholds = thresholds
        self.status = Status.UNKNOWN
        self.since: float | None = None
        self.last: CheckResult | None = None
        self.failures = 0
        self.successes = 0
        self.next_run: float | None = None
        self._window: deque[tuple[float, float]] = deque()  # successful probes of the hour: (ts, ms)
        self._checks: deque[tuple[float, bool]] = deque()  # every probe of the hour: (ts, ok)

    @property
    def documented_p99(self) -> float | None:
        return self.integration.latency_ms.p99

    @property
    def p99_hour(self) -> float | None:
        return rolling_p99(self._window)

    def observe(self, result: CheckResult) -> Transition | None:
        """Record a result; the status change it causes, if any."""
        self.last = result
        if result.ok:
            self.successes += 1
            self.failures = 0
            latency = result.ttfb_ms if result.ttfb_ms is not None else result.duration_ms
            self._window.append((result.ts, latency))
        else:
            self.failures += 1
            self.successes = 0
        self._checks.append((result.ts, result.ok))
        while self._window and self._window[0][0] < result.ts - WINDOW_S:
            self._window.popleft()
        while self._checks and self._checks[0][0] < result.ts - WINDOW_S:
            self._checks.popleft()
        new, reason = self._decide(result)
        if new is self.status:
            return None
        old, self.status, self.since = self.status, new, result.ts
        return Transition(self.integration.id, result.ts, old, new, reason)

    def _decide(self, result: CheckResult) -> tuple[Status, str]:
        t, status = self.thresholds, self.status
        if not result.ok:
            if status is not Status.DOWN and self.failures >= t.down_after:
                what = result.error_kind or "error"
                return Status.DOWN, f"{self.failures} consecutive failed probes ({what}: {result.message})"
            return status, ""
        if status is Status.DOWN and self.successes < t.up_after:
            return status, ""
        p99, documented = self.p99_hour, self.documented_p99
        enough = len(self._window) >= MIN_SAMPLES
        if enough and documented is not None and p99 is not None and p99 > documented:
            return Status.DEGRADED, f"p99 over the last hour {p99:.0f} ms > documented P99 {documented:g} ms"
        if status is Status.DOWN:
            return Status.UP, f"{self.successes} consecutive successful probes"
        return (
            Status.UP,
            "probe succeeded" if status is Status.UNKNOWN else "p99 back within the documented P99",
        )

    def hour(self) -> Percentiles:
        """Count, failures and nearest-rank p50/p95/p99 of the last hour's probes."""
        values = sorted(ms for _, ms in self._window)

        def rank(p: float) -> float | None:
            return values[max(0, math.ceil(p * len(values)) - 1)] if values else None

        failures = sum(1 for _, ok in self._checks if not ok)
        return Percentiles(len(self._checks), failures, rank(0.50), rank(0.95), rank(0.99))

    def snapshot(self, note: str = "") -> IntegrationState:
        return IntegrationState(
            self.integration,
            self.status,
            self.since,
            self.last,
            self.failures,
            self.successes,
            self.next_run,
            note,
            self.hour() if self._checks else None,
        )
