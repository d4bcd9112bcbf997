"""A security review's findings (round 59): each was possible before."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap.cli.main import main
from wiremap.verify.targets import DocTargetError, resolve_target

DOC = EXAMPLE_DOCS / "storefront-to-cart-service.md"


def test_a_doc_symlinked_out_of_the_tree_is_not_read_nor_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Named on the command line (as pre-commit names a changed file), a doc linked to a file outside
    the repository was read (its lines quoted in findings) and fmt replaced the link with a file holding
    the outside content."""
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "victim.md"
    target.write_text(
        DOC.read_text(encoding="utf-8").replace("**Purpose:** ", "**Purpose:**  token: OUTSIDE_9 ")
    )
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    link = repo / "docs" / "zz-link.md"
    link.symlink_to(target)
    monkeypatch.chdir(repo)
    capsys.readouterr()
    assert main(["lint", "docs/zz-link.md"]) == 1
    out = capsys.readouterr()
    assert "a symbolic link out of the working tree: not read" in out.out + out.err
    assert "OUTSIDE_9" not in out.out + out.err
    main(["fmt", "docs/zz-link.md"])
    assert link.is_symlink() and "OUTSIDE_9" in target.read_text()


def test_a_symlinked_doc_inside_the_tree_is_read_but_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").mkdir()
    real = tmp_path / "real.md"
    real.write_text(DOC.read_text(encoding="utf-8").replace("**Purpose:** ", "**Purpose:**   "))
    link = tmp_path / "docs" / "doc.md"
    link.symlink_to(real)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["fmt", "docs/doc.md"]) == 2
    assert "a symbolic link, not replaced" in capsys.readouterr().err
    assert link.is_symlink()


def test_a_doc_endpoint_with_no_host_skips_that_doc_not_the_run() -> None:
    """``redis+unix:///tmp/x.sock`` made verify exit 2 for every doc."""
    from wiremap import parse_text

    text = "# Integration: A → B\n\n**Protocol:** Redis\n\n## Request Format\n\n**Endpoint:** `redis+unix:///tmp/x.sock`\n"
    with pytest.raises(DocTargetError, match="has no host"):
        resolve_target(parse_text(text, "x.md").integration, {}, {})


def test_a_source_out_of_the_project_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``**Source:** `../../outside/leak.py:2``` gave no finding (sync said "skipped")."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "wiremap.toml").write_text('docs = "docs"\nroot = "."\n')
    text = DOC.read_text(encoding="utf-8")
    import re

    text = re.sub(r"\*\*Source:\*\* `[^`]*`", "**Source:** `../../outside/leak.py:2`", text, count=1)
    (tmp_path / "docs" / "d.md").write_text(text)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    main(["lint", "docs", "--select", "SRC001"])
    assert "Source file ../../outside/leak.py is outside the project root" in capsys.readouterr().out
