"""The load operations of ``wiremap measure`` (gRPC, WebSocket, Redis, PostgreSQL, TCP) against real
servers on 127.0.0.1: in-process gRPC, WebSocket and TCP servers on port 0, the machine's Redis and
PostgreSQL (skipped when down, failed under WIREMAP_REQUIRE_SERVICES=1).

Each operation is opened, called 50 times, closed, then opened again (the engine reopens an operation
after a failed call) and called once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib.util
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from tests.probes._fakes import grpc_health_server
from tests.services import require_service
from wiremap._errors import ConfigError
from wiremap.measure._base import Operation
from wiremap.measure.ops import grpc as grpc_op
from wiremap.measure.ops import postgresql as postgresql_op
from wiremap.measure.ops import redis as redis_op
from wiremap.measure.ops import tcp as tcp_op
from wiremap.measure.ops import websocket as websocket_op
from wiremap.model import EnvVar, Integration, Payload
from wiremap.probes._base import ErrorKind, ProbeContext, Target
from wiremap.protocols import DestinationError as OperationError
from wiremap.protocols import describe

grpc: Any = pytest.importorskip("grpc")
health: Any = pytest.importorskip("grpc_health.v1.health")
health_pb2: Any = pytest.importorskip("grpc_health.v1.health_pb2")
health_pb2_grpc: Any = pytest.importorskip("grpc_health.v1.health_pb2_grpc")
pytest.importorskip("websockets.asyncio.server")
from websockets.asyncio.server import ServerConnection, serve  # noqa: E402

CALLS = 50
REQUEST = '{"type": "publish", "channel": "orders", "event": "order.created"}'


def _ctx(
    protocol: str,
    port: int | None,
    *,
    host: str = "127.0.0.1",
    timeout_s: float = 2.0,
    path: str | None = None,
    request: str | None = None,
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    explicit: bool = False,
    allow_writes: bool = False,
) -> ProbeContext:
    integ = Integration(
        id="a-to-b",
        path="a-to-b.md",
        protocol=protocol,
        request=Payload(text=request) if request is not None else None,
        env_vars=[EnvVar(name=name) for name in env or {}],
    )
    url = f"ws://{host}:{port}{path}" if path else None
    target = Target(host, port, "ws" if path else None, url, path, explicit)
    return ProbeContext(integ, target, timeout_s, settings or {}, env or {}, allow_writes)


async def _exercise(op: Operation, calls: int = CALLS) -> list[float]:
    """Open, ``calls`` calls (their durations in seconds), close; then reopen, one call, close."""
    durations: list[float] = []
    await op.open()
    try:
        for _ in range(calls):
            started = time.perf_counter()
            await op()
            durations.append(time.perf_counter() - started)
    finally:
        await op.close()
    await op.open()
    try:
        await op()
    finally:
        await op.close()
    return durations


def _assert_plausible(durations: list[float]) -> None:
    assert len(durations) == CALLS
    assert all(0 < d < 1.0 for d in durations), max(durations)
    assert statistics.median(durations) < 0.02, statistics.median(durations)


def _kind(exc: BaseException) -> ErrorKind:
    return describe(exc)[0]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts TCP connections (the kernel's backlog) and never speaks."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


# -- error kinds ------------------------------------------------------------------------------------


# -- gRPC -------------------------------------------------------------------------------------------


class _PeerRecorder(health.aio.HealthServicer):  # type: ignore[misc]
    """The health service, noting the client address (``ipv4:127.0.0.1:54321``) of every Check."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: set[str] = set()

    async def Check(self, request: Any, context: Any) -> Any:
        self.peers.add(context.peer())
        return await super().Check(request, context)


def _grpc_server() -> contextlib.AbstractAsyncContextManager[tuple[int, Any]]:
    return grpc_health_server(_PeerRecorder())


def test_grpc_health_checks() -> None:
    async def main() -> list[float]:
        async with _grpc_server() as (port, servicer):
            await servicer.set("inventory.v1.Inventory", health_pb2.HealthCheckResponse.SERVING)
            await _exercise(
                grpc_op.factory(_ctx("grpc", port, settings={"grpc_service": "inventory.v1.Inventory"}))
            )
            return await _exercise(grpc_op.factory(_ctx("grpc", port)))

    _assert_plausible(asyncio.run(main()))


