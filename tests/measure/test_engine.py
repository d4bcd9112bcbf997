"""The load engine's behaviour (errors, early stops, warm-up, interruption, reconnection, throughput),
the HdrHistogram wrapper and the HTTP operation, against real servers on 127.0.0.1 (subprocesses)."""

from __future__ import annotations

import asyncio
import random
import socket
import time

import pytest
from hdrh.histogram import HdrHistogram  # type: ignore[import-untyped]

from tests.measure.servers import serve
from wiremap import http1
from wiremap._errors import ConfigError
from wiremap._loop import run
from wiremap.measure import ops
from wiremap.measure._base import LoadPlan, MeasureResult, Operation, OperationFactory
from wiremap.measure.engine import run_load
from wiremap.measure.histogram import HIGHEST_US, Histogram
from wiremap.measure.ops import http as http_op
from wiremap.model import Integration
from wiremap.probes._base import ErrorKind, ProbeContext, Target
from wiremap.protocols import describe as classify


def _ctx(
    port: int, endpoint: str = "GET /v1/ping", host: str = "127.0.0.1", **settings: object
) -> ProbeContext:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="http", endpoint=endpoint)
    return ProbeContext(integ, Target(host, port, "http"), 5.0, settings)


def _load(ctx: ProbeContext, plan: LoadPlan, stop: asyncio.Event | None = None) -> MeasureResult:
    return run(run_load(http_op.factory, ctx, plan, stop=stop))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed: nothing listens there


# ---------------------------------------------------------------------------------------------
# Errors and early stops


def test_refused_port_is_counted_and_stops_the_run_early() -> None:
    t = time.perf_counter()
    result = _load(_ctx(_free_port()), LoadPlan(rate=200, duration_s=5, connections=4))
    assert time.perf_counter() - t < 1.0  # 20 requests, not 1,000
    assert result.stopped_early == "error rate above 50%"
    assert set(result.errors) == {"refused"}
    assert 20 <= result.errors["refused"].count == result.requests < 40
    assert result.throughput_per_s == 0.0
    assert result.latency_ms.max == 0.0  # failures have no latency
    assert result.lateness_ms.max < 50  # but were sent on time


def test_refusals_in_the_warmup_are_counted_with_their_first_message() -> None:
    """A closed port refuses every request of the warm-up: the run stops there, and the refusals are
    what it reports (they were dropped: ``0 requests, errors: none``)."""
    result = _load(_ctx(_free_port()), LoadPlan(rate=200, duration_s=5, connections=4, warmup_s=1))
    assert result.stopped_early == "error rate above 50%"
    assert result.requests == 0 and 20 <= result.warmup_requests < 40
    refused = result.errors["refused"]
    assert refused.count == refused.warmup == result.warmup_requests
    assert refused.first_message == "connection refused"
    assert result.successes == 0 and result.measured_errors == 0
    data = result.to_json()
    assert data["errors"] == {
        "refused": {"count": refused.count, "warmup": refused.count, "first_message": "connection refused"}
    }
    assert data["warmup_requests"] == refused.count and data["successes"] == 0


@pytest.mark.parametrize(("path", "kind"), [("/status/500", "protocol"), ("/status/401", "auth")])
def test_unexpected_status_is_an_error_of_its_kind(path: str, kind: str) -> None:
    with serve("fixed") as server:
        result = _load(_ctx(server.port, f"GET {path}"), LoadPlan(rate=200, duration_s=5, connections=4))
        served = server.stats()["count"]
    assert result.stopped_early == "error rate above 50%"
    assert set(result.errors) == {kind} and result.errors[kind].count == result.requests
    assert 20 <= served < 40


def test_an_error_rate_under_the_limit_does_not_stop_the_run() -> None:
    with serve("fixed") as server:  # every 10th request answers 500
        result = _load(_ctx(server.port, "GET /flaky/10"), LoadPlan(rate=200, duration_s=0.5, connections=4))
    assert result.stopped_early is None
    assert result.requests == 100
    assert result.error_counts == {"protocol": 10}
    assert result.throughput_per_s == pytest.approx(180, rel=0.02)


