"""``--workers N``: the load sent from N processes is one constant-rate open model, merged into one result.

Real servers (the test server in a subprocess); the workers are real forked processes.
"""

from __future__ import annotations

import itertools
import json
import shutil
import statistics
from pathlib import Path
from typing import Any

import pytest

from tests._paths import EXAMPLE_DOCS
from tests.measure.servers import percentile, serve
from wiremap._loop import run
from wiremap.cli.main import main
from wiremap.measure._base import LoadPlan, MeasureResult
from wiremap.measure.histogram import Histogram
from wiremap.measure.ops.http import factory
from wiremap.measure.workers import _Part, choose_workers, merge, run_load_workers, split, usable_workers
from wiremap.model import Integration
from wiremap.probes._base import ProbeContext, Target


def _ctx(port: int) -> ProbeContext:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="http", endpoint="GET /v1/ping")
    return ProbeContext(integ, Target("127.0.0.1", port, "http"), 5.0)


@pytest.fixture(scope="module")
def two_workers() -> tuple[MeasureResult, dict[str, Any]]:
    """200 req/s for 5 s over 16 connections from 2 processes; request n of the server waits 2 ms (90%),
    20 ms (8%) or 100 ms (2%) (tests/measure/servers.py, ``dist``)."""
    with serve("dist") as server:
        plan = LoadPlan(rate=200, duration_s=5, connections=16)
        result = run(run_load_workers(factory, _ctx(server.port), plan, workers=2))
        stats = server.stats()
    return result, stats


def test_two_workers_measure_a_known_distribution(two_workers: tuple[MeasureResult, dict[str, Any]]) -> None:
    result, stats = two_workers
    assert result.workers == 2
    assert result.requests == 1000 == stats["count"] and result.errors == {}
    assert result.connections == 16 and stats["connections"] == 16 + 1  # (+1: the stats request)
    served_ms = [us / 1000 for us in stats["delays_us"]]
    for name, nominal, p in (("p50", 2.0, 50.0), ("p95", 20.0, 95.0), ("p99", 100.0, 99.0)):
        measured = getattr(result.latency_ms, name)
        truth = percentile(served_ms, p)
        assert abs(measured - nominal) <= 0.1 * nominal + 1.0, (name, measured)
        assert abs(measured - truth) <= 0.1 * truth + 1.0, (name, measured, truth)
    assert result.throughput_per_s == pytest.approx(200, rel=0.02)
    assert result.lateness_ms.p50 < 0.5 and result.lateness_ms.p99 < 5.0


def test_the_workers_schedules_interleave_into_one_constant_rate(
    two_workers: tuple[MeasureResult, dict[str, Any]],
) -> None:
    """Two 100/s schedules copied would land at random offsets (gaps from 0 to 10 ms); split, worker 1
    sends half an interval after worker 0 and the server sees a request every 5 ms."""
    _, stats = two_workers
    arrivals = sorted(stats["arrivals_us"])
    gaps_ms = [(b - a) / 1000 for a, b in itertools.pairwise(arrivals)]
    assert statistics.median(gaps_ms) == pytest.approx(5.0, abs=0.5)
    assert percentile(gaps_ms, 10) > 3.5, percentile(gaps_ms, 10)


def test_a_plan_splits_into_shares_that_add_up() -> None:
    plan = LoadPlan(rate=3000, duration_s=2, connections=8, max_connections=256)
    parts = [split(plan, 3, k) for k in range(3)]
    assert [(p.worker, p.workers, p.rate) for p in parts] == [(0, 3, 3000), (1, 3, 3000), (2, 3, 3000)]
    assert [p.connections for p in parts] == [3, 3, 2]  # 8 in all, as asked
    assert [p.max_connections for p in parts] == [86, 85, 85]
    assert usable_workers(LoadPlan(connections=1), 2) == 1  # a worker needs a connection of its own
    with pytest.raises(ValueError):
        split(plan, 2, 2)


@pytest.mark.parametrize(
    ("rate", "duration", "warmup", "workers"), [(10, 1.0, 1.0, 3), (20, 0.5, 0.0, 3), (150, 2.0, 1.0, 7)]
)
def test_the_workers_send_exactly_what_the_rate_asks(
    rate: int, duration: float, warmup: float, workers: int
) -> None:
    """Each worker's share rounded up sent 12 of 10 requests at 10/s over 1 s from 3 workers (round 65)."""
    with serve("fixed", delay_ms=1) as server:
        plan = LoadPlan(rate=rate, duration_s=duration, warmup_s=warmup, connections=8)
        result = run(run_load_workers(factory, _ctx(server.port), plan, workers=workers))
        count = server.stats()["count"]
    assert result.requests == round(rate * duration) and result.warmup_requests == round(rate * warmup)
    assert count == result.requests + result.warmup_requests
    assert result.duration_s == pytest.approx(duration)
    assert result.throughput_per_s == pytest.approx(rate, rel=0.03), result.throughput_per_s


