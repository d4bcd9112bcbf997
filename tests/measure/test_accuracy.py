"""How right the numbers are: the engine against servers whose latencies are known (tests/measure/servers.py,
in a subprocess). Each run lasts a few seconds; the numbers are printed (``pytest -s``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.measure.servers import percentile, serve
from wiremap._loop import run
from wiremap.measure._base import LoadPlan, MeasureResult
from wiremap.measure.engine import run_load
from wiremap.measure.ops.http import factory
from wiremap.model import Integration
from wiremap.probes._base import ProbeContext, Target

# Sends are on time to ~0.1 ms on an idle machine (see the printed numbers); these limits leave room
# for a loaded one (another process on the CPU delays the client by milliseconds now and then).
LATENESS_P50_LIMIT_MS = 0.5
LATENESS_P99_LIMIT_MS = 5.0


def _ctx(port: int) -> ProbeContext:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="http", endpoint="GET /v1/ping")
    return ProbeContext(integ, Target("127.0.0.1", port, "http"), 5.0)


@pytest.fixture(scope="module")
def known_distribution() -> tuple[MeasureResult, dict[str, Any]]:
    """200 req/s for 5 s over 16 connections; request n waits 2 ms (90%), 20 ms (8%) or 100 ms (2%)."""
    with serve("dist") as server:
        result = run(run_load(factory, _ctx(server.port), LoadPlan(rate=200, duration_s=5, connections=16)))
        stats = server.stats()
    return result, stats


def test_percentiles_of_a_known_distribution(
    known_distribution: tuple[MeasureResult, dict[str, Any]],
) -> None:
    result, stats = known_distribution
    assert result.requests == 1000 == stats["count"]
    assert result.errors == {}
    assert stats["connections"] == 16 + 1  # kept alive all along (+1: the stats request)
    served_ms = [us / 1000 for us in stats["delays_us"]]
    for name, nominal, p in (("p50", 2.0, 50.0), ("p95", 20.0, 95.0), ("p99", 100.0, 99.0)):
        measured = getattr(result.latency_ms, name)
        truth = percentile(served_ms, p)  # what the server actually waited, to ~0.1 ms
        print(f"{name}: measured {measured:.3f} ms, served {truth:.3f} ms, nominal {nominal:g} ms")
        assert abs(measured - nominal) <= 0.1 * nominal + 1.0
        assert abs(measured - truth) <= 0.1 * truth + 1.0
    # nothing queued: corrected and uncorrected agree, and both are at least the server's delay
    assert result.latency_ms.p99 >= result.uncorrected_ms.p99 >= 100.0
    assert result.throughput_per_s == pytest.approx(200, rel=0.01)


def test_send_lateness_with_uvloop(known_distribution: tuple[MeasureResult, dict[str, Any]]) -> None:
    result, _ = known_distribution
    print(f"lateness (uvloop): {result.lateness_ms.to_json()}")
    assert result.lateness_ms.p50 < LATENESS_P50_LIMIT_MS
    assert result.lateness_ms.p99 < LATENESS_P99_LIMIT_MS


def test_send_lateness_with_plain_asyncio() -> None:
    with serve("fixed", delay_ms=1) as server:
        plan = LoadPlan(rate=200, duration_s=1.5, connections=8)
        result = asyncio.run(run_load(factory, _ctx(server.port), plan))
    print(f"lateness (asyncio): {result.lateness_ms.to_json()}")
    assert result.requests == 300 and result.errors == {}
    assert result.lateness_ms.p50 < LATENESS_P50_LIMIT_MS
    assert result.lateness_ms.p99 < LATENESS_P99_LIMIT_MS


def test_connections_the_server_closes_are_counted_reopened() -> None:
    """Round 55: a server closing every connection after one answer made each request open a new one;
    the report said "over 8 connections" and nothing else."""
    from wiremap.measure.report import _connections

    with serve("fixed", close_every=1) as server:
        result = run(run_load(factory, _ctx(server.port), LoadPlan(rate=100, duration_s=1, connections=4)))
    assert result.errors == {} and result.requests == 100
    assert result.reopened >= 90, result.reopened
    assert f"({result.reopened} reopened: the server closed them" in _connections(result)


def test_connections_never_made_are_not_reopened() -> None:
    """Round 67: against a port nothing listens on, "8 could not be opened up front …; 20 reopened: the
    server closed them": no connection was ever open. Only a connection made again is a reopen."""
    import socket

    from wiremap.measure.report import _connections

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    plan = LoadPlan(rate=20, duration_s=1, connections=4, max_error_rate=1.0)
    result = run(run_load(factory, _ctx(dead), plan))
    assert result.connections_failed == 4 and set(result.errors) == {"refused"}, result
    assert result.reopened == 0, result.reopened
    assert "reopened" not in _connections(result)


