"""--help speaks words, follows $COLUMNS; a mistyped option gets a suggestion only when one is close."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests._paths import ROOT
from wiremap.cli.main import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_shows_words_not_python_types(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"<(?:list\[|int|float|str|path|Path)", out), out


def test_help_follows_columns() -> None:
    def widest(columns: str) -> int:
        proc = subprocess.run(
            [sys.executable, "-m", "wiremap", "lint", "--help"],
            capture_output=True,
            text=True,
            env={"COLUMNS": columns, "PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
            check=True,
        )
        return max(len(line) for line in proc.stdout.splitlines())

    assert widest("150") > 100 >= widest("80")


def test_a_mistyped_option_is_suggested_an_unrelated_one_is_not(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--formt", "json"]) == 2
    assert "--format" in capsys.readouterr().err
    assert main(["lint", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert "No such option: --bogus" in err and "--jobs" not in err


def test_config_errors_have_no_pydantic_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "wiremap.toml").write_text('fail-on = "sometimes"\n[integrations.a-to-b]\ntls = "maybe"\n')
    (tmp_path / "a.md").write_text("# Integration: A → B\n", encoding="utf-8")
    assert main(["lint", str(tmp_path / "a.md")]) == 2
    err = capsys.readouterr().err
    assert "wiremap.toml" in err and "Value error" not in err
