"""``wiremap stub`` as a user runs it: a subprocess (on uvloop when installed, as the CLI runs), stopped
with Ctrl-C or SIGTERM, its output and --record file masked."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.stub._running import http_doc
from wiremap.cli.main import main

TOKEN = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return int(s.getsockname()[1])


def start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    doc = tmp_path / "checkout-to-payments.md"
    doc.write_text(http_doc(), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wiremap", "stub", str(doc), "--port", str(port), *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    proc.kill()
    out, err = proc.communicate()
    pytest.fail(f"the stub did not start\n{out}\n{err}")


def post(port: int) -> int:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/charges", data=b'{"order_id": "o_1"}')
    req.add_header("Authorization", f"Bearer {TOKEN}")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def test_ctrl_c_stops_cleanly_with_130_and_the_record_is_complete_and_masked(tmp_path: Path) -> None:
    record = tmp_path / "requests.jsonl"
    proc, port = start(tmp_path, "--fault", "first:1:status:503", "--record", str(record))
    assert [post(port), post(port)] == [503, 200]
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert f"http stub of checkout-to-payments listening on http://127.0.0.1:{port}/v1/charges" in out
    assert "fault: first:1:status:503" in out
    # conn 1 was start()'s probe of the port, which sent no request
    assert "#1 conn 2 127.0.0.1:" in out and "POST /v1/charges -> 503" in out and "fault=status:503" in out
    assert "#2 conn 3" in out and "-> 200" in out
    assert "stopped after 2 requests" in err
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert [(x["attempt"], x["request"]["status"], x["fault"]) for x in lines] == [
        (1, 503, "status:503"),
        (2, 200, None),
    ]
    assert lines[0]["request"]["json"] == {"order_id": "o_1"}
    assert TOKEN not in out + err + record.read_text(encoding="utf-8")
    assert lines[0]["request"]["headers"]["authorization"].startswith("Bearer ")


def test_sigterm_stops_with_0_and_reset_is_a_reset_on_the_cli_loop(tmp_path: Path) -> None:
    proc, port = start(tmp_path, "--fault", "reset")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /v1/charges HTTP/1.1\r\nHost: x\r\n\r\n")
        with pytest.raises(ConnectionResetError):
            s.recv(100)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "fault=reset" in out


def test_a_protocol_without_a_stub_asks_for_proxy_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "orders.md"
    doc.write_text(http_doc("orders", protocol="PostgreSQL"), encoding="utf-8")
    assert main(["stub", str(doc), "--duration", "0"]) == 2
    assert "no postgresql stub" in capsys.readouterr().err
    assert main(["stub", str(doc), "--duration", "0", "--proxy-to", "127.0.0.1:5432"]) == 0


def test_a_fault_the_protocol_cannot_take(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(http_doc(), encoding="utf-8")
    assert main(["stub", str(doc), "--fault", "grpc:UNAVAILABLE", "--duration", "0"]) == 2
    assert "grpc does not apply to a http stub" in capsys.readouterr().err


def test_first_2_refused_counts_the_refusals_at_the_wire_and_listens_again(tmp_path: Path) -> None:
    from wiremap.faults.syns import open_syn_counter

    probe = open_syn_counter(1)
    if isinstance(probe, str):
        pytest.skip(probe)
    probe.sock.close()
    doc = tmp_path / "checkout-to-payments.md"
    doc.write_text(http_doc(), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wiremap",
            "stub",
            str(doc),
            "--port",
            str(port),
            "--fault",
            "first:2:refused",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while "Ctrl-C stops" not in (proc.stdout.readline() if proc.stdout else "Ctrl-C stops"):
            assert time.monotonic() < deadline and proc.poll() is None
        outcomes: list[int | str] = []
        for _ in range(3):
            try:
                outcomes.append(post(port))
            except urllib.error.URLError as exc:
                outcomes.append(type(exc.reason).__name__)
            time.sleep(0.1)  # the counter reads the wire every few ms
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert outcomes == ["ConnectionRefusedError", "ConnectionRefusedError", 200], err
    assert "#3 conn 1" in out  # the third attempt, the first connection that reached the stub
