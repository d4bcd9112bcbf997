"""An in-memory :class:`Store` and :class:`MonitorView` over the example catalog, with known data."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import wiremap
from tests._paths import EXAMPLE_DOCS
from wiremap.catalog import Catalog
from wiremap.document import parse_text
from wiremap.monitor.model import (
    CheckResult,
    IntegrationState,
    Percentiles,
    RecentCheck,
    Rollup,
    Status,
    Transition,
)

with warnings.catch_warnings():  # starlette's note about httpx vs httpx2, at import
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

__all__ = ["NOW", "SECRET", "FakeStore", "FakeView", "TestClient", "example_view"]

NOW = 1_800_000_030.0  # 30 s into a minute
SECRET = "s3cret"
PAYMENTS = "checkout-service-to-payments-api"
REDIS = "cart-service-to-cart-redis"
ORDERS = "checkout-service-to-orders-database"
INVENTORY = "checkout-service-to-inventory-service"


def _latency(r: CheckResult) -> float:
    return r.ttfb_ms if r.ttfb_ms is not None else r.duration_ms


def _rank(values: list[float], q: float) -> float:
    return values[max(0, math.ceil(q * len(values)) - 1)]


def _percentiles(results: Sequence[CheckResult]) -> Percentiles:
    ok = sorted(_latency(r) for r in results if r.ok)
    if not ok:
        return Percentiles(len(results), len(results))
    return Percentiles(
        len(results), sum(not r.ok for r in results), _rank(ok, 0.5), _rank(ok, 0.95), _rank(ok, 0.99)
    )


@dataclass
class FakeStore:
    """The :class:`Store` protocol over lists; rollups cover buckets complete at ``rolled_until``."""

    checks: list[CheckResult] = field(default_factory=list)
    changes: list[Transition] = field(default_factory=list)
    rolled_until: float = 0.0

    def add_results(self, results: Sequence[CheckResult]) -> None:
        self.checks.extend(results)

    def add_transition(self, transition: Transition) -> None:
        self.changes.append(transition)

    def add_transitions(self, transitions: Sequence[Transition]) -> None:
        self.changes.extend(transitions)

    def results(
        self, integration_id: str, since: float, until: float | None = None, limit: int | None = None
    ) -> list[CheckResult]:
        out = sorted(
            (
                r
                for r in self.checks
                if r.integration_id == integration_id and r.ts >= since and (until is None or r.ts < until)
            ),
            key=lambda r: r.ts,
        )
        return out[-limit:] if limit else out

    def failures(self, integration_id: str, since: float, limit: int = 50) -> list[CheckResult]:
        return [r for r in reversed(self.results(integration_id, since)) if not r.ok][:limit]

    def percentiles(self, integration_id: str, since: float, until: float | None = None) -> Percentiles:
        return _percentiles(self.results(integration_id, since, until))

    def rollups(
        self, integration_id: str, bucket_s: int, since: float, until: float | None = None
    ) -> list[Rollup]:
        buckets: dict[float, list[CheckResult]] = {}
        for r in self.results(integration_id, since, until):
            bucket = float(math.floor(r.ts / bucket_s) * bucket_s)
            if bucket + bucket_s <= self.rolled_until:
                buckets.setdefault(bucket, []).append(r)
        out = []
        for bucket, rs in sorted(buckets.items()):
            p = _percentiles(rs)
            out.append(Rollup(integration_id, bucket, bucket_s, p.count, p.failures, p.p50, p.p95, p.p99))
        return out

    def summaries(self, bucket_s: int, since: float, until: float | None = None) -> dict[str, Percentiles]:
        out: dict[str, Percentiles] = {}
        for key in sorted({r.integration_id for r in self.checks}):
            parts = self.rollups(key, bucket_s, since, until)
            if parts:
                out[key] = Percentiles(
                    sum(p.count for p in parts),
                    sum(p.failures for p in parts),
                    *(
                        max((v for p in parts if (v := getattr(p, q)) is not None), default=None)
                        for q in ("p50", "p95", "p99")
                    ),
                )
        return out

    def transitions(self, integration_id: str | None, since: float, limit: int = 100) -> list[Transition]:
        out = [
            t
            for t in self.changes
            if (integration_id is None or t.integration_id == integration_id) and t.ts >= since
        ]
        return sorted(out, key=lambda t: t.ts)[-limit:]  # oldest first: the app must not rely on an order

    def latest(self) -> dict[str, CheckResult]:
        out: dict[str, CheckResult] = {}
        for r in sorted(self.checks, key=lambda r: r.ts):
            out[r.integration_id] = r
        return out

    def roll_up(self, now: float) -> None:
        self.rolled_until = max(self.rolled_until, now)

    def prune(self, now: float, raw_days: float = 7, minute_days: float = 30, hour_days: float = 400) -> None:
        self.checks = [r for r in self.checks if r.ts >= now - raw_days * 86400]

    def close(self) -> None:
        return None


@dataclass
class FakeView:
    """A :class:`MonitorView`: statuses set by hand, last results from the store."""

    catalog: Catalog
    store: FakeStore
    statuses: dict[str, Status]
    started_at: float = NOW - 7200
    interval_s: float = 30.0
    targets: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (what is probed, from where)

    def _state(self, integration_id: str) -> IntegrationState | None:
        integ = next((i for i in self.catalog if i.id == integration_id), None)
        if integ is None:
            return None
        status = self.statuses.get(integration_id, Status.UNKNOWN)
        last = self.store.latest().get(integration_id)
        since = None if status is Status.UNKNOWN else NOW - 600
        fails = 3 if status is Status.DOWN else 0
        note = "" if integ.destination_host else "no destination host in the doc"
        stored = self.store.results(integration_id, NOW - 7 * 86400, None, 30)
        recent = tuple(RecentCheck.of(r) for r in stored)
        shown, source = self.targets.get(integration_id, (None, "doc"))
        return IntegrationState(
            integ, status, since, last, fails, 0 if fails else 5, NOW + 12, note, None, recent, shown, source
        )

    def states(self) -> list[IntegrationState]:
        out = [s for i in self.catalog if (s := self._state(i.id)) is not None]
        return sorted(out, key=lambda s: (not s.integration.critical_path, s.id))

    def state(self, integration_id: str) -> IntegrationState | None:
        return self._state(integration_id)


def _ok(integration_id: str, ts: float, ms: float) -> CheckResult:
    return CheckResult(integration_id, ts, True, ms + 1.0, ms)


def example_view(extra_doc: str | None = None) -> FakeView:
    """The example catalog with known history (``NOW`` is the current time):

    * payments: a check every 30 s over the last 2 hours, 100 ms each, except 1000 ms checks in the
      last 10 minutes and one failure 5 minutes ago whose message holds a database password;
    * redis: down, 3 failures in the last 2 minutes (refused), earlier successes of 2 ms;
    * orders: degraded; inventory: up with nothing stored; the rest unknown.
    """
    catalog = wiremap.load(EXAMPLE_DOCS)
    if extra_doc is not None:
        catalog.docs.append(parse_text(extra_doc, "docs/evil.md"))
    store = FakeStore()
    for k in range(240):
        ts = NOW - 7200 + k * 30
        ms = 1000.0 if ts >= NOW - 600 else 100.0
        if ts == NOW - 300:
            message = f"connection failed: postgresql://app:{SECRET}@db/x refused"
            store.add_results([CheckResult(PAYMENTS, ts, False, 5000.0, None, "timeout", message)])
        else:
            store.add_results([_ok(PAYMENTS, ts, ms)])
    for k in range(20):
        store.add_results([_ok(REDIS, NOW - 3600 + k * 60, 2.0)])
    store.add_results(
        [
            CheckResult(REDIS, NOW - 120 + k * 40, False, 1.5, None, "refused", "Connection refused")
            for k in range(3)
        ]
    )
    store.add_results([_ok(ORDERS, NOW - 100, 80.0)])
    store.add_transition(Transition(REDIS, NOW - 3000, Status.UNKNOWN, Status.UP, "probe succeeded"))
    store.add_transition(
        Transition(
            REDIS,
            NOW - 40,
            Status.UP,
            Status.DOWN,
            f"3 consecutive failed probes (refused: redis://:{SECRET}@cache:6379/0)",
        )
    )
    store.roll_up(NOW - 150)  # the last two complete minutes and the current one come from raw results
    statuses = {PAYMENTS: Status.UP, REDIS: Status.DOWN, ORDERS: Status.DEGRADED, INVENTORY: Status.UP}
    targets = {PAYMENTS: ("http://127.0.0.1:9000/v1/charges", "--target")}
    return FakeView(catalog, store, statuses, targets=targets)
