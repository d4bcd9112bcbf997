"""The MQTT stub, answered by aiomqtt (the probes' driver) in MQTT 3.1.1 and 5, and by wiremap verify."""

from __future__ import annotations

import asyncio

import aiomqtt
import pytest

from ._proto_stubs import ErrorKind, running, verify_stub

DOC = """# Integration: Thermostat Service → Sensor Broker

**Protocol:** MQTT

## Quick Reference

**Destination:** Sensor Broker (127.0.0.1:1883)

## Request Format

**Endpoint:** `sensors/+/temperature`
"""

VERSIONS = [aiomqtt.ProtocolVersion.V311, aiomqtt.ProtocolVersion.V5]


def _client(port: int, version: aiomqtt.ProtocolVersion, name: str) -> aiomqtt.Client:
    return aiomqtt.Client("127.0.0.1", port, identifier=name, protocol=version, timeout=2)


@pytest.mark.parametrize("version", VERSIONS)
def test_aiomqtt_publish_subscribe_at_each_qos(version: aiomqtt.ProtocolVersion) -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            async with (
                _client(stub.port, version, "sub") as sub,
                _client(stub.port, version, "pub") as pub,
            ):
                await pub.publish("sensors/kitchen/config", b"retained", qos=1, retain=True)
                await sub.subscribe("sensors/+/temperature", qos=2)
                await sub.subscribe("sensors/kitchen/config", qos=0)
                for qos in (0, 1, 2):
                    await pub.publish("sensors/kitchen/temperature", f"2{qos}.5".encode(), qos=qos)
                await pub.publish("other/topic", b"not for sub")
                got: list[tuple[str, bytes, int, bool]] = []
                async with asyncio.timeout(2):
                    async for message in sub.messages:
                        assert isinstance(message.payload, bytes)
                        got.append((str(message.topic), message.payload, message.qos, message.retain))
                        if len(got) == 4:
                            break
                await sub.unsubscribe("sensors/+/temperature")
            assert got[0] == ("sensors/kitchen/config", b"retained", 0, True)
            assert [(p, q) for _, p, q, _ in got[1:]] == [(b"20.5", 0), (b"21.5", 1), (b"22.5", 2)]
        packets = [(r.connection, r.request["packet"]) for r in ctx.recorder.items]
        assert (1, "CONNECT") in packets and (2, "CONNECT") in packets
        for name in ("SUBSCRIBE", "PUBLISH", "PUBREL", "UNSUBSCRIBE", "DISCONNECT"):
            assert any(p == name for _, p in packets), name
        connect = next(r for r in ctx.recorder.items if r.request["packet"] == "CONNECT")
        assert connect.request["level"] == (5 if version is aiomqtt.ProtocolVersion.V5 else 4)
        published = [r.request for r in ctx.recorder.items if r.request["packet"] == "PUBLISH"]
        assert {"topic": "other/topic", "qos": 0, "payload": "not for sub", "packet": "PUBLISH"} in published
        assert {r.attempt for r in ctx.recorder.items} == {1, 2}  # one attempt per connection

    asyncio.run(scenario())


def test_wiremap_verify_says_ok() -> None:
    async def scenario() -> None:
        async with running(DOC) as (stub, ctx):
            [check] = await verify_stub(DOC, stub)
            assert check.ok is True, check.message
            await asyncio.sleep(0.1)
            assert [r.request["packet"] for r in ctx.recorder.items] == ["CONNECT", "DISCONNECT"]

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("timeout", ErrorKind.TIMEOUT),
        ("disconnect", ErrorKind.PROTOCOL),
        ("reset", ErrorKind.PROTOCOL),
        ("garbage", ErrorKind.PROTOCOL),
        ("close-mid-body", ErrorKind.PROTOCOL),  # half a CONNACK, then the close
        ("invalid", ErrorKind.PROTOCOL),
        ("slow:1500", ErrorKind.TIMEOUT),
    ],
)
def test_wiremap_verify_fails_with_the_fault(fault: str, kind: ErrorKind) -> None:
    async def scenario() -> None:
        async with running(DOC, fault) as (stub, ctx):
            [check] = await verify_stub(DOC, stub, timeout_s=1.0)
            assert check.ok is False and check.error_kind is kind, check.message
            items = await ctx.recorder.wait_for_async(1)
            assert all(r.fault == fault for r in items)
            if fault == "invalid":
                assert "refused" in check.message

    asyncio.run(scenario())


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("fault", ["timeout", "disconnect", "reset", "garbage", "invalid"])
def test_aiomqtt_sees_the_fault_then_connects(fault: str, version: aiomqtt.ProtocolVersion) -> None:
    async def scenario() -> None:
        async with running(DOC, f"first:1:{fault}") as (stub, ctx):
            client = aiomqtt.Client("127.0.0.1", stub.port, protocol=version, timeout=0.5)
            with pytest.raises(aiomqtt.MqttError) as caught:
                async with asyncio.timeout(3), client:
                    pass
            if fault == "invalid":
                assert isinstance(caught.value, aiomqtt.MqttCodeError)
                assert "unavailable" in str(caught.value).lower()
            async with _client(stub.port, version, "second"):  # attempt 2: answered
                pass
            faults = {r.attempt: r.fault for r in await ctx.recorder.wait_for_async(2)}
            assert faults[1] == fault and faults[2] is None

    asyncio.run(scenario())


def test_slow_connack_is_late() -> None:
    async def scenario() -> None:
        async with running(DOC, "slow:300") as (stub, _):
            loop = asyncio.get_running_loop()
            started = loop.time()
            async with _client(stub.port, aiomqtt.ProtocolVersion.V311, "slow"):
                elapsed = loop.time() - started
            assert elapsed >= 0.3

    asyncio.run(scenario())
