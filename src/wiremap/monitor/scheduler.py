"""Probe every integration on its interval: bounded concurrency, fair slots, single-flight, never queued.

Each integration has a fixed-rate schedule (due, due + interval, ...) whose first start is spread over
the interval by a hash of its id, plus a small random jitter each round, so 5,000 integrations do not
all fire in the same second.

Backpressure (what happens when probes cannot keep up, e.g. destinations that accept and never answer):

- **Single-flight.** At most one probe of an integration runs at a time. A round that comes due while
  the previous probe of the same integration is still running is skipped (reason ``in flight``).
- **Fair slots.** At most ``concurrency`` probes run at once, and one destination (``host:port``) may
  hold at most its share of them: ``ceil(concurrency / destinations)``, at least 1. Destinations whose
  last probe ran into the timeout ("hung") may together hold at most half of the slots, so however many
  of them hang, the others keep at least half of the concurrency.
- **Skip, never queue.** A round that cannot get a slot waits at most ``min(interval / 2, timeout)``
  (one entry per integration, so the wait list is bounded by the number of integrations); past that it
  is skipped (reason ``no free slot``). A round missed entirely (the process was suspended) is skipped,
  not replayed. Every skipped round is reported to ``on_skip``.
- **Shutdown.** :meth:`Scheduler.serve` returns promptly once ``stop`` is set: waiting rounds are
  dropped and probes in flight are cancelled (each had at most its timeout left anyway).

Memory is bounded: one job, at most one waiting entry and at most one running task per integration.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import heapq
import itertools
import math
import random
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["IN_FLIGHT", "NO_SLOT", "Job", "Scheduler"]

IN_FLIGHT = "in flight"  # the previous probe of the integration was still running
NO_SLOT = "no free slot"  # no slot (of the concurrency or of the destination's share) in time
HUNG_SHARE = 0.5  # destinations whose last probe timed out hold at most this share of the slots
SLOW_AT = 0.8  # a probe that ran this share of the timeout or longer marks its destination as hung


@dataclass(slots=True)
class Job:
    due: float
    key: str
    interval_s: float
    generation: int = 0
    host: str = ""  # the destination (host:port) for fair slots


@dataclass(order=True)
class _Waiting:
    deadline: float
    key: str = field(compare=False)
    scheduled: float = field(compare=False)
    token: int = field(compare=False)


def _spread(key: str) -> float:
    """A stable fraction in [0, 1) per key: the job's phase within its interval."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), "big") / 2**32


