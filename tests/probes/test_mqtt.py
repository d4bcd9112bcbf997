"""The MQTT probe against the real Mosquitto (anonymous) and small scripted fake brokers.

The real broker allows anonymous clients and accepts any username and password, so the ``auth``
cases run against a fake broker that answers CONNECT with a negative CONNACK.
"""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

import wiremap
from tests.services import require_service
from wiremap.probes import mqtt
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target
from wiremap.probes.registry import get_probe

from ._fakes import JUNK, Script
from ._fakes import free_port as _free_port
from ._fakes import serve as _serve

DOC = """# Integration: Shop Floor Sensors → Telemetry Broker

**Protocol:** MQTT

## Configuration

**Environment Variables:**
```bash
export TELEMETRY_MQTT_URL={example}  # broker URL with credentials
```
"""
DOC_EXAMPLE = "mqtt://sensors:docsecret@127.0.0.1:1883"


def _ctx(
    port: int, env: dict[str, str] | None = None, *, scheme: str | None = None, timeout: float = 3.0
) -> ProbeContext:
    integration = wiremap.parse_text(DOC.format(example=DOC_EXAMPLE), "x.md").integration
    return ProbeContext(integration, Target("127.0.0.1", port, scheme), timeout, env=env or {})


def _connack(return_code: int) -> Script:
    """A broker that answers a complete CONNECT packet with CONNACK ``return_code`` and hangs up."""

    def script(received: bytes, transport: asyncio.Transport) -> None:
        size, shift, i = 0, 0, 1
        while i < len(received):  # "remaining length": a little-endian base-128 varint
            size |= (received[i] & 0x7F) << shift
            shift, i = shift + 7, i + 1
            if not received[i - 1] & 0x80:
                break
        else:
            return
        if len(received) >= i + size:
            transport.write(bytes([0x20, 0x02, 0x00, return_code]))
            transport.close()

    return script


def _connect_flags(received: bytes) -> int:
    """The flags byte of a short MQTT 3.1.1 CONNECT: fixed header (2), b"\\0\\4MQTT" (6), level (1)."""
    assert received[0] == 0x10 and received[2:8] == b"\x00\x04MQTT"
    return received[9]


def _run(ctx: ProbeContext) -> ProbeResult:
    [result] = asyncio.run(mqtt.probe(ctx))
    return result


def _run_against_fake(env: dict[str, str], return_code: int = 5) -> tuple[ProbeResult, bytes]:
    async def scenario() -> tuple[ProbeResult, bytes]:
        async with _serve(script=_connack(return_code)) as (port, received):
            [result] = await mqtt.probe(_ctx(port, env))
            return result, bytes(received)

    return asyncio.run(scenario())


def test_registered() -> None:
    assert get_probe("mqtt") is mqtt.probe


def test_connack_accepted() -> None:
    host, port = require_service("mqtt")
    result = _run(_ctx(port, {"TELEMETRY_MQTT_URL": f"mqtt://{host}:{port}"}))
    assert result.ok is True, result.message
    assert result.connected and set(result.phases_ms) == {"connect"}
    assert "anonymous" in result.message


@pytest.mark.parametrize("return_code", [4, 5])  # bad user name or password, not authorized
def test_refused_credentials_are_auth_and_come_from_the_env(return_code: int) -> None:
    result, received = _run_against_fake({"TELEMETRY_MQTT_URL": "mqtt://envuser:envsecret@h:1"}, return_code)
    assert _connect_flags(received) & 0xC0 == 0xC0  # user name and password flags
    assert b"envuser" in received and b"envsecret" in received
    assert result.ok is False and result.error_kind is ErrorKind.AUTH, result.message
    assert result.connected and "envsecret" not in result.message


def test_without_the_env_var_the_doc_example_is_not_sent() -> None:
    result, received = _run_against_fake({})
    assert _connect_flags(received) & 0xC0 == 0  # anonymous
    assert b"docsecret" not in received and b"sensors" not in received
    assert result.error_kind is ErrorKind.AUTH


def test_other_negative_connack_is_protocol_not_refused() -> None:
    result, _ = _run_against_fake({}, return_code=3)  # server unavailable
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL, result.message
    assert "CONNACK" in result.message


def test_mqtts_to_a_plain_port_is_tls() -> None:
    _, port = require_service("mqtt")
    result = _run(_ctx(port, scheme="mqtts"))
    assert result.ok is False and result.error_kind is ErrorKind.TLS, result.message


def test_closed_port_is_refused() -> None:
    result = _run(_ctx(_free_port()))
    assert result.ok is False and result.error_kind is ErrorKind.REFUSED
    assert not result.connected


def test_silent_listener_times_out_at_the_deadline() -> None:
    async def scenario() -> ProbeResult:
        async with _serve() as (port, _):
            [result] = await mqtt.probe(_ctx(port, timeout=0.5))
            return result

    started = time.perf_counter()
    result = asyncio.run(scenario())
    elapsed = time.perf_counter() - started
    assert result.ok is False and result.error_kind is ErrorKind.TIMEOUT
    assert 0.45 <= elapsed <= 1.5 and 450 <= result.duration_ms <= 1500


def test_garbage_is_protocol_at_once() -> None:
    async def scenario() -> ProbeResult:
        async with _serve(JUNK, hang_up=True) as (port, _):
            [result] = await mqtt.probe(_ctx(port))
            return result

    started = time.perf_counter()
    result = asyncio.run(scenario())
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL, result.message
    assert time.perf_counter() - started < 1.0  # not at aiomqtt's timeout


def test_missing_driver_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiomqtt", None)
    result = _run(_ctx(1883))
    assert result.skipped and "pip install 'wiremap[probes]'" in result.message
