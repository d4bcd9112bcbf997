"""``wiremap verify`` end to end: exit codes, targets, formats, opt-in commands."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from wiremap.cli.main import main


def _write(folder: Path, name: str, port: int, critical: str, health: str = "true") -> Path:
    doc = folder / f"{name}.md"
    doc.write_text(
        f"# Integration: Web → {name}\n\n**Protocol:** HTTP\n**Critical Path:** {critical}\n\n"
        f"## Quick Reference\n\n**Destination:** {name} (127.0.0.1:{port})\n\n"
        f"**Health Check:**\n```bash\n{health}\n```\n\n"
        "## Request Format\n\n**Endpoint:** `GET /healthz`\n\n"
        '**Response:**\n```json\n{"status": "ok"}\n```\n',
        encoding="utf-8",
    )
    return doc


def _dead_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


def test_exit_codes_follow_critical_path(
    tmp_path: Path, http_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "Up", http_port, "Yes")
    _write(tmp_path, "Down", _dead_port(), "No")
    assert main(["verify", str(tmp_path), "--timeout", "2"]) == 0  # only a non-critical one failed
    assert main(["verify", str(tmp_path), "--timeout", "2", "--fail-on", "any"]) == 1
    capsys.readouterr()
    code = main(["verify", str(tmp_path), "--format", "json", "--timeout", "2"])
    data = {d["integration"]: d for d in json.loads(capsys.readouterr().out)}
    assert code == 0 and data["Web → Up"]["ok"] and not data["Web → Down"]["ok"]
    assert [c["name"] for c in data["Web → Up"]["checks"]] == ["http", "contract"]


def test_target_override_and_unknown_target(
    tmp_path: Path, http_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "Moved", _dead_port(), "Yes")
    assert main(["verify", str(tmp_path), "--timeout", "2"]) == 1
    assert main(["verify", str(tmp_path), "--target", f"web-to-moved=http://127.0.0.1:{http_port}"]) == 0
    assert main(["verify", str(tmp_path), "--target", "nope=http://127.0.0.1:1"]) == 2
    assert "names no integration" in capsys.readouterr().err


def test_commands_run_only_when_asked(
    tmp_path: Path, http_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "Svc", http_port, "Yes", health="echo checked; exit 7")
    assert main(["verify", str(tmp_path), "--format", "json"]) == 0
    assert "health-check" not in capsys.readouterr().out
    assert main(["verify", str(tmp_path), "--format", "json", "--run-commands"]) == 1
    checks = json.loads(capsys.readouterr().out)[0]["checks"]
    health = next(c for c in checks if c["name"] == "health-check")
    assert health["ok"] is False and health["message"].startswith("exit 7") and "checked" in health["message"]


def test_junit_output_file(tmp_path: Path, http_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "Svc", http_port, "Yes")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["verify", str(tmp_path / "Svc.md"), "--format", "junit", "-o", str(out / "verify.xml")]) == 0
    assert "<testcase" in (out / "verify.xml").read_text(encoding="utf-8")


def test_only_naming_two_docs_of_one_id_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: two docs of the same title (CAT001) and `--only ID` verified one of them
    silently; `--target ID=…` applied to both. A NAME that names two docs is a usage error everywhere."""
    _write(tmp_path, "Ledger", _dead_port(), "No")
    (tmp_path / "dup").mkdir()
    _write(tmp_path / "dup", "Ledger", _dead_port(), "No")
    code = main(["verify", str(tmp_path), "--only", "web-to-ledger", "--timeout", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "names 2 docs of the same id (CAT001)" in err and "give the doc's path" in err
    port = _dead_port()
    code = main(["verify", str(tmp_path), "--target", f"web-to-ledger=http://127.0.0.1:{port}"])
    assert code == 2 and "names 2 docs" in capsys.readouterr().err
    assert (
        main(["verify", str(tmp_path), "--only", str(tmp_path / "dup" / "Ledger.md"), "--timeout", "1"]) == 0
    )
    out = capsys.readouterr().out
    assert "1 integration" in out


def test_a_credential_in_the_docs_endpoint_query_is_never_sent(
    tmp_path: Path, http_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: Endpoint `GET http://127.0.0.1:9101/v1/users/u_42?api_key=…` and the
    server's log got the api_key (user:password of the same URL was left out). verify.md: no
    credential is read from a doc."""
    doc = tmp_path / "keyed.md"
    doc.write_text(
        "# Integration: Web → Keyed\n\n**Protocol:** HTTP\n\n"
        f"## Quick Reference\n\n**Destination:** Keyed (127.0.0.1:{http_port})\n\n"
        "## Request Format\n\n"
        f"**Endpoint:** `GET http://127.0.0.1:{http_port}/healthz?page=2&api_key=abcd1234efgh5678`\n",
        encoding="utf-8",
    )
    assert main(["verify", str(doc), "--format", "json"]) == 0
    out = capsys.readouterr().out
    [report] = json.loads(out)
    [check] = report["checks"]
    assert check["ok"] is None and "credential in its query (api_key)" in check["message"]
    assert report["ok"] is None  # found by a new user: "ok": true for an integration not checked at all
    assert "abcd1234efgh5678" not in out
    # the runner's own --target may carry a key: it is theirs to send
    url = f"http://127.0.0.1:{http_port}/healthz?api_key=runner-given"
    assert main(["verify", str(doc), "--target", f"web-to-keyed={url}", "--format", "json"]) in (0, 1)
    [report] = json.loads(capsys.readouterr().out)
    assert report["checks"][0]["ok"] is not None
    assert main(["measure", str(doc), "--duration", "0.5"]) == 2
    assert "credential in its query (api_key)" in capsys.readouterr().err


def test_a_port_out_of_range_is_not_a_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found by a new user: `new --dest 127.0.0.1:99999` was accepted and verify then said 'connection
    to 127.0.0.1:99999 refused' (error_kind refused), though no connection can be made to that port."""
    doc = tmp_path / "x.md"
    assert main(["new", "A", "B", "--protocol", "HTTP", "--dest", "127.0.0.1:99999", "-o", str(doc)]) == 2
    assert "port 99999 is not in 1-65535" in capsys.readouterr().err and not doc.exists()
    _write(tmp_path, "Far", 99999, "No")
    assert main(["verify", str(tmp_path), "--format", "json"]) == 0
    [report] = json.loads(capsys.readouterr().out)
    [check, *_] = report["checks"]
    said = "port 99999 of 127.0.0.1 is not in 1-65535: nothing to connect to (VAL007)"
    assert check["ok"] is None and said in check["message"]


def test_the_text_table_keeps_a_long_reason_whole(
    tmp_path: Path, http_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: the table cut reasons at 160 characters, mid-word ('--target
    notify-to-push-g'), which read as a valid id; the reason is wrapped in its column instead."""
    doc = tmp_path / "keyed.md"
    doc.write_text(
        "# Integration: Notification Service → Push Gateway\n\n**Protocol:** HTTP\n\n"
        f"## Quick Reference\n\n**Destination:** Push (127.0.0.1:{http_port})\n\n"
        "## Request Format\n\n"
        f"**Endpoint:** `GET http://127.0.0.1:{http_port}/healthz?api_key=abcd1234efgh5678`\n",
        encoding="utf-8",
    )
    assert main(["verify", str(doc)]) == 0
    out = capsys.readouterr().out
    assert "WIREMAP_TARGET_NOTIFICATION_SERVICE_TO_PUSH_GATEWAY" in out


def test_new_refuses_a_service_name_holding_an_arrow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: `new "Worker -> X" "Y"` wrote '# Integration: Worker -> X → Y', a title lint
    rejects (DOC004), with a file name that did not match its id."""
    assert main(["new", "Worker -> X", "Y", "-o", str(tmp_path / "x.md")]) == 2
    assert "holds an arrow" in capsys.readouterr().err and not (tmp_path / "x.md").exists()


def test_new_takes_every_source_form_lint_accepts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found by a new user: `new --source-ref x.py#L3` exited 2 ('must be path:line'), while lint's VAL008
    accepts path#L41."""
    doc = tmp_path / "x.md"
    assert main(["new", "A", "B", "--source-ref", "x.py#L3", "-o", str(doc)]) == 0
    assert "**Source:** `x.py#L3`" in doc.read_text(encoding="utf-8")
    assert main(["new", "A", "B", "--source-ref", "x.py", "-o", str(tmp_path / "y.md")]) == 2
    assert "must be path:line" in capsys.readouterr().err


def test_docs_that_cannot_be_read_are_errors_in_junit_and_github(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A binary doc and a doc without a title: verify exited 1 while JUnit said 0 failures 0 errors (the
    untitled one a skipped "? → ?") and GitHub annotated nothing — a red job with green reports (round 30)."""
    import shutil
    import xml.etree.ElementTree as ET

    from tests._paths import EXAMPLE_DOCS

    shutil.copy(EXAMPLE_DOCS / "cart-service-to-cart-redis.md", tmp_path / "good.md")
    (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02 not text")
    (tmp_path / "untitled.md").write_text(
        "## Quick Reference\n\n**Destination:** Cache (127.0.0.1:1)\n\n"
        "## Error Handling\n\n**Retry Strategy:** none\n",
        encoding="utf-8",
    )
    assert main(["verify", str(tmp_path), "--format", "junit", "--timeout", "1"]) == 1
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    assert suite is not None and suite.get("errors") == "2", ET.tostring(suite, encoding="unicode")
    names = [c.get("name") for c in suite.iter("testcase")]
    assert "? → ?" not in names and any(n and n.endswith("binary.md") for n in names)
    assert main(["verify", str(tmp_path), "--format", "github", "--timeout", "1"]) == 1
    annotations = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error")]
    assert any("binary.md" in a for a in annotations) and any("DOC004" in a for a in annotations), annotations


def test_a_report_file_that_cannot_be_written_stops_verify_before_it_probes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``verify -o /missing/dir/x.xml`` probed every doc, then refused (round 30): nothing is probed."""
    import shutil

    from tests._paths import EXAMPLE_DOCS
    from wiremap.cli import verify as verify_cli

    def probed(*args: object, **kwargs: object) -> list[object]:
        raise AssertionError("probed before the report file was checked")

    monkeypatch.setattr(verify_cli, "_run", probed)
    shutil.copy(EXAMPLE_DOCS / "cart-service-to-cart-redis.md", tmp_path / "a.md")
    assert main(["verify", str(tmp_path), "-o", str(tmp_path / "missing" / "x.xml")]) == 2
    err = capsys.readouterr().err
    assert "folder" in err and "does not exist" in err


def test_an_ok_names_the_address_that_answered(
    tmp_path: Path, http_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Round 67: "ok" of a doc whose Endpoint (:http_port) and Destination (a dead port) disagree named no
    address in any format: it read as the Destination's, where nothing listened."""
    dead = _dead_port()
    doc = _write(tmp_path, "Ledger", dead, "Yes")
    text = doc.read_text(encoding="utf-8").replace(
        "`GET /healthz`", f"`GET http://127.0.0.1:{http_port}/healthz`"
    )
    doc.write_text(text, encoding="utf-8")
    assert main(["verify", str(tmp_path), "--timeout", "2"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    said = f"at 127.0.0.1:{http_port} (the Endpoint's; the Destination says 127.0.0.1:{dead})"
    assert said in out, out
    assert main(["verify", str(tmp_path), "--timeout", "2", "--format", "json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["target"] == f"127.0.0.1:{http_port}"
    assert main(["verify", str(tmp_path), "--timeout", "2", "--format", "junit"]) == 0
    assert f"target: {said[3:]}" in capsys.readouterr().out
    _write(tmp_path, "Ledger", http_port, "Yes")  # one address: named, nothing more
    assert main(["verify", str(tmp_path), "--timeout", "2"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"at 127.0.0.1:{http_port} " in out + " " and "the Endpoint's" not in out, out