class Scheduler:
    """Calls ``run(key, started, lateness_s)`` for each job when due; ``run`` must not raise.

    ``on_skip(key, scheduled, reason)`` is called for each round that does not start (see the module
    docstring); ``timeout_s`` is the probes' deadline (it bounds the wait for a slot and tells hung
    destinations apart)."""

    def __init__(
        self,
        run: Callable[[str, float, float], Awaitable[None]],
        *,
        concurrency: int = 64,
        timeout_s: float = 5.0,
        on_skip: Callable[[str, float, str], None] | None = None,
        jitter: float = 0.05,
        tick_s: float = 0.1,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._run = run
        self.concurrency = max(1, concurrency)
        self.timeout_s = timeout_s
        self._on_skip = on_skip
        self._jitter = jitter
        self._tick = max(0.0, tick_s)
        self._clock = clock
        # (due, sequence, job): compared in C (a dataclass's __lt__ was 2.5% of the monitor's CPU)
        self._heap: list[tuple[float, int, Job]] = []
        self._seq = itertools.count()
        self._jobs: dict[str, Job] = {}
        self._hosts: Counter[str] = Counter()  # destination -> jobs probing it
        self._wake = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}  # key -> its probe in flight (single-flight)
        self._busy: Counter[str] = Counter()  # destination -> probes in flight
        self._hung: set[str] = set()  # destinations whose last probe ran into the timeout
        self._hung_busy = 0
        self._waiting: dict[str, _Waiting] = {}  # key -> its round waiting for a slot
        self._queues: dict[str, deque[_Waiting]] = {}  # destination -> waiting rounds, oldest first
        self._expiry: list[_Waiting] = []  # heap of waiting rounds by deadline
        self._token = 0
        self._created = clock()
        self._stopping = False
        self.lateness: deque[float] = deque(maxlen=10_000)  # seconds late at start, newest kept
        self.skipped: Counter[str] = Counter()  # reason -> rounds skipped
        # monitor.cluster: a round of a key this returns False for is not this instance's (another
        # instance of the location holds its lease): it passes silently, neither probed nor skipped
        self.gate: Callable[[str], bool] | None = None

    # -- jobs ----------------------------------------------------------------------------------------------

    def add(self, key: str, interval_s: float, host: str = "", due: float | None = None) -> None:
        """Schedule ``key`` (again, with a new interval or destination if it was there); its first round
        at ``due`` when given (monitor.cluster: an interval after the last probe anyone made of it)."""
        now = self._clock()
        old = self._jobs.get(key)
        generation = old.generation + 1 if old else 0
        if old is not None:
            self._hosts[old.host] -= 1
            if self._hosts[old.host] <= 0:
                del self._hosts[old.host]
        first = now + _spread(key) * interval_s if due is None else max(now, due)
        job = Job(first, key, interval_s, generation, host)
        self._jobs[key] = job
        self._hosts[host] += 1
        heapq.heappush(self._heap, (first, next(self._seq), job))
        self._wake.set()

    def remove(self, key: str) -> None:
        job = self._jobs.pop(key, None)  # its heap entries are dropped when they come up
        if job is not None:
            self._hosts[job.host] -= 1
            if self._hosts[job.host] <= 0:
                del self._hosts[job.host]
        self._waiting.pop(key, None)

    def next_run(self, key: str) -> float | None:
        job = self._jobs.get(key)
        return job.due if job else None

    def host_of(self, key: str) -> str | None:
        job = self._jobs.get(key)
        return job.host if job else None

    def interval_of(self, key: str) -> float | None:
        job = self._jobs.get(key)
        return job.interval_s if job else None

    def __len__(self) -> int:
        return len(self._jobs)

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def share(self) -> int:
        """Slots one destination may hold: ``ceil(concurrency / destinations)``, at least 1."""
        return max(1, math.ceil(self.concurrency / max(1, len(self._hosts))))

    # -- the loop ------------------------------------------------------------------------------------------

    async def serve(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; then drop the waiting rounds and cancel the probes in flight."""
        shift = self._clock() - self._created  # jobs added before serving (loading the catalog) start now
        if shift > 0:
            for _, _, job in self._heap:
                job.due += shift
            self._heap = [(job.due, n, job) for _, n, job in self._heap]
            heapq.heapify(self._heap)
        stopper = asyncio.ensure_future(stop.wait())
        stopper.add_done_callback(lambda _: self._wake.set())
        try:
            while not stop.is_set():
                now = self._clock()
                self._expire(now)
                # everything due within the next tick (0.1 s) starts now: one wake-up per tick, not one per
                # probe (on a VM each wake-up of an idle loop costs ~0.1-0.3 ms of CPU in the kernel), and
                # probes started together share the loop's turns (5,000 integrations every 30 s: ~17 a
                # tick; at 0.02 s the monitor spent ~35% more CPU per probe, bench/monitor_scale.py)
                while self._heap and self._heap[0][0] <= now + self._tick:
                    job = heapq.heappop(self._heap)[2]
                    if self._jobs.get(job.key) is not job:
                        continue  # removed or rescheduled
                    self._due(job, now)
                    nxt = job.due + job.interval_s
                    if nxt <= now:  # a whole round was missed: skip ahead instead of bursting
                        self._skip(job.key, nxt, NO_SLOT)
                        nxt = now + job.interval_s * (1 - self._jitter * random.random())
                    else:
                        nxt += job.interval_s * self._jitter * (random.random() - 0.5)
                    job.due = nxt
                    heapq.heappush(self._heap, (nxt, next(self._seq), job))
                self._dispatch()
                delay = (self._heap[0][0] - self._clock() + self._tick / 2) if self._heap else 1.0
                if self._expiry:
                    delay = min(delay, self._expiry[0].deadline - self._clock())
                if stop.is_set():
                    break
                # one timer and one wait per wake-up (two tasks and asyncio.wait cost more than the
                # probes' own bookkeeping); add() and stop wake it early
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, min(delay, 1.0))):
                        await self._wake.wait()
        finally:
            stopper.cancel()
            await self.shutdown()

    async def shutdown(self, grace_s: float = 2.0) -> None:
        """Drop the waiting rounds, cancel the probes in flight and wait (at most ``grace_s``) for them."""
        self._stopping = True
        self._waiting.clear()
        self._queues.clear()
        self._expiry.clear()
        tasks = list(self._tasks.values())
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)

    def _due(self, job: Job, now: float) -> None:
        """A round of ``job`` is due: start it, park it until a slot frees, or skip it."""
        if self.gate is not None and not self.gate(job.key):
            return
        if job.key in self._tasks:
            self._skip(job.key, job.due, IN_FLIGHT)
            return
        if job.key in self._waiting:  # its previous round never got a slot: that one is skipped
            old = self._waiting.pop(job.key)
            self._skip(job.key, old.scheduled, NO_SLOT)
        if self._can_start(job.host) and not self._queues.get(job.host):
            self._start(job.key, job.due)
            return
        self._token += 1
        grace = min(job.interval_s / 2, self.timeout_s)
        entry = _Waiting(max(job.due, now) + grace, job.key, job.due, self._token)
        self._waiting[job.key] = entry
        self._queues.setdefault(job.host, deque()).append(entry)
        heapq.heappush(self._expiry, entry)

    def _expire(self, now: float) -> None:
        while self._expiry and self._expiry[0].deadline <= now:
            entry = heapq.heappop(self._expiry)
            if self._waiting.get(entry.key) is entry:
                del self._waiting[entry.key]
                self._skip(entry.key, entry.scheduled, NO_SLOT)
        for host in [h for h, q in self._queues.items() if not q]:
            del self._queues[host]

    def _can_start(self, host: str) -> bool:
        if len(self._tasks) >= self.concurrency or self._busy[host] >= self.share():
            return False
        hung_cap = max(1, int(self.concurrency * HUNG_SHARE))
        return host not in self._hung or self._hung_busy < hung_cap

    def _dispatch(self) -> None:
        """Start waiting rounds while slots allow, taking destinations in turn (fair between them)."""
        if self._stopping:
            return
        progress = True
        while progress and self._queues and len(self._tasks) < self.concurrency:
            progress = False
            for host in list(self._queues):
                queue = self._queues[host]
                while queue and self._waiting.get(queue[0].key) is not queue[0]:
                    queue.popleft()  # started, expired, removed or superseded
                if not queue:
                    del self._queues[host]
                    continue
                if not self._can_start(host):
                    continue
                entry = queue.popleft()
                del self._waiting[entry.key]
                if entry.key in self._jobs and entry.key not in self._tasks:
                    self._start(entry.key, entry.scheduled)
                    progress = True

    def _skip(self, key: str, scheduled: float, reason: str) -> None:
        self.skipped[reason] += 1
        if self._on_skip is not None:
            self._on_skip(key, scheduled, reason)

    def _start(self, key: str, scheduled: float) -> None:
        job = self._jobs[key]
        host = job.host
        hung = host in self._hung
        self._busy[host] += 1
        if hung:
            self._hung_busy += 1
        task = asyncio.create_task(self._one(key, scheduled, host))
        self._tasks[key] = task

        def done(t: asyncio.Task[None]) -> None:
            if self._tasks.get(key) is t:
                del self._tasks[key]
            self._busy[host] -= 1
            if self._busy[host] <= 0:
                del self._busy[host]
            if hung:
                self._hung_busy -= 1
            self._dispatch()  # a slot is free: the waiting rounds it allows start now (no loop wake-up)

        task.add_done_callback(done)

    async def _one(self, key: str, scheduled: float, host: str) -> None:
        started = self._clock()
        late = max(0.0, started - scheduled)
        self.lateness.append(late)
        t0 = time.monotonic()
        await self._run(key, started, late)
        if time.monotonic() - t0 >= SLOW_AT * self.timeout_s:
            self._hung.add(host)
        else:
            self._hung.discard(host)
