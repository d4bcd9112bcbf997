"""The scheduler on a real event loop: rates, spread, single-flight, fair slots, skips and a prompt stop."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from wiremap.monitor.scheduler import IN_FLIGHT, NO_SLOT, Scheduler


def test_each_job_runs_at_its_interval_and_a_hung_one_delays_nobody() -> None:
    runs: Counter[str] = Counter()
    starts: list[float] = []
    skipped: Counter[tuple[str, str]] = Counter()

    async def run(key: str, started: float, lateness: float) -> None:
        runs[key] += 1
        starts.append(started)
        if key == "hung":
            await asyncio.sleep(10)  # a destination that never answers (the probe's timeout is the bound)

    async def main() -> tuple[Scheduler, float]:
        s = Scheduler(run, concurrency=8, on_skip=lambda key, _due, why: skipped.update([(key, why)]))
        for i in range(20):
            s.add(f"job{i}", 0.2, "healthy:80")
        s.add("hung", 0.2, "tarpit:80")
        stop = asyncio.Event()
        task = asyncio.create_task(s.serve(stop))
        await asyncio.sleep(1.5)
        stop.set()
        t0 = time.monotonic()
        await asyncio.wait_for(task, 3)  # the hung probe is cancelled, not awaited
        return s, time.monotonic() - t0

    s, stopping = asyncio.run(main())
    for i in range(20):
        assert 6 <= runs[f"job{i}"] <= 9, runs  # 1.5 s / 0.2 s, first start spread over the interval
    assert runs["hung"] == 1  # single-flight: one probe of it at a time
    assert skipped[("hung", IN_FLIGHT)] >= 5  # every later round skipped and counted
    assert stopping < 1.0
    late = sorted(s.lateness)
    assert late[int(0.99 * (len(late) - 1))] < 0.1


def test_hung_destinations_hold_their_share_and_never_starve_the_others() -> None:
    """50 jobs at a tarpit, 5 healthy ones, 4 slots: the tarpit holds at most 2 slots, the healthy ones
    are probed on time every round, rounds that find no slot are skipped and nothing piles up."""
    runs: Counter[str] = Counter()
    lateness: list[float] = []
    skipped: Counter[str] = Counter()
    peak = {"tarpit": 0, "busy": 0, "waiting": 0}
    busy: Counter[str] = Counter()

    async def run(key: str, started: float, late: float) -> None:
        host = "tarpit" if key.startswith("t") else "healthy"
        runs[key] += 1
        busy[host] += 1
        peak["tarpit"] = max(peak["tarpit"], busy["tarpit"])
        try:
            if host == "tarpit":
                await asyncio.sleep(0.5)  # the timeout
            else:
                lateness.append(late)
                await asyncio.sleep(0.005)
        finally:
            busy[host] -= 1

    async def main() -> Scheduler:
        s = Scheduler(run, concurrency=4, timeout_s=0.5, on_skip=lambda key, _due, why: skipped.update([why]))
        for i in range(50):
            s.add(f"t{i}", 0.2, "127.0.0.1:1")
        for i in range(5):
            s.add(f"h{i}", 0.2, "127.0.0.1:2")
        stop = asyncio.Event()
        task = asyncio.create_task(s.serve(stop))
        for _ in range(30):
            await asyncio.sleep(0.1)
            peak["busy"] = max(peak["busy"], s.in_flight)
            peak["waiting"] = max(peak["waiting"], s.waiting)
        stop.set()
        await asyncio.wait_for(task, 2)
        return s

    s = asyncio.run(main())
    assert peak["tarpit"] <= 2  # its share: ceil(4 slots / 2 destinations)
    assert peak["busy"] <= 4
    assert peak["waiting"] <= 55  # one waiting round per job at most
    for i in range(5):
        assert runs[f"h{i}"] >= 12, runs  # 3 s / 0.2 s = 15 rounds, all on time
    assert max(lateness) < 0.1, sorted(lateness)[-5:]
    assert skipped[IN_FLIGHT] + skipped[NO_SLOT] > 500  # 50 jobs x 15 rounds, ~12 tarpit probes ran
    assert s.in_flight == 0 and s.waiting == 0


def test_start_times_are_spread_over_the_interval() -> None:
    firsts: dict[str, float] = {}

    async def run(key: str, started: float, lateness: float) -> None:
        firsts.setdefault(key, started)

    async def main() -> None:
        s = Scheduler(run)
        t0 = asyncio.get_running_loop().time()
        for i in range(200):
            s.add(f"k{i}", 1.0)
        stop = asyncio.Event()
        task = asyncio.create_task(s.serve(stop))
        await asyncio.sleep(1.1)
        stop.set()
        await task
        del t0

    asyncio.run(main())
    offsets = sorted(firsts.values())
    assert len(offsets) == 200
    span = offsets[-1] - offsets[0]
    assert span > 0.8  # not all at once
    buckets = Counter(int((o - offsets[0]) / span * 4.999) for o in offsets)
    assert min(buckets.values()) > 25  # roughly even over the interval


def test_removed_jobs_stop_and_rescheduled_jobs_take_the_new_interval() -> None:
    runs: Counter[str] = Counter()

    async def run(key: str, started: float, lateness: float) -> None:
        runs[key] += 1

    async def main() -> None:
        s = Scheduler(run)
        s.add("gone", 0.1)
        s.add("slow", 0.1)
        stop = asyncio.Event()
        task = asyncio.create_task(s.serve(stop))
        await asyncio.sleep(0.35)
        s.remove("gone")
        s.add("slow", 10.0)
        before = dict(runs)
        await asyncio.sleep(0.5)
        stop.set()
        await task
        assert runs["gone"] == before["gone"]
        assert runs["slow"] <= before["slow"] + 1

    asyncio.run(main())


def test_jobs_added_before_serving_start_from_when_serving_starts() -> None:
    """Loading a large catalog takes seconds: its jobs must not all be late on the first round."""
    lateness: list[float] = []

    async def run(key: str, started: float, late: float) -> None:
        lateness.append(late)

    async def main() -> None:
        s = Scheduler(run)
        for i in range(50):
            s.add(f"k{i}", 1.0)
        await asyncio.sleep(0.6)  # "loading": before serve() starts
        stop = asyncio.Event()
        task = asyncio.create_task(s.serve(stop))
        await asyncio.sleep(1.0)
        stop.set()
        await task

    asyncio.run(main())
    assert len(lateness) >= 40
    assert max(lateness) < 0.2, sorted(lateness)[-5:]
