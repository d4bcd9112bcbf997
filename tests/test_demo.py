"""The README's main command: the example shop live, with its deliberate drift caught."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from tests.services import require_service
from wiremap.cli.main import main


def test_demo_verifies_the_shop_and_catches_the_drift(capsys: pytest.CaptureFixture[str]) -> None:
    for service in ("postgresql", "redis", "amqp"):
        require_service(service)
    code = main(["demo", "--docs", str(EXAMPLE_DOCS)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "All checks passed." in out
    assert "7 integrations verified" in out and "6 ok, 1 failed" in out
    assert "$.items[0].quantity: expected number, got string" in out
    assert "Everything behaved as expected" in out
    assert "not verified" not in out  # every real service was used
    # faults: the Storefront's cart client makes 2 attempts where its doc promises 4; the others as documented
    assert "7 faults in 5 integrations: 5 ok, 1 mismatch, 1 skipped" in out
    assert (
        "mismatch: storefront-to-cart-service: status:503: documented 3 retries with 100/100/100 ms backoff; "
        "observed 1 retry after "
    ) in out
    assert "attempts: documented 4, observed 2" in out and "Retry drift caught" in out
    for ok in (
        "cart-service-to-cart-redis: timeout",
        "checkout-service-to-payments-api: status:503",
        "checkout-service-to-payments-api: status:402",
        "notifications-service-to-realtime-gateway: timeout",
    ):
        assert f"ok: {ok}: " in out
    assert "skipped: checkout-service-to-inventory-service: timeout: the stub serves gRPC health only" in out


def test_demo_without_the_example_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--docs", "does/not/exist"]) == 2


def test_the_demo_never_runs_a_doc_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Round 68: the demo ran each shop doc's Integration Test (Live) with its own consent, so a doc edited
    in a pull request (or a copy of the shop given with --docs) ran what it liked with the runner's
    environment. It runs its own clients of the bundled shop, whatever the docs say."""
    from wiremap._loop import run
    from wiremap.catalog import load
    from wiremap.demo.run import _faults

    shop = tmp_path / "shop"
    shutil.copytree(EXAMPLE_DOCS.parents[1], shop)
    marker = tmp_path / "pwned"
    doc = shop / "docs" / "integrations" / "storefront-to-cart-service.md"
    text = doc.read_text(encoding="utf-8")
    command = "CART_SERVICE_URL=http://127.0.0.1:8082 python -m services.storefront.cart_client"
    assert command in text
    doc.write_text(text.replace(command, f"touch {marker}; {command}"), encoding="utf-8")
    # a copy given with --docs: its clients are not the demo's to run
    main(["demo", "--docs", str(doc.parent)])
    out = capsys.readouterr().out
    assert "skipped: the demo runs the clients of its bundled shop" in out and not marker.exists()
    # the edited doc read as the bundled one's: the demo's own client runs, not the doc's command
    catalog = load(doc.parent)
    catalog.docs = [d for d in catalog.docs if d.integration.id == "storefront-to-cart-service"]
    (report,) = run(_faults(catalog, {"PATH": os.environ["PATH"]}))
    assert not marker.exists()
    assert [r.verdict for r in report.results] == ["mismatch"]
    assert "attempts: documented 4, observed 2" in report.results[0].message
