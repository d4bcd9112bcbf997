"""When the history store is unreachable: a bounded backlog of what waits to be written, one log line a
minute, and a store the web app reads that fails fast (so pages answer from memory, not with a 500).

- :class:`Backlog` holds the results and transitions not written yet. It is bounded: past ``limit``
  results the **oldest raw results** are dropped (and counted); transitions (status changes, a few per
  outage) are kept up to ``limit`` as well, and only then the oldest dropped and counted too. A batch
  that fails goes back in front of what arrived meanwhile, so nothing is written twice: results go in one
  transaction per batch, transitions one at a time, and only what was not written is retried.
- :class:`StoreHealth` knows whether the store is down, since when and why; it logs one line when the
  store goes away, one a minute while it stays away (results waiting, dropped), and one when it is back
  (how many were written) — never a traceback.
- :class:`GuardedStore` is the store the web app gets: while the store is down its reads raise
  :class:`StoreUnavailable` at once (no connection attempt, no timeout per page), and a read that fails
  marks the store down. Only the writer's next successful write (or a ping when nothing waits) brings it
  back.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from ..secrets import mask_text
from .model import CheckResult, Percentiles, Rollup, Store, Transition

__all__ = [
    "BUFFER_DEFAULT",
    "BUFFER_ENV",
    "Backlog",
    "DatabaseFile",
    "GuardedStore",
    "StoreHealth",
    "StoreOutage",
    "StoreUnavailable",
    "short_error",
]

log = logging.getLogger("wiremap.serve")

BUFFER_DEFAULT = 100_000  # results waiting for the store at most (~20 MB)
BUFFER_ENV = "WIREMAP_STORE_BUFFER"
REPORT_EVERY_S = 60.0


@dataclass(frozen=True, slots=True)
class StoreOutage:
    """The history store is unavailable: since when, the last error (one line, masked), what waits to be
    written and what was dropped since it went away (``limit``: the backlog's bound)."""

    since: float
    error: str
    waiting: int
    waiting_transitions: int
    dropped: int
    dropped_transitions: int
    limit: int


class StoreUnavailable(Exception):
    """A read of the history store that did not happen (or failed): the store is down."""

    def __init__(self, outage: StoreOutage) -> None:
        super().__init__(f"history store unavailable since {outage.since:.0f}: {outage.error}")
        self.outage = outage


def short_error(exc: BaseException) -> str:
    """One line for the log and the banner: the driver's own message (SQLAlchemy wraps it with the SQL
    and a link over several lines), masked, at most 200 characters."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    text = lines[0] if lines else type(cause).__name__
    text = mask_text(text)
    return text if len(text) <= 200 else text[:199] + "…"


class DatabaseFile:
    """SQLite: the database file serve opened. An open connection goes on writing to its file after the
    file (or its directory) is moved or removed, into a file nobody reads again; so before each write the
    file must still be where it was. Moved back, writing resumes; replaced by another file, it stays
    unavailable (the new file has none of the history: restart serve to use it)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.inode = os.stat(path).st_ino

    @classmethod
    def of(cls, store: Store) -> DatabaseFile | None:
        engine = getattr(store, "engine", None)
        if not isinstance(engine, Engine) or engine.dialect.name != "sqlite" or not engine.url.database:
            return None
        try:
            return cls(engine.url.database)
        except OSError:
            return None

    def check(self) -> None:
        try:
            inode = os.stat(self.path).st_ino
        except OSError as exc:
            raise OSError(f"database file {self.path} is gone ({exc.strerror})") from None
        if inode != self.inode:
            raise OSError(f"database file {self.path} was replaced by another file: restart serve to use it")


class Backlog:
    """Results and transitions waiting for the store, bounded (see the module docstring)."""

    def __init__(self, limit: int = BUFFER_DEFAULT) -> None:
        self.limit = max(1, limit)
        self._results: deque[CheckResult] = deque()
        self._transitions: deque[Transition] = deque()
        self.dropped = 0  # raw results dropped since the start
        self.dropped_transitions = 0

    def __len__(self) -> int:
        return len(self._results)

    @property
    def transitions(self) -> int:
        return len(self._transitions)

    def add_result(self, result: CheckResult) -> None:
        self._results.append(result)
        if len(self._results) > self.limit:
            self._results.popleft()
            self.dropped += 1

    def add_transition(self, transition: Transition) -> None:
        self._transitions.append(transition)
        if len(self._transitions) > self.limit:
            self._transitions.popleft()
            self.dropped_transitions += 1

    def take(self) -> tuple[list[CheckResult], list[Transition]]:
        """Everything waiting, oldest first; the backlog is empty afterwards."""
        results, transitions = list(self._results), list(self._transitions)
        self._results.clear()
        self._transitions.clear()
        return results, transitions

    def give_back(self, results: Sequence[CheckResult], transitions: Sequence[Transition]) -> None:
        """Put what was not written back in front of what arrived meanwhile, within the bound (the
        oldest go first)."""
        self._results.extendleft(reversed(results))
        self._transitions.extendleft(reversed(transitions))
        over = len(self._results) - self.limit
        for _ in range(max(0, over)):
            self._results.popleft()
        self.dropped += max(0, over)
        over = len(self._transitions) - self.limit
        for _ in range(max(0, over)):
            self._transitions.popleft()
        self.dropped_transitions += max(0, over)


class StoreHealth:
    """Whether the store is down (thread-safe: the writer reports from the event loop, the web app's
    reads from worker threads), and the log lines about it."""

    def __init__(self, backlog: Backlog, clock: Callable[[], float] = time.time) -> None:
        self.backlog = backlog
        self._clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._error = ""
        self._reported = 0.0
        self._dropped_at_start = (0, 0)
        self.outages = 0  # since the start

    @property
    def down(self) -> bool:
        return self._since is not None

    def outage(self) -> StoreOutage | None:
        with self._lock:
            return self._outage()

    def _outage(self) -> StoreOutage | None:
        if self._since is None:
            return None
        b = self.backlog
        return StoreOutage(
            self._since,
            self._error,
            len(b),
            b.transitions,
            b.dropped - self._dropped_at_start[0],
            b.dropped_transitions - self._dropped_at_start[1],
            b.limit,
        )

    def failed(self, exc: BaseException, what: str = "write") -> StoreOutage:
        """The store failed (``what``: write, read, ping); one log line when it goes away, then at most
        one a minute."""
        now = self._clock()
        with self._lock:
            self._error = short_error(exc)
            if self._since is None:
                self._since = now
                self._reported = now
                self._dropped_at_start = (self.backlog.dropped, self.backlog.dropped_transitions)
                self.outages += 1
                log.warning(
                    "history store unavailable (%s failed: %s); probing goes on, %d results wait in memory "
                    "(at most %d, then the oldest are dropped); pages show what is in memory",
                    what,
                    self._error,
                    len(self.backlog),
                    self.backlog.limit,
                )
            elif now - self._reported >= REPORT_EVERY_S:
                self._reported = now
                o = self._outage()
                assert o is not None
                log.warning(
                    "history store unavailable for %.0f s (%s); %d results and %d status changes waiting, "
                    "%d results dropped",
                    now - o.since,
                    o.error,
                    o.waiting,
                    o.waiting_transitions,
                    o.dropped,
                )
            out = self._outage()
            assert out is not None
            return out

    def wrote(self, results: int, transitions: int) -> None:
        """A write (or ping) succeeded; after an outage, one line with what was written since."""
        with self._lock:
            if self._since is None:
                return
            o = self._outage()
            assert o is not None
            self._since = None
            self._error = ""
        dropped = f"; {o.dropped} results dropped (buffer of {o.limit} full)" if o.dropped else ""
        if o.dropped_transitions:
            dropped += f", {o.dropped_transitions} status changes dropped"
        log.info(
            "history store back after %.0f s: %d results and %d status changes written%s",
            self._clock() - o.since,
            results,
            transitions,
            dropped,
        )

    def collector(self) -> Collector:
        """``wiremap_store_dropped_total{kind}``, ``wiremap_store_pending{kind}`` and ``wiremap_store_up``,
        read from the backlog at scrape time (nothing is done per result)."""
        return _Collector(self)

    def register(self, registry: CollectorRegistry) -> None:
        registry.register(self.collector())


class _Collector(Collector):
    def __init__(self, health: StoreHealth) -> None:
        self._health = health

    def collect(self) -> list[CounterMetricFamily | GaugeMetricFamily]:
        b = self._health.backlog
        dropped = CounterMetricFamily(
            "wiremap_store_dropped",
            "Results and status changes dropped because the store was unavailable and the buffer full",
            labels=["kind"],
        )
        dropped.add_metric(["result"], b.dropped)
        dropped.add_metric(["transition"], b.dropped_transitions)
        pending = GaugeMetricFamily(
            "wiremap_store_pending", "Results and status changes waiting to be written", labels=["kind"]
        )
        pending.add_metric(["result"], len(b))
        pending.add_metric(["transition"], b.transitions)
        up = GaugeMetricFamily("wiremap_store_up", "1 while the history store is reachable, else 0")
        up.add_metric([], 0 if self._health.down else 1)
        return [dropped, pending, up]


class GuardedStore:
    """The :class:`Store` the web app reads: fails fast with :class:`StoreUnavailable` while the store is
    down, and marks it down when a read fails. Writes go straight through (the monitor writes to the
    store itself and handles failures there)."""

    def __init__(self, store: Store, health: StoreHealth) -> None:
        self._store = store
        self.health = health

    @property
    def inner(self) -> Store:
        return self._store

    def outage(self) -> StoreOutage | None:
        return self.health.outage()

    def _check(self) -> None:
        outage = self.health.outage()
        if outage is not None:
            raise StoreUnavailable(outage)

    def _failed(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(self.health.failed(exc, "read"))

    def add_results(self, results: Sequence[CheckResult]) -> None:
        self._store.add_results(results)

    def add_transition(self, transition: Transition) -> None:
        self._store.add_transition(transition)

    def add_transitions(self, transitions: Sequence[Transition]) -> None:
        self._store.add_transitions(transitions)

    def results(
        self, integration_id: str, since: float, until: float | None = None, limit: int | None = None
    ) -> list[CheckResult]:
        self._check()
        try:
            return self._store.results(integration_id, since, until, limit)
        except Exception as exc:
            raise self._failed(exc) from None

    def failures(self, integration_id: str, since: float, limit: int = 50) -> list[CheckResult]:
        self._check()
        try:
            return self._store.failures(integration_id, since, limit)
        except Exception as exc:
            raise self._failed(exc) from None

    def percentiles(self, integration_id: str, since: float, until: float | None = None) -> Percentiles:
        self._check()
        try:
            return self._store.percentiles(integration_id, since, until)
        except Exception as exc:
            raise self._failed(exc) from None

    def rollups(
        self, integration_id: str, bucket_s: int, since: float, until: float | None = None
    ) -> list[Rollup]:
        self._check()
        try:
            return self._store.rollups(integration_id, bucket_s, since, until)
        except Exception as exc:
            raise self._failed(exc) from None

    def summaries(self, bucket_s: int, since: float, until: float | None = None) -> dict[str, Percentiles]:
        self._check()
        try:
            return self._store.summaries(bucket_s, since, until)
        except Exception as exc:
            raise self._failed(exc) from None

    def transitions(self, integration_id: str | None, since: float, limit: int = 100) -> list[Transition]:
        self._check()
        try:
            return self._store.transitions(integration_id, since, limit)
        except Exception as exc:
            raise self._failed(exc) from None

    def latest(self) -> dict[str, CheckResult]:
        self._check()
        try:
            return self._store.latest()
        except Exception as exc:
            raise self._failed(exc) from None

    def roll_up(self, now: float) -> None:
        self._store.roll_up(now)

    def prune(self, now: float, raw_days: float = 7, minute_days: float = 30, hour_days: float = 400) -> None:
        self._store.prune(now, raw_days, minute_days, hour_days)

    def close(self) -> None:
        self._store.close()
