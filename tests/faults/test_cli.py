"""``wiremap faults``: consent, skips and why, the reports, exit codes, and the runner's secrets."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.faults._clients import client, command, doc
from wiremap.cli.main import main


@pytest.fixture(autouse=True)
def _alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no config of the project around
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))


def _write(tmp_path: Path, text: str, name: str = "billing.md") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_of_an_honest_client(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cmd = command(client(tmp_path, "http"), 3, [100])
    path = _write(tmp_path, doc())
    code, out, err = _run(capsys, "faults", path, "--run", cmd, "--only", "status:503", "--format", "json")
    assert code == 0, out + err
    (report,) = json.loads(out)
    assert set(report) == {"integration", "path", "ok", "faults"}
    assert (report["integration"], report["path"], report["ok"]) == (
        "shop-to-billing-api",
        "billing.md",
        True,
    )
    (fault,) = report["faults"]
    assert set(fault) == {
        "fault", "mode", "verdict", "documented", "observed", "message", "rewritten", "output"
    }  # fmt: skip
    assert (fault["fault"], fault["verdict"], fault["mode"]) == ("status:503", "ok", None)
    assert fault["documented"] == {"attempts": 3, "backoff_ms": [100.0, 100.0], "timeout_ms": 200.0}
    observed = fault["observed"]
    assert set(observed) == {"attempts", "intervals_ms", "gave_up_after_ms", "exit_code"}
    assert (observed["attempts"], observed["exit_code"]) == (3, 1)
    assert len(observed["intervals_ms"]) == 2 and observed["gave_up_after_ms"] >= 200
    assert list(fault["rewritten"]) == ["BILLING_URL"]
    assert "attempt 3: HTTPError: HTTP Error 503" in fault["output"]


def test_a_mismatch_exits_1_with_one_line_per_fault_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cmd = command(client(tmp_path, "http"), 1)
    path = _write(tmp_path, doc())
    code, out, _ = _run(capsys, "faults", path, "--run", cmd, "--only", "status:503", "--only", "reset")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        "mismatch: shop-to-billing-api: status:503: documented 2 retries with 100/100 ms"
    )
    assert "attempts: documented 3, observed 1" in lines[0] and "[BILLING_URL=http://127.0.0.1:" in lines[0]
    assert lines[1].startswith("mismatch: shop-to-billing-api: reset: ")
    assert lines[2] == "2 faults in 1 integration: 2 mismatch"


def test_junit_one_testcase_per_fault(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cmd = command(client(tmp_path, "http"), 1)
    path = _write(tmp_path, doc())
    report = tmp_path / "faults.xml"
    argv = ["faults", path, "--run", cmd, "--only", "reset", "--only", "grpc:UNAVAILABLE"]
    code, out, _ = _run(capsys, *argv, "--format", "junit", "-o", str(report))
    assert code == 1 and out == ""
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2"
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "1")
    reset, grpc = suite.findall("testcase")
    assert reset.get("name") == "reset" and reset.find("failure") is not None
    skipped = grpc.find("skipped")  # grpc: on an HTTP stub
    assert skipped is not None and "grpc does not apply to a http stub" in (skipped.get("message") or "")


def test_the_docs_command_needs_consent_and_its_inline_address_is_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = client(tmp_path, "http")
    inline = f"BILLING_URL=http://127.0.0.1:8099 {shlex.quote(sys.executable)} {script.name} 3 100 200"
    path = _write(tmp_path, doc(integration_test=inline))
    code, out, _ = _run(capsys, "faults", path, "--only", "status:503")
    assert code == 0
    assert out.startswith("skipped: shop-to-billing-api: status:503: needs --run-commands")
    code, out, _ = _run(capsys, "faults", path, "--only", "status:503", "--run-commands")
    assert code == 0, out
    assert out.startswith("ok: shop-to-billing-api: status:503: documented 2 retries")
    assert "(the command's own BILLING_URL rewritten too)" in out  # else it would reach 127.0.0.1:8099
    no_command = _write(tmp_path, doc(), "no-command.md")
    code, out, _ = _run(capsys, "faults", no_command, "--run-commands")
    assert code == 0 and "no command: the doc has no Integration Test (Live) command; give --run CMD" in out


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            doc(env="export BILLING_TIMEOUT=5  # seconds"),
            "no env var of the doc holds the destination's address",
        ),
        (  # the example names this doc's protocol and address, and why a listed variable did not count
            doc(kind="redis", env="- CACHE_URL: the cache (redis://127.0.0.1:6390/0)"),
            "`export NAME=redis://127.0.0.1:",
        ),
        (
            doc(address="192.0.2.1:5672").replace("**Protocol:** HTTP", "**Protocol:** AMQP"),
            "no amqp stub, and the fault proxy forwards to this machine only "
            "(the doc's destination is 192.0.2.1:5672)",
        ),
        (
            doc(modes="- **DNS Failure**: no such host → alert"),
            "no failure mode wiremap can inject is documented",
        ),
        (
            doc().replace("**Endpoint:** `GET /v1/bill`", "**Endpoint:** `[URL or method]`"),
            "nothing a stub can serve",
        ),
    ],
)
def test_what_is_skipped_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, says: str
) -> None:
    code, out, _ = _run(capsys, "faults", _write(tmp_path, text), "--run", "true")
    assert code == 0, out
    assert out.startswith("skipped: shop-to-") and says in out, out


def test_a_bad_only_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "faults", _write(tmp_path, doc()), "--run", "true", "--only", "sometimes")
    assert code == 2 and "error: --fault 'sometimes': unknown fault" in err


def test_a_runner_value_goes_to_the_stub_only_where_it_belongs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner's BILLING_URL with credentials for the doc's destination is rewritten (the stub stands
    in for it) and shown masked; one naming another host is not used: the doc's value is."""
    cmd = command(client(tmp_path, "http"), 1)
    path = _write(tmp_path, doc())
    argv = ["faults", path, "--run", cmd, "--only", "status:503", "--format", "json"]
    monkeypatch.setenv("BILLING_URL", "http://shop:hunter2secret@127.0.0.1:8099")
    code, out, _ = _run(capsys, *argv)
    rewritten = json.loads(out)[0]["faults"][0]["rewritten"]["BILLING_URL"]
    assert rewritten.startswith("http://shop:***@127.0.0.1:") and "hunter2secret" not in out
    monkeypatch.setenv("BILLING_URL", "http://shop:hunter2secret@billing.example:8099")
    code, out, _ = _run(capsys, *argv)
    rewritten = json.loads(out)[0]["faults"][0]["rewritten"]["BILLING_URL"]
    assert rewritten.startswith("http://127.0.0.1:") and "hunter2secret" not in out


