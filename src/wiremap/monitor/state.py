"""One state machine for the dashboard and the alerts.

down after N consecutive failed probes (default 2), up again after M successes (default 2). A first
success brings an unknown integration up at once; it goes down only after N failures. A probe whose checks
were all skipped (nothing was checked: a write the runner did not allow, a secret not sent) makes it
*skipped*, "not checked: why" — neither up nor down, and never alerted.

**Degraded** — the documented P99 says at most 1% of probes take longer. With few samples the sample p99
is their maximum (one slow probe of 90 would "degrade" for an hour), so the rule is a test of that claim:
of the last hour's n successful probes (n ≥ 10), k took longer than the documented P99; the integration
is degraded when k slow probes out of n would happen with probability below 1% if the claim held
(binomial tail P(X ≥ k | n, p = 0.01) < 0.01). One slow probe is never enough (P(X ≥ 1) is 10% at
n = 10, 60% at n = 90); two of ten are (0.4%); at n = 360 it takes 10 (2.8%). A failed probe that did
not take it down (one failure between successes: a destination failing every other probe is never down)
is no answer within the P99: it counts among the slow ones. "Longer" is beyond the P99 plus
:data:`PROBE_SLACK_MS`, what the probe's own timing may add.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model import Integration
from .model import CheckResult, IntegrationState, Percentiles, RecentCheck, Status, Transition

__all__ = [
    "RECENT_CHECKS",
    "HourWindow",
    "Thresholds",
    "Tracker",
    "documented_bound",
    "excess_p_value",
    "format_p",
    "rolling_p99",
    "slow_limit",
]

WINDOW_S = 3600.0
MIN_SAMPLES = 10  # fewer successful probes in the hour: no judgement on latency
# what a probe's own timing adds (the event loop's wake-ups, a connect's setup: 0.2–1.5 ms measured for a
# TCP connect a blocking socket timed at 0.02 ms): a probe is slow only beyond the documented figure plus
# this, or a doc stating "P99: 500 us" was degraded by wiremap's overhead, not the destination's (round 34)
PROBE_SLACK_MS = 1.0
CLAIMED_EXCESS = 0.01  # a documented P99: at most 1% of probes take longer
SIGNIFICANCE = 0.01  # degraded when the slow probes would be this unlikely under that claim
RECENT_CHECKS = 30  # kept per integration for the dashboard's strip (a reference each: cheap)


def excess_p_value(slow: int, n: int, p: float = CLAIMED_EXCESS) -> float:
    """P(X >= slow) for X ~ Binomial(n, p): how likely ``slow`` of ``n`` probes over the P99 would be if
    the documented P99 held."""
    if slow <= 0:
        return 1.0
    if slow > n:
        return 0.0
    if slow <= n * p:  # the upper tail is large: 1 - P(X < slow), term by term from P(X = 0)
        term = (1.0 - p) ** n
        below = 0.0
        for i in range(slow):  # P(X = i+1) = P(X = i) * (n-i)/(i+1) * p/(1-p)
            below += term
            term *= (n - i) / (i + 1) * p / (1.0 - p)
        return max(0.0, 1.0 - below)
    # a small tail, summed from P(X = slow) up: "1 - P(X < slow)" cancels to noise below ~1e-14 (52 of 1000
    # over a P95 printed p = 9e-15 for 2.9e-21: new user, round 28)
    log_term = (
        math.lgamma(n + 1)
        - math.lgamma(slow + 1)
        - math.lgamma(n - slow + 1)
        + slow * math.log(p)
        + (n - slow) * math.log1p(-p)
    )
    if log_term < -745:  # below the smallest double: 0, said as such (format_p)
        return 0.0
    term = math.exp(log_term)
    total = 0.0
    for k in range(slow, n + 1):
        total += term
        term *= (n - k) / (k + 1) * p / (1.0 - p)
        if term < total * 1e-17:
            break
    return min(1.0, total)


def format_p(p: float) -> str:
    """``p = 0.0049``, ``p = 2.9e-21``; ``p < 1e-300`` for a tail below what a double holds."""
    return f"p = {p:.2g}" if p > 0 else "p < 1e-300"


def slow_limit(documented_ms: float) -> float:
    """The latency above which a probe counts as slower than the documented figure."""
    return documented_ms + PROBE_SLACK_MS


def documented_bound(integration: Integration) -> tuple[str, float, float] | None:
    """What the degraded rule holds an integration to: ``("P99", ms, 0.01)``, else ``("P95", ms, 0.05)``
    when the doc states no P99 (a doc with a P95 alone was never degraded); None when it states neither."""
    lat = integration.latency_ms
    if lat.p99 is not None:
        return "P99", lat.p99, CLAIMED_EXCESS
    if lat.p95 is not None:
        return "P95", lat.p95, 0.05
    return None


@dataclass(frozen=True, slots=True)
class Thresholds:
    down_after: int = 2
    up_after: int = 2


def rolling_p99(latencies: Iterable[float]) -> float | None:
    """Nearest-rank p99 of ``latencies`` (ms)."""
    values = sorted(latencies)
    if not values:
        return None
    return values[max(0, math.ceil(0.99 * len(values)) - 1)]


_FAILED = math.nan  # a failed probe's latency in a window: it has none (and NaN > x is never true)


class HourWindow:
    """The probes of one integration's last hour, oldest first, as two ``array('d')`` rings (start time
    and latency, NaN for a failure): 16 bytes a probe, no object per probe (a deque of tuples was ~120
    bytes and two objects each; 5,000 integrations probed every 30 s keep 600,000 of them). The counts the
    state machine asks on every result (successes, slow ones) are kept as probes come and go, not
    recounted; the slow threshold is fixed by :meth:`slow_over` (the documented P99)."""

    __slots__ = ("_head", "_lat", "_size", "_ts", "ok", "slow", "slow_at")

    def __init__(self, capacity: int = 8) -> None:
        self._ts = array("d", bytes(8 * capacity))
        self._lat = array("d", bytes(8 * capacity))
        self._head = 0  # index of the oldest probe
        self._size = 0
        self.ok = 0  # successful probes in the window
        self.slow_at: float | None = None
        self.slow = 0  # successful probes slower than ``slow_at``

    def __len__(self) -> int:
        return self._size

    def append(self, ts: float, latency_ms: float | None) -> None:
        """A probe: its latency, or None when it failed."""
        cap = len(self._ts)
        if self._size == cap:
            self._grow()
            cap = len(self._ts)
        i = self._head + self._size
        if i >= cap:
            i -= cap
        value = _FAILED if latency_ms is None else latency_ms
        self._ts[i], self._lat[i] = ts, value
        self._size += 1
        if latency_ms is not None:
            self.ok += 1
            if self.slow_at is not None and value > self.slow_at:
                self.slow += 1

    def _grow(self) -> None:
        ts, lat = self._ts, self._lat
        h = self._head
        self._ts = ts[h:] + ts[:h] + array("d", bytes(8 * len(ts)))
        self._lat = lat[h:] + lat[:h] + array("d", bytes(8 * len(lat)))
        self._head = 0

    def expire(self, before: float) -> None:
        """Drop the probes that started before ``before``."""
        ts, lat, cap = self._ts, self._lat, len(self._ts)
        while self._size and ts[self._head] < before:
            value = lat[self._head]
            if value == value:  # not NaN: a success
                self.ok -= 1
                if self.slow_at is not None and value > self.slow_at:
                    self.slow -= 1
            self._head = self._head + 1 if self._head + 1 < cap else 0
            self._size -= 1

    def slow_over(self, threshold_ms: float | None) -> None:
        """Count successes slower than ``threshold_ms`` from now on (recounted when it changes)."""
        if threshold_ms == self.slow_at:
            return
        self.slow_at = threshold_ms
        self.slow = 0 if threshold_ms is None else sum(1 for v in self.latencies() if v > threshold_ms)

    def _ordered(self, values: array[float]) -> array[float]:
        h, end = self._head, self._head + self._size
        if end <= len(values):
            return values[h:end]
        return values[h:] + values[: end - len(values)]

    def latencies(self) -> list[float]:
        """The successful probes' latencies (ms), oldest first."""
        return [v for v in self._ordered(self._lat) if v == v]

    def probes(self) -> list[tuple[float, float | None]]:
        """(start, latency or None) of every probe, oldest first."""
        return [
            (t, v if v == v else None)
            for t, v in zip(self._ordered(self._ts), self._ordered(self._lat), strict=True)
        ]


