"""Several ``wiremap serve`` instances on one PostgreSQL store: shared work, one alert, locations, quorum.

Coordination goes through the store's PostgreSQL and nothing else (tables ``cluster_instances``,
``cluster_leases`` and ``cluster_status`` of :mod:`wiremap.store.schema`; every time in them is the
database's clock, so the instances' own clocks never meet).

- **Heartbeat.** Every instance has an id and a ``--location``. Every :func:`timing` heartbeat
  (``interval / 4``, within 0.25–10 s) it writes its ``heartbeat_at``; an instance is *live* while that
  is younger than the lease time ``ttl`` (``max(interval, 3 heartbeats)``).
- **Leases.** Each integration has one lease per location (who probes it there) and one global lease
  (location ``*``: who decides its global status and sends its alerts). A lease is a row with a holder
  and an expiry, claimed with one ``INSERT … ON CONFLICT DO UPDATE … WHERE holder = me OR expired`` and
  renewed on every heartbeat. Which instance *should* hold a lease is rendezvous hashing over the live
  instances (of the location, or all for the global ones): when an instance joins, the others hand over
  its share (after writing what they have), when one dies its leases expire and are claimed by the
  survivors. A holder probes only while its last renewal is younger than ``ttl`` by its own monotonic
  clock, measured from before the renewal was sent: it stops before anyone else may take over.
- **Takeover.** An instance that gains the lease of an integration starts a fresh state machine from
  the store (:meth:`~wiremap.monitor.state.Tracker.restore`, as a restart does): the location's status,
  since when and why from ``cluster_status``, its last hour of results at this location (the streak,
  the strip). Its first probe is one interval after the last probe anyone of the location made, so the
  destination still sees one probe per interval; after a ``kill -9`` that is at most ``ttl`` +
  one heartbeat after the death (within two intervals).
- **Status per location.** The holder of a location lease writes the integration's status at that
  location (with its streak and last check) to ``cluster_status`` on each heartbeat. Its transitions
  are not alerted: they are the location's view.
- **Global status, alerts.** The holder of the global lease reads every live location's status and
  decides the global one by quorum (:func:`decide`); a change is written with a compare-and-set on the
  old global status (and the lease still held) in the same transaction as its row in ``transitions``,
  and only then alerted: one alert per transition for the whole group, whichever instances come and go.
- **SQLite** stays single-instance: :func:`lock_sqlite` refuses a second ``serve`` on the same file.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import hashlib
import logging
import os
import re
import socket
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text

from .._errors import UsageError
from ..store.rows import clip, to_result
from .model import CheckResult, IntegrationState, LocationStatus, Status, Transition
from .state import WINDOW_S, Tracker

if TYPE_CHECKING:
    from .service import Monitor

__all__ = [
    "DEFAULT_LOCATION",
    "GLOBAL",
    "Cluster",
    "check_location",
    "decide",
    "lock_sqlite",
    "majority",
    "timing",
]

log = logging.getLogger("wiremap.serve")

DEFAULT_LOCATION = "default"
GLOBAL = "*"  # the location of the global leases and statuses (no --location can be spelled so)
_LOCATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
_VOTES = (Status.UP, Status.DEGRADED, Status.DOWN)
_FORGET_S = 86_400.0  # instance rows older than this are deleted


def check_location(name: str) -> str:
    if not _LOCATION.fullmatch(name):
        raise UsageError(
            f"--location must be letters, digits, '.', '_' or '-' (at most 63, not starting with a "
            f"punctuation mark), got {name!r}"
        )
    return name


def timing(interval_s: float) -> tuple[float, float]:
    """``(heartbeat, ttl)`` in seconds for a ``--interval``: a heartbeat a quarter of the interval (0.25 s
    to 10 s), a lease and liveness time of one interval (at least three heartbeats). A dead instance's
    integrations are probed again at most ``ttl + heartbeat`` after its last heartbeat."""
    heartbeat = min(max(interval_s / 4, 0.25), 10.0)
    return heartbeat, max(interval_s, 3 * heartbeat)


def majority(n: int) -> int:
    return n // 2 + 1


def decide(statuses: Sequence[Status], quorum: int | None) -> tuple[Status | None, int]:
    """The global status from the locations' (``None``: no decision, keep the last one) and the quorum
    used. Locations that have no verdict (unknown, skipped) abstain; the default quorum is a majority of
    those that have one. Down when a quorum says down; degraded when a quorum says down or degraded;
    else up when some location sees it up; with only 'down' votes short of the quorum, no decision."""
    votes = [s for s in statuses if s in _VOTES]
    q = quorum if quorum is not None else majority(len(votes))
    if not votes:
        return (Status.SKIPPED if Status.SKIPPED in statuses else None), q
    down = sum(1 for s in votes if s is Status.DOWN)
    if down >= q:
        return Status.DOWN, q
    if down + sum(1 for s in votes if s is Status.DEGRADED) >= q:
        return Status.DEGRADED, q
    if any(s is not Status.DOWN for s in votes):
        return Status.UP, q
    return None, q


def _rank(instance: str, key: str) -> bytes:
    return hashlib.blake2b(f"{instance}\0{key}".encode(), digest_size=8).digest()


def preferred(instances: Sequence[str], key: str) -> str | None:
    """Rendezvous hashing: the instance that should hold ``key`` (stable while the set is)."""
    return max(instances, key=lambda i: _rank(i, key)) if instances else None


def lock_sqlite(path: Path) -> IO[str]:
    """Hold ``PATH.lock`` (flock, released by the kernel even on ``kill -9``) while serve runs: a second
    ``serve`` on the same SQLite file is refused with a message that says what to do instead."""
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = lock_path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise UsageError(
            f"history store {path} is in use by another wiremap serve ({holder}): an SQLite store takes "
            "one instance. For several instances (shared work, failover, locations) use one PostgreSQL "
            "store: --store postgresql://USER@HOST:PORT/DB"
        ) from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
    fh.flush()
    return fh


@dataclass
class _Found:
    """What one heartbeat found in the store."""

    held: set[str]  # location leases held now
    held_global: set[str]
    members: list[tuple[str, str]]  # live instances: (id, location)
    rows: dict[str, dict[str, LocationStatus]]  # id -> location -> status (GLOBAL: the global one)
    decided: list[tuple[Transition, CheckResult | None]] = field(default_factory=list)


def _row_status(r: Any, live: bool) -> LocationStatus:
    last = None
    if r.last_ts is not None:
        error = r.last_error or ""
        kind, _, message = error.partition(": ")
        last = CheckResult(
            r.integration_id,
            r.last_ts,
            bool(r.last_ok),
            r.last_ms or 0.0,
            None,
            None if r.last_ok else (kind or "error"),
            "" if r.last_ok else message,
            r.location,
        )
    return LocationStatus(
        r.location,
        Status(r.status),
        r.since,
        r.reason,
        r.failures,
        r.successes,
        last,
        r.updated_at,
        live,
    )


_NOW = text("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS double precision)")
_CLAIM = text(
    "INSERT INTO cluster_leases (location, integration_id, holder, expires_at) "
    "SELECT :loc, k, :me, :exp FROM unnest(CAST(:ids AS text[])) AS k "
    "ON CONFLICT (location, integration_id) DO UPDATE "
    "SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at "
    "WHERE cluster_leases.holder = EXCLUDED.holder OR cluster_leases.expires_at < :now"
)
# a lease whose preferred holder let it lapse for half a lease time more (it lacks the doc, or is stuck)
_ORPHANS = text(
    "UPDATE cluster_leases SET holder = :me, expires_at = :exp "
    "WHERE location = :loc AND integration_id = ANY(CAST(:ids AS text[])) AND expires_at < :stale"
)
_RENEW = text(
    "UPDATE cluster_leases SET expires_at = :exp "
    "WHERE holder = :me AND location = :loc AND integration_id = ANY(CAST(:ids AS text[])) "
    "RETURNING integration_id"
)
_RELEASE = text(
    "DELETE FROM cluster_leases WHERE holder = :me AND location = :loc "
    "AND integration_id = ANY(CAST(:ids AS text[]))"
)
_WRITE_STATUS = text(
    "INSERT INTO cluster_status (location, integration_id, status, since, reason, failures, successes, "
    "last_ts, last_ok, last_ms, last_error, updated_at) "
    "SELECT :location, :integration_id, :status, :since, :reason, :failures, :successes, :last_ts, "
    ":last_ok, :last_ms, :last_error, :now WHERE EXISTS (SELECT 1 FROM cluster_leases l "
    "WHERE l.location = :location AND l.integration_id = :integration_id AND l.holder = :me) "
    "ON CONFLICT (location, integration_id) DO UPDATE SET status = EXCLUDED.status, "
    "since = EXCLUDED.since, reason = EXCLUDED.reason, failures = EXCLUDED.failures, "
    "successes = EXCLUDED.successes, last_ts = EXCLUDED.last_ts, last_ok = EXCLUDED.last_ok, "
    "last_ms = EXCLUDED.last_ms, last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at"
)
# the global status changes only from what this instance read (compare-and-set) and while it holds the
# global lease: two instances that both think they decide cannot both record (and alert) one change
_SET_GLOBAL = text(
    "INSERT INTO cluster_status AS s (location, integration_id, status, since, reason, failures, successes, "
    "last_ts, last_ok, last_ms, last_error, updated_at) "
    "SELECT '*', :key, :new, :ts, :reason, 0, 0, NULL, NULL, NULL, NULL, :now "
    "WHERE EXISTS (SELECT 1 FROM cluster_leases l WHERE l.location = '*' AND l.integration_id = :key "
    "AND l.holder = :me AND l.expires_at > :now) "
    "ON CONFLICT (location, integration_id) DO UPDATE SET status = EXCLUDED.status, since = EXCLUDED.since, "
    "reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at WHERE s.status = :old "
    "RETURNING 1"
)
_ADOPT = text(
    "INSERT INTO cluster_status (location, integration_id, status, since, reason, failures, successes, "
    "last_ts, last_ok, last_ms, last_error, updated_at) "
    "VALUES ('*', :key, :new, :ts, :reason, 0, 0, NULL, NULL, NULL, NULL, :now) "
    "ON CONFLICT (location, integration_id) DO UPDATE SET status = EXCLUDED.status, since = EXCLUDED.since, "
    "reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at"
)
_ADD_TRANSITION = text(
    "INSERT INTO transitions (integration_id, ts, old, new, reason) VALUES (:key, :ts, :old, :new, :reason)"
)
_HISTORY = text(
    "SELECT integration_id, ts, ok, duration_ms, ttfb_ms, error_kind, message, location FROM results "
    "WHERE location = :loc AND integration_id = ANY(CAST(:ids AS text[])) AND ts >= :since "
    "ORDER BY integration_id, ts, id"
)


class Cluster:
    """This instance's part of a group on one PostgreSQL store (see the module docstring)."""

    def __init__(self, monitor: Monitor, engine: Engine, location: str, quorum: int | None) -> None:
        self.monitor = monitor
        self._engine = engine.execution_options(wiremap_write=True)
        self.location = location
        self.quorum = quorum
        self.id = uuid.uuid4().hex[:12]
        self.host = f"{socket.gethostname()} pid {os.getpid()}"
        self.heartbeat_s, self.ttl_s = timing(monitor.options.interval_s)
        self._held: set[str] = set()
        self._held_global: set[str] = set()
        self._valid_until = 0.0  # monotonic: the leases held are ours until then
        self._members: list[tuple[str, str]] = []
        self._rows: dict[str, dict[str, LocationStatus]] = {}
        self._dirty: set[str] = set()
        self._offline_since: float | None = None  # the store has been unreachable since then
        self._alone: dict[str, Transition] = {}  # global changes decided alone while it was
        self._started = time.time()
        self.beats = 0
        self.failovers = 0  # leases taken over from an instance that let them expire
        monitor.scheduler.gate = self.holds

    # -- what the monitor asks -----------------------------------------------------------------------------

    def holds(self, key: str) -> bool:
        """This instance probes ``key`` now: it holds its lease at this location, renewed recently enough
        (or the store is away: it carries on with what it held)."""
        return key in self._held and (self._offline_since is not None or time.monotonic() < self._valid_until)

    def decides(self, key: str) -> bool:
        """This instance decides the global status of ``key`` and sends its alerts and doc events."""
        return key in self._held_global and (
            self._offline_since is not None or time.monotonic() < self._valid_until
        )

    def observed(self, tracker: Tracker, transition: Transition | None) -> bool:
        """A result (or skip) changed ``tracker``: its location status goes to the store on the next
        heartbeat; a transition is the location's view, logged, not alerted from here (True).

        While the store is away, the holder of the global lease decides alone from its own view: False
        tells the monitor to record and alert ``transition`` as a single instance does, and the global
        status is set to it (without a second transition) once the store is back."""
        key = tracker.integration.id
        self._dirty.add(key)
        if transition is None:
            return True
        if self._offline_since is not None and key in self._held_global:
            glob = self._rows.get(key, {}).get(GLOBAL)
            alone = self._alone.get(key)
            current = alone.new if alone is not None else glob.status if glob is not None else Status.UNKNOWN
            if transition.new is not current:
                self._alone[key] = transition
                return False
        if transition is not None:
            log.info(
                "%s at %s: %s -> %s (%s)",
                key,
                self.location,
                transition.old,
                transition.new,
                transition.reason,
            )
        return True

    def overlay(self, state: IntegrationState) -> IntegrationState:
        """The state the pages and the API show: the global status, every location's, and (for an
        integration another instance probes) this location's streak and last check from the store."""
        rows = self._rows.get(state.id)
        if not rows:
            return state
        locations = tuple(r for loc, r in sorted(rows.items()) if loc != GLOBAL)
        votes = [r.status for r in locations if r.live]
        _, q = decide(votes, self.quorum)
        down = sum(1 for s in votes if s is Status.DOWN)
        how = f"{down} of {len(votes)} live location{'s' if len(votes) != 1 else ''} see it down; quorum {q}"
        if self.quorum is None:
            how += " (majority)"
        changes: dict[str, Any] = {"locations": locations, "quorum": how}
        glob, alone = rows.get(GLOBAL), self._alone.get(state.id)
        if alone is not None:
            changes["status"], changes["since"] = alone.new, alone.ts
        elif glob is not None:
            changes["status"], changes["since"] = glob.status, glob.since
        if not self.holds(state.id):
            changes["next_run"] = None
            own = rows.get(self.location)
            if own is not None:
                changes["consecutive_failures"] = own.consecutive_failures
                changes["consecutive_successes"] = own.consecutive_successes
                changes["last"] = own.last or state.last
        return dataclasses.replace(state, **changes)

    # -- the heartbeat -------------------------------------------------------------------------------------

    def start(self) -> None:
        """The first heartbeat, before probing starts (blocking, as the single instance's restore is)."""
        try:
            found = self._beat(self._ids(), [], set(), {})
        except Exception as exc:
            log.warning("cannot join the instances on the store (retried every heartbeat): %s", exc)
            return
        self._apply(found, self._fetch(found.held - self._held))

    async def run(self, stop: asyncio.Event) -> None:
        """Heartbeat until ``stop``; then write what is left and give the leases up at once."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.heartbeat_s)
            if stop.is_set():
                break
            try:
                await self.beat()
            except Exception as exc:  # the store is away: carry on with what was held, retry
                if self._offline_since is None:
                    self._offline_since = time.time()
                    log.warning(
                        "instances: store unreachable (%s); probing the %d integrations held here and "
                        "deciding them alone until it is back",
                        " ".join(str(exc).split())[:200],
                        len(self._held),
                    )
                continue
            if self._offline_since is not None:
                log.info(
                    "instances: store reachable again after %.0f s (%d changes decided alone)",
                    time.time() - self._offline_since,
                    len(self._alone),
                )
                self._offline_since = None
        try:
            await self.monitor.flush()
            rows = self._status_rows(self._held)
            await asyncio.to_thread(self._leave, rows)
        except Exception as exc:
            log.warning("cannot give up the leases (they lapse in %.1f s): %s", self.ttl_s, exc)

    async def beat(self) -> None:
        leaving = self._leaving()
        if leaving:
            await self.monitor.flush()  # what it probed is in the store before another instance reads it
        keys = self._dirty & self._held
        rows, alone = self._status_rows(keys), dict(self._alone)
        found = await asyncio.to_thread(self._beat, self._ids(), rows, leaving, alone)
        self._dirty -= keys
        for key, transition in alone.items():
            if self._alone.get(key) is transition:
                del self._alone[key]
        fresh = await asyncio.to_thread(self._fetch, found.held - self._held)
        self._apply(found, fresh)

    def _ids(self) -> list[str]:
        return list(self.monitor.trackers)

    def _leaving(self) -> set[str]:
        """Leases to hand over: their preferred holder is another live instance of the location."""
        mine = [i for i, loc in self._members if loc == self.location]
        if len(mine) < 2:
            return set()
        return {k for k in self._held if preferred(mine, k) != self.id}

    def _status_rows(self, keys: Iterable[str]) -> list[dict[str, Any]]:
        out = []
        for key in keys:
            t = self.monitor.trackers.get(key)
            if t is None:
                continue
            last = t.last
            error = None
            if last is not None and not last.ok:
                error = clip(f"{last.error_kind or 'error'}: {last.message}")
            out.append(
                {
                    "location": self.location,
                    "integration_id": key,
                    "status": str(t.status),
                    "since": t.since,
                    "reason": clip(t.reason),
                    "failures": t.failures,
                    "successes": t.successes,
                    "last_ts": last.ts if last else None,
                    "last_ok": last.ok if last else None,
                    "last_ms": last.duration_ms if last else None,
                    "last_error": error,
                }
            )
        return out

    def _beat(
        self, ids: list[str], rows: list[dict[str, Any]], leaving: set[str], alone: dict[str, Transition]
    ) -> _Found:
        """One heartbeat against the store (in a worker thread)."""
        t0 = time.monotonic()
        with self._engine.begin() as conn:
            now = float(conn.execute(_NOW).scalar_one())
            exp = now + self.ttl_s
            conn.execute(
                text(
                    "INSERT INTO cluster_instances (id, location, host, started_at, heartbeat_at) "
                    "VALUES (:id, :loc, :host, :started, :now) "
                    "ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at"
                ),
                {
                    "id": self.id,
                    "loc": self.location,
                    "host": self.host,
                    "started": self._started,
                    "now": now,
                },
            )
            conn.execute(
                text("DELETE FROM cluster_instances WHERE heartbeat_at < :old"), {"old": now - _FORGET_S}
            )
            members = [
                (r[0], r[1])
                for r in conn.execute(
                    text("SELECT id, location FROM cluster_instances WHERE heartbeat_at > :live ORDER BY id"),
                    {"live": now - self.ttl_s},
                )
            ]
            if all(i != self.id for i, _ in members):
                members.append((self.id, self.location))
            if rows:  # the location's status, written while the lease is still held
                conn.execute(_WRITE_STATUS, [{**r, "me": self.id, "now": now} for r in rows])
            if leaving:
                conn.execute(_RELEASE, {"me": self.id, "loc": self.location, "ids": sorted(leaving)})
            here = [i for i, loc in members if loc == self.location]
            everyone = [i for i, _ in members]
            held = self._lease(conn, self.location, here, ids, leaving, now, exp)
            held_global = self._lease(conn, GLOBAL, everyone, ids, set(), now, exp)
            for key, t in alone.items():  # recorded (and alerted) by the monitor while the store was away
                if key in held_global:
                    params = {"key": key, "new": str(t.new), "ts": t.ts, "reason": clip(t.reason), "now": now}
                    conn.execute(_ADOPT, params)
            live_locations = {loc for _, loc in members}
            table: dict[str, dict[str, LocationStatus]] = {}
            for r in conn.execute(text("SELECT * FROM cluster_status")):
                live = r.location == GLOBAL or r.location in live_locations
                table.setdefault(r.integration_id, {})[r.location] = _row_status(r, live)
        # the leases were renewed at ``now`` >= the database's time when t0 was read: ours until t0 + ttl
        self._valid_until = t0 + self.ttl_s
        found = _Found(held, held_global, members, table)
        for key in sorted(held_global):
            decided = self._decide(key, table.get(key, {}), now)
            if decided is not None:
                found.decided.append(decided)
        return found

    def _lease(
        self,
        conn: Connection,
        location: str,
        instances: list[str],
        ids: list[str],
        leaving: set[str],
        now: float,
        exp: float,
    ) -> set[str]:
        """Claim the leases this instance should hold, take over lapsed orphans, renew the rest; the set
        held afterwards."""
        wanted = [k for k in ids if k not in leaving and preferred(instances, k) == self.id]
        others = [k for k in ids if k not in leaving and preferred(instances, k) != self.id]
        if wanted:
            conn.execute(_CLAIM, {"loc": location, "me": self.id, "exp": exp, "now": now, "ids": wanted})
        if others:
            stale = now - self.ttl_s / 2
            params = {"loc": location, "me": self.id, "exp": exp, "stale": stale, "ids": others}
            conn.execute(_ORPHANS, params)
        keep = [k for k in ids if k not in leaving]
        renewed = conn.execute(_RENEW, {"loc": location, "me": self.id, "exp": exp, "ids": keep})
        return {r[0] for r in renewed}

    def _decide(
        self, key: str, rows: dict[str, LocationStatus], now: float
    ) -> tuple[Transition, CheckResult | None] | None:
        """Decide the global status of ``key`` (this instance holds its global lease); record a change."""
        locations = [r for loc, r in rows.items() if loc != GLOBAL and r.live]
        new, q = decide([r.status for r in locations], self.quorum)
        glob = rows.get(GLOBAL)
        old = glob.status if glob is not None else Status.UNKNOWN
        if new is None or new is old:
            return None
        agreeing = [r for r in locations if r.status is new]
        ts = max((r.since for r in agreeing if r.since is not None), default=now)
        if len(locations) == 1:
            reason = locations[0].reason
        else:
            said = "; ".join(f"{r.location}: {r.reason}" for r in agreeing if r.reason)
            reason = f"{new} at {len(agreeing)} of {len(locations)} locations (quorum {q})"
            reason += f": {said}" if said else ""
        with self._engine.begin() as conn:
            params = {"key": key, "new": str(new), "old": str(old), "ts": ts, "reason": clip(reason)}
            if conn.execute(_SET_GLOBAL, {**params, "me": self.id, "now": now}).first() is None:
                return None  # another instance decided first, or the lease is gone
            conn.execute(_ADD_TRANSITION, params)
        newest = max(
            (r for r in agreeing if r.last is not None),
            key=lambda r: r.last.ts if r.last else 0,
            default=None,
        )
        rows[GLOBAL] = LocationStatus(GLOBAL, new, ts, reason, 0, 0, None, now)
        return Transition(key, ts, old, new, reason), newest.last if newest is not None else None

    def _fetch(self, keys: set[str]) -> dict[str, list[CheckResult]]:
        """The last hour of this location's results of ``keys`` (newly held), oldest first."""
        if not keys:
            return {}
        out: dict[str, list[CheckResult]] = {k: [] for k in keys}
        with self._engine.connect() as conn:
            since = time.time() - WINDOW_S
            for r in conn.execute(_HISTORY, {"loc": self.location, "ids": sorted(keys), "since": since}):
                out[r.integration_id].append(to_result(r))
        return out

    def _apply(self, found: _Found, fresh: dict[str, list[CheckResult]]) -> None:
        """On the event loop: the leases gained (state restored from the store, first probe an interval
        after the location's last), lost, the global decisions (alerted), the statuses read."""
        m = self.monitor
        self.beats += 1
        gained, lost = found.held - self._held, self._held - found.held
        for key in sorted(gained):
            tracker = m.trackers.get(key)
            if tracker is None:
                continue
            history = fresh.get(key, [])
            row = found.rows.get(key, {}).get(self.location)
            restored = Tracker(tracker.integration, tracker.thresholds)
            last = None
            if row is not None and row.status is not Status.UNKNOWN:
                last = Transition(key, row.since or row.updated_at, Status.UNKNOWN, row.status, row.reason)
            restored.restore(history, last)
            if row is not None and row.last is not None and (not history or row.last.ts > history[-1].ts):
                restored.failures, restored.successes = row.consecutive_failures, row.consecutive_successes
            m.trackers[key] = restored
            probed = [r.ts for r in history] + ([row.last.ts] if row is not None and row.last else [])
            interval = m.scheduler.interval_of(key)
            host = m.scheduler.host_of(key)
            if probed and interval is not None and host is not None:
                m.scheduler.add(key, interval, host, due=max(probed) + interval)
            restored.next_run = m.scheduler.next_run(key)
            if self.beats > 1:
                self.failovers += 1
        if gained and self.beats > 1:
            log.info(
                "probing %d more integrations at %s (%s%s)",
                len(gained),
                self.location,
                ", ".join(sorted(gained)[:5]),
                ", …" if len(gained) > 5 else "",
            )
        if lost and self.beats > 1:
            log.info("%d integrations handed over at %s", len(lost), self.location)
        for key in lost:  # their probe results are the new holder's to export
            if (tracker := m.trackers.get(key)) is not None:
                m.metrics.release(tracker.integration)
        self._held, self._held_global = found.held, found.held_global
        self._members = found.members
        before = self._rows
        self._rows = found.rows
        for key, rows in found.rows.items():
            glob = rows.get(GLOBAL)
            tracker = m.trackers.get(key)
            if glob is None or tracker is None:
                continue
            old = before.get(key, {}).get(GLOBAL)
            if old is None or old.status is not glob.status:
                m.metrics.set_status(tracker.integration, glob.status)
        for transition, seen in found.decided:
            tracker = m.trackers.get(transition.integration_id)
            if tracker is None:
                continue
            log.info(
                "%s: %s -> %s (%s)",
                transition.integration_id,
                transition.old,
                transition.new,
                transition.reason,
            )
            m.alerter.notify(transition, tracker.integration, seen)

    def _leave(self, rows: list[dict[str, Any]]) -> None:
        """On shutdown: write the last statuses, give up every lease, leave the group (worker thread)."""
        with self._engine.begin() as conn:
            now = float(conn.execute(_NOW).scalar_one())
            if rows:
                conn.execute(_WRITE_STATUS, [{**r, "me": self.id, "now": now} for r in rows])
            conn.execute(text("DELETE FROM cluster_leases WHERE holder = :me"), {"me": self.id})
            conn.execute(text("DELETE FROM cluster_instances WHERE id = :me"), {"me": self.id})
        self._held, self._held_global = set(), set()