def test_ctrl_c_stops_the_command_too(tmp_path: Path) -> None:
    """The command runs in its own session (so that its whole group can be killed): the terminal's Ctrl-C
    does not reach it, wiremap kills it."""
    import signal
    import subprocess
    import time

    pid_file = tmp_path / "pid"
    hang = tmp_path / "hang.py"
    pid = f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))"
    hang.write_text(f"import os, time\n{pid}\ntime.sleep(60)\n", encoding="utf-8")
    path = _write(tmp_path, doc())
    argv = ["faults", path, "--run", command(hang, 1), "--only", "status:503"]
    proc = subprocess.Popen([sys.executable, "-m", "wiremap", *argv], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 130
    child = Path(f"/proc/{pid_file.read_text()}/stat")
    time.sleep(0.2)
    assert not child.exists() or child.read_text().split()[2] in ("Z", "X")  # dead (maybe not yet reaped)


def test_a_doc_cannot_set_what_the_shell_or_the_runtime_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 68: a doc listing ``export PATH=http://127.0.0.1:8099/v1`` made ``http/`` (a folder of the
    pull request) the first entry of the runner's command's PATH: its ``http/pytest`` ran, with the
    runner's secrets; ``PYTHONPATH=…#:./evilpy`` loaded its sitecustomize.py. Such names are never set."""
    monkeypatch.setenv("API_TOKEN", "tok-SECRET-aaaa1111bbbb")
    evil = tmp_path / "http"
    evil.mkdir()
    (evil / "env").write_text(f"#!/bin/sh\necho pwned > {tmp_path / 'pwned'}\n", encoding="utf-8")
    (evil / "env").chmod(0o755)
    env = (
        "export PATH=http://127.0.0.1:8099/v1  # base url of the api\n"
        "export PYTHONPATH=http://127.0.0.1:8099/v1#:./evilpy  # base url\n"
        "export LD_PRELOAD=http://127.0.0.1:8099/x.so  # base url\n"
        "export BILLING_URL=http://127.0.0.1:8099  # base URL"
    )
    path = _write(tmp_path, doc(env=env))
    seen = tmp_path / "seen"
    probe = f"env > {shlex.quote(str(seen))}; exit 1"  # `env`: the http/env of the pull request, if on PATH
    code, out, err = _run(capsys, "faults", path, "--run", probe, "--only", "status:503", "--format", "json")
    (fault,) = json.loads(out)[0]["faults"]
    assert list(fault["rewritten"]) == ["BILLING_URL"], fault
    assert not (tmp_path / "pwned").exists()
    env_seen = dict(
        line.split("=", 1) for line in seen.read_text(encoding="utf-8").splitlines() if "=" in line
    )
    assert env_seen["PATH"] == __import__("os").environ["PATH"]
    assert "evilpy" not in env_seen.get("PYTHONPATH", "") and "LD_PRELOAD" not in env_seen
    assert env_seen["BILLING_URL"].startswith("http://127.0.0.1:")
    assert "not set: PATH: read by the shell, the runtime or a tool itself" in fault["message"], fault
    assert "PYTHONPATH" in fault["message"] and "LD_PRELOAD" in fault["message"]
