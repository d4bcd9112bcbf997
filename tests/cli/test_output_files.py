"""Files wiremap writes: a folder named as the output is a usage error (exit 2), a trailing slash means a
folder, and new files get the mode the umask gives (not mkstemp's 0600)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
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
    assert main(["new", "A", "B", "-o", "missing/"]) == 2
    assert not (tmp_path / "missing").exists()
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
    assert main(["discover", str(tmp_path), "--fail-under", "80"]) == 1
    captured = capsys.readouterr()
    assert "(nothing found)" in captured.out and "100%" not in captured.out
    assert "no integration was found" in captured.err
    assert main(["discover", str(tmp_path), "--format", "json"]) == 0
    assert '"integrations": null' in capsys.readouterr().out
