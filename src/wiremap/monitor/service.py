"""The monitor: the catalog, one tracker per integration, the scheduler, the store writer, alerts, metrics.

It is the write side of ``wiremap serve`` and also the :class:`MonitorView` the web app reads. Probes are
the verify probes (never the docs' commands: nothing here runs a command). Results go to the store in
batches from a worker thread, so a slow disk or database never stalls the probes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import UsageError
from ..catalog import Catalog, load
from ..config import Config
from ..document import ParsedDoc
from ..model import Integration
from ..probes.registry import preload
from ..trust.credentials import SecretGate
from ..trust.settings import Trust
from ..values import parse_duration_ms
from ..verify.engine import IntegrationReport, Prepared, VerifyOptions, prepare
from ..verify.engine import run as run_prepared
from ..verify.report._common import limited
from ..verify.targets import DocTargetError, resolve_target, shown_target
from .alerts import DOC_BROKEN, DOC_FIXED, REMOVED, Alerter, doc_event
from .cluster import Cluster
from .docs import reconcile
from .metrics import Metrics
from .model import CheckResult, DocBroken, IntegrationState, Status, Store, Transition
from .outage import (
    BUFFER_DEFAULT,
    Backlog,
    DatabaseFile,
    GuardedStore,
    StoreHealth,
    StoreOutage,
    short_error,
)
from .scheduler import Scheduler
from .state import WINDOW_S, Thresholds, Tracker

__all__ = ["Monitor", "ServeOptions", "to_check_result"]

log = logging.getLogger("wiremap.serve")

STREAK_MAX = 1_000  # results read back at most to count a streak longer than the hour (after a restart)


@dataclass(frozen=True)
class ServeOptions:
    interval_s: float = 30.0
    timeout_s: float = 5.0
    concurrency: int = 64
    thresholds: Thresholds = field(default_factory=Thresholds)
    webhooks: tuple[str, ...] = ()
    targets: Mapping[str, str] = field(default_factory=dict)
    raw_days: float = 7.0
    minute_days: float = 3.0  # per-minute rollups feed the 1 h and 24 h charts; 30 days of them at 5,000
    hour_days: float = 400.0  # integrations would be ~28 GB (bench/monitor_scale.py)
    flush_s: float = 1.0
    store_buffer: int = BUFFER_DEFAULT  # results waiting for an unavailable store at most (monitor.outage)
    maintenance_s: float = 60.0
    watch: bool = True
    # the runner's: integrations whose POST/PUT/PATCH/DELETE may be sent every interval ("*": all)
    allow_writes: frozenset[str] = frozenset()
    bindings: Mapping[str, list[str]] = field(default_factory=dict)  # secret -> host:ports it may go to
    location: str = ""  # where the probes run (--location): results carry it; monitor.cluster


# the phase of each probe that is the call itself, connection set-up not counted (HTTP's first response
# byte, Redis' PING, PostgreSQL's SELECT 1 …): what a doc's latency figures are about, as measure measures
# them on an open connection. gRPC's Check includes its connect (gRPC connects on the first call); MQTT's
# and TCP's probes are their connect, and have no phase here: the whole probe.
CALL_PHASES = ("first_byte", "ping", "query", "flush", "channel", "reply", "check")


def _call_ms(phases: Mapping[str, float]) -> float | None:
    return next((phases[p] for p in CALL_PHASES if p in phases), None)


def to_check_result(
    integration_id: str, started: float, report: IntegrationReport, location: str = ""
) -> CheckResult:
    failed = report.first_failure
    checks = [c for c in report.checks if not c.skipped]
    first = checks[0] if checks else None
    ttfb = _call_ms(first.phases_ms) if first is not None else None
    if failed is not None:
        return CheckResult(
            integration_id,
            started,
            False,
            report.duration_ms,
            ttfb,
            failed.error_kind.value if failed.error_kind is not None else "error",
            failed.message,  # masked where it leaves: store rows, pages, API, alerts, logs
            location,
        )
    # an ok says what it did not check: a TCP connect standing in for a protocol wiremap has no probe of
    # ("no kafka probe: TCP connect only"; serve said nothing where verify says it: round 69)
    note = limited(report)
    return CheckResult(integration_id, started, bool(checks), report.duration_ms, ttfb, None, note, location)


_WATCHED_SUFFIXES = (".md", ".markdown")
_WATCHED_NAMES = frozenset({"wiremap.toml", "pyproject.toml", "CODEOWNERS"})


def _is_doc_or_config(_change: object, path: str) -> bool:
    """A change that can change what is monitored: a doc or a config. Anything else under the docs (the
    history store itself, ``.wiremap/history.db`` beside the config with ``serve .``) reloaded every doc at
    each write, ten times a second."""
    name = os.path.basename(path)
    return name.endswith(_WATCHED_SUFFIXES) or name in _WATCHED_NAMES


def _seconds(value: Any, default: float) -> float:
    if isinstance(value, int | float) and value > 0:
        return float(value)
    if isinstance(value, str):
        ms = parse_duration_ms(value)
        if ms is not None and ms > 0:
            return ms / 1000
    return default


def _count(value: Any, default: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if n > 0 else default


class Monitor:
    """Probes the catalog continuously; the web app reads it as a :class:`MonitorView`."""

    def __init__(
        self,
        paths: Sequence[Path],
        config: Config,
        store: Store,
        options: ServeOptions,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.paths = list(paths)
        self.config = config
        self._store = store
        self.options = options
        self.env = dict(os.environ if env is None else env)
        self.gate = SecretGate(self.env, options.bindings)  # built once: probes only look it up
        self.metrics = Metrics()
        self.alerter = Alerter(options.webhooks, on_outcome=self.metrics.alert_outcome)
        self.scheduler = Scheduler(
            self._probe, concurrency=options.concurrency, timeout_s=options.timeout_s, on_skip=self._skipped
        )
        self.trackers: dict[str, Tracker] = {}
        self.unmonitored: dict[str, str] = {}  # id -> why it is not probed
        self.targets: dict[str, tuple[str, str]] = {}  # id -> what is probed, where that comes from
        self._catalog = Catalog()
        self._backlog = Backlog(options.store_buffer)  # what waits for the store (bounded: monitor.outage)
        self.store_health = StoreHealth(self._backlog)
        self.store_health.register(self.metrics.registry)
        self._guarded = GuardedStore(store, self.store_health)
        self._db_file = DatabaseFile.of(store)  # SQLite: written only while the file is where it was
        self._started_at = time.time()
        self._good: dict[str, ParsedDoc] = {}  # doc path -> its last good version
        self._loaded = False
        self.broken: dict[str, DocBroken] = {}  # id -> its doc broke: the last good version is monitored
        self._late: dict[str, float] = {}  # id -> how late its last probe started (s)
        self._skips: Counter[str] = Counter()  # id -> rounds skipped since the start
        # id -> (what it was built from: doc, options, config, env), its verify options and prepared probe
        self._prepared: dict[str, tuple[tuple[object, ...], VerifyOptions, Prepared]] = {}
        self._skips_logged = 0
        # several instances on one PostgreSQL store (monitor.cluster): who probes, decides and alerts
        self.cluster: Cluster | None = None
        self.load()

    # -- MonitorView ---------------------------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    @property
    def store(self) -> Store:
        """The store as the web app reads it: while it is unavailable, reads raise
        :class:`~.outage.StoreUnavailable` at once and pages answer from memory."""
        return self._guarded

    @property
    def store_outage(self) -> StoreOutage | None:
        return self.store_health.outage()

    @property
    def started_at(self) -> float:
        return self._started_at

    @property
    def interval_s(self) -> float:
        return self.options.interval_s

    def states(self) -> list[IntegrationState]:
        notes, targets = self.unmonitored, self.targets
        more = self._more
        out = [more(k, t.snapshot(notes.get(k, ""), targets.get(k))) for k, t in self.trackers.items()]
        return sorted(out, key=lambda s: (not s.integration.critical_path, s.id))

    def state(self, integration_id: str) -> IntegrationState | None:
        tracker = self.trackers.get(integration_id)
        if tracker is None:
            return None
        key = integration_id
        return self._more(key, tracker.snapshot(self.unmonitored.get(key, ""), self.targets.get(key)))

    def _more(self, key: str, state: IntegrationState) -> IntegrationState:
        """The monitor's own part of a state: lateness and skipped rounds, a broken doc; with several
        instances, the global status and every location's (monitor.cluster)."""
        if self.cluster is not None:
            state = self.cluster.overlay(state)
        late, skipped, broken = self._late.get(key), self._skips.get(key, 0), self.broken.get(key)
        if late is None and not skipped and broken is None:
            return state
        return dataclasses.replace(state, late_s=late, skipped_rounds=skipped, doc_broken=broken)

    # -- the catalog ---------------------------------------------------------------------------------------

    def settings(self, integ: Integration) -> tuple[float, Thresholds]:
        s = self.config.settings_for(integ)
        t = self.options.thresholds
        interval = _seconds(s.get("interval"), self.options.interval_s)
        runner_set = (
            self.config.trust is Trust.RUNNER
            and "interval" in self.config.integrations.get(integ.id, {})
            and not any(k.replace("-", "_") == "interval" for k in integ.directives.settings)
        )
        if not runner_set:  # a doc may ask to be probed less often, never more often than the runner said
            interval = max(interval, self.options.interval_s)
        return interval, Thresholds(
            _count(s.get("down_after"), t.down_after), _count(s.get("up_after"), t.up_after)
        )

    def load(self) -> None:
        """(Re)read the docs; keep the state of integrations that are still there, and the last good
        version of a doc that broke (:mod:`.docs`)."""
        fresh = load(self.paths)
        rec = reconcile(fresh, self._good, self._has_target)
        self._good = rec.good
        catalog = fresh if not self._loaded else rec.catalog  # at start-up a broken doc is an error (exit 1)
        seen: dict[str, str] = {}  # id -> the path of the doc monitored
        self.unmonitored = {}
        self.targets = {}
        # a doc that documents a monitored integration again (a copy added while serve runs) is not monitored:
        # the one that was stays (the copy took over, and paged on a healthy integration: round 69)
        held = {key: t.integration.path for key, t in self.trackers.items()}
        docs = sorted(catalog.docs, key=lambda d: d.path != held.get(d.integration.id, d.path))
        for doc in docs:
            integ = doc.integration
            if integ.id in seen:  # a lint finding (CAT001); at start-up an error (exit 1)
                log.error(
                    "%s: %s documents it again (CAT001); not monitored: %s is",
                    integ.id,
                    doc.path,
                    seen[integ.id],
                )
                continue
            seen[integ.id] = doc.path
            try:
                target = resolve_target(integ, self.options.targets, self.env)
                why = "no destination host in the doc"
            except DocTargetError as exc:  # the doc's own address cannot be read: not probed, said
                target, why = None, str(exc)
            if target is None:
                self.unmonitored[integ.id] = why
            elif (shown := shown_target(integ, self.options.targets, self.env)) is not None:
                self.targets[integ.id] = shown
            interval, thresholds = self.settings(integ)
            old = self.trackers.get(integ.id)
            if old is None:
                tracker = Tracker(integ, thresholds)
                self.trackers[integ.id] = tracker
                self.metrics.register(integ)
            else:
                tracker = old
                if old.integration != integ:
                    self.metrics.forget(old.integration)
                    self.metrics.register(integ)
                    self.metrics.set_status(integ, old.status)
                tracker.integration, tracker.thresholds = integ, thresholds
            if target is None:
                self.scheduler.remove(integ.id)
            elif (
                old is None
                or self.scheduler.next_run(integ.id) is None
                or interval != self.scheduler.interval_of(integ.id)
                or target.hostport != self.scheduler.host_of(integ.id)
            ):
                self.scheduler.add(integ.id, interval, target.hostport)
        if self._loaded:
            self._doc_events(rec.broken, [d.integration for d in rec.removed if d.integration.id not in seen])
        for gone in set(self.trackers) - seen.keys():
            self.metrics.forget(self.trackers.pop(gone).integration)
            self.scheduler.remove(gone)
            self._late.pop(gone, None)
            self._skips.pop(gone, None)
            self._prepared.pop(gone, None)
        self._catalog = catalog
        self._loaded = True
        preload({t.integration.protocol for t in self.trackers.values()})

    def _has_target(self, doc: ParsedDoc) -> bool:
        try:
            return resolve_target(doc.integration, self.options.targets, self.env) is not None
        except UsageError:
            return False

    def _doc_events(self, broken: Mapping[str, tuple[str, str]], removed: Sequence[Integration]) -> None:
        """Say (log and webhooks) which docs broke, were fixed or were removed since the last reload."""
        now = time.time()
        before, self.broken = self.broken, {}
        for key, (path, finding) in broken.items():
            old = before.get(key)
            self.broken[key] = DocBroken(old.since if old is not None else now, finding, path)
            if old is not None:  # still broken: said once, when it broke (the page shows the new finding)
                if old.finding != finding:
                    log.info("%s: doc %s still broken (%s)", key, path, finding)
                continue
            broke = self.trackers[key]
            log.warning("%s: doc %s broken (%s); its last good version stays monitored", key, path, finding)
            if self._speaks(key):
                self.alerter.send(doc_event(DOC_BROKEN, broke.integration, now, finding, broke.status))
        for key in before.keys() - broken.keys():
            fixed = self.trackers.get(key)
            if fixed is not None and key not in {i.id for i in removed}:
                log.info("%s: doc %s readable again", key, fixed.integration.path)
                if self._speaks(key):
                    self.alerter.send(doc_event(DOC_FIXED, fixed.integration, now, "", fixed.status))
        for integ in removed:
            gone = self.trackers.get(integ.id)
            status = gone.status if gone is not None else None
            log.warning("%s: doc %s removed; no longer monitored", integ.id, integ.path)
            if self._speaks(integ.id):
                self.alerter.send(doc_event(REMOVED, integ, now, "", status))

    def _speaks(self, key: str) -> bool:
        """This instance sends the webhook events of ``key`` (with several, the holder of its global
        lease: one event for the group)."""
        return self.cluster is None or self.cluster.decides(key)

    def restore(self) -> None:
        """Carry on from the store (a restart): each integration's status, its time and reason (the newest
        stored transition), its streak and the last hour's checks (:meth:`Tracker.restore`). A status that
        was already recorded (and alerted) is then neither recorded nor alerted again."""
        now = time.time()
        try:
            latest = self._store.latest()
            for key, tracker in self.trackers.items():
                if key not in latest:  # never probed: a status all the same when one was recorded (skipped
                    # integrations have no results; each restart recorded "unknown -> skipped" anew, with a
                    # new "since": new user, round 49)
                    last = self._store.transitions(key, 0, limit=1)
                    if last:
                        tracker.restore([], last[0])
                        if tracker.status is not Status.UNKNOWN:
                            self.metrics.set_status(tracker.integration, tracker.status)
                    continue
                history = self._store.results(key, now - WINDOW_S) or [latest[key]]
                streak = None
                if all(r.ok is history[-1].ok for r in history):  # the run may be longer than the hour
                    older = self._store.results(key, 0, limit=STREAK_MAX)
                    streak = 0
                    for r in reversed(older):
                        if r.ok is not history[-1].ok:
                            break
                        streak += 1
                last = self._store.transitions(key, 0, limit=1)
                tracker.restore(history, last[0] if last else None, streak)
                if tracker.status is not Status.UNKNOWN:
                    self.metrics.set_status(tracker.integration, tracker.status)
        except Exception as exc:  # a store that cannot be read still lets the monitor run
            log.error("cannot read history: %s", exc)

    # -- probing -------------------------------------------------------------------------------------------

    async def _probe(self, key: str, started: float, lateness_s: float = 0.0) -> None:
        tracker = self.trackers.get(key)
        if tracker is None:
            return
        try:
            opts, prepared = self._prepare(key, tracker.integration)
            report = await run_prepared(prepared, opts, self.env)
            if report.checks and all(c.skipped for c in report.checks):
                # nothing was checked (a write not allowed, a secret not sent): skipped, never an alert
                why = f"not checked: {report.checks[0].message}"
                self.unmonitored[key] = why
                self.record_skip(tracker, started, why)
                tracker.next_run = self.scheduler.next_run(key)
                return
            self.unmonitored.pop(key, None)
            result = to_check_result(key, started, report, self.options.location)
        except Exception as exc:  # a bug must not stop the monitor: record it as this probe's failure
            why = f"{type(exc).__name__}: {exc}"
            result = CheckResult(key, started, False, 0.0, None, "internal", why, self.options.location)
        self._late[key] = lateness_s
        self.record(tracker, result, lateness_s)
        tracker.next_run = self.scheduler.next_run(key)

    def _prepare(self, key: str, integ: Integration) -> tuple[VerifyOptions, Prepared]:
        """The verify options and the prepared probe of ``key`` (target, settings, the secrets it may see):
        worked out again only when its doc (a reload), the runner's options, the config or the environment
        changed, not every interval (bench/monitor_scale.py: CPU per probe)."""
        cached = self._prepared.get(key)
        if cached is not None:
            (integ0, options, config, env), opts, prepared = cached
            if integ0 is integ and options is self.options and config is self.config and env is self.env:
                return opts, prepared
        writes = "*" in self.options.allow_writes or key in self.options.allow_writes
        opts = VerifyOptions(
            timeout_s=self.options.timeout_s,
            targets=self.options.targets,
            run_commands=False,
            allow_writes=writes,
            repeated=True,
        )
        prepared = prepare(integ, opts, self.config, self.env, self.gate)
        self._prepared[key] = ((integ, self.options, self.config, self.env), opts, prepared)
        return opts, prepared

    def _skipped(self, key: str, scheduled: float, reason: str) -> None:
        """A round of ``key`` did not start (:mod:`.scheduler`): counted, shown and exported."""
        tracker = self.trackers.get(key)
        if tracker is None:
            return
        self._skips[key] += 1
        self.metrics.skip(tracker.integration)

    def _not_checked(self, now: float) -> None:
        """A status restored from the store for an integration this process cannot probe (its doc lost its
        host while the monitor was stopped): *skipped*, and why, never the old status left standing
        unprobed (an integration read "up" for ever after a restart: new user, round 28)."""
        for key, why in self.unmonitored.items():
            tracker = self.trackers.get(key)
            if tracker is not None and tracker.status not in (Status.UNKNOWN, Status.SKIPPED):
                self.record_skip(tracker, now, f"not checked: {why}")

    def record_skip(self, tracker: Tracker, ts: float, why: str) -> None:
        transition = tracker.skip(ts, why)
        if self.cluster is not None and self.cluster.observed(tracker, transition):
            return  # the group records and alerts the global status (monitor.cluster)
        if transition is not None:
            self._backlog.add_transition(transition)
            self.metrics.set_status(tracker.integration, transition.new)
            log.info("%s: %s -> %s (%s)", tracker.integration.id, transition.old, transition.new, why)

    def record(self, tracker: Tracker, result: CheckResult, lateness_s: float | None = None) -> None:
        transition = tracker.observe(result)
        self._backlog.add_result(result)
        self.metrics.observe(tracker.integration, result, lateness_s)
        if self.cluster is not None and self.cluster.observed(tracker, transition):
            return  # the group records and alerts the global status (monitor.cluster)
        if transition is not None:
            self._backlog.add_transition(transition)
            self.metrics.set_status(tracker.integration, transition.new)
            log.info(
                "%s: %s -> %s (%s)", tracker.integration.id, transition.old, transition.new, transition.reason
            )
            self.alerter.notify(transition, tracker.integration, result)

    # -- background work -----------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write the results and transitions gathered since the last flush (in a worker thread). When the
        store is unavailable, what was not written goes back to the bounded backlog (:mod:`.outage`) and
        is retried on the next flush; the log gets a line when it goes away, one a minute, one when back."""
        results, transitions = self._backlog.take()
        if not results and not transitions:
            if self.store_health.down:  # nothing to write: ask the store whether it is back
                try:
                    await asyncio.to_thread(self._ping)
                except Exception as exc:
                    self.store_health.failed(exc, "ping")
                else:
                    self.store_health.wrote(0, 0)
            return
        written = [0, 0]  # results, transitions written: only the rest is retried (never twice)
        try:
            await asyncio.to_thread(self._write, results, transitions, written)
        except Exception as exc:  # the database is down: keep probing, keep a bounded backlog
            self._backlog.give_back(results[written[0] :], transitions[written[1] :])
            self.store_health.failed(exc)
            return
        self.store_health.wrote(len(results), len(transitions))

    def _ping(self) -> None:
        if self._db_file is not None:
            self._db_file.check()
        self._store.transitions(None, time.time(), 1)

    def _write(self, results: list[CheckResult], transitions: list[Transition], written: list[int]) -> None:
        if self._db_file is not None:
            self._db_file.check()
        if results:
            self._store.add_results(results)  # one transaction: all of them or none
            written[0] = len(results)
        if transitions:
            self._store.add_transitions(transitions)  # one transaction too
            written[1] = len(transitions)

    async def _writer(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.options.flush_s)
            await self.flush()

    async def _maintenance(self, stop: asyncio.Event) -> None:
        last_prune = 0.0
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.options.maintenance_s)
            now = time.time()
            self._log_skips()
            if self.store_health.down:  # rolled up once it is back (late buckets are recomputed)
                continue
            try:
                await asyncio.to_thread(self._store.roll_up, now)
                if now - last_prune > 3600:
                    o = self.options
                    await asyncio.to_thread(self._store.prune, now, o.raw_days, o.minute_days, o.hour_days)
                    last_prune = now
            except Exception as exc:
                log.error("history maintenance failed: %s", short_error(exc))

    def _log_skips(self) -> None:
        """One line per maintenance round (a minute) when rounds were skipped, never one per round."""
        by_reason = self.scheduler.skipped
        total = sum(by_reason.values())
        if total > self._skips_logged:
            reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(by_reason.items()))
            log.warning(
                "%d rounds skipped since the last report (%s since the start: %s); %d probes in flight, "
                "%d waiting for a slot",
                total - self._skips_logged,
                total,
                reasons,
                self.scheduler.in_flight,
                self.scheduler.waiting,
            )
            self._skips_logged = total

    async def _watch(self, stop: asyncio.Event) -> None:
        if not self.options.watch:
            return
        try:
            from watchfiles import awatch
        except ImportError:  # pragma: no cover - a core dependency
            return
        watched = [p for p in self.paths if p.exists()]
        if not watched:
            return
        async for _changes in awatch(
            *watched, stop_event=stop, debounce=500, recursive=True, watch_filter=_is_doc_or_config
        ):
            try:
                self.load()
                log.info("docs changed: %d integrations monitored", len(self.trackers))
            except Exception as exc:  # a broken doc mid-edit: keep the last good catalog
                log.error("reloading the docs failed: %s", exc)

    async def run(self, stop: asyncio.Event) -> None:
        """Probe until ``stop`` is set; then finish the probes in flight, flush, deliver pending alerts."""
        if self.cluster is None:
            self.restore()
            self._not_checked(time.time())
        else:  # each integration's state is restored from the store when its lease is taken
            self.cluster.start()
        tasks = [
            asyncio.create_task(self.scheduler.serve(stop)),
            asyncio.create_task(self._writer(stop)),
            asyncio.create_task(self._maintenance(stop)),
            asyncio.create_task(self._watch(stop)),
        ]
        if self.cluster is not None:
            tasks.append(asyncio.create_task(self.cluster.run(stop)))
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
            await self.flush()
            if len(self._backlog) or self._backlog.transitions:
                log.warning(
                    "history store unavailable at exit: %d results and %d status changes not written",
                    len(self._backlog),
                    self._backlog.transitions,
                )
            await self.alerter.drain()

    def status_counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for t in self.trackers.values():
            counts[t.status] += 1
        return counts
