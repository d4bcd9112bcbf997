"""Checkout orchestration: reserve stock, charge, persist, announce.

Order of operations matters: stock is reserved first (cheap to undo), the card
is charged second, and the order row is written last. A failure after the
charge triggers a refund; a failure after the reservation releases it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from services.checkout.inventory_client import InventoryClient
from services.checkout.order_events import OrderEventPublisher
from services.checkout.orders_repository import NewOrder, OrderRepository, create_order_with_retry
from services.checkout.payments_client import PaymentsClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int
    unit_price_cents: int


class CheckoutService:
    def __init__(
        self,
        payments: PaymentsClient,
        inventory: InventoryClient,
        orders: OrderRepository,
        events: OrderEventPublisher,
    ) -> None:
        self.payments = payments
        self.inventory = inventory
        self.orders = orders
        self.events = events

    @classmethod
    def from_env(cls) -> CheckoutService:
        return cls(
            PaymentsClient.from_env(),
            InventoryClient.from_env(),
            OrderRepository.from_env(),
            OrderEventPublisher.from_env(),
        )

    def place_order(
        self, user_id: str, lines: list[CartLine], currency: str, payment_method: str
    ) -> str:
        order_id = f"ord_{uuid.uuid4().hex[:10]}"
        total = sum(line.quantity * line.unit_price_cents for line in lines)
        wanted = [(line.sku, line.quantity) for line in lines]
        reservation = self.inventory.reserve(order_id, wanted)
        try:
            charge = self.payments.charge(order_id, total, currency, payment_method)
        except Exception:
            self.inventory.release(reservation.reservation_id)
            raise
        try:
            create_order_with_retry(
                self.orders,
                NewOrder(
                    id=order_id,
                    user_id=user_id,
                    currency=currency,
                    charge_id=charge.id,
                    reservation_id=reservation.reservation_id,
                    lines=[(line.sku, line.quantity, line.unit_price_cents) for line in lines],
                ),
            )
        except Exception:
            log.exception("persisting order %s failed; refunding %s", order_id, charge.id)
            self.payments.refund(charge.id)
            self.inventory.release(reservation.reservation_id)
            raise
        try:
            self.events.order_created(order_id, user_id, total, currency)
        except Exception:
            # The order is paid and stored; a lost event only means no live notification.
            log.exception("order.created for %s not published", order_id)
        return order_id
