"""``wiremap measure`` end to end on an example doc: write-back, regression gate, safety caps."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap.cli.main import main

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
    args = ["measure", str(doc), "--target", server, "--allow-writes", "--rate", "50", "--duration", "1"]
    args += ["--warmup", "0.2"]
    assert main([*args, "--format", "json", "--check", "--write"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"latency_ms", "uncorrected_ms", "lateness_ms", "throughput_per_s", "requests", "errors"} <= set(
        data
    )
    assert set(data["latency_ms"]) == {"p50", "p90", "p95", "p99", "p999", "max"}
    assert data["requests"] >= 45 and data["errors"] == {}
    assert [c["ok"] for c in data["check"]] == [True, True]
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
