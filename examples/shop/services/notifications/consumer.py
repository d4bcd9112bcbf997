"""Consumes order events from RabbitMQ and pushes them to customers' browsers.

Binds the queue ``notifications.order-events`` to the ``orders`` exchange with
``order.*`` and forwards each event to the user's realtime channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os

import aio_pika
import websockets
from yarl import URL

from services.notifications.realtime_client import GatewayRejected, InvalidAck, RealtimePublisher

log = logging.getLogger(__name__)

QUEUE = "notifications.order-events"
FORWARDED = {"order.created", "order.shipped", "order.refunded"}


async def handle(
    message: aio_pika.abc.AbstractIncomingMessage, realtime: RealtimePublisher
) -> None:
    async with message.process(requeue=True):
        event = json.loads(message.body)
        if event["type"] not in FORWARDED:
            return
        user_id = event["data"]["user_id"]
        try:
            await realtime.publish(f"user:{user_id}", event["type"], event["data"])
        except (TimeoutError, GatewayRejected, InvalidAck):
            log.warning("event %s not pushed to user %s", event["event_id"], user_id)


async def main() -> None:
    logging.basicConfig(level=logging.INFO)
    realtime = RealtimePublisher.from_env()
    amqp_url = URL(os.environ["ORDER_EVENTS_AMQP_URL"])
    if password := os.getenv("ORDER_EVENTS_AMQP_PASSWORD"):
        amqp_url = amqp_url.with_password(password)
    connection = await aio_pika.connect_robust(
        amqp_url, client_properties={"connection_name": "notifications"}
    )
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=20)
        exchange = await channel.declare_exchange(
            "orders", aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(QUEUE, durable=True)
        await queue.bind(exchange, routing_key="order.*")
        async with queue.iterator() as messages:
            async for message in messages:
                try:
                    await handle(message, realtime)
                except (OSError, websockets.ConnectionClosed):
                    # process() has already requeued the message; give the gateway a moment.
                    log.warning("realtime gateway unreachable, message requeued")
                    await asyncio.sleep(1)


if __name__ == "__main__":
    asyncio.run(main())
