"""``wiremap discover`` on the example shop: its integrations, their coverage, drafts for the rest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests._paths import ROOT
from wiremap.catalog import load
from wiremap.cli.main import main
from wiremap.code.discover import destination_of

SHOP = ROOT / "examples" / "shop"


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


def test_finds_every_integration_of_the_shop_and_the_two_nobody_documented(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _json(capsys)
    sites = {(s["path"], s["line"]): s for s in data["sites"]}
    # one call site per documented integration at least, each covered by its doc
    for doc in load([shop / "docs" / "integrations"]).docs:
        assert doc.integration.source_ref is not None
        path = doc.integration.source_ref.path
        assert any(p == path and s["documented"] for (p, _), s in sites.items()), path
    undocumented = [i for i in data["integrations"] if not i["documented"]]
    assert [(i["source"], i["destination"], i["protocol"]) for i in undocumented] == [
        ("services/notifications", "127.0.0.1:5672", "amqp"),
        ("services/storefront", "127.0.0.1:8084", "http"),
    ]
    checkout = sites[("services/storefront/app.py", 55)]
    assert checkout["client"] == "requests.post"
    assert checkout["target"] == "http://127.0.0.1:8084/v1/checkout"
    assert checkout["env"] == "CHECKOUT_SERVICE_URL"
    assert data["coverage"]["integrations_found"] == 9
    assert data["coverage"]["integrations_documented"] == 7
    assert data["coverage"]["integrations"] == pytest.approx(7 / 9, abs=1e-4)
    # an HTTP session built without a base URL is no site (its requests are): 8 of 10
    assert data["coverage"]["sites"] == pytest.approx(8 / 10, abs=1e-4)
    assert {"path": "services/storefront/app.py", "line": 15, "name": "CHECKOUT_SERVICE_URL"} in data[
        "env_reads"
    ]


def test_text_report_and_fail_under(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discover"]) == 0
    out = capsys.readouterr().out
    assert "services/storefront/app.py:55  requests.post  http" in out and "UNDOCUMENTED" in out
    assert "7/9 integrations (78%) documented" in out
    assert main(["discover", "--fail-under", "90"]) == 1
    assert "below --fail-under 90%" in capsys.readouterr().err
    assert main(["discover", "--fail-under", "75"]) == 0


def test_scaffold_writes_one_parseable_draft_per_undocumented_integration(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drafts = shop / "drafts"
    assert main(["discover", "--scaffold", str(drafts)]) == 0
    names = sorted(p.name for p in drafts.iterdir())
    assert names == ["notifications-to-order-events.md", "storefront-to-checkout-service.md"]
    integ = load([drafts / "storefront-to-checkout-service.md"]).docs[0].integration
    assert (integ.source, integ.destination, integ.protocol) == ("Storefront", "Checkout Service", "http")
    assert (integ.destination_host, integ.destination_port) == ("127.0.0.1", 8084)
    assert integ.source_ref is not None and (integ.source_ref.path, integ.source_ref.line) == (
        "services/storefront/app.py",
        55,
    )
    # the drafts now document both integrations
    assert _json(capsys, "--docs", str(drafts))["coverage"]["integrations_documented"] == 2
    # a second run keeps the drafts a person may have started editing
    (drafts / "storefront-to-checkout-service.md").write_text("edited\n")
    assert main(["discover", "--scaffold", str(drafts)]) == 0
    assert (drafts / "storefront-to-checkout-service.md").read_text() == "edited\n"


def test_credentials_in_targets_are_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "db.py").write_text(
        'import psycopg\nconn = psycopg.connect("postgresql://app:s3cr3t-pa55@db.internal:5432/app")\n'
    )
    (tmp_path / "docs").mkdir()  # none yet: the default docs folder of the cwd may not exist
    data = _json(capsys, str(tmp_path), "--docs", str(tmp_path / "docs"))
    assert data["sites"][0]["protocol"] == "postgresql"
    assert "s3cr3t-pa55" not in json.dumps(data)
    assert main(["discover", str(tmp_path), "--docs", str(tmp_path / "docs")]) == 0
    assert "s3cr3t-pa55" not in capsys.readouterr().out


def test_bad_root_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["discover", str(tmp_path / "nope")]) == 2
    assert main(["discover", str(tmp_path), "--docs", str(tmp_path / "nope")]) == 2


def test_a_missing_default_docs_folder_is_said_not_a_measured_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No ``--docs``, no config, no ``docs/integrations``: one line naming the folder and how to point
    at the docs, exit 2 as lint, verify and graph; no coverage, no JSON report, no draft."""
    (tmp_path / "docs").mkdir()  # the docs are elsewhere than the default
    (tmp_path / "app.py").write_text('import requests\nrequests.get("http://127.0.0.1:9000/x")\n')
    monkeypatch.chdir(tmp_path)
    for args in ([], ["--fail-under", "50"], ["--format", "json"], ["--scaffold", "drafts"]):
        capsys.readouterr()
        assert main(["discover", *args]) == 2, args
        captured = capsys.readouterr()
        assert captured.out == "", args
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
        assert str(tmp_path / "docs" / "integrations") in lines[0] and "--docs DIR" in lines[0]
        assert "[tool.wiremap]" in lines[0] and "Coverage" not in lines[0]
    assert not (tmp_path / "drafts").exists()
    assert main(["lint"]) == 2 and main(["graph"]) == 2  # the same for the commands that read docs
    assert main(["discover", "--docs", "docs"]) == 0
    # a project's first run: --scaffold creates the default folder itself, so there is truly no doc yet
    capsys.readouterr()
    assert main(["discover", "--scaffold", "docs/integrations"]) == 0
    captured = capsys.readouterr()
    assert "no docs yet: " in captured.err and "UNDOCUMENTED" in captured.out
    assert len(list((tmp_path / "docs" / "integrations").glob("*.md"))) == 1


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("http://127.0.0.1:8084/v1/checkout", "127.0.0.1:8084"),
        ("https://payments.internal/v1", "payments.internal:443"),
        ("amqp://checkout@127.0.0.1:5672/shop", "127.0.0.1:5672"),
        ("redis://cache/0", "cache:6379"),
        ("inventory:50051", "inventory:50051"),
        ("{…}/v1/charges", None),
        ("${PAYMENTS_API_URL}/v1", None),
        ("/relative/path", None),
        (None, None),
    ],
)
def test_destination_of(target: str | None, expected: str | None) -> None:
    assert destination_of(target) == expected