def test_a_run_too_short_to_stop_on_its_errors_still_fails() -> None:
    """15 timeouts of 15 at --rate 5 for 2 s: too few requests for the error-rate stop (20), their
    failures known only at the end, and measure exited 0 (new user, round 26)."""
    with serve("fixed", delay_ms=2000) as server:
        result = _load(_ctx(server.port), LoadPlan(rate=5, duration_s=1, connections=2, timeout_s=0.2))
    assert result.stopped_early is None and result.successes == 0
    assert result.failed_run == "error rate above 50%: 5 of 5 requests failed"
    with serve("fixed", delay_ms=0) as server:
        fine = _load(_ctx(server.port), LoadPlan(rate=5, duration_s=1, connections=2, timeout_s=0.2))
    assert fine.failed_run is None and fine.successes == 5


def test_timeouts_are_errors_and_free_their_connection() -> None:
    with serve("fixed", delay_ms=300) as server:
        plan = LoadPlan(rate=100, duration_s=3, connections=2, timeout_s=0.1)
        result = _load(_ctx(server.port), plan)
    assert result.stopped_early == "error rate above 50%"
    assert set(result.errors) == {"timeout"}
    assert result.errors["timeout"].count >= 20


def test_expected_statuses_from_the_settings_are_successes() -> None:
    with serve("fixed") as server:
        ctx = _ctx(server.port, "GET /status/404", expect_status="404")
        result = _load(ctx, LoadPlan(rate=100, duration_s=0.5, connections=2))
    assert result.errors == {} and result.requests == 50


# ---------------------------------------------------------------------------------------------
# The schedule


def test_warmup_is_sent_at_the_rate_but_not_recorded() -> None:
    with serve("fixed", delay_ms=1) as server:
        plan = LoadPlan(rate=100, duration_s=0.5, warmup_s=0.3, connections=4)
        t = time.perf_counter()
        result = _load(_ctx(server.port), plan)
        elapsed = time.perf_counter() - t
        served = server.stats()["count"]
    assert served == 80
    assert result.requests == 50
    assert result.duration_s == pytest.approx(0.5)
    assert result.throughput_per_s == pytest.approx(100, rel=0.05)
    assert 0.78 < elapsed < 1.3


def test_stop_event_returns_the_partial_result() -> None:
    async def main(port: int) -> tuple[MeasureResult, float]:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(0.5, stop.set)
        t = time.perf_counter()
        result = await run_load(http_op.factory, _ctx(port), LoadPlan(rate=100, duration_s=10), stop=stop)
        return result, time.perf_counter() - t

    with serve("fixed", delay_ms=1) as server:
        result, elapsed = run(main(server.port))
    assert elapsed < 1.0
    assert result.stopped_early == "interrupted"
    assert 35 <= result.requests <= 60
    assert result.duration_s == pytest.approx(0.5, abs=0.1)
    assert result.throughput_per_s == pytest.approx(100, rel=0.1)
    assert result.errors == {}


def test_stop_set_before_the_start_sends_nothing_more() -> None:
    async def main(port: int) -> MeasureResult:
        stop = asyncio.Event()
        stop.set()
        return await run_load(http_op.factory, _ctx(port), LoadPlan(rate=100, duration_s=10), stop=stop)

    with serve("fixed") as server:
        result = run(main(server.port))
        served = server.stats()["count"]
    assert result.stopped_early == "interrupted"
    assert result.requests == 0 and served <= 1


@pytest.mark.parametrize("option", ["close_every", "drop_every"])
def test_connections_closed_by_the_server_are_reopened(option: str) -> None:
    """``close_every``: the 5th response on each connection says ``Connection: close``;
    ``drop_every``: the server just closes after it."""
    with serve("fixed", delay_ms=1, **{option: 5}) as server:
        result = _load(_ctx(server.port), LoadPlan(rate=200, duration_s=0.5, connections=4))
        stats = server.stats()
    assert result.errors == {}
    assert result.requests == 100 == stats["count"]
    assert stats["connections"] >= 100 // 5  # +1: the stats request


def test_a_request_the_server_hangs_up_on_is_sent_again_after_a_long_idle() -> None:
    """A kept-alive connection idle for over a second met with a close as the request goes out (the
    server's idle timeout racing it): a GET is sent again once on a new connection, nothing fails."""
    with serve("fixed", delay_ms=1, hangup_every=2) as server:
        result = _load(_ctx(server.port), LoadPlan(rate=0.8, duration_s=4.0, connections=1))
        stats = server.stats()
    assert result.errors == {} and result.requests == 4, result.errors
    assert stats["count"] > 4  # the hung-up ones came twice


