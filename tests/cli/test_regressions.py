"""Bugs found while documenting and reviewing; each test failed before its fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS, TEMPLATE
from wiremap.cli.main import main
from wiremap.config import load_config
from wiremap.document import parse_text
from wiremap.document.extract import parse_env_lines


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_index_page_written_next_to_docs_is_not_read_as_a_doc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(EXAMPLE_DOCS, docs)
    assert run(capsys, "index", str(docs), "-o", str(docs / "README.md"))[0] == 0
    code, out, _ = run(capsys, "lint", str(docs))
    assert code == 0 and "All checks passed." in out
    assert run(capsys, "fmt", "--check", str(docs))[0] == 0


def test_integration_ids_in_config_keep_their_dashes(tmp_path: Path) -> None:
    (tmp_path / "wiremap.toml").write_text(
        "[tool.wiremap.integrations.billing-to-ledger]\nexpect-status = [200]\n", encoding="utf-8"
    )
    config = load_config(start=tmp_path)
    assert config.integrations == {"billing-to-ledger": {"expect_status": [200]}}


@pytest.mark.parametrize(
    "args", [["lint", "-o"], ["index", "-o"], ["lint", "--write-baseline", "--baseline"]]
)
def test_writing_into_a_missing_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = run(capsys, *args, str(tmp_path / "nope" / "out.txt"), str(EXAMPLE_DOCS))
    assert code == 2 and "does not exist" in err and "internal error" not in err


def test_baseline_matches_from_any_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    shutil.copy(TEMPLATE, project / "a.md")
    monkeypatch.chdir(project)
    assert run(capsys, "lint", "a.md", "--baseline", "baseline.json", "--write-baseline")[0] == 0
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "lint", "shop/a.md", "--baseline", "shop/baseline.json")[0] == 0


def test_recent_change_with_text_on_the_date_line_keeps_its_list() -> None:
    doc = "# Integration: A → B\n\n## Recent Changes\n\n**2026-11-02:** Moved to v2\n- new endpoint\n- retries\n"  # noqa: E501
    change = parse_text(doc, "x.md").integration.recent_changes[0]
    assert change.date == "2026-11-02" and change.items == ["Moved to v2", "new endpoint", "retries"]


def test_inline_directive_is_read_once() -> None:
    doc = "# Integration: A → B\n\nSome text <!-- wiremap: disable=VAL -->\n"
    assert parse_text(doc, "x.md").integration.directives.disable == ["VAL"]


def test_ignore_accepts_commas_and_unknown_selectors_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "lint", "--format", "json", "--ignore", "DOC,CRT", str(TEMPLATE))
    assert not {f["code"][:3] for f in json.loads(out)} & {"DOC", "CRT"}
    code, _, err = run(capsys, "lint", "--select", "XYZ", str(TEMPLATE))
    assert code == 2 and "unknown rule" in err
    shutil.copy(TEMPLATE, tmp_path / "a.md")
    (tmp_path / "wiremap.toml").write_text('[tool.wiremap]\nselect = ["DCO"]\n', encoding="utf-8")
    code, _, err = run(capsys, "lint", str(tmp_path / "a.md"))
    assert code == 2 and "DCO" in err


def test_fmt_reports_an_unreadable_doc_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.md").write_bytes(b"# Integration: A \xff\xfe B\n")
    shutil.copy(EXAMPLE_DOCS / "storefront-to-cart-service.md", tmp_path / "good.md")
    code, _, err = run(capsys, "fmt", "--check", str(tmp_path))
    assert code == 1 and "bad.md" in err and "1 already canonical" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(capsys, "fmt", str(empty))[0] == 2


def test_show_says_when_a_doc_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe# \x00I\x00")
    code, _, err = run(capsys, "show", str(tmp_path / "bad.md"))
    assert code == 1 and "UTF-16" in err


def test_hash_inside_env_value_is_not_a_comment() -> None:
    (_, env), (_, env2) = parse_env_lines("export TOKEN=abc#def\nexport URL=http://x/#frag  # purpose")
    assert (env.value, env.purpose) == ("abc#def", None)
    assert (env2.value, env2.purpose) == ("http://x/#frag", "purpose")


def test_more_ways_of_writing_values() -> None:
    doc = (
        "# Integration: A → B\n\n**Critical Path:** Yes.\n\n## Performance\n\n**Latency:**\n"
        "- Typical — 12 ms\n- P95 = 80 ms\n- P99 - 0.9 s\n"
    )
    integ = parse_text(doc, "x.md").integration
    assert integ.critical_path is True
    assert (integ.latency_ms.typical, integ.latency_ms.p95, integ.latency_ms.p99) == (12, 80, 900)


def test_settings_merge_config_and_directives(tmp_path: Path) -> None:
    (tmp_path / "wiremap.toml").write_text(
        '[tool.wiremap.integrations.a-to-b]\ninterval = "30s"\nexpect-status = [200]\n', encoding="utf-8"
    )
    integ = parse_text("# Integration: A → B\n\n<!-- wiremap: interval=10s -->\n", "x.md").integration
    assert load_config(start=tmp_path).settings_for(integ) == {"interval": "10s", "expect_status": [200]}


def test_serve_target_names_the_doc_as_verify_and_measure_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """serve kept ``--target NAME=URL`` as given: a doc's file name was never matched and a NAME that
    names nothing was silently unused (the doc's own host was probed instead). Now a NAME is read as
    verify and measure read it; one no doc has yet is said, and kept for the doc that appears with it
    (the docs are watched), or refused under --no-watch."""
    import asyncio

    from wiremap.monitor import server

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLE_DOCS / "checkout-service-to-payments-api.md", docs / "payments.md")
    seen: list[object] = []

    def fake_run_server(make: object, *args: object, **kwargs: object) -> int:
        seen.append(asyncio.run(make()))  # type: ignore[operator]
        return 0

    monkeypatch.setattr(server, "run_server", fake_run_server)
    args = ["serve", str(docs), "--port", "0", "--store", f"sqlite:///{tmp_path / 'history.db'}"]
    assert run(capsys, *args, "--target", "payments.md=http://127.0.0.1:9")[0] == 0
    assert seen[0].options.targets == {"checkout-service-to-payments-api": "http://127.0.0.1:9"}  # type: ignore[attr-defined]
    code, _, err = run(capsys, *args, "--target", "later.md=http://127.0.0.1:9")
    assert code == 0 and "--target later.md=…: no doc is named so yet" in err
    assert seen[1].options.targets == {"later.md": "http://127.0.0.1:9"}  # type: ignore[attr-defined]
    code, _, err = run(capsys, *args, "--no-watch", "--target", "nope=http://127.0.0.1:9")
    assert code == 2 and "--target names no integration: nope" in err


def test_serve_refuses_two_docs_of_one_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: two docs titled to the same id (one critical) and serve said '11 integrations'
    for 12 docs, monitoring the non-critical one under the shared name; verify and measure refuse the
    NAME. serve says which docs collide and does not start."""
    from wiremap.monitor import server

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLE_DOCS / "checkout-service-to-payments-api.md", docs / "payments.md")
    shutil.copy(EXAMPLE_DOCS / "checkout-service-to-payments-api.md", docs / "payments-copy.md")
    monkeypatch.setattr(server, "run_server", lambda *a, **k: 0)
    args = ["serve", str(docs), "--port", "0", "--store", f"sqlite:///{tmp_path / 'history.db'}"]
    code, _, err = run(capsys, *args)
    assert code == 1
    assert "its id checkout-service-to-payments-api is also" in err and "(CAT001)" in err


