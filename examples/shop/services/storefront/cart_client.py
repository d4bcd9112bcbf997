"""HTTP client the storefront uses to read and change carts in the cart service.

Run ``python -m services.storefront.cart_client`` for a read-only smoke test.
"""

from __future__ import annotations

import os
import time
from typing import Any

import requests

DEFAULT_TIMEOUT = (0.5, 1.5)  # (connect, read) seconds
# Reads are safe to repeat: one more try after a short pause rides out a cart-service restart,
# and a slow badge costs less than a second try of a slow page.
GET_ATTEMPTS = 2
GET_RETRY_PAUSE_SECONDS = 0.1


class CartUnavailable(Exception):
    """The cart service did not answer in time or answered with a 5xx."""


class InvalidCart(Exception):
    """The cart service answered with a body that is not a cart (no ``items`` list)."""


class CartServiceClient:
    """Thin wrapper over the cart service's /v1/carts API."""

    def __init__(self, base_url: str, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "shop-storefront/2.1"

    @classmethod
    def from_env(cls) -> CartServiceClient:
        read_timeout = float(os.getenv("CART_SERVICE_TIMEOUT_SECONDS", "1.5"))
        return cls(os.environ["CART_SERVICE_URL"], timeout=(0.5, read_timeout))

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(
                method, f"{self.base_url}{path}", timeout=self.timeout, **kwargs
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise CartUnavailable(str(exc)) from exc
        if response.status_code >= 500:
            raise CartUnavailable(f"cart service answered {response.status_code}")
        response.raise_for_status()
        return response

    def get_cart(self, user_id: str) -> dict[str, Any]:
        for attempt in range(GET_ATTEMPTS):
            try:
                cart = self._request("GET", f"/v1/carts/{user_id}").json()
            except CartUnavailable:
                if attempt == GET_ATTEMPTS - 1:
                    raise
                time.sleep(GET_RETRY_PAUSE_SECONDS)
                continue
            if not isinstance(cart, dict) or not isinstance(cart.get("items"), list):
                raise InvalidCart(f"not a cart: {str(cart)[:200]}")
            return cart
        raise CartUnavailable("no attempt made")

    def add_item(
        self, user_id: str, sku: str, quantity: int, unit_price_cents: int
    ) -> dict[str, Any]:
        payload = {"sku": sku, "quantity": quantity, "unit_price_cents": unit_price_cents}
        return self._request("POST", f"/v1/carts/{user_id}/items", json=payload).json()

    def clear(self, user_id: str) -> None:
        self._request("DELETE", f"/v1/carts/{user_id}")

    def item_count(self, user_id: str) -> int | None:
        """Number of items for the header badge, or None when the cart is unavailable."""
        try:
            cart = self.get_cart(user_id)
        except CartUnavailable:
            return None
        return sum(item["quantity"] for item in cart["items"])


if __name__ == "__main__":
    client = CartServiceClient.from_env()
    print(client.get_cart("smoke-test"))
