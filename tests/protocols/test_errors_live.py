"""Each protocol module maps its driver's failures to the typed error tree, against real servers on this
machine: a closed port on 127.0.0.1 (refused), a ``.invalid`` name (DNS), and a plaintext server spoken to
with TLS (the machine's PostgreSQL, RabbitMQ, Mosquitto and NATS, or an in-process plaintext server).
Tests needing a service skip when it is down (fail under WIREMAP_REQUIRE_SERVICES=1)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tests.services import require_service
from wiremap.model import Integration
from wiremap.probes._base import ProbeContext, Target
from wiremap.protocols import (
    DestinationError,
    DNSError,
    ErrorKind,
    RefusedError,
    TLSError,
    describe,
)
from wiremap.protocols import grpc as grpc_protocol
from wiremap.protocols import http as http_protocol
from wiremap.protocols import tcp as tcp_protocol
from wiremap.protocols import websocket as ws_protocol
from wiremap.protocols.amqp import Amqp
from wiremap.protocols.mqtt import Mqtt
from wiremap.protocols.nats import Nats
from wiremap.protocols.postgresql import Postgres
from wiremap.protocols.redis import Redis

TIMEOUT_S = 2.0
SCHEME = {"redis": "rediss", "amqp": "amqps", "nats": "tls", "mqtt": "mqtts", "websocket": "wss"}


def _ctx(protocol: str, host: str, port: int, *, tls: bool = False) -> ProbeContext:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol=protocol, tls=tls)
    scheme = SCHEME.get(protocol) if tls else None
    return ProbeContext(integ, Target(host, port, scheme), TIMEOUT_S)


async def _tcp(ctx: ProbeContext) -> None:
    host, port = ctx.target.host, ctx.target.port or 0
    await tcp_protocol.connect_any(await tcp_protocol.resolve(host, port), host, port)


async def _http(ctx: ProbeContext) -> None:
    context = ssl.create_default_context() if ctx.integration.tls else None
    await http_protocol.request("GET", ctx.target.host, ctx.target.port or 80, "/", ssl=context)


async def _grpc(ctx: ProbeContext) -> None:
    pytest.importorskip("grpc_health.v1.health_pb2")
    health = grpc_protocol.Health(ctx.target.host, ctx.target.port or 0, secure=ctx.integration.tls)
    health.open()
    try:
        await health.check(health.request, timeout=TIMEOUT_S)
    except Exception as exc:
        raise health.error(exc, TIMEOUT_S) from exc
    finally:
        await health.close()


async def _websocket(ctx: ProbeContext) -> None:
    pytest.importorskip("websockets.asyncio.client")
    url = ws_protocol.url(ctx)
    context = ssl.create_default_context() if url.startswith("wss://") else None
    ws = await ws_protocol.Endpoint(url, context=context).connect(TIMEOUT_S, 0.1)
    await ws.close()


async def _postgresql(ctx: ProbeContext) -> None:
    pytest.importorskip("psycopg")
    pg = Postgres(ctx, "wiremap-test")
    await Postgres.close(await pg.connect())


async def _redis(ctx: ProbeContext) -> None:
    pytest.importorskip("redis.asyncio")
    redis = Redis(ctx, "wiremap-test")
    client = redis.client()
    try:
        await redis.connect(client)
    finally:
        await client.aclose()


async def _amqp(ctx: ProbeContext) -> None:
    pytest.importorskip("aio_pika")
    amqp = Amqp(ctx, "wiremap-test")
    connection = amqp.connection()
    try:
        await amqp.connect(connection, TIMEOUT_S)
    finally:
        await Amqp.close(connection)


async def _nats(ctx: ProbeContext) -> None:
    pytest.importorskip("nats")
    nats = Nats(ctx, "wiremap-test")
    nc = nats.client()
    try:
        await nats.connect(nc)
    finally:
        await nc.close()


async def _mqtt(ctx: ProbeContext) -> None:
    pytest.importorskip("aiomqtt")
    mqtt = Mqtt(ctx, "wiremap-test")
    client = mqtt.client()
    stack = contextlib.AsyncExitStack()
    try:
        await mqtt.connect(stack, client)
        await stack.aclose()
    finally:
        mqtt.cleanup()


CONNECT: dict[str, Callable[[ProbeContext], Awaitable[None]]] = {
    "tcp": _tcp,
    "http": _http,
    "grpc": _grpc,
    "websocket": _websocket,
    "postgresql": _postgresql,
    "redis": _redis,
    "amqp": _amqp,
    "nats": _nats,
    "mqtt": _mqtt,
}


def _fail(ctx: ProbeContext) -> DestinationError:
    async def main() -> DestinationError:
        with pytest.raises(DestinationError) as caught:
            async with asyncio.timeout(4 * TIMEOUT_S):  # the test's backstop: the error comes first
                await CONNECT[ctx.integration.protocol or "tcp"](ctx)
        return caught.value

    return asyncio.run(main())


def _assert_typed(err: DestinationError, cls: type[DestinationError], kind: ErrorKind, host: str) -> None:
    assert isinstance(err, cls), (type(err), err)
    assert err.kind is kind and describe(err) == (kind, err.detail)
    assert host in str(err) and "\n" not in str(err), str(err)  # one line that names host:port


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("protocol", sorted(CONNECT))
def test_closed_port_is_refused(protocol: str, closed_port: int) -> None:
    err = _fail(_ctx(protocol, "127.0.0.1", closed_port))
    _assert_typed(err, RefusedError, ErrorKind.REFUSED, "127.0.0.1")
    assert f"127.0.0.1:{closed_port}" in str(err)


@pytest.mark.parametrize("protocol", sorted(CONNECT))
def test_invalid_name_is_dns(protocol: str) -> None:
    err = _fail(_ctx(protocol, "no-such-host.invalid", 4000))
    _assert_typed(err, DNSError, ErrorKind.DNS, "no-such-host.invalid")


@contextlib.asynccontextmanager
async def _plaintext_server() -> AsyncIterator[int]:
    """Answers whatever it is sent with a plaintext HTTP/1.1 400 and hangs up (a ClientHello included)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.read(1024)
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