def test_a_runner_config_of_any_name_is_read_and_checked(tmp_path: Path) -> None:
    """Found by a new user: `--config runner.toml` with top-level keys (as configuration.md's own
    example) was read as no settings at all; lint said 'All checks passed', and a file of unknown keys
    passed too. A file the runner names is read whatever its name, and checked."""
    from wiremap._errors import ConfigError

    runner = tmp_path / "runner.toml"
    runner.write_text(f'root = "{tmp_path}"\nfail-on = "warning"\n', encoding="utf-8")
    config = load_config(runner)
    assert config.fail_on == "warning"
    runner.write_text('colour = "red"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        load_config(runner)
    bare = tmp_path / "pyproject.toml"
    bare.write_text('[project]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"no \[tool.wiremap\] table"):
        load_config(bare)
    with pytest.raises(ConfigError, match="colour"):  # the runner's, named in the environment
        load_config(env={"WIREMAP_CONFIG": str(runner)})


@pytest.mark.parametrize("bad", ["3x", "soon", "0s", "-1"])
def test_measure_duration_is_a_duration_like_serves_interval(
    capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    """``measure --duration 3s`` was refused ("Input should be a valid number") while ``serve --interval
    30s`` took the unit (round 38): one reading of a duration for every command."""
    doc = EXAMPLE_DOCS / "checkout-service-to-payments-api.md"
    code, _, err = run(capsys, "measure", str(doc), "--duration", bad)
    assert code == 2
    assert "--duration must be a duration like 30s, 500ms or 2m" in err


def test_measure_duration_takes_units() -> None:
    from wiremap.cli._common import duration_s

    assert [duration_s(t, "--duration") for t in ("3", "3s", "500ms", "2m", "0.5")] == [
        3.0,
        3.0,
        0.5,
        120.0,
        0.5,
    ]