class Tracker:
    """The state of one integration, fed one result at a time."""

    def __init__(self, integration: Integration, thresholds: Thresholds) -> None:
        self.integration = integration
        self.thresholds = thresholds
        self.status = Status.UNKNOWN
        self.since: float | None = None
        self.reason = ""  # why the status is what it is (the last transition's reason)
        self.last: CheckResult | None = None
        self.failures = 0
        self.successes = 0
        self.next_run: float | None = None
        self._hour = HourWindow()  # every probe of the last hour: start and latency (none if it failed)
        # failed probes of the last hour that did not take it down (a destination failing every other
        # probe never fails twice in a row): no answer within the P99, so they count against it
        self._flaps: deque[float] = deque()
        self.recent: deque[RecentCheck] = deque(maxlen=RECENT_CHECKS)

    @property
    def documented_p99(self) -> float | None:
        return self.integration.latency_ms.p99

    @property
    def p99_hour(self) -> float | None:
        return rolling_p99(self._hour.latencies())

    def observe(self, result: CheckResult) -> Transition | None:
        """Record a result; the status change it causes, if any."""
        self.last = result
        if result.ok:
            self.successes += 1
            self.failures = 0
            latency = result.ttfb_ms if result.ttfb_ms is not None else result.duration_ms
            self._hour.append(result.ts, latency)
        else:
            self.failures += 1
            self.successes = 0
            self._hour.append(result.ts, None)
            if self.status is not Status.DOWN:
                self._flaps.append(result.ts)
        self.recent.append(RecentCheck.of(result))
        self._hour.expire(result.ts - WINDOW_S)
        while self._flaps and self._flaps[0] < result.ts - WINDOW_S:
            self._flaps.popleft()
        new, reason = self._decide(result)
        if new is self.status:
            return None
        old, self.status, self.since = self.status, new, result.ts
        self.reason = reason
        if new is Status.DOWN:
            self._flaps.clear()  # the failures that took it down are the outage, said as such
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
        slow = self.too_slow()
        if slow is not None:
            return Status.DEGRADED, slow
        if status is Status.DOWN:
            return Status.UP, f"{self.successes} consecutive successful probes"
        first = status in (Status.UNKNOWN, Status.SKIPPED)
        return Status.UP, "probe succeeded" if first else "latency back within the documented P99"

    def too_slow(self) -> str | None:
        """Why the last hour contradicts the documented P99 (see the module docstring), or None. A doc
        that states no P99 is held to its P95 the same way (at most 5% slower): a doc with a P95 alone was
        never degraded, however slow (new user, round 27)."""
        flaps = len(self._flaps)
        n = self._hour.ok + flaps
        if (bound := documented_bound(self.integration)) is None or n < MIN_SAMPLES:
            return None
        name, documented, share = bound
        self._hour.slow_over(slow_limit(documented))  # kept as probes come and go (recounted if changed)
        slow = self._hour.slow + flaps
        if slow == 0:
            return None
        p = excess_p_value(slow, n, share)
        if p >= SIGNIFICANCE:
            return None
        what = "took longer than" if not flaps else f"failed ({flaps}) or took longer than"
        return (
            f"{slow} of {n} probes in the last hour {what} the documented {name} {documented:g} ms "
            f"(at most {share:.0%} should; chance {p:.1%})"
        )

    def skip(self, ts: float, reason: str) -> Transition | None:
        """Nothing was checked (every check skipped): *skipped*, with the reason; never an alert. The last
        check is none: the failure before it was shown as the current state of a gateway answering again
        (new user, round 42); it stays in the recent checks."""
        self.recent.append(RecentCheck(ts, "skipped", None, reason))
        self.last = None
        if self.status is Status.SKIPPED:
            return None
        old, self.status, self.since = self.status, Status.SKIPPED, ts
        self.failures = self.successes = 0
        self.reason = reason
        return Transition(self.integration.id, ts, old, Status.SKIPPED, reason)

    def restore(
        self, history: Sequence[CheckResult], last: Transition | None, streak: int | None = None
    ) -> None:
        """Carry on where a previous process stopped (a restart): ``history`` (the stored results of the
        last hour, oldest first) refills the hour's windows and the strip; its trailing run of successes
        or failures is the streak (``streak`` instead when the run is longer than ``history``); the newest
        stored transition ``last`` gives the status, its time and reason. The next probes then cause no
        transition, and so no alert and no stored row, for a status that was already recorded."""
        failed = succeeded = 0
        down = False
        for r in history:
            self._hour.append(r.ts, (r.ttfb_ms if r.ttfb_ms is not None else r.duration_ms) if r.ok else None)
            self.recent.append(RecentCheck.of(r))
            # the failures that did not take it down count against the P99 as they did before the restart
            # (a destination failing every other probe was "up" after each restart: new user, round 49)
            if r.ok:
                failed, succeeded = 0, succeeded + 1
                down = down and succeeded < self.thresholds.up_after
                continue
            failed, succeeded = failed + 1, 0
            if not down:
                self._flaps.append(r.ts)
                if failed >= self.thresholds.down_after:
                    down = True
                    self._flaps.clear()  # those failures were the outage, as observe() says
        if history:
            cutoff = history[-1].ts - WINDOW_S
            while self._flaps and self._flaps[0] < cutoff:
                self._flaps.popleft()
        if history:
            self.last = history[-1]
            run = 0
            for r in reversed(history):
                if r.ok is not history[-1].ok:
                    break
                run += 1
            run = max(run, streak or 0)
            self.successes, self.failures = (run, 0) if history[-1].ok else (0, run)
        if last is not None and last.new is not Status.UNKNOWN:
            self.status, self.since, self.reason = last.new, last.ts, last.reason

    def hour(self) -> Percentiles:
        """Count, failures and nearest-rank p50/p95/p99 of the last hour's probes."""
        values = sorted(self._hour.latencies())

        def rank(p: float) -> float | None:
            return values[max(0, math.ceil(p * len(values)) - 1)] if values else None

        count = len(self._hour)
        return Percentiles(count, count - self._hour.ok, rank(0.50), rank(0.95), rank(0.99))

    def snapshot(self, note: str = "", target: tuple[str, str] | None = None) -> IntegrationState:
        """What the web app reads; ``target`` is what is probed and where it comes from (the monitor's)."""
        if not note and self.status is Status.DEGRADED:
            # the page and the API say why, with the numbers now (the transition's stay as they were)
            note = self.too_slow() or self.reason
        return IntegrationState(
            self.integration,
            self.status,
            self.since,
            self.last,
            self.failures,
            self.successes,
            self.next_run,
            note,
            self.hour() if len(self._hour) else None,
            tuple(self.recent),
            target[0] if target is not None else None,
            target[1] if target is not None else "doc",
        )
