"""The CLI in-process (wiremap.cli.main.main) and as a real process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests._paths import EXAMPLE, EXAMPLE_DOCS, FIXTURES, TEMPLATE
from wiremap.cli.main import COMMANDS, main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version_and_module_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wiremap", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and proc.stdout.startswith("wiremap ")


def test_console_script_runs_lint_on_example() -> None:
    exe = Path(sys.executable).parent / "wiremap"
    if not exe.exists():
        pytest.skip("console script not installed next to this interpreter")
    proc = subprocess.run([str(exe), "lint", str(EXAMPLE_DOCS)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All checks passed." in proc.stdout


def test_lint_template_fails_with_file_line_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", str(TEMPLATE))
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{TEMPLATE}:1:") or ":1:" in first
    assert "DOC003" in out and "[ms]" in out


def test_lint_exit_zero_and_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "lint", "--exit-zero", str(TEMPLATE))[0] == 0
    assert run(capsys, "lint", "--select", "CAT", str(TEMPLATE))[0] == 0


def test_lint_json_has_stable_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", "--format", "json", str(TEMPLATE))
    data = json.loads(out)
    assert code == 1 and isinstance(data, list) and data
    assert {"path", "line", "code", "name", "severity", "message", "schema_version"} <= set(data[0])


def test_lint_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", "--format", "sarif", str(TEMPLATE))
    sarif = json.loads(out)
    assert code == 1 and sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert "DOC003" in rule_ids
    result = run_["results"][0]
    assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    loc = result["locations"][0]["physicalLocation"]
    assert not Path(loc["artifactLocation"]["uri"]).is_absolute()
    assert loc["region"]["startLine"] >= 1
    assert result["partialFingerprints"]


def test_lint_sarif_uri_is_a_uri_reference(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 59: ``esc/sub dir/my doc#1.md`` was written as it is: code scanning read ``#1.md`` as a
    fragment and pointed at ``esc/sub dir/my doc``."""
    folder = tmp_path / "esc" / "sub dir"
    folder.mkdir(parents=True)
    shutil.copy(TEMPLATE, folder / "my doc#1.md")
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(capsys, "lint", "--format", "sarif", "esc/sub dir")
    uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert uri == "esc/sub%20dir/my%20doc%231.md"


def test_lint_github_annotations(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "lint", "--format", "github", str(TEMPLATE))
    assert out.startswith("::error file=") and ",line=" in out.splitlines()[0]


def test_baseline_adopts_then_fails_only_on_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "a.md"
    shutil.copy(TEMPLATE, doc)
    baseline = tmp_path / "baseline.json"
    assert run(capsys, "lint", str(doc), "--baseline", str(baseline), "--write-baseline")[0] == 0
    code, out, err = run(capsys, "lint", str(doc), "--baseline", str(baseline))
    # found by a new user: "All checks passed." alone, with 43 findings hidden by the baseline
    assert code == 0 and "All checks passed." in out and "finding(s) in the baseline" in err
    doc.write_text(
        doc.read_text(encoding="utf-8") + "\n## Extra\n\n**Owner:** [Team name]\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "lint", str(doc), "--baseline", str(baseline))
    assert code == 1 and "[Team name]" in out and out.count("DOC003") == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["lint", "does/not/exist"], "does not exist"),
        (["lint", "--format", "xml", "x"], "xml"),
        (["show", "--only", "nope", str(EXAMPLE_DOCS)], "no integration matches"),
        (["rule", "XYZ999"], "no rule"),
        (["impact", "Nonexistent", "--docs", str(EXAMPLE_DOCS)], "no service"),
        (["new", "A", "B", "--dest", "not a host"], "host:port"),
    ],
)
def test_usage_errors_exit_2_without_traceback(
    capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert needle in out + err
    assert "Traceback" not in out + err


def test_empty_dir_and_binary_and_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "lint", str(tmp_path))[0] == 2
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\x00\x01\x02garbage")
    code, out, err = run(capsys, "lint", str(binary))
    assert code == 1 and "DOC000" in out and "binary" in out
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    code, out, _ = run(capsys, "lint", str(empty))
    assert code == 1 and f"{empty}:1:" in out