def test_the_error_rate_stop_judges_every_worker_s_requests_together() -> None:
    """Every 4th request fails (25%): they all land on one of 4 workers, which stopped the run on its own
    100% (round 65); the run's 25% is under the 50% stop."""
    with serve("fixed", delay_ms=1) as server:
        plan = LoadPlan(rate=100, duration_s=1.0, connections=4)
        ctx = ProbeContext(
            Integration(id="a-to-b", path="a-to-b.md", protocol="http", endpoint="GET /flaky/4"),
            Target("127.0.0.1", server.port, "http"),
            5.0,
        )
        result = run(run_load_workers(factory, ctx, plan, workers=4))
    assert result.stopped_early is None and result.failed_run is None, result
    assert result.requests == 100 and 20 <= result.measured_errors <= 30, result.errors


def test_workers_stop_when_wiremap_is_killed(tmp_path: Path) -> None:
    """SIGKILL (or SIGTERM) to wiremap stops no worker by itself: they sent load for 4 s after it had
    exited (round 65). Each worker stops when its parent is gone."""
    import os
    import signal
    import subprocess
    import sys
    import time

    doc = tmp_path / "checkout-service-to-payments-api.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    with serve("fixed", delay_ms=1) as server:
        target = f"checkout-service-to-payments-api=http://127.0.0.1:{server.port}"
        argv = [sys.executable, "-m", "wiremap", "measure", str(doc), "--target", target, "--allow-writes"]
        argv += ["--rate", "100", "--duration", "8", "--workers", "2"]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while server.stats()["count"] < 50 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)
        time.sleep(0.5)  # a worker notices within 50 ms
        before = server.stats()["count"]
        time.sleep(1.0)
        after = server.stats()["count"]
    assert before >= 50 and after == before, (before, after)


def _part(values_us: list[int], **fields: Any) -> _Part:
    h = Histogram()
    for v in values_us:
        h.record_us(v)
    base = MeasureResult(h.percentiles(), h.percentiles(), h.percentiles(), 10.0, len(values_us), rate=10)
    from dataclasses import replace

    return _Part(replace(base, **fields), h.encode(), h.encode(), h.encode())


def test_merging_adds_histograms_and_keeps_a_worker_s_own_reason() -> None:
    """The percentiles of the whole, not an average of the workers': 99 fast answers on one worker and
    one slow on the other make a p99 of the fast and a max of the slow one."""
    fast, slow = _part([1000] * 99), _part([500_000], stopped_early="interrupted")
    merged = merge([fast, slow], LoadPlan(rate=20))
    assert merged.requests == 100 and merged.workers == 2
    assert merged.latency_ms.p50 == pytest.approx(1.0, rel=0.01) and merged.latency_ms.max == 500.0
    assert merged.samples is not None and merged.samples.count_above(100.0) == 1
    stopped = merge([fast, slow, _part([1000], stopped_early="error rate above 50%")], LoadPlan(rate=30))
    assert stopped.stopped_early == "error rate above 50%"  # the others were only stopped by it
    assert merge([fast, slow], LoadPlan(rate=20), interrupted=True).stopped_early == "interrupted"


def _own_interface_address() -> str:
    """This machine's address on its default route (no packet is sent)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))
        address: str = s.getsockname()[0]
    return address


def test_the_default_is_one_worker_for_a_destination_on_this_machine_or_a_low_rate() -> None:
    assert choose_workers("127.0.0.1", 50_000, cores=8)[0] == 1
    own = _own_interface_address()
    if own != "127.0.0.1":  # its own interface address is this machine too (2 were chosen: round 65)
        assert choose_workers(own, 50_000, cores=8)[0] == 1
    assert choose_workers("::1", 50_000, cores=8)[0] == 1
    assert choose_workers("192.0.2.10", 500, cores=8) == (1, "500/s is within one worker's reach")
    n, why = choose_workers("192.0.2.10", 9_000, cores=8)
    assert n == 5 and "8 cores" in why
    assert choose_workers("192.0.2.10", 90_000, cores=2)[0] == 2
    assert choose_workers("192.0.2.10", 90_000, cores=1)[0] == 1


def test_the_cli_runs_workers_and_says_so_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "checkout-service-to-payments-api.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    with serve("fixed", delay_ms=1) as server:
        target = f"checkout-service-to-payments-api=http://127.0.0.1:{server.port}"
        args = ["measure", str(doc), "--target", target, "--allow-writes", "--rate", "100", "--duration", "1"]
        code = main([*args, "--workers", "2", "--connections", "4", "--format", "json"])
        count = server.stats()["count"]
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data
    assert data["workers"] == 2 and data["connections"] == 4
    assert data["requests"] == 100 and data["errors"] == {}
    assert count == 100 + data["warmup_requests"]


def test_a_worker_that_cannot_start_fails_the_run_with_its_reason() -> None:
    """A bad setting raises in the worker, before any traffic: the parent raises it, no worker hangs."""

    def broken(ctx: ProbeContext) -> Any:
        raise ValueError("a bad setting")

    with pytest.raises(ValueError, match="a bad setting"):
        run(run_load_workers(broken, _ctx(9), LoadPlan(rate=10, duration_s=1), workers=2))
