"""The scheduler on a real event loop: rates, spread, and a hung probe that delays nobody."""

from __future__ import annotations

import asyncio
from collections import Counter

from wiremap.monitor.scheduler import Scheduler


def test_each_job_runs_at_its_interval_and_a_hung_one_delays_nobody() -> None:
    runs: Counter[str] = Counter()
    starts: list[float] = []

    async def run(key: str, started: float, lateness: float) -> None:
        runs[key] += 1
        starts.append(started)
        if key == "hung":
            await asyncio.sleep(10)  # a destination that never answers (the probe's timeout is the bound)

    async def main() -> Scheduler:
        s = Scheduler(run, concurrency=8)
        for i in range(20):
            s.add(f"job{i}", 0.2)
        s.add("hung", 0.2)
        stop = asyncio.Event()
        task = asyncio.create_task(s.serve(stop))
        await asyncio.sleep(1.5)
        stop.set()
        # in-flight probes are awaited: the hung ones are cancelled here by the test's own bound
        for t in list(s._tasks):
            t.cancel()
        await asyncio.wait_for(task, 2)
        return s

    s = asyncio.run(main())
    for i in range(20):
        assert 6 <= runs[f"job{i}"] <= 9, runs  # 1.5 s / 0.2 s, first start spread over the interval
    assert runs["hung"] >= 6  # every round starts even though none finished
    late = sorted(s.lateness)
    assert late[int(0.99 * (len(late) - 1))] < 0.1


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