def test_a_new_call_to_another_host_in_a_documented_file_is_undocumented(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a new user: any site in a file a doc names was 'documented', whatever host it called."""
    client = shop / "services" / "checkout" / "payments_client.py"
    client.write_text(
        client.read_text(encoding="utf-8")
        + "\n\ndef audit() -> None:\n    requests.post('http://127.0.0.1:7777/audit', json={}, timeout=1)\n",
        encoding="utf-8",
    )
    data = _json(capsys)
    audit = next(s for s in data["sites"] if s["target"] == "http://127.0.0.1:7777/audit")
    assert not audit["documented"]
    charges = next(s for s in data["sites"] if (s["target"] or "").endswith("/v1/charges"))
    assert charges["documented"]
    assert data["coverage"]["integrations"] < 7 / 9


def test_a_call_of_another_protocol_in_a_documented_file_is_not_that_doc_s(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An HTTP session opened in the file a gRPC doc names was "documented by" the gRPC doc, so coverage
    read 100% (new user, round 21): a doc covers the calls its protocol can be."""
    client = shop / "services" / "checkout" / "inventory_client.py"
    client.write_text(
        client.read_text(encoding="utf-8")
        + "\n\ndef audit_session(base):\n    return requests.Session().get(base + '/audit')\n",
        encoding="utf-8",
    )
    if "import requests" not in client.read_text(encoding="utf-8"):
        client.write_text("import requests\n" + client.read_text(encoding="utf-8"), encoding="utf-8")
    data = _json(capsys)
    session = [
        s for s in data["sites"] if s["path"].endswith("inventory_client.py") and s["protocol"] == "http"
    ]
    assert session and not any(s["documented"] for s in session), session
    grpc = [s for s in data["sites"] if s["path"].endswith("inventory_client.py") and s["protocol"] == "grpc"]
    assert grpc and all(s["documented"] for s in grpc), grpc


def test_a_new_host_inside_a_documented_class_is_an_integration_of_its_own(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``refund()`` method of the documented PaymentsClient posting to another host was marked
    undocumented on its line, but the class held it in the documented integration: never listed, never
    drafted (new user, round 35)."""
    client = shop / "services" / "checkout" / "payments_client.py"
    text = client.read_text(encoding="utf-8").replace(
        "    @classmethod\n    def from_env(cls)",
        "    def refund(self) -> None:\n"
        "        requests.post('http://127.0.0.1:7781/refunds', json={}, timeout=1)\n\n"
        "    @classmethod\n    def from_env(cls)",
        1,
    )
    client.write_text(text, encoding="utf-8")
    data = _json(capsys)
    undocumented = [i for i in data["integrations"] if not i["documented"]]
    assert ("services/checkout", "127.0.0.1:7781", "http") in {
        (i["source"], i["destination"], i["protocol"]) for i in undocumented
    }
    assert data["coverage"]["integrations_found"] == 10 and data["coverage"]["integrations_documented"] == 7


def test_a_send_goes_where_its_function_s_request_does(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``req = requests.Request("POST", "http://fraud…")`` then ``Session().send(req)``: the send names no
    URL, and in a file a doc names it was "documented by" that doc (new user, round 35, in Go and Python)."""
    client = shop / "services" / "checkout" / "payments_client.py"
    client.write_text(
        client.read_text(encoding="utf-8") + "\n\ndef fraud_score() -> None:\n"
        "    req = requests.Request('POST', 'http://127.0.0.1:7782/score', json={}).prepare()\n"
        "    requests.Session().send(req, timeout=1)\n",
        encoding="utf-8",
    )
    data = _json(capsys)
    fraud = [s for s in data["sites"] if s.get("scope") == "fraud_score"]
    assert fraud and not any(s["documented"] for s in fraud), fraud
    assert data["coverage"]["integrations_documented"] == 7


def test_calls_in_test_code_are_not_integrations(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A mocked call in ``tests/test_payments.py`` and one in ``web/test/api.test.ts`` were two undocumented
    integrations, each drafted (new user, round 35): test code talks to mocks and test servers."""
    (shop / "tests" / "test_audit.py").write_text(
        "import requests\n\n\ndef test_audit():\n    requests.post('http://127.0.0.1:7790/audit', json={})\n",
        encoding="utf-8",
    )
    web = shop / "web" / "test"
    web.mkdir(parents=True)
    (web / "api.test.ts").write_text("await fetch('http://127.0.0.1:7791/api');\n", encoding="utf-8")
    (shop / "services" / "audit_client.py").write_text(
        "import requests\n\n\ndef audit():\n    requests.post('http://127.0.0.1:7792/audit', json={})\n",
        encoding="utf-8",
    )
    data = _json(capsys)
    targets = {s["target"] for s in data["sites"]}
    assert "http://127.0.0.1:7792/audit" in targets  # a service's own call still is one
    assert not any("7790" in (t or "") or "7791" in (t or "") for t in targets)
