"""The gRPC stub, answered by grpcio's health stub (the probes' driver) and by wiremap verify."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ._proto_stubs import ErrorKind, integration, running, verify_stub

DOC = """# Integration: Checkout Service → Inventory Service

**Protocol:** gRPC

<!-- wiremap: grpc_service=inventory.v1.Inventory -->

## Quick Reference

**Destination:** Inventory Service (127.0.0.1:50051)

## Request Format

**Endpoint:** `inventory.v1.Inventory/Reserve`
"""
SERVICE = "inventory.v1.Inventory"
SERVING = health_pb2.HealthCheckResponse.SERVING
# ``garbage`` writes the same bytes and closes every time, but how gRPC ends the call depends on how its
# reads fall: UNAVAILABLE ("Socket closed") when it meets the end of the connection first, UNKNOWN
# ("Failed parsing HTTP/2 (Frame size 65534 …)") when it parses the garbage first (now and then on a
# busy machine). Both are the client's reading of one fault; the probe maps both to a protocol error.
_ALSO = {"garbage": grpc.StatusCode.UNKNOWN}


# A channel of its own is not a connection of its own: gRPC core shares a subchannel (connection and
# reconnect backoff) between live channels with the same target and options, process-wide. A check
# after the probe's refused attempt, on the probe's options, could get its subchannel in backoff while
# the probe's closed channel is still being torn down, and fail at once with the cached "Connection
# refused" without sending a SYN. Each check here is one attempt on its own connection.
_OWN_CONNECTION = [("grpc.enable_retries", 0), ("grpc.use_local_subchannel_pool", 1)]


async def _check(port: int, service: str = SERVICE, timeout: float = 1.0) -> Any:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=_OWN_CONNECTION) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        return await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)


def test_the_doc_names_the_service() -> None:
    assert integration(DOC).directives.settings.get("grpc_service") == SERVICE


def test_health_check_serving_for_the_documented_service_only() -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            assert (await _check(stub.port)).status == SERVING
            assert (await _check(stub.port, "")).status == SERVING
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await _check(stub.port, "other.Service")
            assert caught.value.code() is grpc.StatusCode.NOT_FOUND
            items = ctx.recorder.items
            assert [(r.request["service"], r.request["status"]) for r in items] == [
                (SERVICE, "SERVING"),
                ("", "SERVING"),
                ("other.Service", "NOT_FOUND"),
            ]
            assert all(r.request["call"] == "/grpc.health.v1.Health/Check" for r in items)
            assert [r.attempt for r in items] == [1, 2, 3] and all(r.connection >= 1 for r in items)

    asyncio.run(scenario())


def test_wiremap_verify_says_ok() -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            [check] = await verify_stub(DOC, stub)
            assert check.ok is True, check.message
            assert SERVICE in check.message and "SERVING" in check.message
            assert ctx.recorder.items[0].request["service"] == SERVICE

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("fault", "kind", "words"),
    [
        ("timeout", ErrorKind.TIMEOUT, "no answer"),
        ("grpc:UNAVAILABLE", ErrorKind.PROTOCOL, "UNAVAILABLE"),
        ("grpc:PERMISSION_DENIED", ErrorKind.AUTH, "PERMISSION_DENIED"),
        ("grpc:UNIMPLEMENTED", ErrorKind.PROTOCOL, "no health service"),
        ("invalid", ErrorKind.PROTOCOL, "NOT_SERVING"),
        ("slow:1500", ErrorKind.TIMEOUT, "no answer"),
        ("reset", ErrorKind.PROTOCOL, "UNAVAILABLE"),
        ("garbage", ErrorKind.PROTOCOL, "UNAVAILABLE|UNKNOWN"),  # see _ALSO
    ],
)
def test_wiremap_verify_fails_with_the_fault(fault: str, kind: ErrorKind, words: str) -> None:
    async def scenario() -> None:
        async with running(DOC, fault) as (stub, ctx):
            [check] = await verify_stub(DOC, stub, timeout_s=1.0)
            assert check.ok is False and check.error_kind is kind, check.message
            assert re.search(words, check.message), check.message
            items = await ctx.recorder.wait_for_async(1)
            assert items[0].fault == fault

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("timeout", grpc.StatusCode.DEADLINE_EXCEEDED),
        ("grpc:RESOURCE_EXHAUSTED", grpc.StatusCode.RESOURCE_EXHAUSTED),
        ("reset", grpc.StatusCode.UNAVAILABLE),
        ("garbage", grpc.StatusCode.UNAVAILABLE),
    ],
)
def test_the_health_stub_sees_the_fault_then_serving(fault: str, code: grpc.StatusCode) -> None:
    async def scenario() -> None:
        async with running(DOC, f"first:1:{fault}") as (stub, ctx):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await _check(stub.port, timeout=0.5)
            assert caught.value.code() in (code, _ALSO.get(fault)), caught.value
            assert (await _check(stub.port)).status == SERVING  # attempt 2: answered
            assert [r.fault for r in ctx.recorder.items] == [fault, None]

    asyncio.run(scenario())


def test_invalid_is_not_serving_and_slow_is_late() -> None:
    async def scenario() -> None:
        async with running(DOC, "invalid") as (stub, _):
            assert (await _check(stub.port)).status == health_pb2.HealthCheckResponse.NOT_SERVING
        async with running(DOC, "slow:300") as (stub, _):
            loop = asyncio.get_running_loop()
            started = loop.time()
            assert (await _check(stub.port)).status == SERVING
            assert loop.time() - started >= 0.3

    asyncio.run(scenario())


def test_refused_is_the_front_listeners() -> None:
    async def scenario() -> None:
        async with running(DOC, "first:1:refused") as (stub, ctx):
            assert stub.refusing_since is not None  # what the SYN counter of the CLI reads
            [check] = await verify_stub(DOC, stub, timeout_s=1.0)
            assert check.ok is False and check.error_kind is ErrorKind.REFUSED, check.message
            await stub.note_refused(1)  # as the SYN counter does
            assert stub.refusing_since is None
            assert (await _check(stub.port)).status == SERVING
            assert [r.attempt for r in ctx.recorder.items] == [2]

    asyncio.run(scenario())


def test_the_endpoints_service_is_served_without_a_grpc_service_setting() -> None:
    """configuration.md: ``grpc_service`` defaults to the Endpoint's service; the stub answered NOT_FOUND
    for it unless the setting was written (new user, round 53)."""
    doc = DOC.replace("<!-- wiremap: grpc_service=inventory.v1.Inventory -->\n", "")

    async def scenario() -> None:
        async with running(doc) as (stub, _):
            assert (await _check(stub.port)).status == SERVING
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await _check(stub.port, "other.Service")
            assert caught.value.code() is grpc.StatusCode.NOT_FOUND

    asyncio.run(scenario())
