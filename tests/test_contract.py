"""The contracts other tools rely on: JSON names and units, exit codes, pre-commit hooks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS, FIXTURES, ROOT
from wiremap.cli import lint as cli_lint
from wiremap.cli.main import main

# The JSON form named in the foundation issue; renaming any of these breaks users.
KEYS = (
    "path",
    "source",
    "destination",
    "purpose",
    "protocol",
    "protocol_raw",
    "direction",
    "direction_raw",
    "direction_note",
    "critical_path",
    "critical_path_note",
    "source_ref",
    "destination_service",
    "destination_host",
    "destination_port",
    "client",
    "health_check",
    "flow",
    "endpoint",
    "request",
    "response",
    "code_example",
    "failure_modes",
    "retry_strategy",
    "latency_ms",
    "throughput",
    "throughput_per_s",
    "bottlenecks",
    "env_vars",
    "connection_string",
    "unit_test",
    "integration_test",
    "monitoring",
    "recent_changes",
    "last_updated",
    "maintained_by",
    "extra_sections",
    "id",
    "tls",
    "lines",
    "schema_version",
)
NESTED = {
    "source_ref": {"path", "line"},
    "request": {"language", "text", "json"},
    "latency_ms": {"typical", "p95", "p99"},
    "monitoring": {"health_check", "logs", "metrics"},
}


def test_show_json_has_every_key_with_units(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--format", "json", str(FIXTURES / "messy.md")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(KEYS) <= set(data)
    for key, sub in NESTED.items():
        assert sub <= set(data[key]), key
    assert data["latency_ms"] == {"typical": 0.4, "p95": 80.0, "p99": 1500.0}  # milliseconds
    assert data["throughput_per_s"] == pytest.approx(1 / 86400)  # per second
    assert data["last_updated"] == "2026-11-02"
    assert isinstance(data["critical_path"], bool) and isinstance(data["lines"]["purpose"], int)
    assert re.fullmatch(r"[a-z0-9-]+", data["id"])


def test_every_example_doc_has_lines_for_its_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--format", "json", str(EXAMPLE_DOCS)]) == 0
    for doc in json.loads(capsys.readouterr().out):
        text = Path(ROOT / doc["path"]).read_text(encoding="utf-8").split("\n")
        assert text[doc["lines"]["endpoint"] - 1].startswith("**Endpoint:**")
        assert text[doc["lines"]["latency_ms.p99"] - 1].startswith("- P99:")


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_lint, "lint_paths", interrupted)
    assert main(["lint", str(EXAMPLE_DOCS)]) == 130


def test_internal_error_exits_3_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(cli_lint, "lint_paths", bug)
    assert main(["lint", str(EXAMPLE_DOCS)]) == 3
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: boom" in err and "Traceback" not in err


def test_pre_commit_hooks_run_real_commands(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    hooks = dict(re.findall(r"- id: (\S+)\n(?:  .*\n)*?  entry: (.+)", text))
    assert set(hooks) == {"wiremap-lint", "wiremap-fmt"}
    readme = str(ROOT / "README.md")  # pre-commit passes every Markdown file: non-docs are skipped
    for entry in hooks.values():
        args = entry.split()[1:]
        assert main([*args, readme, str(EXAMPLE_DOCS / "storefront-to-cart-service.md")]) == 0, entry
