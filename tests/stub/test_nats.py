"""The NATS stub, answered by nats-py (the probes' driver) and by wiremap verify."""

from __future__ import annotations

import asyncio
from typing import Any

import nats
import pytest
from nats import errors as nerr

from ._proto_stubs import ErrorKind, running, verify_stub

DOC = """# Integration: Orders Service → Order Events

**Protocol:** NATS

## Quick Reference

**Destination:** Order Events (127.0.0.1:4222)

## Request Format

**Endpoint:** `orders.quote`

**Request:**
```json
{"sku": "SKU-1", "quantity": 2}
```

**Response:**
```json
{"sku": "SKU-1", "price_cents": 2998}
```
"""


async def _connect(port: int, **kwargs: Any) -> Any:
    async def quiet(*_: Any) -> None:
        return None

    options: dict[str, Any] = {
        "servers": [f"nats://127.0.0.1:{port}"],
        "allow_reconnect": False,
        "max_reconnect_attempts": 1,
        "reconnect_time_wait": 0,
        "connect_timeout": 1,
        "error_cb": quiet,
        "disconnected_cb": quiet,
        "closed_cb": quiet,
    }
    return await nats.connect(**(options | kwargs))


async def _connect_and_flush(port: int) -> None:
    """nats-py's connect returns on an EOF right after CONNECT (disconnect): its flush then fails."""
    nc = await _connect(port)
    try:
        await nc.flush(timeout=1)
    finally:
        await nc.close()


@pytest.mark.parametrize("verbose", [False, True])
def test_nats_py_pub_sub_queue_headers_and_request(verbose: bool) -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            a = await _connect(stub.port, verbose=verbose)
            b = await _connect(stub.port)
            try:
                got: list[Any] = []
                sub = await b.subscribe("events.*")
                q1 = await a.subscribe("jobs", queue="workers")
                q2 = await b.subscribe("jobs", queue="workers")
                await b.flush()
                await a.publish("events.new", b"hello", headers={"Trace": "t1"})
                await a.publish("events.new.eu", b"not matched")
                msg = await sub.next_msg(timeout=1)
                got.append(msg)
                assert msg.data == b"hello" and msg.headers == {"Trace": "t1"}
                with pytest.raises(nerr.TimeoutError):
                    await sub.next_msg(timeout=0.2)
                for i in range(4):
                    await a.publish("jobs", b"%d" % i)
                await a.flush()
                await asyncio.sleep(0.1)
                assert q1.pending_msgs + q2.pending_msgs == 4 and q1.pending_msgs and q2.pending_msgs
                reply = await a.request("orders.quote", b'{"sku": "SKU-1", "quantity": 2}', timeout=1)
                assert reply.data == b'{"sku": "SKU-1", "price_cents": 2998}'  # the documented Response
            finally:
                await a.close()
                await b.close()
            ops = [r.request["op"] for r in ctx.recorder.items if r.connection == 1]
            assert ops[:2] == ["CONNECT", "PING"] and "SUB" in ops and "HPUB" in ops
            assert next(r.attempt for r in ctx.recorder.items if r.connection == 2) == 2  # one per connection
            pub = next(r for r in ctx.recorder.items if r.request["op"] == "HPUB")
            assert pub.request["subject"] == "events.new" and pub.request["payload"] == "hello"
            assert all(r.fault is None for r in ctx.recorder.items)

    asyncio.run(scenario())


def test_wiremap_verify_says_ok() -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            [check] = await verify_stub(DOC, stub)
            assert check.ok is True, check.message
            assert [r.request["op"] for r in ctx.recorder.items][:2] == ["CONNECT", "PING"]

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("timeout", ErrorKind.TIMEOUT),
        ("garbage", ErrorKind.PROTOCOL),
        ("close-mid-body", ErrorKind.PROTOCOL),  # half an INFO line: not JSON
        # nats-py does not notice an EOF right after CONNECT: the probe's flush waits for PONG
        ("disconnect", ErrorKind.TIMEOUT),
        ("reset", ErrorKind.REFUSED),
        ("slow:1500", ErrorKind.TIMEOUT),
    ],
)
def test_wiremap_verify_fails_with_the_fault(fault: str, kind: ErrorKind) -> None:
    async def scenario() -> None:
        async with running(DOC, fault) as (stub, ctx):
            [check] = await verify_stub(DOC, stub, timeout_s=1.0)
            assert check.ok is False and check.error_kind is kind, check.message
            items = await ctx.recorder.wait_for_async(1)  # slow: recorded when INFO is finally sent
            assert all(r.fault == fault for r in items)

    asyncio.run(scenario())


@pytest.mark.parametrize("fault", ["timeout", "garbage", "disconnect", "reset", "close-mid-body"])
def test_nats_py_cannot_connect_under_the_fault(fault: str) -> None:
    async def scenario() -> None:
        async with running(DOC, f"first:1:{fault}") as (stub, ctx):
            with pytest.raises((nerr.Error, OSError, TimeoutError)):
                await asyncio.wait_for(_connect_and_flush(stub.port), 3)
            nc = await _connect(stub.port)  # attempt 2: answered
            await nc.flush()
            await nc.close()
            faults = {r.attempt: r.fault for r in ctx.recorder.items}
            assert faults[1] == fault and faults[2] is None

    asyncio.run(scenario())


def test_invalid_is_an_error_on_publish_and_slow_is_late() -> None:
    async def scenario() -> None:
        errors: list[Exception] = []

        async def on_error(exc: Exception) -> None:
            errors.append(exc)

        async with running(DOC, "invalid") as (stub, ctx):
            nc = await _connect(stub.port, error_cb=on_error)
            await nc.publish("orders.new", b"x")
            await nc.flush()
            await asyncio.sleep(0.1)
            assert nc.is_connected
            await nc.close()
            assert any("permissions violation" in str(e).lower() for e in errors)
        async with running(DOC, "slow:300") as (stub, ctx):
            loop = asyncio.get_running_loop()
            started = loop.time()
            nc = await _connect(stub.port)
            await nc.flush()
            await nc.close()
            assert loop.time() - started >= 0.6  # INFO and PONG each 300 ms late

    asyncio.run(scenario())
