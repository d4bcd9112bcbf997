"""The AMQP probe against the real RabbitMQ (guest/guest on vhost /) and small fake servers."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

import wiremap
from tests.services import require_service
from wiremap.probes import amqp
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target
from wiremap.probes.registry import get_probe

from ._fakes import JUNK
from ._fakes import free_port as _free_port
from ._fakes import serve_port as _serve

DOC = """# Integration: Checkout Service → Order Events Broker

**Protocol:** AMQP 0-9-1

## Configuration

**Environment Variables:**
```bash
export ORDER_EVENTS_AMQP_URL={example}  # broker URL, user and vhost
```
"""


def _ctx(
    port: int,
    env: dict[str, str] | None = None,
    *,
    example: str = "amqp://checkout@127.0.0.1:5672/shop",
    scheme: str | None = None,
    timeout: float = 3.0,
) -> ProbeContext:
    integration = wiremap.parse_text(DOC.format(example=example), "x.md").integration
    return ProbeContext(integration, Target("127.0.0.1", port, scheme), timeout, env=env or {})


def _run(ctx: ProbeContext) -> ProbeResult:
    result, *rest = asyncio.run(amqp.probe(ctx))
    # besides the check, only the doc's credentials said as not checked (its URL not set here)
    assert all(r.ok is None and r.name == f"{result.name} credentials" for r in rest), rest
    return result


def test_registered() -> None:
    assert get_probe("amqp") is amqp.probe


def test_channel_opens_with_credentials_from_the_env_var_the_doc_names() -> None:
    host, port = require_service("amqp")
    result = _run(_ctx(port, {"ORDER_EVENTS_AMQP_URL": f"amqp://guest:guest@{host}:{port}/%2F"}))
    assert result.ok is True, result.message
    assert result.connected and set(result.phases_ms) == {"connect", "channel"}
    # the user name of an env URL is never shown (a token often stands there), only where it came from
    assert "the user of $ORDER_EVENTS_AMQP_URL on vhost '/'" in result.message
    assert "guest" not in result.message


def test_wrong_password_is_auth() -> None:
    host, port = require_service("amqp")
    result = _run(_ctx(port, {"ORDER_EVENTS_AMQP_URL": f"amqp://guest:wiremap-wrong@{host}:{port}/"}))
    assert result.ok is False and result.error_kind is ErrorKind.AUTH, result.message
    assert result.connected
    assert "ACCESS_REFUSED" in result.message and "wiremap-wrong" not in result.message


def test_without_the_env_var_the_doc_example_is_not_used() -> None:
    # The doc's guest:docsecret would be refused (previous test); the probe logs in as aio-pika's guest.
    _, port = require_service("amqp")
    result = _run(_ctx(port, example="amqp://guest:docsecret@127.0.0.1:5672/shop"))
    assert result.ok is True, result.message
    assert "vhost '/'" in result.message


def test_unknown_vhost_is_protocol_with_a_clear_message() -> None:
    host, port = require_service("amqp")
    env = {"ORDER_EVENTS_AMQP_URL": f"amqp://guest:guest@{host}:{port}/wiremap-no-such-vhost"}
    result = _run(_ctx(port, env))
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL, result.message
    assert "virtual host 'wiremap-no-such-vhost'" in result.message


def test_amqps_to_a_plain_port_is_tls() -> None:
    _, port = require_service("amqp")
    result = _run(_ctx(port, scheme="amqps"))
    assert result.ok is False and result.error_kind is ErrorKind.TLS, result.message


def test_closed_port_is_refused() -> None:
    result = _run(_ctx(_free_port()))
    assert result.ok is False and result.error_kind is ErrorKind.REFUSED
    assert not result.connected


def test_silent_listener_times_out_at_the_deadline() -> None:
    async def scenario() -> ProbeResult:
        async with _serve() as port:
            [result] = await amqp.probe(_ctx(port, timeout=0.5))
            return result

    started = time.perf_counter()
    result = asyncio.run(scenario())
    elapsed = time.perf_counter() - started
    assert result.ok is False and result.error_kind is ErrorKind.TIMEOUT
    assert 0.45 <= elapsed <= 1.5 and 450 <= result.duration_ms <= 1500


def test_garbage_is_protocol() -> None:
    async def scenario() -> ProbeResult:
        async with _serve(JUNK) as port:
            [result] = await amqp.probe(_ctx(port))
            return result

    result = asyncio.run(scenario())
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL, result.message


def test_missing_driver_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aio_pika.connection", None)
    result = _run(_ctx(5672))
    assert result.skipped and "pip install 'wiremap[probes]'" in result.message
