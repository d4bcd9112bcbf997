"""The Redis probe against the real server (no password) and small fake servers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import time
from collections.abc import AsyncIterator

import pytest

import wiremap
from tests.services import require_service
from wiremap.probes import redis
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target
from wiremap.probes.registry import get_probe

DOC = """# Integration: Cart Service → Cart Redis

**Protocol:** Redis

## Configuration

**Environment Variables:**
```bash
export CART_REDIS_URL={example}  # Redis URL with database number
```
"""
JUNK = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def _ctx(
    port: int,
    env: dict[str, str] | None = None,
    *,
    example: str = "redis://127.0.0.1:6379/0",
    timeout: float = 3.0,
) -> ProbeContext:
    integration = wiremap.parse_text(DOC.format(example=example), "x.md").integration
    return ProbeContext(integration, Target("127.0.0.1", port), timeout, env=env or {})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


class _Peer(asyncio.Protocol):
    def __init__(self, greeting: bytes) -> None:
        self.greeting = greeting

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if self.greeting:  # write it and hang up, as an HTTP server does with bytes it cannot parse
            transport.write(self.greeting)
            transport.close()


@contextlib.asynccontextmanager
async def _serve(greeting: bytes = b"") -> AsyncIterator[int]:
    """A local server that never answers, or that writes ``greeting`` and hangs up."""
    peers: list[_Peer] = []

    def factory() -> _Peer:
        peers.append(_Peer(greeting))
        return peers[-1]

    server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for peer in peers:
            if hasattr(peer, "transport"):
                peer.transport.abort()
        server.close()
        await server.wait_closed()


def _run(ctx: ProbeContext) -> ProbeResult:
    [result] = asyncio.run(redis.probe(ctx))
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
