"""Files wiremap writes: a folder named as the output is a usage error (exit 2), a trailing slash means a
folder, and new files get the mode the umask gives (not mkstemp's 0600)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS, ROOT
from tests.security._peers import http_recorder
from wiremap.cli.main import main


@pytest.mark.parametrize(
    "args",
    [
        ["lint", str(EXAMPLE_DOCS), "-o"],
        ["verify", str(EXAMPLE_DOCS), "--timeout", "0.2", "-o"],
        ["index", str(EXAMPLE_DOCS), "-o"],
    ],
)
def test_an_existing_folder_as_output_is_a_usage_error(
    tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*args, str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "it is a folder" in err and "internal error" not in err


def test_a_trailing_slash_means_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # a folder that does not exist is made, as discover --scaffold makes its own (new user, round 26:
    # "folder does not exist" for -o drafts2/)
    assert main(["new", "A", "B", "-o", "drafts/more/"]) == 0
    assert (tmp_path / "drafts" / "more" / "a-to-b.md").is_file()
    (tmp_path / "file").write_text("x")
    assert main(["new", "A", "B", "-o", "file/"]) == 2
    (tmp_path / "docs").mkdir()
    assert main(["new", "A", "B", "-o", "docs/"]) == 0
    assert (tmp_path / "docs" / "a-to-b.md").is_file()


def test_new_files_honour_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert main(["new", "A", "B", "-o", str(tmp_path / "a.md")]) == 0
        assert main(["index", str(EXAMPLE_DOCS), "-o", str(tmp_path / "index.md")]) == 0
    finally:
        os.umask(old)
    assert (tmp_path / "a.md").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "index.md").stat().st_mode & 0o777 == 0o640


def test_discover_on_a_tree_without_code_is_not_100_percent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "README.md").write_text("# nothing here\n", encoding="utf-8")
    docs = ["--docs", str(tmp_path)]  # (the default docs folder of the cwd may not exist: exit 2)
    assert main(["discover", str(tmp_path), *docs, "--fail-under", "80"]) == 1
    captured = capsys.readouterr()
    assert "(nothing found)" in captured.out and "100%" not in captured.out
    assert "no integration was found" in captured.err
    assert main(["discover", str(tmp_path), *docs, "--format", "json"]) == 0
    assert '"integrations": null' in capsys.readouterr().out


def test_ctrl_c_during_verify_prints_the_partial_table_and_exits_130(tmp_path: Path) -> None:
    """One destination answers at once, the other accepts and never answers: Ctrl-C while waiting for it."""
    tarpit = socket.socket()
    tarpit.bind(("127.0.0.1", 0))
    tarpit.listen(8)
    docs = tmp_path / "docs"
    docs.mkdir()
    with http_recorder("127.0.0.1", body={}) as (port, _):
        for name, dest in (
            ("storefront-to-cart-service", port),
            ("cart-service-to-cart-redis", tarpit.getsockname()[1]),
        ):
            text = (EXAMPLE_DOCS / f"{name}.md").read_text(encoding="utf-8")
            (docs / f"{name}.md").write_text(
                re.sub(r"\(127\.0\.0\.1:\d+\)", f"(127.0.0.1:{dest})", text, count=1)
            )
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "wiremap", "verify", str(docs), "--timeout", "30"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        time.sleep(3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    tarpit.close()
    assert proc.returncode == 130, (out, err)
    assert "Storefront → Cart Service" in out and "Cart Redis" not in out
    assert "interrupted: 1 of 2 integrations verified" in err


def test_found_by_a_new_user(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """P99 written with '~', a bracketed word in a shown value, a doc without a title under fmt."""
    from wiremap.document import parse_text

    text = "# Integration: A → B\n\n## Performance\n\n**Latency:**\n- P95: 0.4 s\n- P99 ~ 300ms\n"
    assert parse_text(text, "x.md").integration.latency_ms.p99 == 300.0
    doc = tmp_path / "a.md"
    doc.write_text(
        "# Integration: A → B\n\n**Purpose:** reconnects are handled by [paho] itself\n", encoding="utf-8"
    )
    assert main(["show", str(doc)]) in (0, 1)
    assert "[paho]" in capsys.readouterr().out
    untitled = tmp_path / "b.md"
    untitled.write_text(
        "**Purpose:** x\n**Protocol:** HTTP\n**Direction:** Unidirectional\n**Critical Path:** No\n\n"
        "## Quick Reference\n\n**Source:** `a.py:1`\n**Destination:** X (127.0.0.1:1)\n",
        encoding="utf-8",
    )
    assert main(["fmt", "--check", str(untitled)]) == 1
    assert "missing title '# Integration: Source → Destination'" in capsys.readouterr().err


def test_fmt_leaves_a_doc_without_a_title_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Round 67: fmt rewrote a doc without a title (docs/format.md: "leaves that one as it is") and counted
    it twice ("would reformat" and "without a title": four docs of three files)."""
    untitled_text = (
        "hello\n\n**Purpose:** x\n**Protocol:** HTTP\n## Quick Reference\n\n**Source:** `a.py:1`\n"
    )
    untitled = tmp_path / "notitle.md"
    untitled.write_text(untitled_text, encoding="utf-8")
    titled = tmp_path / "ok.md"
    titled.write_text("# integration: A -> B\n\n**Purpose:** x\n## Quick Reference\n**Source:** `a.py:1`\n")
    assert main(["fmt", "--check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "would reformat" in err and "notitle.md" not in err.split("missing title")[1], err
    assert "1 doc(s) would be reformatted, 0 already canonical; 1 without a title, left as they are" in err
    assert main(["fmt", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert untitled.read_text(encoding="utf-8") == untitled_text
    assert titled.read_text(encoding="utf-8").startswith("# Integration: A → B\n")
    assert "reformatted " + str(untitled) not in err and f"error: {untitled}:1: missing title" in err, err
    named = tmp_path / "named.md"  # a title that names no integration: said so, left as it is too
    named.write_text("# Integration: only one side\n\n**Purpose:** x\n## Quick Reference\n", encoding="utf-8")
    assert main(["fmt", str(named)]) == 1
    assert "does not name the integration" in capsys.readouterr().err
    assert named.read_text(encoding="utf-8").startswith(
        "# Integration: only one side\n\n**Purpose:** x\n## Q"
    )


def test_found_by_a_new_user_second_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'- none' under Environment Variables is no variable; sync does not call a doc whose Source file
    does not exist 'in sync'."""
    from wiremap.document import parse_text

    text = "# Integration: A → B\n\n## Configuration\n\n**Environment Variables:**\n- none\n"
    assert parse_text(text, "x.md").integration.env_vars == []
    docs = tmp_path / "docs"
    docs.mkdir()
    doc = (EXAMPLE_DOCS / "storefront-to-cart-service.md").read_text(encoding="utf-8")
    doc = re.sub(r"\*\*Source:\*\* `[^`]*`", "**Source:** `services/gone.py:3`", doc, count=1)
    (docs / "a.md").write_text(doc, encoding="utf-8")
    (tmp_path / "wiremap.toml").write_text('root = "."\n', encoding="utf-8")
    main(["sync", str(docs)])
    err = capsys.readouterr().err
    assert "0 already in sync" in err and "1 skipped" in err, err