def test_grpc_operations_have_a_connection_each() -> None:
    """gRPC core shares one connection between channels to one address unless told otherwise."""

    async def main() -> int:
        async with _grpc_server() as (port, servicer):
            ops = [grpc_op.factory(_ctx("grpc", port)) for _ in range(3)]
            for op in ops:
                await op.open()
            try:
                for op in ops:
                    await op()
            finally:
                for op in ops:
                    await op.close()
            return len(servicer.peers)

    assert asyncio.run(main()) == 3


async def _one_call_fails(op: Operation) -> BaseException:
    """Open ``op``, make one call that must fail, close: the failure."""
    await op.open()
    try:
        with pytest.raises(OperationError) as failed:
            await op()
    finally:
        await op.close()
    return failed.value


def test_grpc_not_serving_fails_the_call_not_the_open() -> None:
    async def main() -> tuple[BaseException, BaseException]:
        async with _grpc_server() as (port, servicer):
            await servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
            not_serving = await _one_call_fails(grpc_op.factory(_ctx("grpc", port)))
            unknown = grpc_op.factory(_ctx("grpc", port, settings={"grpc_service": "nope.v1.Nope"}))
            with pytest.raises(OperationError) as not_found:
                await unknown.open()
            return not_serving, not_found.value

    not_serving, not_found = asyncio.run(main())
    assert _kind(not_serving) is ErrorKind.PROTOCOL and "NOT_SERVING" in str(not_serving)
    assert _kind(not_found) is ErrorKind.PROTOCOL and "nope.v1.Nope" in str(not_found)


def test_grpc_refused_and_silent(closed_port: int, silent_port: int) -> None:
    async def main() -> tuple[BaseException, BaseException, float]:
        with pytest.raises(OperationError) as refused:
            # (a refusal is immediate; gRPC's reconnect backoff on a busy machine once outlasted 2 s)
            await grpc_op.factory(_ctx("grpc", closed_port, timeout_s=5.0)).open()
        started = time.perf_counter()
        with pytest.raises(OperationError) as silent:
            await grpc_op.factory(_ctx("grpc", silent_port, timeout_s=0.3)).open()
        return refused.value, silent.value, time.perf_counter() - started

    refused, silent, elapsed = asyncio.run(main())
    assert _kind(refused) is ErrorKind.REFUSED, refused
    assert _kind(silent) is ErrorKind.TIMEOUT, silent  # DEADLINE_EXCEEDED, counted as a timeout
    assert 0.25 <= elapsed < 1.0


def test_grpc_configuration_errors(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="no port"):
        grpc_op.factory(_ctx("grpc", None))
    with pytest.raises(ConfigError, match="TLS file"):
        grpc_op.factory(_ctx("grpc", 50051, settings={"tls": True, "ca_bundle": str(tmp_path / "no.pem")}))


# -- WebSocket --------------------------------------------------------------------------------------


