"""CartServiceClient against the cart service as docs/integrations/storefront-to-cart-service.md
documents it (CART_SERVICE_URL is pointed at the stub by the marker)."""

from __future__ import annotations

import pytest

from services.storefront.cart_client import CartServiceClient, CartUnavailable

pytestmark = pytest.mark.wiremap("storefront-to-cart-service")


def test_get_cart_reads_the_documented_cart(wiremap):
    cart = CartServiceClient.from_env().get_cart("u_1042")
    assert cart["items"] == [{"sku": "SKU-MUG-001", "quantity": 2, "unit_price_cents": 1499}]
    (seen,) = wiremap.requests
    assert (seen.request["method"], seen.request["path"]) == ("GET", "/v1/carts/u_1042")


def test_the_badge_survives_one_failed_read(wiremap):
    with wiremap.fault("first:1:status:503"):
        assert CartServiceClient.from_env().item_count("u_1042") == 2
    assert [r.fault for r in wiremap.requests] == ["status:503", None]


def test_a_cart_service_that_stays_down_gives_an_unknown_badge(wiremap):
    client = CartServiceClient.from_env()
    with wiremap.fault("status:503"):
        assert client.item_count("u_1042") is None
        with pytest.raises(CartUnavailable, match="answered 503"):
            client.get_cart("u_1042")
    # The code tries a read twice (GET_ATTEMPTS = 2); the doc's Retry Strategy promises 4 tries:
    # `wiremap faults storefront-to-cart-service` reports that mismatch.
    assert len(wiremap.requests) == 4
