"""The WebSocket probe against real ``websockets`` servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import ssl
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from http import HTTPStatus
from pathlib import Path

import pytest

from wiremap import parse_text
from wiremap.model import Integration
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target
from wiremap.probes.websocket import may_send, probe
from wiremap.protocols.websocket import url as _url
from wiremap.verify.targets import resolve_target

from ._fakes import self_signed_cert as _self_signed

pytest.importorskip("websockets.asyncio.server")
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

TOKEN = "s3cret"
REQUEST = '{"type": "publish", "channel": "user:u_1", "event": "order.created"}'
RESPONSE_JSON = '{"type": "ack", "event": "order.created", "delivered": 2}'
DOC = """# Integration: Notifier → Gateway

**Protocol:** WebSocket
**Destination:** Gateway (127.0.0.1:{port})

## Request Format

**Endpoint:** `ws://127.0.0.1:{port}{path}`
{examples}
## Configuration

**Connection String:**
```
ws://127.0.0.1:{port}{path} (Authorization: Bearer $GW_TOKEN)
```
"""
EXAMPLES = """
**Request:**
```json
{request}
```

**Response:**
```{language}
{response}
```
"""
REPLIES: dict[str, str | None] = {
    "/ok": '{"type": "ack", "event": "order.created", "delivered": 3, "extra": true}',
    "/private": '{"type": "ack", "event": "order.created", "delivered": 3}',
    "/drift": '{"type": "ack", "event": 42}',
    "/text": "published, thanks",
    "/silent": None,
}


async def _handler(ws: ServerConnection) -> None:
    path = ws.request.path if ws.request else "/"
    async for _message in ws:
        if path == "/close":
            await ws.close(1011, "boom")
            return
        reply = REPLIES.get(path)
        if reply is not None:
            await ws.send(reply)


def _process_request(connection: ServerConnection, request: Request) -> Response | None:
    path = request.path.partition("?")[0]
    if path == "/private" and request.headers.get("Authorization") != f"Bearer {TOKEN}":
        return connection.respond(HTTPStatus.FORBIDDEN, "forbidden\n")
    if path == "/missing":
        return connection.respond(HTTPStatus.NOT_FOUND, "no such stream\n")
    return None


def _with_server(fn: Callable[[int], Awaitable[list[ProbeResult]]]) -> list[ProbeResult]:
    async def main() -> list[ProbeResult]:
        async with serve(_handler, "127.0.0.1", 0, process_request=_process_request) as server:
            port: int = server.sockets[0].getsockname()[1]
            return await fn(port)

    return asyncio.run(main())


def _doc_ctx(
    port: int,
    path: str,
    *,
    examples: bool = True,
    language: str = "json",
    response: str = RESPONSE_JSON,
    timeout_s: float = 2.0,
    env: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
) -> ProbeContext:
    ex = EXAMPLES.format(request=REQUEST, language=language, response=response) if examples else ""
    integ = parse_text(DOC.format(port=port, path=path, examples=ex), "gw.md").integration
    target = resolve_target(integ, {}, {})
    assert target is not None
    if host != "127.0.0.1":  # the same doc, probed at another address (as with --target)
        target = Target(host, port, "ws", f"ws://{host}:{port}{path}", path, explicit=True)
    return ProbeContext(integ, target, timeout_s, {}, env or {})


def _by_name(results: list[ProbeResult]) -> dict[str, ProbeResult]:
    return {r.name: r for r in results}


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts TCP connections (the kernel's backlog) and never speaks."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_handshake_and_reply_of_the_documented_shape() -> None:
    async def run(port: int) -> list[ProbeResult]:
        return await probe(_doc_ctx(port, "/ok"))

    results = _with_server(run)
    assert [r.name for r in results] == ["websocket", "contract"]
    ws, contract = results
    assert ws.ok is True and ws.connected and "handshake" in ws.phases_ms
    assert contract.ok is True and contract.connected and "reply" in contract.phases_ms


def test_reply_shape_drift_is_a_contract_failure_with_the_paths() -> None:
    results = _by_name(_with_server(lambda port: probe(_doc_ctx(port, "/drift"))))
    assert results["websocket"].ok is True
    contract = results["contract"]
    assert contract.ok is False and contract.error_kind is ErrorKind.CONTRACT
    assert "$.event: expected string, got number" in contract.message
    assert "$.delivered: missing" in contract.message


def test_reply_that_is_not_json_is_a_contract_failure() -> None:
    contract = _by_name(_with_server(lambda port: probe(_doc_ctx(port, "/text"))))["contract"]
    assert contract.ok is False and contract.error_kind is ErrorKind.CONTRACT
    assert "the reply is not: 'published, thanks'" in contract.message


def test_text_response_example_accepts_any_reply() -> None:
    def run(port: int) -> Awaitable[list[ProbeResult]]:
        return probe(_doc_ctx(port, "/text", language="text", response="published"))

    contract = _by_name(_with_server(run))["contract"]
    assert contract.ok is True, contract.message


def test_without_examples_only_the_handshake_is_checked() -> None:
    results = _with_server(lambda port: probe(_doc_ctx(port, "/ok", examples=False)))
    assert [(r.name, r.ok) for r in results] == [("websocket", True)]


@pytest.mark.parametrize(
    ("examples", "allow_writes", "checks"),
    [
        (
            True,
            False,
            [("websocket", None)],
        ),  # serve without --allow-writes: the exchange is not checked at all
        (True, True, [("websocket", True), ("contract", False)]),
        (False, False, [("websocket", True)]),  # nothing to send: the handshake is the check
    ],
)
def test_repeated_probes_send_the_request_only_when_allowed_and_never_say_up_on_the_handshake_alone(
    examples: bool, allow_writes: bool, checks: list[tuple[str, bool | None]]
) -> None:
    def run(port: int) -> Awaitable[list[ProbeResult]]:
        ctx = dataclasses.replace(
            _doc_ctx(port, "/drift", examples=examples), repeated=True, allow_writes=allow_writes
        )
        return probe(ctx)

    results = _with_server(run)
    assert [(r.name, None if r.skipped else r.ok) for r in results] == checks
    if not allow_writes and examples:
        assert "needs the runner's --allow-writes" in results[0].message


def test_no_reply_ends_before_the_deadline_and_keeps_the_handshake() -> None:
    async def run(port: int) -> list[ProbeResult]:
        ctx = _doc_ctx(port, "/silent", timeout_s=0.5)
        async with asyncio.timeout(ctx.timeout_s):  # the engine's bound: results must come back within it
            return await probe(ctx)

    started = time.perf_counter()
    results = _by_name(_with_server(run))
    assert 0.3 <= time.perf_counter() - started <= 1.0
    assert results["websocket"].ok is True
    contract = results["contract"]
    assert contract.ok is False and contract.error_kind is ErrorKind.TIMEOUT


def test_server_closing_instead_of_replying_is_protocol() -> None:
    contract = _by_name(_with_server(lambda port: probe(_doc_ctx(port, "/close"))))["contract"]
    assert contract.ok is False and contract.error_kind is ErrorKind.PROTOCOL
    assert "1011" in contract.message


def test_rejected_handshake_is_auth_and_the_token_comes_from_the_env() -> None:
    async def run(port: int) -> list[ProbeResult]:
        without = await probe(_doc_ctx(port, "/private"))
        with_token = await probe(_doc_ctx(port, "/private", env={"GW_TOKEN": TOKEN}))
        return without + with_token

    rejected, *accepted = _with_server(run)
    assert rejected.name == "websocket" and rejected.ok is False and rejected.connected
    assert rejected.error_kind is ErrorKind.AUTH
    assert "HTTP 403" in rejected.message and "$GW_TOKEN is not set" in rejected.message
    assert [(r.name, r.ok) for r in accepted] == [("websocket", True), ("contract", True)]


def test_other_rejection_status_is_protocol_and_the_message_hides_the_query() -> None:
    def run(port: int) -> Awaitable[list[ProbeResult]]:
        integ = Integration(id="a-to-b", path="a-to-b.md", protocol="websocket")
        url = f"ws://user:pw@127.0.0.1:{port}/missing?token=hunter2"
        return probe(ProbeContext(integ, Target("127.0.0.1", port, "ws", url, "/missing?token=hunter2"), 2.0))

    (res,) = _with_server(run)
    assert res.ok is False and res.error_kind is ErrorKind.PROTOCOL and "HTTP 404" in res.message
    assert "/missing" in res.message and "hunter2" not in res.message and "pw" not in res.message


def test_wss_to_a_plain_port_is_tls() -> None:
    def run(port: int) -> Awaitable[list[ProbeResult]]:
        integ = Integration(id="a-to-b", path="a-to-b.md", protocol="websocket")
        return probe(ProbeContext(integ, Target("127.0.0.1", port, "wss", f"wss://127.0.0.1:{port}/ok"), 2.0))

    (res,) = _with_server(run)
    assert res.ok is False and res.error_kind is ErrorKind.TLS, res.message


def test_wss_with_a_private_ca(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="websocket")

    async def main() -> list[ProbeResult]:
        async with serve(_handler, "127.0.0.1", 0, ssl=server_tls) as server:
            port: int = server.sockets[0].getsockname()[1]
            wss = Target("127.0.0.1", port, "wss", f"wss://127.0.0.1:{port}/ok", "/ok")
            ws = Target("127.0.0.1", port, "ws", f"ws://127.0.0.1:{port}/ok", "/ok")
            trusted = await probe(ProbeContext(integ, wss, 2.0, {"ca_bundle": str(cert)}))
            untrusted = await probe(ProbeContext(integ, wss, 2.0))
            plaintext = await probe(ProbeContext(integ, ws, 2.0))
            return trusted + untrusted + plaintext

    trusted, untrusted, plaintext = asyncio.run(main())
    assert trusted.ok is True, trusted.message
    assert untrusted.ok is False and untrusted.error_kind is ErrorKind.TLS, untrusted.message
    assert plaintext.ok is False and plaintext.error_kind is ErrorKind.PROTOCOL
    assert "TLS-only" in plaintext.message


def test_refused(closed_port: int) -> None:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="websocket")
    (res,) = asyncio.run(probe(ProbeContext(integ, Target("127.0.0.1", closed_port), 2.0)))
    assert res.ok is False and not res.connected and res.error_kind is ErrorKind.REFUSED, res.message
    assert res.message == f"connection to 127.0.0.1:{closed_port} refused"


def test_silent_listener_ends_at_the_deadline(silent_port: int) -> None:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="websocket")
    started = time.perf_counter()
    (res,) = asyncio.run(probe(ProbeContext(integ, Target("127.0.0.1", silent_port), 0.5)))
    elapsed = time.perf_counter() - started
    assert res.ok is False and res.error_kind is ErrorKind.TIMEOUT, res.message
    assert 0.45 <= elapsed <= 1.0


@pytest.mark.parametrize(
    ("host", "explicit", "allow_writes", "sent"),
    [
        ("127.0.0.1", False, False, True),
        ("::1", False, False, True),
        ("gateway.prod.example", False, False, False),
        ("gateway.prod.example", True, False, True),
        ("gateway.prod.example", False, True, True),
    ],
)
def test_request_example_is_sent_only_where_safe(
    host: str, explicit: bool, allow_writes: bool, sent: bool
) -> None:
    # decided before any connection: no traffic leaves loopback in this test
    integ = _doc_ctx(1, "/ok").integration
    ctx = ProbeContext(integ, Target(host, 443, "wss", None, None, explicit), 1.0, {}, {}, allow_writes)
    assert may_send(ctx) is sent


@pytest.mark.parametrize(
    ("target", "endpoint", "tls", "expected"),
    [
        (Target("h", 81, "ws", "ws://h:81/a?b=1", "/a?b=1"), None, False, "ws://h:81/a?b=1"),
        (Target("h", 443, "https", "https://h/x", "/x"), None, False, "wss://h/x"),
        (
            Target("h", 9000, "tcp", "tcp://h:9000", None, True),
            "wss://prod:443/v1/s",
            False,
            "wss://h:9000/v1/s",
        ),
        (Target("h", 9000), "GET /v1/stream", False, "ws://h:9000/v1/stream"),
        (Target("h", 9000), "Subscribe to prices", True, "wss://h:9000/"),
        (Target("::1", 9000), None, False, "ws://[::1]:9000/"),
        # a ws target without a path keeps the documented path, as HTTP does (it probed "/": round 47)
        (Target("h", 22005, "ws", "ws://h:22005", None, True), "/v1/quotes", False, "ws://h:22005/v1/quotes"),
        (
            Target("h", 22005, "wss", "wss://h:22005", None, True),
            "ws://prod/v1/q",
            False,
            "wss://h:22005/v1/q",
        ),
        (Target("h", 22005, "ws", "ws://h:22005/", "/", True), "/v1/quotes", False, "ws://h:22005/"),
        # the doc says WSS, its Endpoint ws://: the doc's TLS holds (a plaintext server passed: round 56)
        (Target("h", 22005, "ws", "ws://h:22005/q", "/q"), None, True, "wss://h:22005/q"),
        (Target("h", 22005), "ws://prod/v1/q", True, "wss://h:22005/v1/q"),
        # ... unless the runner's own target says ws://
        (Target("h", 22005, "ws", "ws://h:22005/q", "/q", True), None, True, "ws://h:22005/q"),
    ],
)
def test_url(target: Target, endpoint: str | None, tls: bool, expected: str) -> None:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="websocket", endpoint=endpoint, tls=tls)
    assert _url(ProbeContext(integ, target, 1.0)) == expected


def test_missing_driver_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "websockets.asyncio.client", None)
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="websocket")
    (res,) = asyncio.run(probe(ProbeContext(integ, Target("127.0.0.1", 1), 1.0)))
    assert res.skipped and res.message == "driver not installed: pip install 'wiremap[probes]'"


def test_an_http10_answer_is_said_as_it_is_not_as_a_tls_port() -> None:
    """Found by a new user: Python's http.server answering 'HTTP/1.0 404' was reported as 'did not
    receive a valid HTTP response (a TLS-only port? the URL is ws://)'."""
    import threading
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="websocket")
    target = Target("127.0.0.1", port, "ws", f"ws://127.0.0.1:{port}/ws", "/ws")
    try:
        [result] = asyncio.run(probe(ProbeContext(integ, target, 2.0, {})))
    finally:
        server.shutdown()
        server.server_close()
    assert result.ok is False and "TLS-only" not in result.message
    assert "HTTP/1.0 404" in result.message


def test_serve_without_writes_still_makes_the_handshake_so_a_dead_destination_is_down() -> None:
    """serve called a WebSocket destination with nothing listening "skipped (not checked)" while verify
    said refused (new user, round 17): the handshake is made; only the exchange is not checked."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ctx = dataclasses.replace(_doc_ctx(port, "/drift", examples=True), repeated=True, allow_writes=False)
    [result] = asyncio.run(probe(ctx))
    assert result.ok is False and result.error_kind is ErrorKind.REFUSED
