"""``wiremap discover`` on a new user's messy docs: docs it cannot tie to the code are said (and a config
it cannot read stops it, as it stops lint and sync), a doc whose address disagrees with the code is a
mismatch and not a missing doc, and the doc whose Endpoint matches a call gets the credit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests._paths import ROOT
from wiremap.cli.main import main

SHOP = ROOT / "examples" / "shop"
CART_DOC = "docs/integrations/cart-service-to-cart-redis.md"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(SHOP, copy, ignore=shutil.ignore_patterns(".wiremap", "__pycache__"))
    monkeypatch.chdir(copy)
    return copy


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    assert main(["discover", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_a_config_near_the_docs_that_cannot_be_read_stops_all_three(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, docs = tmp_path / "code", tmp_path / "docs"
    shutil.copytree(SHOP / "services", code / "services")
    shutil.copytree(SHOP / "docs" / "integrations", docs)
    (docs / "wiremap.toml").write_text('root = "../code"\n')  # outside its repository: refused
    monkeypatch.chdir(tmp_path)
    for command in (
        ["lint", "--select", "SRC", "docs"],
        ["sync", "docs"],
        ["discover", "code", "--docs", "docs"],
    ):
        capsys.readouterr()
        assert main(command) == 2, command
        assert "root = '../code' is outside the config's folder" in capsys.readouterr().err, command


def test_docs_with_no_project_root_are_said_not_a_silent_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, docs = tmp_path / "code", tmp_path / "docs"
    shutil.copytree(SHOP / "services", code / "services")
    shutil.copytree(SHOP / "docs" / "integrations", docs)
    monkeypatch.chdir(tmp_path)
    n = len(list(docs.glob("*.md")))
    assert main(["sync", "docs"]) == 0
    sync_err = capsys.readouterr().err
    assert main(["discover", "code", "--docs", "docs"]) == 0
    err = capsys.readouterr().err
    for line in sync_err.splitlines():
        if line.startswith("skipped "):
            assert line in err  # the same doc, the same why
    assert err.count("skipped docs/") == n and "no project root" in err, err
    assert f"none of the {n} doc(s) in docs could be tied to the code" in err, err


def test_a_covered_site_whose_port_disagrees_is_a_mismatch_not_undocumented(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = shop / CART_DOC
    doc.write_text(doc.read_text().replace("Cart Redis (127.0.0.1:6379)", "Cart Redis (127.0.0.1:6390)"))
    data = _json(capsys)
    site = next(s for s in data["sites"] if s["path"] == "services/cart/cart_store.py")
    # the code reads $CART_REDIS_URL: the :6379 is the value the docs give it (new user, round 23)
    assert (
        site["doc"] == CART_DOC
        and site["mismatch"] == "the doc says :6390 and $CART_REDIS_URL as the docs give it :6379"
    ), site
    capsys.readouterr()
    assert main(["discover", "--scaffold", "drafts"]) == 0
    out = capsys.readouterr().out
    assert (
        f"documented by {CART_DOC}, but the doc says :6390 and $CART_REDIS_URL as the docs give it :6379"
        in out
    )
    assert not any("redis" in p.name for p in (shop / "drafts").glob("*.md"))


def test_loopback_spelled_otherwise_is_the_same_destination(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: 'documented by …, but the doc says localhost and the code 127.0.0.1'."""
    doc = shop / CART_DOC
    doc.write_text(doc.read_text().replace("Cart Redis (127.0.0.1:6379)", "Cart Redis (localhost:6379)"))
    data = _json(capsys)
    site = next(s for s in data["sites"] if s["path"] == "services/cart/cart_store.py")
    assert site["doc"] == CART_DOC and site["mismatch"] is None, site


LEDGER = '''"""Billing's clients."""

import requests


class LedgerClient:
    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()


class OrdersClient:
    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def order(self, order_id: str) -> dict:
        return self.session.get(f"{self.base}/v1/orders/{order_id}", timeout=2).json()

    def balance(self, user_id: str) -> dict:  # the ledger's, through the same gateway
        return self.session.get(f"{self.base}/v1/users/{user_id}/balance", timeout=2).json()
'''


def _ledger_doc(dest: str, source: str, client: str, endpoint: str) -> str:
    text = (SHOP / "docs" / "integrations" / "storefront-to-cart-service.md").read_text()
    start, end = text.index("**Source:**"), text.index("**Health Check:**")
    quick = f"**Source:** `{source}`\n**Destination:** {dest}\n**Client:** `{client}`\n\n"
    text = text[:start] + quick + text[end:]
    text = text.replace("# Integration: Storefront → Cart Service", f"# Integration: Billing → {dest}")
    i = text.index("**Endpoint:**")
    return text[:i] + f"**Endpoint:** `{endpoint}`" + text[text.index("\n", i) :]


def test_the_doc_whose_endpoint_matches_the_call_gets_the_credit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "wiremap.toml").write_text('docs = "docs"\nroot = "."\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "ledger_client.py").write_text(LEDGER)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "billing-to-ledger.md").write_text(
        _ledger_doc("Ledger", "app/ledger_client.py:6", "LedgerClient", "GET /v1/users/{id}/balance")
    )
    (tmp_path / "docs" / "billing-to-orders.md").write_text(
        _ledger_doc("Orders", "app/ledger_client.py:12", "OrdersClient", "GET /v1/orders/{id}")
    )
    monkeypatch.chdir(tmp_path)
    sites = {s["line"]: s for s in _json(capsys, ".")["sites"]}
    assert sites[21]["target"] == "{…}/v1/users/{…}/balance"
    assert sites[21]["doc"] == "docs/billing-to-ledger.md", sites[21]  # its Source line is further away
    assert sites[18]["doc"] == "docs/billing-to-orders.md"
    assert 9 not in sites and 15 not in sites  # ``requests.Session()``: no destination, no site
