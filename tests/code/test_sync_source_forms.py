"""sync on a new user's messy docs: every Source form lint accepts is rewritten in its own form, a doc
whose Client is not in its Source file is skipped (never "in sync"), and a commit subject carrying a
secret reaches the doc masked, as the preview shows it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests._paths import ROOT
from tests.code._git import commit_all, init_repo
from wiremap.cli.main import main
from wiremap.code.sync import source_ref_pattern

SHOP = ROOT / "examples" / "shop"
DOC = "docs/integrations/checkout-service-to-payments-api.md"
SOURCE = "services/checkout/payments_client.py"
PADDING = "".join(f'def _padding_{i}() -> None:\n    """Moves the client down."""\n\n\n' for i in range(4))


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = init_repo(tmp_path / "shop")
    shutil.copytree(SHOP, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".wiremap", "__pycache__"))
    commit_all(repo, "Import the shop", "2026-11-20T09:00:00+00:00")
    monkeypatch.chdir(repo)
    return repo


def _set_source(repo: Path, ref: str) -> Path:
    doc = repo / DOC
    doc.write_text(doc.read_text().replace(f"`{SOURCE}:39`", f"`{ref}`"))
    commit_all(repo, "Source form", "2026-11-20T10:00:00+00:00")
    return doc


def _move_client(repo: Path, subject: str = "Add padding above PaymentsClient") -> int:
    path = repo / SOURCE
    path.write_text(path.read_text().replace("class PaymentsClient:", PADDING + "class PaymentsClient:", 1))
    commit_all(repo, subject, "2026-12-05T09:00:00+00:00")  # after the doc's Last Updated
    return path.read_text().splitlines().index("class PaymentsClient:") + 1


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("{p}#L39", "{p}#L{n}"),
        ("{p}#L1", "{p}#L{n}"),  # far away: SRC003 says where it is, sync must move it
        ("{p}:39-60", "{p}:{n}-{e}"),  # a range moves whole
        ("{p}#L39-60", "{p}#L{n}-{e}"),
        ("{p}#L39-L60", "{p}#L{n}-L{e}"),  # GitHub's range: VAL008, and the SRC rules silent (round 33)
        ("{p}:39–60", "{p}:{n}–{e}"),
        ("{p}:39:5", "{p}:{n}:5"),  # line:column keeps its column
    ],
)
def test_every_source_form_is_rewritten_in_its_own_form(
    shop: Path, capsys: pytest.CaptureFixture[str], written: str, expected: str
) -> None:
    doc = _set_source(shop, written.format(p=SOURCE))
    line = _move_client(shop)
    old_line = 1 if written == "{p}#L1" else 39
    want = expected.format(p=SOURCE, n=line, e=60 + line - old_line)
    assert main(["sync", DOC]) == 1
    assert f"+**Source:** `{want}`" in capsys.readouterr().out
    assert main(["sync", "--write", DOC]) == 0
    assert f"**Source:** `{want}`" in doc.read_text()
    capsys.readouterr()
    assert main(["lint", "--select", "SRC003", DOC]) == 0, capsys.readouterr().out
    assert main(["sync", DOC]) == 0  # nothing more to do


def test_source_ref_pattern_does_not_match_a_longer_line_or_path() -> None:
    pattern = source_ref_pattern("a/b.py", 9)
    assert pattern.search("`a/b.py#L9`") and pattern.search("`a/b.py:9-12`")
    assert not pattern.search("`a/b.py:91`") and not pattern.search("`x/a/b.py:9`")


def test_a_doc_whose_client_is_not_in_its_source_file_is_skipped_not_in_sync(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = shop / DOC
    doc.write_text(doc.read_text().replace("**Client:** `PaymentsClient`", "**Client:** `NoSuchClient`"))
    commit_all(shop, "Rename the client in the doc", "2026-11-20T10:00:00+00:00")
    capsys.readouterr()
    assert main(["lint", "--select", "SRC004", DOC]) == 1
    assert main(["sync", DOC]) == 0
    err = capsys.readouterr().err
    assert "0 already in sync" in err and "1 skipped" in err, err
    assert f"skipped {DOC}: Client NoSuchClient is not in {SOURCE} (SRC004)" in err, err


def test_a_commit_subject_with_a_secret_is_written_masked_as_previewed(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _move_client(shop, "password=hunter2xyz leaked in msg")
    capsys.readouterr()
    assert main(["sync", DOC]) == 1
    preview = capsys.readouterr().out
    added = [x[1:] for x in preview.splitlines() if x.startswith("+") and not x.startswith("+++")]
    assert any("password=*** leaked in msg" in x for x in added), preview
    assert main(["sync", "--write", DOC]) == 0
    text = (shop / DOC).read_text()
    assert "hunter2xyz" not in text
    assert all(x in text.splitlines() for x in added)  # what was previewed is what was written
    assert main(["sync", DOC]) == 0  # the masked entry still records the commit (by its short sha)
