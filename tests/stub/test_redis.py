"""The Redis stub, answered by redis-py (the probes' driver) in RESP2 and RESP3, and by wiremap verify."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis import exceptions as rex
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from ._proto_stubs import ErrorKind, running, verify_stub

DOC = """# Integration: Cart Service → Cart Redis

**Protocol:** Redis

## Quick Reference

**Destination:** Cart Redis (127.0.0.1:6379)

## Request Format

**Endpoint:** `GET cart:{user_id}`

**Request:**
```text
GET cart:u_1042
```

**Response:**
```json
{"user_id": "u_1042", "items": [{"sku": "SKU-1", "quantity": 2}]}
```
"""
DOCUMENTED = b'{"user_id": "u_1042", "items": [{"sku": "SKU-1", "quantity": 2}]}'


def _client(port: int, **kwargs: Any) -> Redis:
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "socket_timeout": 1.0,
        "retry": Retry(NoBackoff(), 0),
        "single_connection_client": True,
    }
    return Redis(**(options | kwargs))


@pytest.mark.parametrize("protocol", [2, 3])
def test_redis_py_in_both_protocols(protocol: int) -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            client = _client(stub.port, protocol=protocol, client_name="cart", password="any", db=3)
            try:
                assert await client.ping() is True
                assert await client.get("cart:u_1042") is None  # db 3: the documented key is in db 0
                assert await client.set("k", "v") is True
                assert await client.get("k") == b"v"
                assert await client.exists("k", "nope") == 1
                assert await client.delete("k", "k") == 1
                assert await client.set("n", "1", nx=True) is True
                assert await client.set("n", "2", nx=True) is None
                info = await client.info()
                assert info["redis_version"] and info["role"] == "master"
                with pytest.raises(rex.ResponseError, match="unknown command 'HSET'"):
                    await client.hset("h", "f", "v")
                await client.select(0)
                assert await client.get("cart:u_1042") == DOCUMENTED  # the doc's Response, nothing made up
                assert await client.client_getname() in ("cart", b"cart")
            finally:
                await client.aclose()
            commands = [r.request["command"] for r in ctx.recorder.items]
            first = ["HELLO", "CLIENT", "AUTH"] if protocol == 3 else ["AUTH", "CLIENT"]
            assert commands[0] in first and "PING" in commands and "SELECT" in commands
            assert all(r.connection == 1 and r.bytes_in > 0 for r in ctx.recorder.items)
            hello = [r for r in ctx.recorder.items if r.request["command"] == "HELLO"]
            assert len(hello) == (1 if protocol == 3 else 0)
            assert [r.attempt for r in ctx.recorder.items] == list(range(1, len(commands) + 1))

    asyncio.run(scenario())


def test_hello_answers_as_redis_7() -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, _):
            reader, writer = await asyncio.open_connection("127.0.0.1", stub.port)
            writer.write(b"HELLO 3\r\nHELLO 4\r\nPING\r\n")
            await writer.drain()
            await asyncio.sleep(0.2)
            data = await reader.read(4096)
            writer.close()
        assert data.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n")
        assert b"$5\r\nproto\r\n:3\r\n" in data
        assert b"-NOPROTO unsupported protocol version\r\n+PONG\r\n" in data

    asyncio.run(scenario())


def test_wiremap_verify_says_ok() -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            [check] = await verify_stub(DOC, stub)
            assert check.ok is True, check.message
            assert "PING → PONG" in check.message
            commands = [r.request["command"] for r in ctx.recorder.items]
            assert commands[0] == "CLIENT" and commands[-1] == "PING"  # SETNAME, SETINFO …, PING

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("fault", "kind", "words"),
    [
        ("timeout", ErrorKind.TIMEOUT, "no answer"),
        # CLIENT SETNAME and two CLIENT SETINFO answered, PING (the 4th command) not
        ("every:4:timeout", ErrorKind.TIMEOUT, "waiting for PONG"),
        ("reset", ErrorKind.REFUSED, "reset"),
        ("garbage", ErrorKind.PROTOCOL, ""),
        ("invalid", ErrorKind.PROTOCOL, ""),
        ("disconnect", ErrorKind.PROTOCOL, ""),
        ("close-mid-body", ErrorKind.PROTOCOL, ""),
    ],
)
def test_wiremap_verify_fails_with_the_fault(fault: str, kind: ErrorKind, words: str) -> None:
    async def scenario() -> None:
        async with running(DOC, fault) as (stub, ctx):
            [check] = await verify_stub(DOC, stub, timeout_s=1.0)
            assert check.ok is False and check.error_kind is kind, check.message
            assert words in check.message
            assert any(r.fault for r in ctx.recorder.items)

    asyncio.run(scenario())


def test_slow_is_late_and_right() -> None:
    async def scenario() -> None:
        async with running(DOC, "slow:300") as (stub, ctx):
            client = _client(stub.port, protocol=2)
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                assert await client.ping() is True
            finally:
                await client.aclose()
            assert loop.time() - started >= 0.3
            assert ctx.recorder.items[-1].fault == "slow:300"

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("timeout", rex.TimeoutError),
        ("reset", rex.ConnectionError),
        ("disconnect", rex.ConnectionError),
        ("garbage", rex.RedisError),
        ("invalid", None),
    ],
)
def test_redis_py_sees_each_fault(fault: str, error: type[Exception] | None) -> None:
    async def scenario() -> None:
        async with running(DOC, fault) as (stub, ctx):
            client = _client(stub.port, protocol=2, socket_timeout=0.5)
            try:
                if error is None:
                    assert await client.ping() is False  # PING answered :1, not +PONG
                else:
                    with pytest.raises(error):
                        await client.ping()
            finally:
                await client.aclose()
            assert ctx.recorder.items and all(r.fault == fault for r in ctx.recorder.items)

    asyncio.run(scenario())