def test_a_request_the_server_drops_on_a_busy_connection_is_an_error() -> None:
    """Every 3rd request of a connection is hung up on 20 ms after the one before was answered: no idle
    timeout, the server dropped it. It was sent again and the run said "errors: none" (round 66)."""
    with serve("fixed", delay_ms=1, hangup_every=3) as server:
        result = _load(_ctx(server.port), LoadPlan(rate=200, duration_s=0.5, connections=4))
        stats = server.stats()
    assert set(result.errors) == {"protocol"}, result.errors
    assert 20 <= result.measured_errors <= 45, result.errors  # a third of each connection's, after the first
    assert stats["count"] == result.requests


def test_a_request_hung_up_on_a_new_connection_is_an_error() -> None:
    with serve("fixed", hangup_every=1) as server:
        result = _load(_ctx(server.port), LoadPlan(rate=200, duration_s=1, connections=4))
    assert result.stopped_early == "error rate above 50%"
    assert set(result.errors) == {"protocol"}


def test_throughput_follows_the_rate_for_a_fast_server() -> None:
    with serve("fixed") as server:
        result = _load(_ctx(server.port), LoadPlan(rate=1000, duration_s=1, connections=8))
    print(
        f"1000/s offered: {result.throughput_per_s:.1f}/s achieved, lateness {result.lateness_ms.to_json()}"
    )
    assert result.errors == {}
    assert result.requests == 1000
    assert result.throughput_per_s == pytest.approx(1000, rel=0.05)


def test_a_busy_server_queues_requests_and_the_wait_counts() -> None:
    """One connection, 10 ms per request, 200 requests/s offered: the backlog grows by one request
    every 10 ms, so corrected latency grows while service time stays at 10 ms, and 100/s is what
    is achieved (the last requests finish ~0.5 s after the measured period)."""
    with serve("fixed", delay_ms=10) as server:
        result = _load(_ctx(server.port), LoadPlan(rate=200, duration_s=0.5, connections=1, timeout_s=10))
    assert result.errors == {}
    assert result.requests == 100
    assert result.uncorrected_ms.p99 < 50  # ~10 ms (more on a busy machine), never the wait
    assert result.latency_ms.max > 400  # the last request waited ~0.5 s for its turn
    assert result.lateness_ms.p50 > 100  # sent late: the connection was busy
    assert 70 < result.throughput_per_s < 105  # ~100/s: what the server can do, not the 200 offered
    assert result.duration_s == pytest.approx(0.5)


def test_progress_is_reported_about_four_times_a_second() -> None:
    calls: list[tuple[float, int, float, float]] = []

    def progress(elapsed: float, requests: int, p50: float, p99: float) -> None:
        calls.append((elapsed, requests, p50, p99))

    with serve("fixed", delay_ms=2) as server:
        plan = LoadPlan(rate=200, duration_s=1.1, connections=4)
        run(run_load(http_op.factory, _ctx(server.port), plan, progress))
    assert 3 <= len(calls) <= 5
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert calls[-1][1] > calls[0][1] > 0
    assert 2 <= calls[-1][2] <= calls[-1][3] < 20


def test_bad_plans_are_refused() -> None:
    async def main(plan: LoadPlan) -> MeasureResult:
        return await run_load(http_op.factory, _ctx(1), plan)

    for plan in (LoadPlan(rate=0), LoadPlan(connections=0), LoadPlan(timeout_s=0), LoadPlan(duration_s=-1)):
        with pytest.raises(ValueError):
            run(main(plan))


class _Flaky:
    """An operation whose every 3rd call fails and whose ``open`` is counted."""

    opens = 0

    def __init__(self) -> None:
        self.calls = 0

    async def open(self) -> None:
        _Flaky.opens += 1

    async def __call__(self) -> None:
        self.calls += 1
        if self.calls % 3 == 0:
            raise ConnectionResetError("reset by peer")

    async def close(self) -> None:
        return None


def test_a_failed_operation_is_closed_and_reopened_by_the_next_request() -> None:
    _Flaky.opens = 0
    factory: OperationFactory = lambda ctx: _Flaky()  # noqa: E731
    result = run(run_load(factory, _ctx(1), LoadPlan(rate=600, duration_s=0.5, connections=1)))
    assert result.requests == 300
    assert result.error_counts == {"refused": 100}  # a reset by the peer is a connection failure
    assert result.errors["refused"].first_message == "connection reset by the peer: reset by peer"
    assert _Flaky.opens == 1 + 99  # reopened by the request after each failure but the last
    assert result.reopened == 99


