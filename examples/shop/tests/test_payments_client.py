"""PaymentsClient against the Payments API as docs/integrations/checkout-service-to-payments-api.md
documents it: the marker serves the doc on 127.0.0.1 and points PAYMENTS_API_URL at it."""

from __future__ import annotations

import pytest

from services.checkout.payments_client import (
    CardDeclined,
    InvalidCharge,
    PaymentError,
    PaymentsClient,
)

pytestmark = pytest.mark.wiremap("checkout-service-to-payments-api")


def _headers(seen) -> dict[str, str]:
    return {k.lower(): v for k, v in seen.request["headers"].items()}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> PaymentsClient:
    monkeypatch.setenv("PAYMENTS_API_TOKEN", "sk_test_unit")
    return PaymentsClient.from_env()


def test_charge_reads_the_documented_answer(client, wiremap):
    charge = client.charge("ord_7c1e9a04b2", 4998, "EUR", "pm_card_visa")
    assert (charge.id, charge.status, charge.amount, charge.currency) == (
        "ch_3QmT8xK2aZ",
        "succeeded",
        4998,
        "EUR",
    )
    (seen,) = wiremap.requests
    assert (seen.request["method"], seen.request["path"]) == ("POST", "/v1/charges")
    headers = _headers(seen)
    assert headers["idempotency-key"] == "charge-ord_7c1e9a04b2"
    assert headers["authorization"] == "Bearer sk_test_unit"


def test_a_503_is_retried_with_the_same_idempotency_key(client, wiremap):
    with wiremap.fault("first:2:status:503"):
        charge = client.charge("ord_1", 4998, "EUR", "pm_card_visa")
    assert charge.status == "succeeded"
    seen = wiremap.requests
    assert [r.fault for r in seen] == ["status:503", "status:503", None]  # Retry(total=2)
    assert {_headers(r)["idempotency-key"] for r in seen} == {"charge-ord_1"}


def test_retries_are_used_up_on_a_lasting_503(client, wiremap):
    with wiremap.fault("status:503"), pytest.raises(PaymentError, match="payments-api 503"):
        client.charge("ord_2", 100, "EUR", "pm_card_visa")
    assert len(wiremap.requests) == 3


@pytest.mark.wiremap("checkout-service-to-payments-api", fault="status:402")
def test_a_decline_is_never_retried(client, wiremap):
    with pytest.raises(CardDeclined):
        client.charge("ord_3", 100, "EUR", "pm_card_visa")
    assert len(wiremap.requests) == 1


def test_a_body_that_is_not_a_charge_fails_and_is_not_retried(client, wiremap):
    # the stub's `invalid`: the documented keys, every value of another JSON type
    with wiremap.fault("invalid"), pytest.raises(InvalidCharge, match="not a charge"):
        client.charge("ord_4", 100, "EUR", "pm_card_visa")
    assert len(wiremap.requests) == 1
