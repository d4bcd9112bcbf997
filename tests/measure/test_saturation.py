"""A destination that cannot go faster is its limit, not wiremap's (round 64 #02).

A server with one worker holds every connection ever longer as the load rises: requests wait for a
free connection in wiremap, which looks like "the client fell behind", but more connections would only
lengthen the server's queue. Its service time rising well above its figure at the lightest load tells
the two apart; a server with many workers and too few connections keeps its service time.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from tests.measure.servers import serve
from wiremap.cli.main import main
from wiremap.measure._base import MeasureResult, Percentiles

DOC = "checkout-service-to-payments-api"


def _find_max(tmp_path: Path, port: int, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    doc = tmp_path / f"{DOC}.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    args = ["measure", str(doc), "--target", f"{DOC}=http://127.0.0.1:{port}", "--allow-writes"]
    args += ["--find-max", "--budget-ms", "200", "--duration", "1", "--rate", "50", "--connections", "2"]
    main([*args, "--no-cap", "--format", "json"])
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_a_server_with_one_worker_is_saturated_not_client_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """10 ms a request, one at a time over every connection: 100/s is the server's capacity, found as
    its own (it was "≥ 98 req/s, client-bound … more --connections may go higher")."""
    with serve("fixed", delay_ms=10, serial=True) as server:
        data = _find_max(tmp_path, server.port, capsys)
    assert data["client_bound"] is False and data["lower_bound"] is False, data["find_max"]
    rate = data["max_sustainable_rate"]
    assert isinstance(rate, float) and 60 <= rate <= 105, data["find_max"]
    steps = data["find_max"]["steps"]  # type: ignore[index]
    failed = [s for s in steps if not s["sustained"]]
    assert failed and all("saturated" in s["reason"] and s["saturated"] for s in failed), failed
    assert all(not s["client_bound"] for s in failed)


def test_a_server_with_many_workers_on_too_few_connections_is_still_client_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same 10 ms answered concurrently: 2 connections cap the load at ~200/s while the service time
    holds: wiremap's limit (more connections would go higher), never "saturated"."""
    with serve("fixed", delay_ms=10) as server:
        data = _find_max(tmp_path, server.port, capsys)
    assert data["client_bound"] is True and data["lower_bound"] is True, data["find_max"]
    steps = data["find_max"]["steps"]  # type: ignore[index]
    assert not any(s["saturated"] for s in steps), steps


def _run(
    p50: float, base: float | None, cpu: float | None, queued: int = 50, conns: int = 2
) -> MeasureResult:
    service = Percentiles(p50, p50 * 1.1, p50 * 1.1, p50 * 1.2, p50 * 1.2, p50 * 1.3)
    late = Percentiles(5.0, 20.0, 25.0, 30.0, 31.0, 32.0)
    return MeasureResult(
        service, service, late, 95.0, 100, {}, 100.0, 1.0, conns,
        queued=queued, baseline_service_ms=base, client_cpu_share=cpu,
    )  # fmt: skip


def test_saturation_needs_a_rise_a_queue_and_an_idle_client() -> None:
    assert _run(20.0, 10.0, 0.2).saturating
    assert not _run(20.0, 10.0, 0.2).fell_behind  # the wait is the destination's queue
    assert not _run(12.0, 10.0, 0.2).saturating  # 1.2x: the service time held
    assert not _run(0.3, 0.1, 0.2).saturating  # 3x, but 0.2 ms: a jitter of this machine
    assert not _run(20.0, 10.0, 0.95).saturating  # wiremap's CPU busy: it read the answers late
    assert _run(20.0, 10.0, 0.95).fell_behind
    assert not _run(20.0, None, 0.2).saturating  # no baseline: not judged so
    assert not _run(20.0, 10.0, 0.2, queued=0, conns=8).saturating  # no request waited for one


def test_a_single_run_on_too_few_connections_to_a_one_worker_server_is_saturated() -> None:
    """150/s to a server doing one 10 ms request at a time, on 2 connections: its first answers already
    queued there (their median, 21 ms, was taken for its unloaded figure), so the rise never showed and
    the note said "--connections 6 would do" (round 65). The quickest of them is the unloaded figure."""
    from wiremap._loop import run
    from wiremap.measure._base import LoadPlan
    from wiremap.measure.engine import run_load
    from wiremap.measure.ops.http import factory
    from wiremap.model import Integration
    from wiremap.probes._base import ProbeContext, Target

    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="http", endpoint="GET /v1/ping")
    with serve("fixed", delay_ms=10, serial=True) as server:
        ctx = ProbeContext(integ, Target("127.0.0.1", server.port, "http"), 5.0)
        result = run(run_load(factory, ctx, LoadPlan(rate=150, duration_s=2.0, connections=2)))
    assert result.baseline_service_ms is not None and result.baseline_service_ms < 13.0, result
    assert result.saturating and not result.fell_behind, result


def test_connections_reopened_after_timeouts_say_wiremap_closed_them() -> None:
    """Requests given up at their deadline close their connections (round 65: "82 reopened: the server
    closed them" of a server that closed none)."""
    from wiremap.measure._base import ErrorCount
    from wiremap.measure.report import _connections

    quiet = Percentiles()
    timed_out = MeasureResult(quiet, quiet, quiet, 0.0, 10, {"timeout": ErrorCount(4)}, reopened=4)
    assert "wiremap closed one to give up a request at its deadline" in _connections(timed_out)
    closed = MeasureResult(quiet, quiet, quiet, 0.0, 10, {}, reopened=4)
    assert (
        _connections(closed)
        == "0 connections (4 reopened: the server closed them or a request failed on them)"
    )