def test_tcp_measure_says_each_request_connects() -> None:
    """Round 55: a TCP measure said "over 8 connections" where each request is a connect of its own."""
    from wiremap.measure._base import Percentiles
    from wiremap.measure.ops.tcp import TcpConnect
    from wiremap.measure.report import _connections

    assert TcpConnect.connect_each
    none = Percentiles()
    result = MeasureResult(none, none, none, 0.0, 0, connections=8, connect_each=True)
    assert _connections(result) == "8 at a time, each request a connection of its own (connect time)"


def test_a_stall_holding_every_connection_is_said_to_be_the_wait_for_one() -> None:
    """Round 55: a destination stalling 1 s held both connections at 100/s; the ~100 requests that
    waited for one made the send lateness, which was said to be "this machine's CPU"."""
    with serve("stall", delay_ms=1, stall_after=1, stall_for=1) as server:
        plan = LoadPlan(rate=100, duration_s=3, connections=2)
        result = run(run_load(factory, _ctx(server.port), plan))
    assert result.errors == {} and result.fell_behind
    assert result.queued >= 50 and result.queued_for_connections
    said = result.behind()
    assert "waited for a free connection, all 2 held by answers as slow as" in said and "CPU" not in said


@pytest.mark.parametrize("connections", [16, 32])
def test_coordinated_omission_is_corrected(connections: int) -> None:
    """The server answers nothing for 1 s, 2 s into the run. The 100 requests intended during the
    stall see 1 s down to ~0 of it (p95 of 500: the 25 worst, ~0.75 s); service time only sees it
    for the requests in flight when it began, one per connection (16 of 500: about 3%, under p95).
    With 32 connections (the issue's setting), 32 of 500 are 6.4%, above p95: the service-time p95
    shows the stall too, and p90 tells the two apart."""
    with serve("stall", delay_ms=1, stall_after=2, stall_for=1) as server:
        plan = LoadPlan(rate=100, duration_s=5, connections=connections)
        result = run(run_load(factory, _ctx(server.port), plan))
    corrected, uncorrected = result.latency_ms, result.uncorrected_ms
    print(f"stall: corrected p95 {corrected.p95:.1f} ms, uncorrected p95 {uncorrected.p95:.1f} ms")
    print(f"corrected {corrected.to_json()}\nuncorrected {uncorrected.to_json()}")
    assert result.requests == 500 and result.errors == {}
    assert corrected.p95 >= 600
    if connections == 16:
        assert uncorrected.p95 < 50 and uncorrected.p95 < corrected.p95 / 10
    else:
        assert uncorrected.p90 < 50 and uncorrected.p90 < corrected.p90 / 10
    assert 900 <= corrected.max <= 1200  # the request intended as the stall began waited all of it
    assert corrected.p50 < 10  # the rest of the run is fast


def test_percentiles_of_a_known_distribution_at_5000_per_second() -> None:
    """Issue 14: the same 90/8/2% of 2/20/100 ms, offered at 5,000 req/s (64 connections: rate x mean
    service time is ~27 in flight): p50/p95/p99 within 10% + 1 ms of what the server waited."""
    with serve("dist") as server:
        plan = LoadPlan(rate=5000, duration_s=3, warmup_s=0.5, connections=64)
        result = run(run_load(factory, _ctx(server.port), plan))
        stats = server.stats()
    assert result.errors == {} and result.requests == 15_000
    if result.fell_behind:
        # the corrected latency then holds this client's own wait by design (another process on the CPU:
        # a fresh-clone run beside three helpers had p50 4.2 ms of 2.1): not what this test measures
        pytest.skip(f"this machine was too busy to send 5,000/s on time: {result.behind()}")
    served_ms = [us / 1000 for us in stats["delays_us"]]
    for name, p in (("p50", 50.0), ("p95", 95.0), ("p99", 99.0)):
        measured = getattr(result.latency_ms, name)
        truth = percentile(served_ms, p)
        print(f"5000/s {name}: measured {measured:.3f} ms, served {truth:.3f} ms")
        assert abs(measured - truth) <= 0.1 * truth + 1.0, (name, measured, truth, result.lateness_ms)
    assert result.throughput_per_s == pytest.approx(5000, rel=0.02)
