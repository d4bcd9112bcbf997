"""The Redis probe against the real server (no password) and small fake servers."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

import wiremap
from tests.services import require_service
from wiremap.probes import redis
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target
from wiremap.probes.registry import get_probe

from ._fakes import JUNK
from ._fakes import free_port as _free_port
from ._fakes import serve_port as _serve

DOC = """# Integration: Cart Service → Cart Redis

**Protocol:** Redis

## Configuration

**Environment Variables:**
```bash
export CART_REDIS_URL={example}  # Redis URL with database number
```
"""


def _ctx(
    port: int,
    env: dict[str, str] | None = None,
    *,
    example: str = "redis://127.0.0.1:6379/0",
    timeout: float = 3.0,
) -> ProbeContext:
    integration = wiremap.parse_text(DOC.format(example=example), "x.md").integration
    return ProbeContext(integration, Target("127.0.0.1", port), timeout, env=env or {})


def _run(ctx: ProbeContext) -> ProbeResult:
    result, *rest = asyncio.run(redis.probe(ctx))
    # besides the check, only the doc's credentials said as not checked (its URL not set here)
    assert all(r.ok is None and r.name == f"{result.name} credentials" for r in rest), rest
    return result


def test_registered() -> None:
    assert get_probe("redis") is redis.probe


def test_ping_with_the_url_from_the_env_var_the_doc_names() -> None:
    host, port = require_service("redis")
    result = _run(_ctx(port, {"CART_REDIS_URL": f"redis://{host}:{port}/1"}))
    assert result.ok is True, result.message
    assert result.connected and set(result.phases_ms) == {"connect", "ping"}
    assert "db 1" in result.message


@pytest.mark.parametrize(
    "url",
    [
        "redis://:wiremap-wrong-pass@{host}:{port}/0",  # AUTH <password>: no password configured
        "redis://wiremap-nobody:wiremap-wrong-pass@{host}:{port}/0",  # AUTH <user> <password>: WRONGPASS
    ],
)
def test_password_the_server_does_not_accept_is_auth(url: str) -> None:
    host, port = require_service("redis")
    result = _run(_ctx(port, {"CART_REDIS_URL": url.format(host=host, port=port)}))
    assert result.ok is False and result.error_kind is ErrorKind.AUTH, result.message
    assert result.connected
    assert "wiremap-wrong-pass" not in result.message and "$CART_REDIS_URL" in result.message


def test_without_the_env_var_the_doc_example_password_is_not_sent() -> None:
    # Sending the doc's password to this password-less server would fail (previous test): it is not sent.
    _, port = require_service("redis")
    result = _run(_ctx(port, example="redis://:docsecret@127.0.0.1:6379/0"))
    assert result.ok is True, result.message


def test_database_that_is_not_a_number_is_reported() -> None:
    result = _run(_ctx(_free_port(), {"CART_REDIS_URL": "redis://127.0.0.1:6379/carts"}))
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL
    assert "'carts'" in result.message


def test_closed_port_is_refused() -> None:
    result = _run(_ctx(_free_port()))
    assert result.ok is False and result.error_kind is ErrorKind.REFUSED
    assert not result.connected


def test_silent_listener_times_out_at_the_deadline() -> None:
    async def scenario() -> ProbeResult:
        async with _serve() as port:
            [result] = await redis.probe(_ctx(port, timeout=0.5))
            return result

    started = time.perf_counter()
    result = asyncio.run(scenario())
    elapsed = time.perf_counter() - started
    assert result.ok is False and result.error_kind is ErrorKind.TIMEOUT
    assert 0.45 <= elapsed <= 1.5 and 450 <= result.duration_ms <= 1500


def test_tls_to_a_silent_plain_port_is_tls_not_a_timeout() -> None:
    """Round 56: "Redis over TLS" against a plaintext port was a timeout; the handshake never came."""
    doc = DOC.format(example="redis://127.0.0.1:6379/0").replace(
        "**Protocol:** Redis", "**Protocol:** Redis over TLS"
    )
    integration = wiremap.parse_text(doc, "x.md").integration
    assert integration.tls is True

    async def scenario() -> ProbeResult:
        async with _serve() as port:
            [result] = await redis.probe(ProbeContext(integration, Target("127.0.0.1", port), 0.5))
            return result

    result = asyncio.run(scenario())
    assert result.ok is False and result.error_kind is ErrorKind.TLS, result
    assert "the port accepts TCP; does it speak TLS?" in result.message


def test_garbage_is_protocol() -> None:
    async def scenario() -> ProbeResult:
        async with _serve(JUNK) as port:
            [result] = await redis.probe(_ctx(port))
            return result

    result = asyncio.run(scenario())
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL, result.message
    assert "not a Redis server" in result.message


def test_missing_driver_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    result = _run(_ctx(6379))
    assert result.skipped and "pip install 'wiremap[probes]'" in result.message


def test_an_http_server_on_the_redis_port_is_said_to_be_no_redis() -> None:
    """A doc's Redis port served HTTP: the probe said "protocol: ConnectionError: Connection closed by
    server." (new user, round 21)."""
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = _run(_ctx(server.server_address[1]))
    finally:
        server.shutdown()
        server.server_close()
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL, result.message
    assert "not a Redis server" in result.message, result.message
