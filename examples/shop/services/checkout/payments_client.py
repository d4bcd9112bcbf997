"""HTTP client for the Payments API: charges and refunds.

Run ``python -m services.checkout.payments_client`` from examples/shop for a
smoke test that authorises (without capturing) a 1.00 EUR test charge.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 5.0


class PaymentError(Exception):
    """The Payments API failed or rejected a request."""


class CardDeclined(PaymentError):
    """The card issuer declined the charge; retrying will not help."""


@dataclass(frozen=True)
class Charge:
    id: str
    status: str
    amount: int
    currency: str


class PaymentsClient:
    """Creates charges on the Payments API over HTTP with a bearer token."""

    def __init__(self, base_url: str, token: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "User-Agent": "shop-checkout/1.4"}
        )
        # POST is safe to retry here because every charge carries an Idempotency-Key.
        retry = Retry(
            total=2,
            backoff_factor=0.2,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset({"GET", "POST"}),
            raise_on_status=False,
        )
        self.session.mount(self.base_url, HTTPAdapter(max_retries=retry, pool_maxsize=20))

    @classmethod
    def from_env(cls) -> PaymentsClient:
        return cls(
            os.environ["PAYMENTS_API_URL"],
            os.environ["PAYMENTS_API_TOKEN"],
            timeout=float(os.getenv("PAYMENTS_TIMEOUT_SECONDS", str(DEFAULT_TIMEOUT_SECONDS))),
        )

    def charge(
        self,
        order_id: str,
        amount: int,
        currency: str,
        payment_method: str,
        capture: bool = True,
    ) -> Charge:
        """Charge ``amount`` minor units; the order id doubles as idempotency key."""
        response = self.session.post(
            f"{self.base_url}/v1/charges",
            json={
                "order_id": order_id,
                "amount": amount,
                "currency": currency,
                "payment_method": payment_method,
                "capture": capture,
            },
            headers={"Idempotency-Key": f"charge-{order_id}"},
            timeout=self.timeout,
        )
        if response.status_code == 402:
            raise CardDeclined(response.json().get("decline_code", "card_declined"))
        if response.status_code >= 400:
            raise PaymentError(f"payments-api {response.status_code}: {response.text[:200]}")
        charge = _charge_of(response)
        log.info("charge %s for order %s is %s", charge.id, order_id, charge.status)
        return charge

    def refund(self, charge_id: str, amount: int | None = None) -> str:
        response = self.session.post(
            f"{self.base_url}/v1/refunds",
            json={"charge_id": charge_id, "amount": amount},
            headers={"Idempotency-Key": f"refund-{charge_id}-{amount}"},
            timeout=self.timeout,
        )
        response.raise_for_status()
        return str(response.json()["id"])


class InvalidCharge(PaymentError):
    """A 2xx answer whose body is not a charge; never retried."""


def _charge_of(response: requests.Response) -> Charge:
    """The charge a 2xx answer holds; :class:`InvalidCharge` when its body is not one: not
    JSON, or an ``id``, ``status``, ``amount`` or ``currency`` missing or of another type."""
    not_a_charge = f"payments-api {response.status_code}: not a charge: {response.text[:200]}"
    try:
        body = response.json()
    except ValueError as exc:
        raise InvalidCharge(not_a_charge) from exc
    if not isinstance(body, dict):
        raise InvalidCharge(not_a_charge)
    id_, status, amount, currency = (body.get(k) for k in ("id", "status", "amount", "currency"))
    if not (
        isinstance(id_, str)
        and id_
        and isinstance(status, str)
        and status
        and isinstance(amount, int)
        and not isinstance(amount, bool)
        and isinstance(currency, str)
    ):
        raise InvalidCharge(not_a_charge)
    return Charge(id_, status, amount, currency)


def main() -> None:
    client = PaymentsClient.from_env()
    order_id = f"smoke-{uuid.uuid4().hex[:12]}"
    charge = client.charge(order_id, 100, "EUR", "pm_card_visa", capture=False)
    print(f"{charge.id} {charge.status} {charge.amount} {charge.currency}")


if __name__ == "__main__":
    main()
