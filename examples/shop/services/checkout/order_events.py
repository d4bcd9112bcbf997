"""Publishes order lifecycle events to RabbitMQ (AMQP 0-9-1) with pika.

Events go to the durable topic exchange ``orders`` with the event type as
routing key (``order.created``, ``order.refunded``). Publisher confirms are on,
so ``publish`` returns only once the broker has taken the message.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import (
    AMQPConnectionError,
    ConnectionBlockedTimeout,
    IncompatibleProtocolError,
    StreamLostError,
)

EXCHANGE = "orders"
# A publish that finds the connection refused or lost reconnects and publishes once more, at once;
# pika itself opens a connection once (connection_attempts=1). A broker that does not answer (no
# handshake within stack_timeout, a blocked connection) or answers something that is not AMQP is
# not tried again: the order does not wait for it twice.
PUBLISH_ATTEMPTS = 2
NOT_RETRIED = (ConnectionBlockedTimeout, IncompatibleProtocolError)


class OrderEventPublisher:
    """Publishes JSON order events to the ``orders`` exchange."""

    def __init__(self, url: str, password: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.username and parts.password is None:
            # The URL in the environment carries no secret; the password comes on its own.
            secret = quote(password or "", safe="")
            netloc = f"{parts.username}:{secret}@{parts.hostname}:{parts.port or 5672}"
            url = urlunsplit(parts._replace(netloc=netloc))
        params = pika.URLParameters(url)
        params.heartbeat = 30
        params.blocked_connection_timeout = 10  # blocked by a broker alarm: give up after 10 s
        params.connection_attempts = 1
        params.socket_timeout = 2  # the TCP connect
        params.stack_timeout = 3  # the whole connection: TCP connect and AMQP handshake
        self.params = params
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    @classmethod
    def from_env(cls) -> OrderEventPublisher:
        return cls(os.environ["ORDER_EVENTS_AMQP_URL"], os.getenv("ORDER_EVENTS_AMQP_PASSWORD"))

    def _channel_or_connect(self) -> BlockingChannel:
        if self._channel is None or self._channel.is_closed:
            self._connection = pika.BlockingConnection(self.params)
            self._channel = self._connection.channel()
            self._channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
            self._channel.confirm_delivery()
        return self._channel

    def publish(self, event_type: str, data: dict[str, Any]) -> str:
        event_id = str(uuid.uuid4())
        body = {
            "event_id": event_id,
            "type": event_type,
            "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "data": data,
        }
        for attempt in range(PUBLISH_ATTEMPTS):
            try:
                self._channel_or_connect().basic_publish(
                    exchange=EXCHANGE,
                    routing_key=event_type,
                    body=json.dumps(body).encode("utf-8"),
                    properties=pika.BasicProperties(
                        content_type="application/json",
                        delivery_mode=pika.DeliveryMode.Persistent,
                        message_id=event_id,
                        app_id="checkout",
                    ),
                    mandatory=True,
                )
                return event_id
            except (AMQPConnectionError, StreamLostError) as exc:
                self._channel = None
                if isinstance(exc, NOT_RETRIED) or attempt == PUBLISH_ATTEMPTS - 1:
                    raise
        return event_id

    def order_created(self, order_id: str, user_id: str, total_cents: int, currency: str) -> str:
        return self.publish(
            "order.created",
            {
                "order_id": order_id,
                "user_id": user_id,
                "total_cents": total_cents,
                "currency": currency,
            },
        )

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            self._connection.close()


if __name__ == "__main__":
    publisher = OrderEventPublisher.from_env()
    print(publisher.publish("order.smoke_test", {"source": "manual smoke test"}))
    publisher.close()
