"""gRPC client for the Inventory service: stock reservations.

The inventory service speaks ``inventory.v1.Inventory`` with a JSON codec, so
the stub below is written by hand in the shape ``grpc_tools`` would generate.
Run ``python -m services.checkout.inventory_client`` for a smoke test.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import grpc

RESERVE_METHOD = "/inventory.v1.Inventory/Reserve"
RELEASE_METHOD = "/inventory.v1.Inventory/Release"

# Retry UNAVAILABLE (server restarting) only; every other status reaches the caller.
SERVICE_CONFIG = {
    "methodConfig": [
        {
            "name": [{"service": "inventory.v1.Inventory"}],
            "retryPolicy": {
                "maxAttempts": 3,
                "initialBackoff": "0.1s",
                "maxBackoff": "1s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        }
    ]
}


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode("utf-8")


def _decode(payload: bytes) -> dict[str, Any]:
    return json.loads(payload.decode("utf-8"))


class InventoryStub:
    """Client stub for the inventory.v1.Inventory service."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.Reserve = channel.unary_unary(
            RESERVE_METHOD, request_serializer=_encode, response_deserializer=_decode
        )
        self.Release = channel.unary_unary(
            RELEASE_METHOD, request_serializer=_encode, response_deserializer=_decode
        )


class OutOfStock(Exception):
    """At least one SKU cannot be reserved in the requested quantity."""


@dataclass(frozen=True)
class Reservation:
    reservation_id: str
    expires_at: str


class InventoryClient:
    """Reserves and releases stock over a long-lived gRPC channel."""

    def __init__(self, address: str, timeout: float = 2.0) -> None:
        self.timeout = timeout
        self.channel = grpc.insecure_channel(
            address,
            options=[
                ("grpc.keepalive_time_ms", 30_000),
                ("grpc.enable_retries", 1),
                ("grpc.service_config", json.dumps(SERVICE_CONFIG)),
            ],
        )
        self.stub = InventoryStub(self.channel)

    @classmethod
    def from_env(cls) -> InventoryClient:
        return cls(
            os.environ["INVENTORY_GRPC_ADDR"],
            timeout=float(os.getenv("INVENTORY_GRPC_TIMEOUT_SECONDS", "2.0")),
        )

    def reserve(self, order_id: str, items: list[tuple[str, int]]) -> Reservation:
        request = {
            "order_id": order_id,
            "items": [{"sku": sku, "quantity": quantity} for sku, quantity in items],
        }
        try:
            reply = self.stub.Reserve(
                request, timeout=self.timeout, metadata=(("x-caller", "checkout"),)
            )
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
                raise OutOfStock(exc.details()) from exc
            raise
        return Reservation(reply["reservation_id"], reply["expires_at"])

    def release(self, reservation_id: str) -> None:
        self.stub.Release({"reservation_id": reservation_id}, timeout=self.timeout)

    def close(self) -> None:
        self.channel.close()


def main() -> None:
    client = InventoryClient.from_env()
    reservation = client.reserve("smoke-test", [("SKU-MUG-001", 1)])
    client.release(reservation.reservation_id)
    print(f"reserved and released {reservation.reservation_id}")
    client.close()


if __name__ == "__main__":
    main()
