"""The pytest plugin from a project of its own: a docs folder, a client that reads its env var, and tests
that use ``wiremap_stub``, ``@pytest.mark.wiremap`` and ``.fault(...)``, run by pytester in-process (the
plugin is found through its ``pytest11`` entry point, as in any project that installs wiremap)."""

from __future__ import annotations

import os
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

DOC = """\
# Integration: Checkout → Payments API

**Purpose:** Charges the card
**Protocol:** HTTP
**Direction:** Unidirectional
**Critical Path:** Yes

## Quick Reference

**Source:** `app/payments.py:1`
**Destination:** Payments API (payments.internal:8081)

## Request Format

**Endpoint:** `POST /v1/charges`

**Request:**
```json
{"order_id": "o_1", "amount": 4998}
```

**Response:**
```json
{"id": "ch_1", "status": "succeeded", "amount": 4998}
```

## Configuration

**Environment Variables:**
```bash
export PAYMENTS_API_URL=http://payments.internal:8081/v1  # base URL of the Payments API
export PAYMENTS_TIMEOUT_SECONDS=2  # per-request timeout
```
"""

DATABASE_DOC = """\
# Integration: Checkout → Orders Database

**Purpose:** Stores orders
**Protocol:** PostgreSQL
**Direction:** Unidirectional
**Critical Path:** Yes

## Quick Reference

**Destination:** Orders Database (db.internal:5432)
"""

# the code under test: reads its env var, as a Source's client does
CLIENT = """\
import json
import os
import urllib.error
import urllib.request


def charge(order_id, amount):
    url = os.environ["PAYMENTS_API_URL"] + "/charges"
    body = json.dumps({"order_id": order_id, "amount": amount}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=2) as response:
        return json.load(response)
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A Source's repository: ``wiremap.toml`` naming its docs folder, one doc, one client."""
    pytester.makefile(".toml", wiremap='[tool.wiremap]\ndocs = "docs/integrations"\n')
    docs = pytester.mkdir("docs")
    (docs / "integrations").mkdir()
    (docs / "integrations" / "checkout-to-payments-api.md").write_text(DOC, encoding="utf-8")
    (docs / "integrations" / "checkout-to-orders-database.md").write_text(DATABASE_DOC, encoding="utf-8")
    app = pytester.mkpydir("app")
    (app / "payments.py").write_text(CLIENT, encoding="utf-8")
    pytester.syspathinsert()
    return pytester


def _run(project: pytest.Pytester, test: str, *args: str) -> pytest.RunResult:
    project.makepyfile(test_source=test)
    return project.runpytest(
        "-p", "no:randomly", "--strict-markers", "-W", "error::pytest.PytestUnknownMarkWarning", *args
    )


def test_the_plugin_is_registered_by_its_entry_point() -> None:
    found = [e.value for e in entry_points(group="pytest11") if e.name == "wiremap"]
    assert found == ["wiremap.pytest_plugin"]


def test_the_factory_serves_the_doc_records_requests_and_closes_at_teardown(
    project: pytest.Pytester,
) -> None:
    result = _run(
        project,
        """
import json
import socket
import urllib.request

PORTS = []


def test_serve(wiremap_stub):
    stub = wiremap_stub("checkout-to-payments-api")
    assert stub.host == "127.0.0.1" and stub.url == f"http://127.0.0.1:{stub.port}/v1/charges"
    assert stub.env == {"PAYMENTS_API_URL": f"http://127.0.0.1:{stub.port}/v1"}
    assert stub.env_was == {"PAYMENTS_API_URL": "http://payments.internal:8081/v1"}
    req = urllib.request.Request(stub.url, b'{"order_id": "o_9"}', method="POST")
    with urllib.request.urlopen(req, timeout=5) as response:
        assert json.load(response) == {"id": "ch_1", "status": "succeeded", "amount": 4998}
    (seen,) = stub.requests
    assert (seen.request["method"], seen.request["path"], seen.fault) == ("POST", "/v1/charges", None)
    PORTS.append(stub.port)


def test_closed_after_the_test():
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", PORTS[0])) != 0
""",
    )
    result.assert_outcomes(passed=2)


def test_the_marker_points_the_doc_env_vars_at_the_stub_and_puts_them_back(project: pytest.Pytester) -> None:
    os.environ.pop("PAYMENTS_API_URL", None)
    result = _run(
        project,
        """
import os

import pytest

from app.payments import charge


@pytest.mark.wiremap("checkout-to-payments-api")
def test_charge(wiremap, request):
    assert request.node.wiremap is wiremap
    assert request.node.wiremap_stubs == {"checkout-to-payments-api": wiremap}
    assert os.environ["PAYMENTS_API_URL"] == f"http://127.0.0.1:{wiremap.port}/v1"
    assert charge("o_1", 4998)["status"] == "succeeded"
    assert [r.request["path"] for r in wiremap.requests] == ["/v1/charges"]


@pytest.mark.wiremap("Checkout → Payments API")  # any name the CLI takes
class TestOnAClass:
    def test_one(self, wiremap):
        assert charge("o_2", 1)["id"] == "ch_1"


def test_env_is_back():
    assert "PAYMENTS_API_URL" not in os.environ
""",
    )
    result.assert_outcomes(passed=3)


