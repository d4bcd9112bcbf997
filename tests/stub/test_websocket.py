"""The WebSocket stub, answered by the websockets client (the probes' driver) and by wiremap verify."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidMessage, InvalidStatus

from wiremap.stub.servers.websocket import other_shape
from wiremap.verify.shape import shape_mismatches

from ._proto_stubs import ErrorKind, running, verify_stub

DOC = """# Integration: Notifications Service → Realtime Gateway

**Protocol:** WebSocket

## Quick Reference

**Destination:** Realtime Gateway (127.0.0.1:8083)

## Request Format

**Endpoint:** `ws://127.0.0.1:8083/v1/stream`

**Request:**
```json
{"type": "publish", "id": "9d3f", "channel": "user:u_1042"}
```

**Response:**
```json
{"type": "ack", "id": "9d3f", "delivered": 2, "tags": ["a"]}
```
"""
REPLY = {"type": "ack", "id": "9d3f", "delivered": 2, "tags": ["a"]}
REQUEST = '{"type": "publish", "id": "9d3f", "channel": "user:u_1042"}'


def test_websockets_client_gets_the_documented_reply_on_the_documented_path() -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            assert stub.url.endswith("/v1/stream")
            async with connect(stub.url, open_timeout=2) as ws:
                await ws.send(REQUEST)
                assert json.loads(await ws.recv(decode=True)) == REPLY
                await ws.send("a second message, not JSON")
                assert json.loads(await ws.recv(decode=True)) == REPLY  # the doc's answer, whatever was asked
                await ws.ping()
            with pytest.raises(InvalidStatus) as caught:
                await connect(stub.url.replace("/v1/stream", "/other"), open_timeout=2)
            assert caught.value.response.status_code == 404
            items = ctx.recorder.items
            assert [r.request["message"] for r in items[:3]] == [
                "(handshake)",
                REQUEST,
                "a second message, not JSON",
            ]
            assert items[0].request["status"] == 101 and items[-1].request["status"] == 404
            assert [r.attempt for r in items] == [1, 2, 3, 4] and {r.connection for r in items} == {1, 2}
            assert all(r.fault is None for r in items)

    asyncio.run(scenario())


def test_other_shape_is_not_the_documented_shape() -> None:
    assert shape_mismatches(REPLY, other_shape(REPLY))
    assert shape_mismatches([1], other_shape([1])) and shape_mismatches("x", other_shape("x"))


def test_wiremap_verify_says_ok() -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            checks = await verify_stub(DOC, stub)
            assert [(c.name, c.ok) for c in checks] == [("websocket", True), ("contract", True)], checks
            assert ctx.recorder.items[1].request["message"] == REQUEST

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("fault", "check", "kind", "words"),
    [
        ("timeout", "contract", ErrorKind.TIMEOUT, "no reply"),
        ("first:1:timeout", "contract", ErrorKind.TIMEOUT, "no reply"),  # carried to the first message
        ("invalid", "contract", ErrorKind.CONTRACT, "$.type: missing"),  # none of the documented keys
        ("close-mid-body", "contract", ErrorKind.PROTOCOL, "close code 1011"),
        ("garbage", "websocket", ErrorKind.PROTOCOL, "handshake"),
        # websockets wraps the reset in InvalidMessage, which the probe reports as it is
        ("reset", "websocket", ErrorKind.PROTOCOL, "did not receive a valid HTTP response"),
        ("disconnect", "websocket", ErrorKind.PROTOCOL, ""),
        ("every:2:reset", "contract", ErrorKind.PROTOCOL, "closed the connection"),
        ("every:2:garbage", "contract", ErrorKind.PROTOCOL, "closed the connection"),
        ("slow:1500", "websocket", ErrorKind.TIMEOUT, "no handshake"),  # the 101 is late too
        ("every:2:slow:1500", "contract", ErrorKind.TIMEOUT, "no reply"),
    ],
)
def test_wiremap_verify_fails_with_the_fault(fault: str, check: str, kind: ErrorKind, words: str) -> None:
    async def scenario() -> None:
        async with running(DOC, fault) as (stub, ctx):
            checks = await verify_stub(DOC, stub, timeout_s=1.0)
            failed = next(c for c in checks if c.ok is False)
            assert failed.name == check and failed.error_kind is kind, checks
            assert words in failed.message
            async with asyncio.timeout(3):  # a slow reply is recorded once it is sent
                while not any(r.fault for r in ctx.recorder.items):
                    await asyncio.sleep(0.05)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("garbage", InvalidMessage),
        ("reset", (InvalidMessage, OSError)),
        ("disconnect", InvalidMessage),
    ],
)
def test_the_client_sees_handshake_faults(fault: str, error: type[Exception]) -> None:
    async def scenario() -> None:
        async with running(DOC, f"first:1:{fault}") as (stub, ctx):
            with pytest.raises(error):
                await connect(stub.url, open_timeout=2)
            async with connect(stub.url, open_timeout=2) as ws:  # attempt 2: answered
                await ws.send(REQUEST)
                assert json.loads(await ws.recv(decode=True)) == REPLY
            assert [r.fault for r in ctx.recorder.items] == [fault, None, None]

    asyncio.run(scenario())


def test_the_client_sees_message_faults() -> None:
    async def scenario() -> None:
        # attempts: 1 the handshake, 2 a message (never answered), 3 a message (answered)
        async with running(DOC, "every:2:timeout") as (stub, ctx):
            async with connect(stub.url, open_timeout=2) as ws:
                await ws.send(REQUEST)  # attempt 2: never answered
                with pytest.raises(TimeoutError):
                    async with asyncio.timeout(0.3):
                        await ws.recv()
                await ws.send(REQUEST)  # attempt 3: answered
                assert json.loads(await ws.recv(decode=True)) == REPLY
            assert [r.fault for r in ctx.recorder.items] == [None, "timeout", None]
        async with running(DOC, "close-mid-body") as (stub, _), connect(stub.url, open_timeout=2) as ws:
            await ws.send(REQUEST)
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
        for fault in ("disconnect", "reset", "garbage"):
            async with running(DOC, f"every:2:{fault}") as (stub, _), connect(stub.url, open_timeout=2) as ws:
                await ws.send(REQUEST)
                with pytest.raises(ConnectionClosedError):
                    await ws.recv()
        async with running(DOC, "invalid") as (stub, _), connect(stub.url, open_timeout=2) as ws:
            await ws.send(REQUEST)
            reply = json.loads(await ws.recv(decode=True))
            # none of the documented keys, as stub.md says (keys kept with other types passed a client that
            # checks keys only: new user, round 53)
            assert not set(reply) & set(REPLY) and shape_mismatches(REPLY, reply)
        async with running(DOC, "slow:300") as (stub, _):
            loop = asyncio.get_running_loop()
            async with connect(stub.url, open_timeout=2) as ws:
                started = loop.time()
                await ws.send(REQUEST)
                assert json.loads(await ws.recv(decode=True)) == REPLY
                assert loop.time() - started >= 0.3

    asyncio.run(scenario())