class _WsServer:
    """``/echo`` echoes, ``/slow-first`` answers its first message after 0.3 s, ``/close`` closes."""

    def __init__(self) -> None:
        self.received: list[str | bytes] = []

    async def handler(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request else "/"
        first = True
        async for message in ws:
            self.received.append(message)
            if path == "/close":
                await ws.close(1011, "boom")
                return
            if path == "/slow-first" and first:
                await asyncio.sleep(0.3)
            first = False
            await ws.send(message)


@contextlib.asynccontextmanager
async def _ws_server() -> AsyncIterator[tuple[int, _WsServer]]:
    state = _WsServer()
    async with serve(state.handler, "127.0.0.1", 0) as server:
        port: int = server.sockets[0].getsockname()[1]
        yield port, state


def test_websocket_request_round_trips_and_pings() -> None:
    async def main() -> tuple[list[float], list[float], _WsServer]:
        async with _ws_server() as (port, state):
            op = websocket_op.factory(_ctx("websocket", port, path="/echo", request=REQUEST))
            assert getattr(op, "mode", None) == "request"
            requests = await _exercise(op)
            ping = websocket_op.factory(_ctx("websocket", port, path="/echo"))
            assert getattr(ping, "mode", None) == "ping"
            pings = await _exercise(ping)
            return requests, pings, state

    requests, pings, state = asyncio.run(main())
    _assert_plausible(requests)
    _assert_plausible(pings)
    assert state.received == [REQUEST] * (CALLS + 1)  # the pings sent no messages


def test_websocket_request_is_sent_only_where_the_probe_sends_it() -> None:
    def mode(**kwargs: Any) -> str:
        op = websocket_op.factory(
            _ctx("websocket", 443, host="gateway.example.com", request=REQUEST, **kwargs)
        )
        return str(getattr(op, "mode", None))

    # a remote target found in the doc: the Request may publish. Pings in its place were "ok" against the
    # doc's figures and written into it (new user, round 51): refused, as an HTTP write is
    with pytest.raises(ConfigError, match="--allow-writes"):
        mode()
    assert mode(explicit=True) == "request"
    assert mode(allow_writes=True) == "request"
    no_request = websocket_op.factory(_ctx("websocket", 443, host="gateway.example.com"))
    assert getattr(no_request, "mode", None) == "ping"  # nothing documented to send: a ping is the round trip


def test_websocket_abandoned_call_leaves_no_stale_reply() -> None:
    async def main() -> tuple[int, int]:
        async with _ws_server() as (port, _state):
            op: Any = websocket_op.factory(_ctx("websocket", port, path="/slow-first", request=REQUEST))
            await op.open()
            try:
                with pytest.raises(TimeoutError):
                    async with asyncio.timeout(0.05):
                        await op()
                owed = op._owed
                await op()  # reads the first call's reply, then its own
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(op._ws.recv(), 0.1)
                return owed, op._owed
            finally:
                await op.close()

    assert asyncio.run(main()) == (1, 0)


def test_websocket_refused_and_closed(closed_port: int) -> None:
    async def main() -> tuple[BaseException, BaseException]:
        with pytest.raises(OperationError) as refused:
            await websocket_op.factory(_ctx("websocket", closed_port, path="/echo")).open()
        async with _ws_server() as (port, _state):
            op = websocket_op.factory(_ctx("websocket", port, path="/close", request=REQUEST))
            await op.open()
            try:
                with pytest.raises(OperationError) as closed:
                    await op()
            finally:
                await op.close()
        return refused.value, closed.value

    refused, closed = asyncio.run(main())
    assert _kind(refused) is ErrorKind.REFUSED, refused
    assert _kind(closed) is ErrorKind.PROTOCOL and "close code 1011" in str(closed)


# -- Redis ------------------------------------------------------------------------------------------


def test_redis_pings() -> None:
    host, port = require_service("redis")
    _assert_plausible(asyncio.run(_exercise(redis_op.factory(_ctx("redis", port, host=host)))))


def test_redis_refused_and_bad_database(closed_port: int) -> None:
    with pytest.raises(OperationError) as refused:
        asyncio.run(redis_op.factory(_ctx("redis", closed_port)).open())
    assert _kind(refused.value) is ErrorKind.REFUSED, refused.value
    with pytest.raises(ConfigError, match="Redis databases are numbers"):
        redis_op.factory(_ctx("redis", 6379, env={"CACHE_URL": "redis://127.0.0.1:6379/cache"}))


# -- PostgreSQL -------------------------------------------------------------------------------------


def test_postgresql_select_1() -> None:
    host, port = require_service("postgresql")
    env = {"ORDERS_DATABASE_URL": f"postgresql://postgres@{host}:{port}/test"}  # credentials as the probe
    _assert_plausible(
        asyncio.run(_exercise(postgresql_op.factory(_ctx("postgresql", port, host=host, env=env))))
    )


def test_postgresql_refused(closed_port: int) -> None:
    with pytest.raises(OperationError) as refused:
        asyncio.run(postgresql_op.factory(_ctx("postgresql", closed_port)).open())
    assert _kind(refused.value) is ErrorKind.REFUSED, refused.value


# -- TCP --------------------------------------------------------------------------------------------


def test_tcp_connects() -> None:
    accepted = 0

    async def handle(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        writer.close()

    async def main() -> list[float]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        async with server:
            port: int = server.sockets[0].getsockname()[1]
            durations = await _exercise(tcp_op.factory(_ctx("tcp", port)))
            for _ in range(100):  # let the server's accept loop catch up
                if accepted == CALLS + 1:
                    break
                await asyncio.sleep(0.01)
            return durations

    _assert_plausible(asyncio.run(main()))
    assert accepted == CALLS + 1


def test_tcp_refused(closed_port: int) -> None:
    async def main() -> BaseException:
        op = tcp_op.factory(_ctx("tcp", closed_port))
        await op.open()  # resolving the name sends nothing
        try:
            with pytest.raises(OperationError) as refused:
                await op()
        finally:
            await op.close()
        return refused.value

    assert _kind(asyncio.run(main())) is ErrorKind.REFUSED
    with pytest.raises(ConfigError, match="no port"):
        tcp_op.factory(_ctx("tcp", None))


# -- drivers ----------------------------------------------------------------------------------------

DRIVER_OPS = [
    pytest.param(grpc_op.factory, "grpc", "grpc", 50051, id="grpc"),
    pytest.param(websocket_op.factory, "websocket", "websockets.asyncio.client", 8080, id="websocket"),
    pytest.param(redis_op.factory, "redis", "redis.asyncio", 6379, id="redis"),
    pytest.param(postgresql_op.factory, "postgresql", "psycopg", 5432, id="postgresql"),
]


@pytest.mark.parametrize(("factory", "protocol", "module", "port"), DRIVER_OPS)
def test_missing_driver(
    monkeypatch: pytest.MonkeyPatch, factory: Any, protocol: str, module: str, port: int
) -> None:
    """The factory says so before any traffic; an import that fails anyway is a RuntimeError at open()."""
    ctx = _ctx(protocol, port, path="/" if protocol == "websocket" else None)
    op = factory(ctx)
    monkeypatch.setitem(sys.modules, module, None)  # importing it now raises ImportError
    with pytest.raises(RuntimeError, match="driver not installed"):
        asyncio.run(op.open())
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name, _package=None: None)
    with pytest.raises(ConfigError, match="driver not installed"):
        factory(ctx)


def test_grpc_measures_the_service_the_endpoint_calls() -> None:
    """measure counted every call a success while the Endpoint's service was NOT_SERVING, asking only
    about the whole server (new user, round 17); a service the health service does not know leaves the
    whole server."""

    async def main() -> tuple[BaseException, int]:
        async with _grpc_server() as (port, servicer):
            ctx = _ctx("grpc", port)
            ctx = dataclasses.replace(
                ctx, integration=ctx.integration.model_copy(update={"endpoint": "billing.v1.Billing/Charge"})
            )
            unknown = grpc_op.factory(ctx)  # not registered: the whole server, which serves
            await unknown.open()
            try:
                await unknown()
            finally:
                await unknown.close()
            await servicer.set("billing.v1.Billing", health_pb2.HealthCheckResponse.NOT_SERVING)
            return await _one_call_fails(grpc_op.factory(ctx)), port

    not_serving, _ = asyncio.run(main())
    assert "billing.v1.Billing" in str(not_serving) and "NOT_SERVING" in str(not_serving)


def test_an_error_reply_keeps_the_connection() -> None:
    """Round 58: a Redis ``-ERR`` reply (every 5th PING here) made the run reopen the connection each
    time: a connect and a handshake sent as load and charged to the next request's latency, said as
    "reopened: the server closed them". An answer that is a failure leaves the connection sound."""
    from wiremap.measure._base import LoadPlan
    from wiremap.measure.engine import run_load

    connections = 0

    async def main() -> tuple[object, int]:
        nonlocal connections
        served = 0

        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections, served
            connections += 1
            while line := await reader.readline():
                if not line.startswith(b"*"):
                    continue
                parts = [await reader.readline() for _ in range(2 * int(line[1:]))]
                command = parts[1].strip().upper() if len(parts) > 1 else b""
                if command == b"PING":
                    served += 1
                    writer.write(b"-ERR every fifth\r\n" if served % 5 == 0 else b"+PONG\r\n")
                else:
                    writer.write(b"+OK\r\n")  # CLIENT SETNAME / SETINFO, HELLO-less RESP2
                await writer.drain()

        server = await asyncio.start_server(client, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            plan = LoadPlan(rate=200, duration_s=1, connections=2)
            result = await run_load(redis_op.factory, _ctx("redis", port), plan)
        return result, port

    result, _ = asyncio.run(main())
    assert result.errors["protocol"].count == 40, result.errors  # type: ignore[attr-defined]
    assert result.reopened == 0 and connections == 2, (result.reopened, connections)  # type: ignore[attr-defined]


def _fake_redis(
    reply: Callable[[int], bytes | list[bytes] | None], delay_s: float = 0.0, gap_s: float = 0.0
) -> Callable[..., Any]:
    """A RESP server answering the n-th PING, ``delay_s`` after it, with ``reply(n)`` (None: it closes the
    connection; a list: its parts ``gap_s`` apart)."""

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served = 0
        while line := await reader.readline():
            if not line.startswith(b"*"):
                continue
            parts = [await reader.readline() for _ in range(2 * int(line[1:]))]
            if len(parts) > 1 and parts[1].strip().upper() == b"PING":
                served += 1
                if delay_s:
                    await asyncio.sleep(delay_s)
                answer = reply(served)
                if answer is None:
                    writer.close()
                    return
                for n, part in enumerate([answer] if isinstance(answer, bytes) else answer):
                    if n:
                        await writer.drain()
                        await asyncio.sleep(gap_s)
                    writer.write(part)
            else:
                writer.write(b"+OK\r\n")
            await writer.drain()

    return client


def _redis_run(reply: Callable[[int], bytes | None], rate: int = 200) -> Any:
    from wiremap.measure._base import LoadPlan
    from wiremap.measure.engine import run_load

    async def main() -> Any:
        server = await asyncio.start_server(_fake_redis(reply), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            plan = LoadPlan(rate=rate, duration_s=1, connections=2, max_error_rate=0.5)
            return await run_load(redis_op.factory, _ctx("redis", port), plan)

    return asyncio.run(main())


def test_redis_on_the_callback_path_reopens_what_the_server_closed() -> None:
    """Issue 14: Redis is driven by callbacks (its transport taken over from redis-py). A server closing
    the connection at every 10th PING: that request fails, the next one opens a new connection (counted),
    and the run goes on."""
    result = _redis_run(lambda n: None if n % 10 == 0 else b"+PONG\r\n")
    failed = sum(e.count for e in result.errors.values())
    # a Redis server dropping a connection it answered on, not "not a Redis server?" (round 64)
    assert "after 9 answer(s) on it" in result.errors["refused"].first_message, result.errors
    assert 0 < failed < result.requests / 5, result.errors
    assert result.reopened >= failed - 2, (result.reopened, failed)
    assert result.requests >= 190


def test_redis_error_replies_are_mapped_as_redis_py_maps_them() -> None:
    """``-NOAUTH`` is an auth failure, other error replies the server's (the connection kept); a reply
    that is no simple string is not a Redis answer to PING."""
    noauth = _redis_run(lambda n: b"-NOAUTH Authentication required.\r\n", rate=50)
    assert "auth" in noauth.errors, noauth.errors
    garbage = _redis_run(lambda n: b"$5\r\nhello\r\n", rate=50)
    assert "protocol" in garbage.errors and "PING answered" in garbage.errors["protocol"].first_message


def test_redis_pong_as_a_bulk_string_is_an_answer_as_verify_takes_it() -> None:
    """A proxy answering PING with ``$4 PONG`` (verify's redis-py ping says ok): every PING was "PING
    answered" in measure (round 64); whole or in two parts, it is PONG."""
    bulk = _redis_run(lambda n: b"$4\r\nPONG\r\n", rate=50)
    assert bulk.errors == {} and bulk.successes == 50, bulk.errors
    split = _redis_run(lambda n: [b"$4\r\nPO", b"NG\r\n"], rate=50)
    assert split.errors == {} and split.successes == 50, split.errors
    other = _redis_run(lambda n: b"$4\r\nPING\r\n", rate=50)
    assert "protocol" in other.errors


def test_postgresql_on_the_callback_path_reopens_a_terminated_connection() -> None:
    """Issue 14: PostgreSQL is driven by callbacks (libpq non-blocking, TLS kept). The server terminating
    wiremap's sessions mid-run: the queries then in flight fail, the next ones open new connections
    (counted), and the run goes on; every other query returned its 1."""
    import psycopg

    from wiremap.measure._base import LoadPlan
    from wiremap.measure.engine import run_load

    host, port = require_service("postgresql")
    env = {"ORDERS_DATABASE_URL": f"postgresql://postgres@{host}:{port}/test"}

    async def main() -> Any:
        async def terminate() -> None:
            await asyncio.sleep(0.6)
            admin = await psycopg.AsyncConnection.connect(
                host=host, port=port, user="postgres", dbname="test", autocommit=True
            )
            async with admin:
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = 'wiremap-measure' AND pid <> pg_backend_pid()"
                )

        killer = asyncio.ensure_future(terminate())
        plan = LoadPlan(rate=200, duration_s=1.5, connections=2, max_error_rate=0.5)
        result = await run_load(postgresql_op.factory, _ctx("postgresql", port, host=host, env=env), plan)
        await killer
        return result

    result = asyncio.run(main())
    failed = sum(e.count for e in result.errors.values())
    assert failed <= 4, result.errors  # at most the queries in flight, and one per idle connection
    assert result.reopened >= 1, result.reopened
    assert result.requests >= 290 and result.latency_ms.p50 > 0


def test_a_redis_reply_no_ping_asked_for_fails_the_next_request() -> None:
    """Round 64: a server sending a second, unsolicited +PONG after the first: the next PING took it for
    its answer (p50 16 ms where none came sooner than 50 ms) and the run said "errors: none". Bytes with
    no request in flight put the replies out of step: the connection is closed and the next request fails
    with it, so the run says so."""

    async def main() -> tuple[Exception | None, Exception | None]:
        # the first PING's +PONG, then 20 ms later another nobody asked for
        client = _fake_redis(lambda n: [b"+PONG\r\n", b"+PONG\r\n"] if n == 1 else b"+PONG\r\n", gap_s=0.02)
        server = await asyncio.start_server(client, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            op = redis_op.factory(_ctx("redis", port))
            await op.open()
            first: Exception | None = None
            try:
                await op()
            except Exception as exc:
                first = exc
            await asyncio.sleep(0.1)
            second: Exception | None = None
            try:
                await op()
            except Exception as exc:
                second = exc
            await op.close()
        return first, second

    first, second = asyncio.run(main())
    assert first is None
    assert second is not None and "no PING asked for" in str(second) and _kind(second) is ErrorKind.PROTOCOL


def test_redis_over_tls_to_a_plaintext_port_is_tls_not_timeout() -> None:
    """Round 64: a doc saying TLS against a port that never answers the TLS hello: verify says tls,
    measure said timeout (the request's deadline passed while its connection was being opened)."""
    from wiremap.measure._base import LoadPlan
    from wiremap.measure.engine import run_load

    async def main() -> Any:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # takes the hello, answers nothing

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        ctx = _ctx("redis", port, timeout_s=0.3)
        ctx = dataclasses.replace(ctx, integration=ctx.integration.model_copy(update={"tls": True}))
        async with server:
            plan = LoadPlan(rate=20, duration_s=0.5, warmup_s=0, connections=1, timeout_s=0.3)
            return await run_load(redis_op.factory, ctx, plan)

    result = asyncio.run(main())
    assert set(result.errors) == {"tls"}, result.errors


def test_connections_a_server_refuses_up_front_are_said() -> None:
    """Round 64: a Redis at its client limit refused 7 of 8 connections ("-ERR max number of clients
    reached") and the run said "over 8 connections, errors: none": the load went over the one left."""
    from wiremap.measure._base import LoadPlan
    from wiremap.measure.engine import run_load
    from wiremap.measure.report import _connections

    async def main() -> Any:
        accepted = 0

        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal accepted
            accepted += 1
            if accepted > 1:
                writer.write(b"-ERR max number of clients reached\r\n")
                await writer.drain()
                writer.close()
                return
            await _fake_redis(lambda n: b"+PONG\r\n")(reader, writer)

        server = await asyncio.start_server(client, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            plan = LoadPlan(rate=50, duration_s=0.5, connections=4)
            return await run_load(redis_op.factory, _ctx("redis", port), plan)

    result = asyncio.run(main())
    assert result.connections_failed == 3 and "max number of clients" in result.connection_error
    assert result.to_json()["connections_failed"] == 3
    assert "3 could not be opened up front, first:" in _connections(result)


class _Failing(_PeerRecorder):
    """The 3rd, 5th… Check answered at once with ``code`` (the first is the open's)."""

    def __init__(self, code: Any) -> None:
        super().__init__()
        self.code, self.calls = code, 0

    async def Check(self, request: Any, context: Any) -> Any:
        self.calls += 1
        if self.calls > 1 and self.calls % 2 == 1:
            await context.abort(self.code, "injected")
        return await super().Check(request, context)


@pytest.mark.parametrize("code", ["DEADLINE_EXCEEDED", "UNAVAILABLE"])
def test_grpc_a_status_the_server_answers_is_its_answer(code: str) -> None:
    """Round 64: a DEADLINE_EXCEEDED answered at once was "no answer within 5 s" (timeout), an
    UNAVAILABLE of a server answering SERVING to the other Checks was "not a gRPC server, or one that wants
    TLS"; the channel was reopened after each. Both are the server's answer; the channel is kept."""
    import grpc

    async def main() -> tuple[BaseException, int]:
        servicer = _Failing(getattr(grpc.StatusCode, code))
        async with grpc_health_server(servicer) as (port, _):
            op = grpc_op.factory(_ctx("grpc", port))
            await op.open()
            await op()
            with pytest.raises(OperationError) as failed:
                await op()
            await op()  # the same channel answers the next Check
            await op.close()
            return failed.value, len(servicer.peers)

    error, peers = asyncio.run(main())
    assert f"the server answered {code}: injected" in str(error)
    assert _kind(error) is ErrorKind.PROTOCOL and peers == 1


def test_requests_whose_deadline_wiremaps_queue_used_up_are_not_the_destinations_timeouts() -> None:
    """Round 64: every PING answered in 300 ms, 20/s offered over 2 connections with a 0.5 s deadline: the
    requests waited in wiremap until their deadline (or most of it) was gone, and were counted as the
    destination's timeouts; --check then FAILed a P95 of 400 ms the service time (300 ms) holds. They are
    wiremap's queue's (``queue_timeouts``), not held against the destination, and do not stop the run."""
    from wiremap.measure._base import LoadPlan
    from wiremap.measure.check import check_against_doc
    from wiremap.measure.engine import run_load
    from wiremap.model import Latency

    async def main() -> Any:
        server = await asyncio.start_server(_fake_redis(lambda n: b"+PONG\r\n", delay_s=0.3), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            plan = LoadPlan(rate=20, duration_s=2.0, connections=2, timeout_s=0.5)
            return await run_load(redis_op.factory, _ctx("redis", port, timeout_s=0.5), plan)

    result = asyncio.run(main())
    assert result.queue_timeouts > 0 and result.destination_errors == 0, result.errors
    assert result.stopped_early is None
    integ = Integration(id="a", path="a.md", protocol="redis", latency_ms=Latency(p95=400.0, p99=450.0))
    verdicts = check_against_doc(integ, result, 0.2)
    assert False not in [v.ok for v in verdicts], [v.message for v in verdicts]  # it FAILed both
