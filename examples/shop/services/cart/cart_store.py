"""Carts kept in Redis as one JSON string per user: key ``cart:{user_id}``.

Every write refreshes the TTL, so abandoned carts expire on their own.
"""

from __future__ import annotations

import json
import os
from typing import Any

import redis
from redis import exceptions
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

KEY_PREFIX = "cart:"
DEFAULT_TTL_SECONDS = 7 * 24 * 3600


class CartStore:
    """Reads and writes carts in Redis."""

    def __init__(self, url: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self.ttl_seconds = ttl_seconds
        self.redis = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
            # No health_check_interval: its PING on a fresh connection is retried by this same Retry,
            # so one attempt became three (9 under a lasting failure). Only `retry` retries.
            max_connections=50,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
            retry_on_error=[exceptions.ConnectionError, exceptions.TimeoutError],
        )

    @classmethod
    def from_env(cls) -> CartStore:
        return cls(
            os.environ["CART_REDIS_URL"],
            ttl_seconds=int(os.getenv("CART_TTL_SECONDS", str(DEFAULT_TTL_SECONDS))),
        )

    @staticmethod
    def key(user_id: str) -> str:
        return f"{KEY_PREFIX}{user_id}"

    def get(self, user_id: str) -> dict[str, Any]:
        raw = self.redis.get(self.key(user_id))
        if raw is None:
            return {"user_id": user_id, "items": [], "currency": "EUR"}
        return json.loads(raw)

    def put(self, cart: dict[str, Any]) -> None:
        self.redis.set(self.key(cart["user_id"]), json.dumps(cart), ex=self.ttl_seconds)

    def add_item(
        self, user_id: str, sku: str, quantity: int, unit_price_cents: int
    ) -> dict[str, Any]:
        cart = self.get(user_id)
        for item in cart["items"]:
            if item["sku"] == sku:
                item["quantity"] += quantity
                break
        else:
            cart["items"].append(
                {"sku": sku, "quantity": quantity, "unit_price_cents": unit_price_cents}
            )
        self.put(cart)
        return cart

    def clear(self, user_id: str) -> None:
        self.redis.delete(self.key(user_id))

    def ping(self) -> bool:
        return bool(self.redis.ping())


if __name__ == "__main__":
    store = CartStore.from_env()
    print("PONG" if store.ping() else "no reply")
    print(store.get("smoke-test"))