class _Unreachable(_Flaky):
    async def open(self) -> None:
        _Flaky.opens += 1
        raise ConnectionRefusedError("refused")


def test_a_connection_that_was_never_made_is_not_reopened() -> None:
    """Round 67: every failed attempt to open a connection that never opened counted as "reopened"."""
    _Flaky.opens = 0
    factory: OperationFactory = lambda ctx: _Unreachable()  # noqa: E731
    plan = LoadPlan(rate=100, duration_s=0.3, connections=2, max_error_rate=1.0)
    result = run(run_load(factory, _ctx(1), plan))
    assert result.connections_failed == 2 and result.error_counts == {"refused": result.requests}
    assert _Flaky.opens > 2 and result.reopened == 0, (_Flaky.opens, result.reopened)


# ---------------------------------------------------------------------------------------------
# The HTTP operation and the registry


def test_status_errors_classify_as_auth_and_protocol() -> None:
    assert classify(http_op.NotAuthorized(401, "2xx"))[0] is ErrorKind.AUTH
    assert classify(http_op.NotAuthorized(403, "2xx"))[0] is ErrorKind.AUTH
    assert classify(http_op.StatusError(500, "2xx"))[0] is ErrorKind.PROTOCOL
    assert classify(http_op.StatusError(503, "200 or 201"))[0] is ErrorKind.PROTOCOL
    assert isinstance(http_op.StatusError(500, "2xx"), http1.ProtocolError)


def test_registry_finds_the_http_factory() -> None:
    assert ops.get_factory("http") is http_op.factory
    for protocol in ops.OPS:  # every registered module has the one shape
        assert callable(ops.get_factory(protocol))
    with pytest.raises(KeyError):
        ops.get_factory("carrier-pigeon")
    op: Operation = http_op.factory(_ctx(8080))  # the Operation protocol, as mypy sees it
    assert isinstance(op, http_op.HTTPOperation)


def test_writes_to_a_remote_host_are_refused_before_any_traffic() -> None:
    with pytest.raises(ConfigError, match="non-idempotent"):
        http_op.factory(_ctx(443, "POST /v1/charges", host="payments.example.com"))
    http_op.factory(_ctx(8080, "POST /v1/charges"))  # loopback: allowed


def test_bad_settings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="expect_status"):
        http_op.factory(_ctx(8080, expect_status="teapot"))


# ---------------------------------------------------------------------------------------------
# The histogram


def test_histogram_fast_path_matches_hdrhistogram() -> None:
    ours, reference = Histogram(), HdrHistogram(1, HIGHEST_US, 3)
    rng = random.Random(7)
    values = [0, 1, 2047, 2048, 2049, 4095, 4096, 10**6, HIGHEST_US]
    values += [rng.randrange(HIGHEST_US >> rng.randrange(32) or 1) for _ in range(20_000)]
    for v in values:
        ours.record_us(v)
        reference.record_value(v)
    assert list(ours._h.counts) == list(reference.counts)
    assert ours.count == reference.get_total_count() == len(values)
    assert ours.values_at(50, 99) == [reference.get_value_at_percentile(p) / 1000 for p in (50, 99)]


def test_histogram_percentiles_in_ms() -> None:
    h = Histogram()
    assert h.percentiles().p99 == 0.0 and h.count == 0
    for n in range(1000):
        h.record(2.0 if n % 100 < 90 else 20.0 if n % 100 < 98 else 100.0)
    p = h.percentiles()
    assert (p.p50, p.p90, p.p99, p.max) == (2.0, 2.0, 100.0, 100.0)
    assert p.p95 == pytest.approx(20.0, rel=0.001)
    h.record(-5)  # clamped, not lost
    h.record(10**12)
    assert h.count == 1002 and h.percentiles().max == HIGHEST_US / 1000
    h.reset()
    assert h.count == 0 and h.percentiles().max == 0.0


# ---------------------------------------------------------------------------------------------
# The callback path (measure/wire.py) and the awaited one count the same


def test_http_takes_the_callback_path_and_other_operations_the_awaited_one() -> None:
    from wiremap.measure.wire import can_wire

    assert can_wire([http_op.factory(_ctx(8080))])
    assert not can_wire([_Flaky()])


