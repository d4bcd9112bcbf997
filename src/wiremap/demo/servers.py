"""The example shop's own destinations, in process on 127.0.0.1, on the ports its docs name (8081, 8082,
50051, 8083) so that commands run as the docs say; a port already taken falls back to one the OS picks.

- Payments API: HTTP JSON, ``POST /v1/charges``, answers as documented.
- Cart Service: HTTP JSON, ``GET /v1/carts/{user_id}``, has *drifted*: it now returns quantities as
  strings, so the documented response shape no longer holds. The demo expects verify to catch it.
- Inventory Service: gRPC with the standard health service, SERVING.
- Realtime Gateway: WebSocket ``/v1/stream``, acknowledges each publish.

PostgreSQL, Redis and RabbitMQ are not faked: the demo uses the real ones when they run locally.
"""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

__all__ = ["DOCUMENTED", "DemoServers", "start_servers"]


@dataclass(frozen=True, slots=True)
class DemoServers:
    payments: int
    cart: int
    inventory: int
    realtime: int


DOCUMENTED = DemoServers(payments=8081, cart=8082, inventory=50051, realtime=8083)  # the shop's docs


async def _http(stack: AsyncExitStack) -> tuple[int, int]:
    from aiohttp import web

    async def charge(request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        return web.json_response(
            {
                "id": "ch_demo0001",
                "status": "succeeded",
                "amount": body.get("amount", 0),
                "currency": body.get("currency", "EUR"),
                "order_id": body.get("order_id", ""),
                "created": "2026-11-28T09:00:00Z",
            },
            status=201,
        )

    async def cart(request: web.Request) -> web.Response:
        # the drift: quantity and unit price became strings in "Cart Service v2"
        item = {"sku": "SKU-MUG-001", "quantity": "2", "unit_price_cents": "1499"}
        return web.json_response(
            {"user_id": request.match_info["user_id"], "currency": "EUR", "items": [item]}
        )

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    ports = []
    for routes, wanted in (
        ([web.post("/v1/charges", charge)], DOCUMENTED.payments),
        ([web.get("/v1/carts/{user_id}", cart)], DOCUMENTED.cart),
    ):
        app = web.Application()
        app.add_routes([*routes, web.get("/healthz", healthz)])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        try:
            await web.TCPSite(runner, "127.0.0.1", wanted).start()
        except OSError:  # taken: any free port (the demo passes targets, so the docs still apply)
            await web.TCPSite(runner, "127.0.0.1", 0).start()
        ports.append(_bound_port(runner))
    return ports[0], ports[1]


def _bound_port(runner: Any) -> int:
    """The port the OS gave an aiohttp runner's only site (``addresses`` is public API)."""
    port: int = runner.addresses[0][1]
    return port


async def _grpc(stack: AsyncExitStack) -> int:
    import grpc
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc

    server = grpc.aio.server()
    servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    try:
        port: int = server.add_insecure_port(f"127.0.0.1:{DOCUMENTED.inventory}")
    except RuntimeError:  # taken
        port = 0
    if not port:
        port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    stack.push_async_callback(server.stop, None)
    return port


async def _websocket(stack: AsyncExitStack) -> int:
    from websockets.asyncio.server import ServerConnection, serve

    async def gateway(ws: ServerConnection) -> None:
        async for message in ws:
            try:
                event = json.loads(message)
            except ValueError:
                await ws.send(json.dumps({"type": "error", "id": "", "delivered": 0}))
                continue
            await ws.send(json.dumps({"type": "ack", "id": str(event.get("id", "")), "delivered": 2}))

    try:
        server = await serve(gateway, "127.0.0.1", DOCUMENTED.realtime)
    except OSError:  # taken
        server = await serve(gateway, "127.0.0.1", 0)
    stack.push_async_callback(server.wait_closed)
    stack.callback(server.close)
    port: int = next(iter(server.sockets)).getsockname()[1]
    return port


async def start_servers(stack: AsyncExitStack) -> DemoServers:
    """Start every in-process destination; they stop when ``stack`` closes."""
    payments, cart = await _http(stack)
    inventory = await _grpc(stack)
    realtime = await _websocket(stack)
    return DemoServers(payments, cart, inventory, realtime)