def test_fault_on_the_marker_and_for_a_block(project: pytest.Pytester) -> None:
    result = _run(
        project,
        """
import urllib.error

import pytest

from app.payments import charge


@pytest.mark.wiremap("checkout-to-payments-api", fault="status:503")
def test_marker_fault(wiremap):
    with pytest.raises(urllib.error.HTTPError) as failed:
        charge("o_1", 1)
    assert failed.value.code == 503
    assert wiremap.requests[0].fault == "status:503"


@pytest.mark.wiremap("checkout-to-payments-api")
def test_block_fault_counts_from_the_block_and_ends_with_it(wiremap):
    charge("o_1", 1)  # attempt 1, answered
    with wiremap.fault("first:2:status:502"):
        for _ in range(2):  # the block's attempts 1 and 2, whatever came before
            with pytest.raises(urllib.error.HTTPError):
                charge("o_1", 1)
        assert charge("o_1", 1)["status"] == "succeeded"
    with wiremap.fault("status:500"):
        with pytest.raises(urllib.error.HTTPError):
            charge("o_1", 1)
    assert charge("o_1", 1)["status"] == "succeeded"  # back to no fault
    assert [r.fault for r in wiremap.requests] == [None, "status:502", "status:502", None, "status:500", None]


def test_block_fault_on_a_factory_stub(wiremap_stub, monkeypatch):
    stub = wiremap_stub("checkout-to-payments-api", setenv=True)
    with stub.fault("timeout"), pytest.raises(TimeoutError):
        charge("o_1", 1)
    assert charge("o_1", 1)["amount"] == 4998
""",
    )
    result.assert_outcomes(passed=3)


def test_unknown_names_and_bad_faults_fail_with_one_line(project: pytest.Pytester) -> None:
    result = _run(
        project,
        """
import pytest


def test_unknown_id(wiremap_stub):
    wiremap_stub("checkout-to-nowhere")


@pytest.mark.wiremap("checkout-to-nowhere")
def test_unknown_on_a_marker():
    pass


@pytest.mark.wiremap("checkout-to-payments-api", fault="status:999")
def test_bad_fault():
    pass


@pytest.mark.wiremap("checkout-to-payments-api", fault="grpc:UNAVAILABLE")
def test_fault_of_another_protocol():
    pass


@pytest.mark.wiremap("checkout-to-orders-database")
def test_no_stub_of_postgresql():
    pass


@pytest.mark.wiremap()
def test_no_name():
    pass


def test_fixture_without_marker(wiremap):
    pass
""",
    )
    result.assert_outcomes(failed=1, errors=6)
    out = result.stdout.str()
    # the report body, not the short summary (whose lines are cut to the terminal's width)
    body = out.split("short test summary info")[0]
    assert body.count("wiremap: no integration 'checkout-to-nowhere' in ") == 2
    assert "its integrations: checkout-to-orders-database, checkout-to-payments-api" in out
    assert "wiremap: fault 'status:999': status wants an HTTP status from 100 to 599" in out
    # once, not twice with "During handling of the above exception" between (round 30)
    assert body.count("status wants an HTTP status from 100 to 599") == 1
    assert "During handling of the above exception" not in out
    assert "wiremap: fault grpc does not apply to a http stub" in out
    assert "wiremap: no postgresql stub" in out
    assert "@pytest.mark.wiremap wants one integration name" in out
    assert "the 'wiremap' fixture serves the doc of @pytest.mark.wiremap" in out
    assert "Traceback" not in out and "def _fail" not in out


def test_a_doc_with_nothing_servable(project: pytest.Pytester) -> None:
    placeholder = DOC.replace("`POST /v1/charges`", "[URL or method]")
    (project.path / "docs" / "integrations" / "checkout-to-payments-api.md").write_text(placeholder)
    result = _run(project, "def test_it(wiremap_stub):\n    wiremap_stub('checkout-to-payments-api')\n")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*wiremap: *checkout-to-payments-api*: no HTTP endpoint documented*"])


def test_docs_folder_from_the_option_and_the_ini_key(project: pytest.Pytester) -> None:
    (project.path / "wiremap.toml").unlink()
    (project.path / "docs" / "integrations").rename(project.path / "contracts")
    test = "def test_it(wiremap_stub):\n    assert wiremap_stub('checkout-to-payments-api').port\n"
    missing = _run(project, test)
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(
        ["*wiremap: the docs folder *docs/integrations (the default*) does not exist*"]
    )
    _run(project, test, "--wiremap-docs", "contracts").assert_outcomes(passed=1)
    project.makeini("[pytest]\nwiremap_docs = contracts\n")
    _run(project, test).assert_outcomes(passed=1)
    _run(project, test, "--wiremap-docs", "elsewhere").assert_outcomes(failed=1)


def test_the_marker_is_registered(project: pytest.Pytester) -> None:
    result = project.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.wiremap(name, fault=None, seed=0): serve the doc NAME names*"])
    result = project.runpytest("--help")
    result.stdout.fnmatch_lines(["*--wiremap-docs=DIR*", "*wiremap_docs (string)*"])


def test_a_doc_every_command_rejects_is_no_integration_to_stub(project: pytest.Pytester) -> None:
    """Round 59: a doc titled ``# Intgration Orders Service to Inventory`` (DOC004 for lint, an error for
    verify and discover) got a stub and its test passed; it was listed among the integrations too."""
    docs = project.path / "docs" / "integrations"
    (docs / "orders-to-inventory.md").write_text(
        DOC.replace("# Integration: Checkout → Payments API", "# Intgration Orders Service to Inventory"),
        encoding="utf-8",
    )
    result = _run(
        project,
        """
import pytest


@pytest.mark.wiremap("orders-to-inventory")
def test_inventory():
    pass
""",
    )
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "orders-to-inventory.md:1: DOC004" in out and "no integration to stub" in out
