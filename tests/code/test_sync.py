"""The issue's "done when": the example shop passes the SRC rules; moving its client makes lint fail and
``sync --write`` fix it. Run on a copy of the shop in its own git repository with dated commits."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests._paths import ROOT
from tests.code._git import commit_all, init_repo
from wiremap.cli.main import main

SHOP = ROOT / "examples" / "shop"
PAYMENTS_DOC = "docs/integrations/checkout-service-to-payments-api.md"
PADDING = "".join(f'def _padding_{i}() -> None:\n    """Moves the client down."""\n\n\n' for i in range(4))


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = init_repo(tmp_path / "shop")
    shutil.copytree(SHOP, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".wiremap", "__pycache__"))
    commit_all(repo, "Import the shop", "2026-11-20T09:00:00+00:00")
    monkeypatch.chdir(repo)
    return repo


def _move_payments_client(repo: Path) -> int:
    """Move the class 16 lines down (past the 10-line window); return its new line."""
    path = repo / "services" / "checkout" / "payments_client.py"
    text = path.read_text()
    path.write_text(text.replace("class PaymentsClient:", PADDING + "class PaymentsClient:", 1))
    commit_all(repo, "Add padding above PaymentsClient", "2026-11-27T09:00:00+00:00")
    return path.read_text().splitlines().index("class PaymentsClient:") + 1


def test_example_docs_pass_the_src_rules() -> None:
    assert main(["lint", "--select", "SRC", str(SHOP / "docs" / "integrations")]) == 0


def test_moving_the_client_fails_lint_and_sync_write_fixes_it(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--select", "SRC", "docs/integrations"]) == 0
    line = _move_payments_client(shop)
    assert line == 39 + 16
    capsys.readouterr()
    assert main(["lint", "--select", "SRC", "docs/integrations"]) == 1
    out = capsys.readouterr().out
    assert f"{PAYMENTS_DOC}:12:1: SRC003" in out and f"it is at line {line} now" in out

    before = (shop / PAYMENTS_DOC).read_text()
    assert main(["sync", PAYMENTS_DOC]) == 1  # a diff, nothing written
    diff = capsys.readouterr().out
    assert "-**Source:** `services/checkout/payments_client.py:39`" in diff
    assert f"+**Source:** `services/checkout/payments_client.py:{line}`" in diff
    assert (shop / PAYMENTS_DOC).read_text() == before

    assert main(["sync", "--write", PAYMENTS_DOC]) == 0
    after = (shop / PAYMENTS_DOC).read_text()
    assert f"**Source:** `services/checkout/payments_client.py:{line}`" in after
    # the commit lands in Recent Changes above the human-written entries, which are all kept
    assert "**2026-11-27:**\n- Add padding above PaymentsClient (" in after
    assert after.index("**2026-11-27:**") < after.index("**2026-11-02:**") < after.index("**2026-09-14:**")
    for line in before.splitlines():
        if line.startswith("- ") or line.startswith("**20"):
            assert line in after
    assert f"**Last Updated:** {dt.date.today().isoformat()}" in after
    assert main(["lint", "--select", "SRC", "docs/integrations"]) == 0
    assert main(["sync", PAYMENTS_DOC]) == 0  # idempotent: nothing more to do


def test_sync_fills_maintained_by_from_codeowners(shop: Path) -> None:
    doc = shop / PAYMENTS_DOC
    doc.write_text(doc.read_text().replace("Payments Team (@payments-team)", "[Team/Person]"))
    commit_all(shop, "Forget the maintainer", "2026-11-20T10:00:00+00:00")
    assert main(["lint", "--select", "SRC008", PAYMENTS_DOC]) == 0  # a warning: lint still passes
    assert main(["sync", "--write", PAYMENTS_DOC]) == 0
    assert "**Maintained By:** @payments-team @checkout-team" in doc.read_text()


def test_sync_writes_nothing_when_the_result_would_not_parse_back(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _move_payments_client(shop)
    from wiremap.code import sync as sync_module

    monkeypatch.setattr(sync_module, "_MAINTAINED", sync_module._ENTRY)  # would rewrite a dated entry
    doc = shop / PAYMENTS_DOC
    doc.write_text(doc.read_text().replace("Payments Team (@payments-team)", "[Team/Person]"))
    before = doc.read_text()
    assert main(["sync", "--write", PAYMENTS_DOC]) == 0
    assert doc.read_text() == before
    assert "nothing written" in capsys.readouterr().err


def test_docs_without_a_root_or_source_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "x.md"
    text = (SHOP / PAYMENTS_DOC).read_text()
    doc.write_text(text.replace("services/checkout/payments_client.py", "nope.py"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # tmp_path is in no repository
    assert main(["sync", str(doc)]) == 0
    assert "skipped" in capsys.readouterr().err
    assert main(["sync", "--root", str(tmp_path / "missing"), str(doc)]) == 2
