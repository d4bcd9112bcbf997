"""WebSocket client that pushes events to the realtime gateway.

The gateway fans a ``publish`` frame out to every browser subscribed to the
channel and answers with an ``ack`` frame carrying the same ``id``.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from typing import Any

import websockets
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidMessage


class GatewayRejected(Exception):
    """The gateway answered a publish with an error frame."""


class InvalidAck(Exception):
    """The gateway answered a publish with a frame that is not an ack (nor an error)."""


class RealtimePublisher:
    """Keeps one WebSocket to the gateway open and publishes JSON frames on it."""

    def __init__(self, url: str, token: str, ack_timeout: float = 2.0) -> None:
        self.url = url
        self.token = token
        self.ack_timeout = ack_timeout
        self._ws: ClientConnection | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_env(cls) -> RealtimePublisher:
        return cls(
            os.environ["REALTIME_WS_URL"],
            os.environ["REALTIME_WS_TOKEN"],
            ack_timeout=float(os.getenv("REALTIME_ACK_TIMEOUT_SECONDS", "2.0")),
        )

    async def _connection(self) -> ClientConnection:
        if self._ws is None or self._ws.state is not websockets.State.OPEN:
            self._ws = await websockets.connect(
                self.url,
                additional_headers={"Authorization": f"Bearer {self.token}"},
                open_timeout=5,
                ping_interval=20,
                ping_timeout=10,
            )
        return self._ws

    # A dropped socket, a refused handshake or one the gateway cuts before answering it
    # (InvalidMessage) is retried on a new connection; an ack timeout is not (the gateway may have
    # delivered the frame) and neither is an error frame or a reply that is not an ack.
    @retry(
        stop=stop_after_attempt(3),
        wait=wait_exponential(multiplier=0.2),
        retry=retry_if_exception_type((ConnectionClosed, ConnectionError, InvalidMessage)),
        reraise=True,
    )
    async def publish(self, channel: str, event: str, data: dict[str, Any]) -> int:
        """Send one event; return how many subscribers the gateway delivered it to."""
        frame = {
            "type": "publish",
            "id": str(uuid.uuid4()),
            "channel": channel,
            "event": event,
            "data": data,
        }
        async with self._lock:
            ws = await self._connection()
            await ws.send(json.dumps(frame))
            raw = await asyncio.wait_for(ws.recv(), timeout=self.ack_timeout)
        return _delivered(raw)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()


def _delivered(raw: str | bytes) -> int:
    """The delivered count of an ack frame (``type`` "ack", a string ``id``, an integer
    ``delivered``); :class:`GatewayRejected` for an error frame, :class:`InvalidAck` for any
    other reply."""
    try:
        reply = json.loads(raw)
    except ValueError as exc:
        raise InvalidAck(f"not JSON: {raw[:200]!r}") from exc
    if isinstance(reply, dict) and reply.get("type") == "error":
        raise GatewayRejected(str(reply.get("message", "unknown error")))
    delivered = reply.get("delivered") if isinstance(reply, dict) else None
    if (
        not isinstance(reply, dict)
        or reply.get("type") != "ack"
        or not isinstance(reply.get("id"), str)
        or not isinstance(delivered, int)
        or isinstance(delivered, bool)
    ):
        raise InvalidAck(f"not an ack: {str(reply)[:200]}")
    return delivered


async def _smoke() -> None:
    publisher = RealtimePublisher.from_env()
    delivered = await publisher.publish("system:smoke", "smoke.test", {"ok": True})
    print(f"ack received, delivered to {delivered} subscribers")
    await publisher.close()


if __name__ == "__main__":
    asyncio.run(_smoke())
