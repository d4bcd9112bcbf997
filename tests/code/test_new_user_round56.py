"""A Python service with two clients of one class in one file (new user, round 56): each was wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiremap
from tests.code._git import repo_of
from tests.code.test_new_user_clients import doc
from wiremap.cli.main import main
from wiremap.code.discover import discover
from wiremap.code.index import index_tree
from wiremap.code.python import index_python

MAIN = """import os

import httpx
from fastapi import FastAPI

app = FastAPI()
INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://127.0.0.1:23503")
PRICING_URL = os.environ.get("PRICING_URL", "http://127.0.0.1:23506")


@app.get("/price/{sku}")
async def price(sku: str) -> dict:
    # pricing: a client of its own, no base_url
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{PRICING_URL}/v1/price/{sku}")
    return r.json()


inventory = httpx.AsyncClient(base_url=INVENTORY_URL, timeout=2.0)


@app.get("/stock/{sku}")
async def stock(sku: str) -> dict:
    r = await inventory.get(f"/v1/stock/{sku}")
    return r.json()
"""
INVENTORY_DOC = (
    doc("api/main.py:12", "httpx.AsyncClient", "Inventory Service (127.0.0.1:23503)")
    .replace("Sensors → Peer", "API → Inventory Service")
    .replace("**Protocol:** TCP", "**Protocol:** HTTP")
    .replace(
        "## Recent Changes",
        "## Configuration\n\n**Environment Variables:**\n```bash\n"
        "export INVENTORY_URL=http://127.0.0.1:23503  # base URL\n```\n\n---\n\n## Recent Changes",
    )
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {
        "wiremap.toml": 'docs = "docs"\nroot = "."\n',
        "api/main.py": MAIN,
        "docs/inventory.md": INVENTORY_DOC,
    }
    repo = repo_of(tmp_path / "repo", files)
    monkeypatch.chdir(repo)
    return repo


def test_a_path_called_on_a_client_made_with_a_base_url_goes_there() -> None:
    """``inventory.get("/v1/stock/…")`` on ``httpx.AsyncClient(base_url=INVENTORY_URL)`` had the path
    alone for a target, and became an integration with no destination."""
    sites = index_python("api/main.py", MAIN.encode(), "s").sites
    assert [(s.line, s.target, s.env) for s in sites] == [
        (15, "http://127.0.0.1:23506/v1/price/{…}", "PRICING_URL"),
        (19, "http://127.0.0.1:23503", "INVENTORY_URL"),
        (24, "http://127.0.0.1:23503/v1/stock/{…}", "INVENTORY_URL"),
    ]


def test_another_client_of_the_same_class_is_another_integration(repo: Path) -> None:
    """The pricing call was "documented by inventory.md, but the doc says :23503 and the code :23506"
    (a wrong address, no draft), while the code's other client goes to :23503 as the doc says."""
    index = index_tree(repo, use_cache=False)
    integ = wiremap.load(repo / "docs").docs[0].integration
    found = discover(index, [(integ, "api/main.py")])
    by_line = {sc.site.line: sc for sc in found.sites}
    assert by_line[15].doc is None and by_line[15].mismatch is None
    assert by_line[19].doc and by_line[24].doc and by_line[24].mismatch is None


def test_sync_and_src006_take_the_client_going_where_the_doc_says(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sync moved the Source to the nearer ``httpx.AsyncClient`` (the pricing one, line 14), and SRC006
    asked the inventory doc to list PRICING_URL."""
    assert wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003", "SRC006"]) == []
    capsys.readouterr()
    assert main(["sync", "--write", "docs"]) == 0
    source = next(
        x for x in (repo / "docs/inventory.md").read_text().splitlines() if x.startswith("**Source:**")
    )
    assert source == "**Source:** `api/main.py:19`"


def test_sync_skips_a_doc_whose_source_file_only_imports_the_client(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """LedgerClient moved to clients/ledger_http.py, clients/ledger.py re-exports it: lint said SRC003 and
    sync (dry run) counted the doc "already in sync"."""
    repo = repo_of(
        tmp_path / "repo",
        {
            "wiremap.toml": 'docs = "docs"\nroot = "."\n',
            "clients/__init__.py": "",
            "clients/ledger.py": "from .ledger_http import LedgerClient\n\n__all__ = ['LedgerClient']\n",
            "clients/ledger_http.py": (
                "import os\n\nimport requests\n\n\nclass LedgerClient:\n"
                "    def post(self, entry: dict) -> None:\n"
                '        requests.post(os.environ["LEDGER_URL"] + "/v1/entries", json=entry, timeout=2)\n'
            ),
            "docs/ledger.md": doc("clients/ledger.py:1", "LedgerClient", "Ledger (127.0.0.1:23510)"),
        },
    )
    monkeypatch.chdir(repo)
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003"])
    assert [f.code for f in found] == ["SRC003"]
    capsys.readouterr()
    main(["sync", "docs"])
    err = capsys.readouterr().err
    assert "skipped docs/ledger.md: clients/ledger.py only imports Client LedgerClient" in err, err
    assert "already in sync" not in err.replace("0 already in sync", "")


def test_src006_gives_the_same_answer_for_one_doc_as_for_its_folder(tmp_path: Path) -> None:
    """Round 59: pre-commit lints the changed doc alone; SRC006 asked it for a variable its sibling (the
    same Source file's other doc) documents, while the folder run passed."""
    code = (
        "import os\n\nimport requests\n\n\ndef sync_orders():\n"
        '    orders = requests.get(os.environ["ORDERS_API_URL"] + "/v1/orders", timeout=2)\n'
        '    requests.post(os.environ["BILLING_API_URL"] + "/v1/invoices", json=orders.json(), timeout=2)\n'
    )

    def with_env(text: str, name: str) -> str:
        block = (
            "## Configuration\n\n**Environment Variables:**\n```bash\n"
            f"export {name}=http://127.0.0.1:1  # x\n```\n"
        )
        return text.replace("## Recent Changes", block + "\n---\n\n## Recent Changes")

    repo = repo_of(
        tmp_path / "repo",
        {
            "wiremap.toml": 'docs = "docs"\nroot = "."\n',
            "svc/clients.py": code,
            "docs/orders.md": with_env(
                doc("svc/clients.py:6", "requests.get", "Orders (127.0.0.1:1)"), "ORDERS_API_URL"
            ),
            "docs/billing.md": with_env(
                doc("svc/clients.py:6", "requests.get", "Billing (127.0.0.1:1)").replace(
                    "Sensors → Peer", "Sensors → Billing"
                ),
                "BILLING_API_URL",
            ),
        },
    )
    alone = wiremap.lint_catalog(wiremap.load(repo / "docs/orders.md"), select=["SRC006"])
    together = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC006"])
    assert [f for f in alone if "BILLING_API_URL" in f.message] == []
    assert [f.message for f in alone] == [f.message for f in together if f.path.endswith("orders.md")]
