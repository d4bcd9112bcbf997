"""The NATS probe against the real server (no auth) and small scripted fake servers.

The real server has no authorization configured and accepts any user, password or token, so the
``auth`` case runs against a fake server that speaks just enough NATS to refuse the CONNECT.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import pytest

import wiremap
from tests.services import require_service
from wiremap.probes import nats
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target
from wiremap.probes.registry import get_probe

from ._fakes import JUNK
from ._fakes import free_port as _free_port
from ._fakes import serve as _serve

DOC = """# Integration: Checkout Service → Order Events

**Protocol:** NATS

## Configuration

**Environment Variables:**
```bash
export ORDER_EVENTS_NATS_URL={example}  # NATS URL with credentials
```
"""
DOC_EXAMPLE = "nats://checkout:docsecret@127.0.0.1:4222"
INFO = (
    b'INFO {"server_id":"FAKE","version":"2.10.0","proto":1,"max_payload":1048576,"auth_required":true}\r\n'
)


def _ctx(
    port: int, env: dict[str, str] | None = None, *, scheme: str | None = None, timeout: float = 3.0
) -> ProbeContext:
    integration = wiremap.parse_text(DOC.format(example=DOC_EXAMPLE), "x.md").integration
    return ProbeContext(integration, Target("127.0.0.1", port, scheme), timeout, env=env or {})


def _refuse_after_connect(received: bytes, transport: asyncio.Transport) -> None:
    """What nats-server answers to CONNECT + PING with credentials it does not accept."""
    if received.endswith(b"PING\r\n"):
        transport.write(b"-ERR 'Authorization Violation'\r\n")
        transport.close()


def _connect_options(received: bytes) -> dict[str, Any]:
    line = next(x for x in received.split(b"\r\n") if x.startswith(b"CONNECT "))
    options: dict[str, Any] = json.loads(line[len(b"CONNECT ") :])
    return options


def _run(ctx: ProbeContext) -> ProbeResult:
    [result] = asyncio.run(nats.probe(ctx))
    return result


def _run_against_fake(env: dict[str, str]) -> tuple[ProbeResult, bytes]:
    async def scenario() -> tuple[ProbeResult, bytes]:
        async with _serve(INFO, script=_refuse_after_connect) as (port, received):
            [result] = await nats.probe(_ctx(port, env))
            return result, bytes(received)

    return asyncio.run(scenario())


def test_registered() -> None:
    assert get_probe("nats") is nats.probe


def test_flush_round_trip() -> None:
    host, port = require_service("nats")
    result = _run(_ctx(port, {"ORDER_EVENTS_NATS_URL": f"nats://{host}:{port}"}))
    assert result.ok is True, result.message
    assert result.connected and set(result.phases_ms) == {"connect", "flush"}
    assert "NATS server" in result.message


def test_refused_credentials_are_auth_and_come_from_the_env() -> None:
    result, received = _run_against_fake({"ORDER_EVENTS_NATS_URL": "nats://envuser:envsecret@h:1"})
    options = _connect_options(received)
    assert (options.get("user"), options.get("pass")) == ("envuser", "envsecret")
    assert result.ok is False and result.error_kind is ErrorKind.AUTH, result.message
    assert result.connected and "envsecret" not in result.message


def test_url_with_only_a_user_part_is_a_token() -> None:
    result, received = _run_against_fake({"ORDER_EVENTS_NATS_URL": "nats://envtoken@h:1"})
    assert _connect_options(received).get("auth_token") == "envtoken"
    assert result.error_kind is ErrorKind.AUTH and "envtoken" not in result.message


def test_without_the_env_var_the_doc_example_is_not_sent() -> None:
    result, received = _run_against_fake({})
    options = _connect_options(received)
    assert b"docsecret" not in received and b"checkout" not in received
    assert not {"user", "pass", "auth_token"} & set(options)
    assert result.error_kind is ErrorKind.AUTH


def test_tls_target_on_a_server_without_tls_is_tls() -> None:
    # nats-py would carry on in plaintext; the probe reports it.
    _, port = require_service("nats")
    result = _run(_ctx(port, scheme="tls"))
    assert result.ok is False and result.error_kind is ErrorKind.TLS, result.message


def test_closed_port_is_refused_at_once() -> None:
    started = time.perf_counter()
    result = _run(_ctx(_free_port()))
    assert result.ok is False and result.error_kind is ErrorKind.REFUSED, result.message
    assert not result.connected
    assert time.perf_counter() - started < 1.0  # no reconnect loop


def test_silent_listener_times_out_at_the_deadline() -> None:
    async def scenario() -> ProbeResult:
        async with _serve() as (port, _):
            [result] = await nats.probe(_ctx(port, timeout=0.5))
            return result

    started = time.perf_counter()
    result = asyncio.run(scenario())
    elapsed = time.perf_counter() - started
    assert result.ok is False and result.error_kind is ErrorKind.TIMEOUT
    assert 0.45 <= elapsed <= 1.5 and 450 <= result.duration_ms <= 1500


def test_garbage_is_protocol() -> None:
    async def scenario() -> ProbeResult:
        async with _serve(JUNK, hang_up=True) as (port, _):
            [result] = await nats.probe(_ctx(port))
            return result

    result = asyncio.run(scenario())
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL, result.message
    assert "not a NATS server" in result.message


def test_missing_driver_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nats", None)
    result = _run(_ctx(4222))
    assert result.skipped and "pip install 'wiremap[probes]'" in result.message