def test_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wiremap.toml").write_text('[tool.wiremap]\nfail-on = "sometimes"\n', encoding="utf-8")
    shutil.copy(TEMPLATE, tmp_path / "a.md")
    code, _, err = run(capsys, "lint", str(tmp_path / "a.md"))
    assert code == 2 and "fail_on" in err
    (tmp_path / "wiremap.toml").write_text("[tool.wiremap\n", encoding="utf-8")
    code, _, err = run(capsys, "lint", str(tmp_path / "a.md"))
    assert code == 2 and "invalid TOML" in err


def test_config_ignore_and_per_file_ignores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(TEMPLATE, tmp_path / "a.md")
    (tmp_path / "wiremap.toml").write_text(
        '[tool.wiremap]\nper-file-ignores = { "a.md" = ["DOC", "VAL", "CRT"] }\n'
    )
    code, out, _ = run(capsys, "lint", "--format", "json", str(tmp_path / "a.md"))
    assert all(not f["code"].startswith(("DOC", "VAL", "CRT")) for f in json.loads(out))


def test_inline_disable_directive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "a.md"
    doc.write_text(
        TEMPLATE.read_text(encoding="utf-8") + "\n<!-- wiremap: disable=DOC003 -->\n", encoding="utf-8"
    )
    _, out, _ = run(capsys, "lint", "--format", "json", str(doc))
    assert "DOC003" not in {f["code"] for f in json.loads(out)}


def test_show_json_one_object_and_array_and_masks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "show", "--format", "json", str(EXAMPLE_DOCS / "checkout-service-to-payments-api.md")
    )
    one = json.loads(out)
    assert code == 0 and isinstance(one, dict) and one["schema_version"] == 3 and one["protocol"] == "http"
    assert (
        one["error_handling"]["retry"]["form"] == "urllib3"
        and one["error_handling"]["retry"]["max_attempts"] == 3
    )
    _, out, _ = run(capsys, "show", "--format", "json", str(EXAMPLE_DOCS))
    assert isinstance(json.loads(out), list) and len(json.loads(out)) == len(list(EXAMPLE_DOCS.glob("*.md")))
    doc = tmp_path / "s.md"
    doc.write_text(
        "# Integration: A → B\n\n## Configuration\n\n**Environment Variables:**\n```bash\n"
        "export DB_PASSWORD=hunter2  # db\nexport DB_HOST=db.internal\n```\n\n**Connection String:**\n```\n"
        "postgresql://app:s3cretpw@db:5432/app\n```\n",
        encoding="utf-8",
    )
    _, out, _ = run(capsys, "show", "--format", "json", str(doc))
    assert "hunter2" not in out and "s3cretpw" not in out and "db.internal" in out
    _, out, _ = run(capsys, "show", "--format", "json", "--reveal", str(doc))
    assert "hunter2" in out


def test_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and schema["schema_version"] == 3
    for key in (
        "latency_ms",
        "source_ref",
        "env_vars",
        "lines",
        "schema_version",
        "id",
        "tls",
        "extra_sections",
    ):
        assert key in schema["properties"]