@pytest.mark.parametrize("protocol", ["http", "grpc", "websocket", "redis"])
def test_tls_to_a_plaintext_server_is_tls(protocol: str) -> None:
    async def main() -> DestinationError:
        async with _plaintext_server() as port:
            with pytest.raises(DestinationError) as caught:
                async with asyncio.timeout(4 * TIMEOUT_S):
                    await CONNECT[protocol](_ctx(protocol, "127.0.0.1", port, tls=True))
            return caught.value

    _assert_typed(asyncio.run(main()), TLSError, ErrorKind.TLS, "127.0.0.1")


@pytest.mark.parametrize("protocol", ["postgresql", "amqp", "mqtt"])
def test_tls_to_a_plaintext_service_is_tls(protocol: str) -> None:
    host, port = require_service(protocol)
    _assert_typed(_fail(_ctx(protocol, host, port, tls=True)), TLSError, ErrorKind.TLS, host)


def test_tls_to_a_plaintext_nats_is_tls() -> None:
    """nats-py goes on in plaintext when the server's INFO does not require TLS: the probe says ``tls``."""
    pytest.importorskip("nats")
    from wiremap.probes.nats import probe

    host, port = require_service("nats")
    [result] = asyncio.run(probe(_ctx("nats", host, port, tls=True)))
    assert result.ok is False and result.error_kind is ErrorKind.TLS, result.message


def test_errors_are_wiremap_errors_that_exit_as_failed_checks() -> None:
    from wiremap._errors import WiremapError

    err = RefusedError("connection refused", "db", 5432)
    assert isinstance(err, WiremapError) and err.exit_code == 1
    assert str(err) == "connection to db:5432 refused" and err.detail == "connection refused"