@pytest.mark.parametrize(
    ("path", "delay_ms", "timeout_s"),
    [("/flaky/10", 0, 5.0), ("/v1/ping", 300, 0.1), ("/status/401", 0, 5.0)],
)
def test_both_paths_count_the_same(path: str, delay_ms: int, timeout_s: float) -> None:
    """The same requests through the awaited path (a task per connection, a timer per request) and the
    callback path (issue 14): the same counts of requests, successes and errors per kind."""
    from wiremap.measure.engine import Run
    from wiremap.measure.wire import WireRun

    def once(engine: type[Run]) -> MeasureResult:
        with serve("fixed", delay_ms=delay_ms) as server:
            ctx = _ctx(server.port, f"GET {path}")
            plan = LoadPlan(rate=100, duration_s=0.5, connections=4, timeout_s=timeout_s, max_error_rate=1.0)
            ops_ = [http_op.factory(ctx) for _ in range(plan.connections)]
            return run(engine(plan, ops_, None, None).run())

    awaited, callbacks = once(Run), once(WireRun)
    assert (
        (awaited.requests, awaited.successes)
        == (callbacks.requests, callbacks.successes)
        == (
            50,
            awaited.successes,
        )
    )
    assert {k: e.count for k, e in awaited.errors.items()} == {
        k: e.count for k, e in callbacks.errors.items()
    }


class _Slow:
    """An awaited operation whose every request takes 50 ms."""

    async def open(self) -> None:
        return None

    async def __call__(self) -> None:
        await asyncio.sleep(0.05)

    async def close(self) -> None:
        return None


def test_connections_do_not_grow_against_a_destination_that_answers_nothing() -> None:
    """A hung destination holds every connection it is given: growing one per waiting request opened 64
    here (256 by default), and against a hung PostgreSQL used up its max_connections, the slots of its
    own applications (round 64). One more connection per answer that came: none came, none opened."""
    plan = LoadPlan(
        rate=100, duration_s=1.0, connections=2, max_connections=64, timeout_s=0.5, max_error_rate=1.0
    )
    with serve("stall", delay_ms=1, stall_after=0, stall_for=30) as server:
        hung = _load(_ctx(server.port), plan)
        opened = server.stats()["connections"]
    assert hung.connections == 2 and hung.connections_grown == 0, hung
    assert opened <= 2 + hung.reopened + 1, (opened, hung)  # (+1: the stats request's own)
    assert hung.successes == 0 and "timeout" in hung.errors


@pytest.mark.parametrize("path", ["callbacks", "awaited"])
def test_connections_grow_while_requests_wait_for_one(path: str) -> None:
    """Found by a new user (round 21): 8 connections at 600 ms serve 13/s, and 20/s offered queued for
    seconds in wiremap itself. Allowed to grow, the run opens what rate x service time needs (Little's
    law: 200/s x 50 ms = 10) and nothing queues; held to 2, requests wait and that is seen as lateness."""

    def once(max_connections: int) -> MeasureResult:
        plan = LoadPlan(
            rate=200,
            duration_s=1.0,
            warmup_s=0.5,
            connections=2,
            max_connections=max_connections,
            timeout_s=0.5,
            max_error_rate=1.0,
        )
        if path == "awaited":
            return run(run_load(lambda ctx: _Slow(), _ctx(1), plan))
        with serve("fixed", delay_ms=50) as server:
            return _load(_ctx(server.port), plan)

    grown, fixed = once(64), once(0)
    assert fixed.connections == 2 and fixed.connections_grown == 0 and fixed.fell_behind
    assert 10 <= grown.connections <= 30 and grown.connections_grown == grown.connections - 2, grown
    assert grown.lateness_ms.p99 < 5.0 and grown.latency_ms.p50 < 80.0, grown
    assert grown.errors == {} and grown.requests == 200
    assert set(fixed.errors) == {"timeout"}  # held to 2, most waited past their deadline


def test_requests_still_waiting_when_a_run_stops_are_not_counted_queued() -> None:
    """Stopped while requests waited for connections a hung server held: they were never done, so not
    among ``requests``; the JSON said more of them queued than requests done (round 64)."""
    plan = LoadPlan(rate=100, duration_s=5.0, connections=2, timeout_s=3.0, max_error_rate=1.0)

    async def stopped_after(seconds: float, port: int) -> MeasureResult:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(seconds, stop.set)
        return await run_load(http_op.factory, _ctx(port), plan, stop=stop)

    with serve("stall", delay_ms=1, stall_after=0, stall_for=30) as server:
        result = run(stopped_after(1.0, server.port))
    assert result.stopped_early == "interrupted"
    assert 0 <= result.queued <= result.requests, result