def test_rule_explains_and_lists(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rule", "DOC003")
    assert code == 0 and "## What it does" in out and "unfilled-placeholder" in out
    code, out, _ = run(capsys, "rule", "--all", "--format", "json")
    assert code == 0 and "DOC003" in {r["code"] for r in json.loads(out)["rules"]}


def test_graph_mermaid_and_dot(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "graph", str(EXAMPLE_DOCS))
    assert code == 0 and out.startswith("flowchart LR")
    assert "n_checkout_service ==>" in out  # critical path edge is thick
    code, out, _ = run(capsys, "graph", "--format", "dot", str(EXAMPLE_DOCS))
    assert code == 0 and out.startswith("digraph wiremap {") and "color=red" in out


def test_impact_follows_edges_upstream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for src, dst in [("Web", "API"), ("API", "DB"), ("Batch", "DB"), ("Cron", "Batch")]:
        (tmp_path / f"{src}-{dst}.md").write_text(f"# Integration: {src} → {dst}\n", encoding="utf-8")
    code, out, _ = run(capsys, "impact", "DB", "--docs", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert sorted(data["affected_services"]) == ["API", "Batch", "Cron", "Web"]
    assert len(data["integrations"]) == 4


def test_impact_follows_dependency_not_data_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found by a new user: a bidirectional cache doc made the cache's caller depend on the cache's
    availability *and* the cache depend on its caller ("Cart Cache" affected by Cart Service)."""
    doc = "# Integration: {src} → {dst}\n\n**Direction:** {direction}\n"
    for src, dst, direction in [("Web", "Cart", "Unidirectional"), ("Cart", "Cache", "Bidirectional")]:
        text = doc.format(src=src, dst=dst, direction=direction)
        (tmp_path / f"{src}-{dst}.md").write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "impact", "Cart", "--docs", str(tmp_path), "--format", "json")
    assert code == 0 and json.loads(out)["affected_services"] == ["Web"]
    code, out, _ = run(capsys, "impact", "Cache", "--docs", str(tmp_path), "--format", "json")
    assert code == 0 and sorted(json.loads(out)["affected_services"]) == ["Cart", "Web"]


def test_a_service_spelt_two_ways_is_one_service(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ "Checkout service" in one title, "Checkout Service" in two: graph drew two nodes under one Mermaid id
    and index counted one service too many, while impact took them as one (new user, round 32)."""
    for src, dst in [
        ("Checkout Service", "Pricing"),
        ("Checkout Service", "Events"),
        ("Checkout service", "DB"),
    ]:
        name = f"{src}-{dst}".replace(" ", "-")
        (tmp_path / f"{name}.md").write_text(f"# Integration: {src} → {dst}\n", encoding="utf-8")
    (tmp_path / "web.md").write_text("# Integration: Web → checkout-service\n", encoding="utf-8")
    code, out, _ = run(capsys, "graph", str(tmp_path))
    assert (
        code == 0
        and out.count('n_checkout_service["') == 1
        and 'n_checkout_service["Checkout Service"]' in out
    )
    code, out, _ = run(capsys, "graph", "--format", "dot", str(tmp_path))
    assert code == 0 and '"Checkout service"' not in out and '"checkout-service"' not in out
    assert run(capsys, "index", str(tmp_path), "-o", str(tmp_path / "i.md"))[0] == 0
    assert "between 5 services" in (tmp_path / "i.md").read_text(encoding="utf-8")
    code, out, _ = run(capsys, "impact", "DB", "--docs", str(tmp_path), "--format", "json")
    assert code == 0 and json.loads(out)["affected_services"] == ["Checkout Service", "Web"]


def test_non_ascii_services_are_two_nodes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``# Integration: склад → касса``: both services were node ``n______``, one node with a loop in
    Mermaid (new user, round 36)."""
    (tmp_path / "a.md").write_text("# Integration: склад → касса\n", encoding="utf-8")
    code, out, _ = run(capsys, "graph", str(tmp_path))
    ids = [line.split("[")[0].strip() for line in out.splitlines() if "[" in line]
    assert code == 0 and len(ids) == 2 and len(set(ids)) == 2, out
    edge = next(line for line in out.splitlines() if "-->" in line).split()
    assert edge[0] != edge[-1]


def test_index_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "index.md"
    assert run(capsys, "index", str(EXAMPLE_DOCS), "-o", str(out_file))[0] == 0
    page = out_file.read_text(encoding="utf-8")
    assert "| Integration | Protocol | Critical path | Owner | Last updated | Lint |" in page
    assert page.count("✅ ok") == len(list(EXAMPLE_DOCS.glob("*.md")))
    assert "```mermaid\nflowchart LR" in page


def test_new_scaffolds_and_refuses_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "x.md"
    args = [
        "new",
        "Checkout Service",
        "Payments API",
        "--protocol",
        "HTTPS",
        "--dest",
        "payments.internal:443",
    ]
    assert (
        run(capsys, *args, "--client", "PaymentsClient", "--source-ref", "svc/pay.py:41", "-o", str(target))[
            0
        ]
        == 0
    )
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Integration: Checkout Service → Payments API\n")
    assert "**Destination:** Payments API (payments.internal:443)" in text
    assert "**Source:** `svc/pay.py:41`" in text and "P99: [ms]" in text
    assert run(capsys, *args, "-o", str(target))[0] == 2
    code, out, _ = run(capsys, "show", "--format", "json", str(target))
    assert json.loads(out)["id"] == "checkout-service-to-payments-api" and json.loads(out)["tls"] is True


def test_fmt_check_diff_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "messy.md"
    shutil.copy(FIXTURES / "messy.md", doc)
    before = doc.read_bytes()
    code, _, err = run(capsys, "fmt", "--check", str(doc))
    assert code == 1 and "would reformat" in err and doc.read_bytes() == before
    code, out, _ = run(capsys, "fmt", "--diff", str(doc))
    assert code == 1 and out.startswith("---") and doc.read_bytes() == before
    assert run(capsys, "fmt", str(doc))[0] == 0
    assert doc.read_bytes() != before and b"\r" not in doc.read_bytes()
    assert run(capsys, "fmt", "--check", str(doc))[0] == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_fmt_skips_non_docs_in_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Readme\r\n\r\n* hi\r\n", encoding="utf-8", newline="")
    shutil.copy(FIXTURES / "messy.md", tmp_path / "messy.md")
    assert run(capsys, "fmt", str(tmp_path))[0] == 0
    assert readme.read_bytes() == b"# Readme\r\n\r\n* hi\r\n"


def test_default_path_from_config(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(EXAMPLE)
    code, out, _ = run(capsys, "lint")
    assert code == 0 and "All checks passed." in out


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for name in COMMANDS:
        code, out, _ = run(capsys, name, "--help")
        assert code == 0 and "Usage:" in out, name


def test_select_takes_comma_joined_selectors_as_lint_md_says(capsys: pytest.CaptureFixture[str]) -> None:
    """lint.md said `--select DOC,CRT` was one selector matching no rule (exit 2); it runs both."""
    messy = str(FIXTURES / "messy.md")
    code, out, _ = run(capsys, "lint", messy, "--select", "DOC,CRT", "--format", "json")
    assert code == 1 and {f["code"][:3] for f in json.loads(out)} == {"DOC", "CRT"}
    assert run(capsys, "lint", messy, "--select", "DOCC")[0] == 2


def test_show_leaves_out_an_only_name_that_matches_nothing_when_another_matches(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """show.md's own example (``--only "Storefront -> Cart Service" --only nope``) stopped with exit 2
    (new user, round 51): the name that matches nothing is left out and said; none matching is exit 2."""
    args = ["show", str(EXAMPLE_DOCS), "--only", "Storefront -> Cart Service", "--only", "nope"]
    assert main([*args, "--format", "json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["id"] == "storefront-to-cart-service"
    assert "warning: no integration matches --only nope: left out" in out.err
    assert main(["show", str(EXAMPLE_DOCS), "--only", "nope"]) == 2
    assert "no integration matches --only nope" in capsys.readouterr().err


def test_index_lists_an_untitled_doc_by_its_path_and_does_not_count_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An untitled doc was a "? → ?" row counted among the integrations (new user, round 52)."""
    docs = tmp_path / "docs"
    shutil.copytree(EXAMPLE_DOCS, docs)
    first = sorted(docs.glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    total = len(list(docs.glob("*.md")))
    main(["index", str(docs)])
    page = capsys.readouterr().out
    assert f"{total - 1} integrations between" in page and "and 1 doc(s) without a title" in page
    assert f"(no title: {first.name})" in page and "? → ?" not in page
