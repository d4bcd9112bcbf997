"""``wiremap measure`` end to end on an example doc: write-back, regression gate, safety caps."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap import parse_text
from wiremap.cli.main import main
from wiremap.measure import findmax
from wiremap.measure._base import LoadPlan, MeasureResult, Percentiles

DOC = "checkout-service-to-payments-api"


@pytest.fixture
def server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = b'{"id": "ch_1", "status": "succeeded"}'
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128
        daemon_threads = True

    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"{DOC}=http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_measure_write_and_check_on_an_example_doc(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / f"{DOC}.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    before = doc.read_text(encoding="utf-8").split("\n")
    args = ["measure", str(doc), "--target", server, "--allow-writes", "--rate", "100", "--duration", "1.2"]
    args += ["--warmup", "0.2"]
    assert main([*args, "--format", "json", "--check", "--write"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"latency_ms", "uncorrected_ms", "lateness_ms", "throughput_per_s", "requests", "errors"} <= set(
        data
    )
    assert set(data["latency_ms"]) == {"p50", "p90", "p95", "p99", "p999", "max"}
    assert data["requests"] >= 45 and data["errors"] == {}
    assert [c["ok"] for c in data["check"]] == [True, True]
    if any("the client fell behind" in why for why in data.get("not_written") or []):
        # nothing is written from a run whose client was late (that is the rule: tests/measure/
        # test_writeback.py); a busy machine makes it so at 100/s, and then there is nothing to check here
        assert doc.read_text(encoding="utf-8").split("\n") == before
        pytest.skip(f"this machine was too busy to send 100/s on time: {data['not_written'][0]}")
    after = doc.read_text(encoding="utf-8").split("\n")
    changed = [a for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 3 and all(
        "(measured " in line for line in (after[n] for n in range(len(after)) if before[n] != after[n])
    )
    # the doc now documents what was measured: a gate at 0% tolerance against a much slower budget still holds
    assert main([*args, "--check", "--tolerance", "10"]) == 0


def test_regression_gate_fails_when_slower_than_documented(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / f"{DOC}.md"
    text = (EXAMPLE_DOCS / doc.name).read_text(encoding="utf-8")
    doc.write_text(
        text.replace("- P95: 420 ms", "- P95: 0.001 ms").replace("- P99: 900 ms", "- P99: 0.002 ms")
    )
    args = ["measure", str(doc), "--target", server, "--allow-writes", "--rate", "50", "--duration", "1"]
    args += ["--warmup", "0"]
    assert main([*args, "--check"]) == 1
    assert "FAIL  P99: measured" in capsys.readouterr().out


def test_safety_caps_and_remote_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = EXAMPLE_DOCS / f"{DOC}.md"
    assert main(["measure", str(doc), "--rate", "500"]) == 2
    assert main(["measure", str(doc), "--duration", "60"]) == 2
    assert (
        main(["measure", str(doc), "--target", f"{DOC}=http://192.0.2.10:80"]) == 2
    )  # refused before any traffic
    err = capsys.readouterr().err
    assert "--no-cap" in err and "not a loopback address" in err
    assert main(["measure", "no-such-integration", "--docs", str(EXAMPLE_DOCS)]) == 2


def test_ctrl_c_prints_the_partial_result(tmp_path: Path, server: str) -> None:
    doc = tmp_path / f"{DOC}.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    cmd = [sys.executable, "-m", "wiremap", "measure", str(doc), "--target", server, "--allow-writes"]
    proc = subprocess.Popen(
        [*cmd, "--rate", "50", "--duration", "10", "--warmup", "0", "--format", "json", "--write"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(2.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, err.decode()
    data = json.loads(out)
    assert data["stopped_early"] == "interrupted" and 20 <= data["requests"] < 500
    assert "(measured " not in doc.read_text(encoding="utf-8")  # an interrupted run writes nothing


# ---------------------------------------------------------------------------------------------
# What a run that measured nothing, or a search bounded by the client, may claim and write


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed: nothing listens there


def test_a_closed_port_reports_its_refusals_and_gives_no_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every request of the warm-up is refused: the run stops there. It said ``0 requests …
    errors: none`` and then ``ok  P95: measured 0.00 ms within documented 420 ms``."""
    doc = tmp_path / f"{DOC}.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    args = ["measure", str(doc), "--target", f"{DOC}=http://127.0.0.1:{_free_port()}", "--allow-writes"]
    args += ["--rate", "50", "--duration", "1", "--check"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "errors: none" not in out
    assert re.search(r"errors: refused (\d+), \1 in the warm-up \(first: connection refused\)", out), out
    assert not [line for line in out.splitlines() if line.startswith("ok")], out  # a verdict needs samples
    # skipped, and why (no sample is no verdict); the run fails for the refusals (exit 1 above)
    assert (
        "skip  P95: not checked: nothing was measured (no request in the measured period: the run stopped in "
        "the warm-up)" in out
    )
    assert main([*args, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    refused = data["errors"]["refused"]
    assert refused["count"] >= 20 and refused["first_message"] == "connection refused"
    assert [(c["ok"], c["measured_ms"]) for c in data["check"]] == [(None, None), (None, None)]  # skipped


class _Fake:
    """``run_load`` for ``--find-max`` without traffic: rates up to ``limit`` are sustained; above it
    either the client falls behind (``client``) or the destination's p99 blows the budget."""

    def __init__(self, limit: float, client: bool) -> None:
        self.limit, self.client = limit, client

    async def __call__(
        self, factory: object, ctx: object, plan: LoadPlan, progress: object = None, stop: object = None
    ) -> MeasureResult:
        r, ok = plan.rate, plan.rate <= self.limit
        service = Percentiles(1.0, 1.2, 1.3, 2.0, 2.5, 3.0)
        if ok:
            latency, late, achieved = service, Percentiles(0.01, 0.02, 0.02, 0.05, 0.1, 0.2), r * 0.999
        elif self.client:  # sent late: the client (its CPU or its connections), not the destination
            latency, late, achieved = Percentiles(3, 4, 5, 8, 9, 10), Percentiles(1, 2, 2, 3, 4, 5), r * 0.9
        else:  # the destination slows down
            service = latency = Percentiles(200, 400, 450, 500, 600, 700)
            late, achieved = Percentiles(0.01, 0.02, 0.02, 0.05, 0.1, 0.2), r * 0.999
        n = int(r * plan.duration_s)
        return MeasureResult(latency, service, late, achieved, n, {}, r, plan.duration_s, plan.connections)


class _LateAbove(_Fake):
    """Every step sustained (the cap ends the search), the client late above ``late_from`` req/s."""

    def __init__(self, late_from: float) -> None:
        super().__init__(1e9, client=False)
        self.late_from = late_from

    async def __call__(
        self, factory: object, ctx: object, plan: LoadPlan, progress: object = None, stop: object = None
    ) -> MeasureResult:
        result = await super().__call__(factory, ctx, plan, progress, stop)
        if plan.rate > self.late_from:  # late, and its latency holds the wait (a P99 that would round up)
            late = Percentiles(1.0, 1.2, 1.3, 2.555, 2.6, 2.7)
            return replace(result, latency_ms=late, lateness_ms=Percentiles(0.5, 0.8, 1.0, 1.5, 1.6, 1.7))
        return result


def test_find_max_writes_the_latency_of_the_highest_step_whose_client_kept_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The top step at the cap was 1.2 ms late on a busy machine: nothing was written, though lower
    steps had measured the destination with the client on time (new user, round 26)."""
    monkeypatch.setattr(findmax, "run_load", _LateAbove(150))
    doc = tmp_path / f"{DOC}.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    assert main(_find_max_args(doc, "--rate", "50")) == 0
    out = capsys.readouterr().out
    step = re.search(r"latency written from the ([\d.]+) req/s step, whose client kept up: at 200 req/s", out)
    assert step is not None and float(step.group(1)) <= 150, out
    integ = parse_text(doc.read_text(encoding="utf-8"), "x.md").integration
    assert integ.latency_ms.p99 == 2 and integ.capacity is None  # the cap: a lower bound, not written
    # what a written bound was rounded from is the written step's figure, never the table's (round 28)
    assert "rounded up from" not in out, out
    assert f"{float(step.group(1)):g} req/s)" in doc.read_text(encoding="utf-8")


def _find_max_args(doc: Path, *more: str) -> list[str]:
    args = ["measure", str(doc), "--target", f"{DOC}=http://127.0.0.1:{_free_port()}", "--allow-writes"]
    return [*args, "--find-max", "--budget-ms", "100", "--duration", "1", "--write", *more]


def test_find_max_writes_nothing_when_no_rate_is_sustained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It wrote Typical/P95/P99 from the failed step and exited 0."""
    monkeypatch.setattr(findmax, "run_load", _Fake(0, client=True))
    doc = tmp_path / f"{DOC}.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    before = doc.read_bytes()
    assert main(_find_max_args(doc, "--rate", "50")) == 1
    out = capsys.readouterr().out
    assert doc.read_bytes() == before
    assert "not sustained even at 50 req/s: client fell behind" in out
    assert "not written: no rate was sustained" in out and "wrote line" not in out
    assert main([*_find_max_args(doc, "--rate", "50"), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["max_sustainable_rate"] is None and data["client_bound"] is True
    assert data["written"] == [] and data["not_written"]
    assert doc.read_bytes() == before


def test_a_client_bound_search_is_a_lower_bound_and_never_the_documented_capacity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Above 3,915 req/s the client falls behind: that is this machine's ceiling, not the
    destination's capacity (it was reported and written as the capacity)."""
    monkeypatch.setattr(findmax, "run_load", _Fake(3915, client=True))
    doc = tmp_path / f"{DOC}.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    assert main(_find_max_args(doc, "--rate", "1000", "--no-cap")) == 0
    out = capsys.readouterr().out
    assert re.search(r"max sustained rate: ≥ 3,9\d\d req/s, client-bound", out), out
    assert "capacity not written" in out
    text = doc.read_text(encoding="utf-8")
    assert "- 40 requests/sec at peak (Black Friday 2025), 6 requests/sec on an average day" in text
    integ = parse_text(text, "x.md").integration
    assert integ.capacity is None and integ.throughput_per_s == 40
    assert integ.latency_ms.p99 == 2  # the latency at the sustained rate is a measurement: written
    assert main([*_find_max_args(doc, "--rate", "1000", "--no-cap"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["client_bound"] is True and 3800 < data["max_sustainable_rate"] <= 3915
    assert all(w["field"] != "capacity" for w in data["written"])


def test_find_max_write_keeps_the_documented_traffic_beside_the_capacity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The capacity replaced the documented peak traffic ("40 requests/sec at peak")."""
    monkeypatch.setattr(findmax, "run_load", _Fake(150, client=False))
    doc = tmp_path / f"{DOC}.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    assert main(_find_max_args(doc, "--rate", "50")) == 0
    out = capsys.readouterr().out
    assert re.search(r"max sustained rate: 1\d\d req/s \(converged", out), out
    lines = doc.read_text(encoding="utf-8").split("\n")
    traffic = lines.index("- 40 requests/sec at peak (Black Friday 2025), 6 requests/sec on an average day")
    assert re.fullmatch(
        r"- Capacity: 1\d\d req/s \(measured \d{4}-\d\d-\d\d at 127\.0\.0\.1:\d+, p99 ≤ 100 ms\)",
        lines[traffic + 1],
    )
    integ = parse_text("\n".join(lines), "x.md").integration
    assert (
        integ.throughput_per_s == 40
        and integ.capacity_per_s is not None
        and 140 < integ.capacity_per_s <= 150
    )
    assert main(_find_max_args(doc, "--rate", "50")) == 0  # written again: replaced, not added twice
    assert doc.read_text(encoding="utf-8").count("Capacity:") == 1


def test_target_names_the_doc_by_its_file_name(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """verify took the doc's file name; measure took only the id (or the path as given)."""
    doc = tmp_path / "payments.md"
    shutil.copy(EXAMPLE_DOCS / f"{DOC}.md", doc)
    url = server.partition("=")[2]
    args = ["measure", str(doc), "--allow-writes", "--rate", "50", "--duration", "0.2", "--warmup", "0"]
    for name in ("payments", "payments.md", DOC, "Checkout Service -> Payments API", str(doc)):
        assert main([*args, "--target", f"{name}={url}", "--format", "json"]) == 0, name
        assert json.loads(capsys.readouterr().out)["target"] == url.removeprefix("http://")
    assert main([*args, "--target", f"storefront-to-cart-service={url}"]) == 2
    assert "names no integration" in capsys.readouterr().err


def test_a_protocol_without_an_operation_measures_tcp_connects_as_verify_probes_it(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: verify probed an SFTP doc with a TCP connect, measure refused it (exit 2)."""
    port = server.rsplit(":", 1)[1]
    doc = tmp_path / "files.md"
    doc.write_text(
        f"# Integration: Batch → Files\n\n**Protocol:** SFTP\n\n**Destination:** Files (127.0.0.1:{port})\n",
        encoding="utf-8",
    )
    assert main(["measure", str(doc), "--rate", "20", "--duration", "0.5", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert "SFTP: no load operation of its own; measuring TCP connects" in err
    assert json.loads(out)["requests"] >= 5


def test_the_report_says_what_one_request_is(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: 'ok P99: measured 0.50 ms within documented 25 ms' on a PostgreSQL doc compared
    SELECT 1 with the doc's own query; nothing in the output said what was measured."""
    port = server.rsplit(":", 1)[1]
    doc = tmp_path / "files.md"
    doc.write_text(
        f"# Integration: Batch → Files\n\n**Protocol:** SFTP\n\n**Destination:** Files (127.0.0.1:{port})\n",
        encoding="utf-8",
    )
    assert main(["measure", str(doc), "--rate", "20", "--duration", "0.3"]) == 0
    assert "each request: a TCP connect (and close)" in capsys.readouterr().out


def test_a_maintenance_page_is_not_a_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found by a new user: a server answering 200 text/html (a maintenance page) where the doc documents
    JSON: verify failed the contract, measure said 'errors: none', ok P95/P99 (and --write would have
    recorded those latencies)."""

    class Html(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = b"<html>down for maintenance</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    doc = tmp_path / f"{DOC}.md"
    shutil.copy(EXAMPLE_DOCS / doc.name, doc)
    target = f"{DOC}=http://127.0.0.1:{srv.server_address[1]}"
    try:
        args = ["measure", str(doc), "--target", target, "--allow-writes", "--rate", "20", "--duration", "1"]
        code = main([*args, "--check", "--format", "json"])
    finally:
        srv.shutdown()
        srv.server_close()
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and "contract" in data["errors"]
    assert "response is not JSON (Content-Type: text/html)" in data["errors"]["contract"]["first_message"]


def test_the_report_names_the_request_sent(capsys: pytest.CaptureFixture[str]) -> None:
    """Found by a new user: 'each request: the documented request' when --target replaced the path."""
    doc = str(EXAMPLE_DOCS / f"{DOC}.md")
    target = f"{DOC}=http://127.0.0.1:{_free_port()}/nope"
    main(["measure", doc, "--target", target, "--allow-writes", "--rate", "10", "--duration", "0.3"])
    assert "each request: POST /nope (the path of --target)" in capsys.readouterr().out
    plain = f"{DOC}=http://127.0.0.1:{_free_port()}"
    main(["measure", doc, "--target", plain, "--allow-writes", "--duration", "0.3"])
    assert "each request: POST /v1/charges\n" in capsys.readouterr().out
