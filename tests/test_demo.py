"""The README's main command: the example shop live, with its deliberate drift caught."""

from __future__ import annotations

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
