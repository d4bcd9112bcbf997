"""The HTTP probe and the http1 client against real servers on 127.0.0.1 (aiohttp and raw asyncio)."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests._paths import EXAMPLE_DOCS
from tests.probes.http_server import ServerThread, canned, free_port, self_signed_cert
from wiremap import http1, parse_text
from wiremap.model import Integration, Payload
from wiremap.probes import http as http_probe
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target, Timer

SEARCH_DOC = {
    "hits": {"total": {"value": 10}, "items": [{"id": "a", "score": 1.5}]},
    "took": 3,
    "status": "ok",
}
SEARCH_LIVE = {
    "hits": {
        "total": {"value": "10"},
        "items": [{"id": "a", "score": 1.0}, {"id": 7, "score": 2}, {"score": 3}],
    },
    "took": 3,
}
CHARGE = {"id": "ch_1", "status": "succeeded", "amount": 4998, "currency": "EUR"}


# ---------------------------------------------------------------------------------------------
# Servers


def _app(seen: list[dict[str, Any]]) -> web.Application:
    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def charges(request: web.Request) -> web.Response:
        seen.append({"headers": dict(request.headers), "body": await request.read()})
        return web.json_response(CHARGE, status=201)

    async def cart(request: web.Request) -> web.Response:
        return web.json_response({"user_id": request.match_info["user"], "items": []})

    async def search(request: web.Request) -> web.Response:
        return web.json_response(SEARCH_LIVE)

    async def text(request: web.Request) -> web.Response:
        return web.Response(text="<html>hello</html>", content_type="text/html")

    async def empty(request: web.Request) -> web.Response:
        return web.Response(body=b"", content_type="application/json")

    async def gzipped(request: web.Request) -> web.Response:
        import gzip

        body = gzip.compress(json.dumps({"a": 1}).encode())
        return web.Response(body=body, content_type="application/json", headers={"Content-Encoding": "gzip"})

    async def moved(request: web.Request) -> web.Response:
        return web.Response(status=301, text="moved", headers={"Location": "/elsewhere"})

    async def nan(request: web.Request) -> web.Response:
        return web.Response(body=b'{"a": NaN}', content_type="application/json")

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="status")

    async def secret(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer s3cret":
            return web.Response(status=401, text="who are you")
        return web.json_response(CHARGE)

    async def root(request: web.Request) -> web.Response:
        return web.Response(text="root")

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        seen.append({"request_line": f"{request.method} {request.raw_path}"})
        response: web.StreamResponse = await handler(request)
        return response

    app = web.Application(middlewares=[record])
    app.router.add_get("/", root)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/v1/charges", charges)
    app.router.add_get("/v1/carts/{user}", cart)
    app.router.add_get("/search", search)
    app.router.add_get("/text", text)
    app.router.add_get("/empty", empty)
    app.router.add_get("/nan", nan)
    app.router.add_get("/gzipped", gzipped)
    app.router.add_get("/moved", moved)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/secret", secret)
    return app


class Servers:
    def __init__(self, thread: ServerThread, cert: tuple[Path, Path] | None) -> None:
        self.seen: list[dict[str, Any]] = []
        self.thread = thread
        self.web = thread.aiohttp(_app(self.seen))
        self.cert = cert
        self.sni: list[str | None] = []
        self.tls: int | None = None
        if cert is not None:
            server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            server_ctx.load_cert_chain(str(cert[0]), str(cert[1]))
            server_ctx.sni_callback = lambda _sock, name, _ctx: self.sni.append(name)  # type: ignore[assignment,misc,return-value]
            self.tls = thread.aiohttp(_app(self.seen), ssl_context=server_ctx)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    thread = ServerThread()
    try:
        yield Servers(thread, self_signed_cert(tmp_path_factory.mktemp("tls")))
    finally:
        thread.close()


@pytest.fixture(scope="module")
def raw(servers: Servers) -> ServerThread:
    return servers.thread


# ---------------------------------------------------------------------------------------------
# Helpers


def _payload(value: Any) -> Payload:
    return Payload(language="json", text=json.dumps(value, indent=2), json_value=value)


def make_ctx(
    endpoint: str | None,
    port: int | None,
    *,
    host: str = "127.0.0.1",
    scheme: str | None = "http",
    path: str | None = None,
    explicit: bool = False,
    request: Any = None,
    response: Any = None,
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 2.0,
    allow_writes: bool = False,
    tls: bool = False,
) -> ProbeContext:
    integ = Integration(
        id="a-to-b",
        path="x.md",
        protocol="http",
        endpoint=endpoint,
        request=_payload(request) if request is not None else None,
        response=_payload(response) if response is not None else None,
        tls=tls,
    )
    target = Target(host, port, scheme, None, path, explicit)
    return ProbeContext(integ, target, timeout, settings or {}, env or {}, allow_writes)


def run_probe(ctx: ProbeContext) -> list[ProbeResult]:
    return asyncio.run(http_probe.probe(ctx))


def one(results: list[ProbeResult]) -> ProbeResult:
    assert len(results) == 1, results
    return results[0]


# ---------------------------------------------------------------------------------------------
# The probe: success and contract


def test_get_2xx_is_ok_with_phases(servers: Servers) -> None:
    r = one(run_probe(make_ctx("GET /healthz", servers.web)))
    assert r.ok is True and r.connected and r.error_kind is None
    assert r.message.startswith("GET /healthz -> 200 OK in ") and r.message.endswith(" ms")
    assert {"dns", "connect", "first_byte"} <= set(r.phases_ms)
    assert "tls" not in r.phases_ms
    assert 0 < r.duration_ms < 2000


def test_documented_post_is_sent_to_loopback_with_its_json_body(servers: Servers) -> None:
    doc = parse_text((EXAMPLE_DOCS / "checkout-service-to-payments-api.md").read_text(), "x.md")
    integ = doc.integration
    assert integ is not None and integ.request is not None
    target = Target("127.0.0.1", servers.web, "http", None, None, False)
    servers.seen.clear()
    http_check, contract = asyncio.run(http_probe.probe(ProbeContext(integ, target, 2.0)))
    assert http_check.ok is True, http_check
    assert http_check.message.startswith("POST /v1/charges -> 201 Created in ")
    # the live charge lacks order_id and created: the documented shape says they are there
    assert contract.ok is False and contract.error_kind is ErrorKind.CONTRACT
    assert contract.message == "$.order_id: missing; $.created: missing"
    _, seen = servers.seen
    assert seen["body"] == integ.request.text.encode()
    assert seen["headers"]["Content-Type"] == "application/json"
    assert seen["headers"]["Accept"] == "application/json"


def test_the_headers_a_request_example_documents_are_sent_but_never_credentials(servers: Servers) -> None:
    """``{"method": "POST", "path": …, "headers": {"Idempotency-Key": "order-1042"}, "body": …}``: the body
    was sent without the documented header and a true doc failed with 400 (new user, round 36). A
    credential, a ``$`` reference or a connection header of the doc's is never sent."""
    request = {
        "method": "POST",
        "path": "/v1/charges",
        "headers": {
            "Idempotency-Key": "order-1042",
            "Authorization": "Bearer sk_live_abcdefghijklmnop",
            "X-Api-Key": "k-12345",
            "X-Trace": "${TRACE_ID}",
            "Host": "evil.example",
        },
        "body": {"amount": 1},
    }
    servers.seen.clear()
    results = run_probe(make_ctx("POST /v1/charges", servers.web, request=request))
    assert results[0].ok is True, results
    _, seen = servers.seen
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert headers["idempotency-key"] == "order-1042"
    assert "authorization" not in headers and "x-api-key" not in headers and "x-trace" not in headers
    assert headers["host"].startswith("127.0.0.1")
    assert seen["body"] == b'{"amount": 1}'


def test_contract_ok(servers: Servers) -> None:
    results = run_probe(
        make_ctx("POST /v1/charges", servers.web, request={"amount": 1}, response={"id": "x", "amount": 0})
    )
    assert [(r.name, r.ok) for r in results] == [("http", True), ("contract", True)]
    assert results[1].message == "response has the documented shape"


def test_contract_mismatch_names_exact_paths(servers: Servers) -> None:
    http_check, contract = run_probe(make_ctx("GET /search", servers.web, response=SEARCH_DOC))
    assert http_check.ok is True
    assert contract.ok is False and contract.error_kind is ErrorKind.CONTRACT and contract.connected
    assert contract.message == (
        "$.hits.total.value: expected number, got string; "
        "$.hits.items[1].id: expected string, got number; "
        "$.hits.items[2].id: missing (and 1 more)"
    )


def test_contract_response_not_json(servers: Servers) -> None:
    _, contract = run_probe(make_ctx("GET /text", servers.web, response={"a": 1}))
    assert contract.ok is False and contract.error_kind is ErrorKind.CONTRACT
    assert contract.message.startswith("response is not JSON")
    assert "text/html" in contract.message


def test_contract_nan_is_not_json(servers: Servers) -> None:
    """``{"a": NaN}`` passed the contract check: Python's parser takes it, JSON and strict clients do not
    (new user, round 43)."""
    _, contract = run_probe(make_ctx("GET /nan", servers.web, response={"a": 1}))
    assert contract.ok is False and contract.error_kind is ErrorKind.CONTRACT
    assert contract.message.endswith("NaN is not allowed in JSON"), contract.message


def test_contract_of_a_gzipped_body_unasked(servers: Servers) -> None:
    """A server gzipping a JSON body it was not asked to: "response is not JSON (application/json)" read as
    a contradiction (new user, round 44); the body is read as it is sent."""
    _, contract = run_probe(make_ctx("GET /gzipped", servers.web, response={"a": 1}))
    assert contract.ok is True, contract.message


def test_a_documented_redirect_has_no_contract_to_check(servers: Servers) -> None:
    http, contract = run_probe(
        make_ctx("GET /moved", servers.web, response={"a": 1}, settings={"expect_status": "301"})
    )
    assert http.ok is True and contract.ok is None and "redirect" in contract.message


def test_contract_empty_body_is_said_as_empty(servers: Servers) -> None:
    """Found by a new user: an empty body with Content-Type application/json was 'response is not JSON
    (Content-Type: application/json)', which reads as a contradiction."""
    _, contract = run_probe(make_ctx("GET /empty", servers.web, response={"a": 1}))
    assert contract.ok is False and contract.error_kind is ErrorKind.CONTRACT
    assert contract.message.startswith("response body is empty (Content-Type: application/json")


def test_no_contract_check_without_documented_json(servers: Servers) -> None:
    assert [r.name for r in run_probe(make_ctx("GET /search", servers.web))] == ["http"]


# ---------------------------------------------------------------------------------------------
# The probe: what is sent where


def test_post_to_a_remote_host_is_skipped_before_any_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_network(*args: object, **kwargs: object) -> http1.Response:
        raise AssertionError("the probe touched the network")

    monkeypatch.setattr(http1, "request", no_network)
    ctx = make_ctx("POST /v1/charges", 443, host="payments.example.com", scheme="https", request={"a": 1})
    r = one(run_probe(ctx))
    assert r.skipped and r.ok is None and r.error_kind is None
    want = "POST not sent to payments.example.com: non-idempotent; "
    want += "needs the runner's --allow-writes or --target"
    assert r.message == want


@pytest.mark.parametrize(("explicit", "allow_writes"), [(True, False), (False, True)])
def test_post_to_a_remote_host_is_sent_when_chosen_or_allowed(
    monkeypatch: pytest.MonkeyPatch, explicit: bool, allow_writes: bool
) -> None:
    calls: list[tuple[Any, ...]] = []

    async def fake(method: str, host: str, port: int, path: str, **kw: Any) -> http1.Response:
        calls.append((method, host, port, path, kw["body"], kw["ssl"] is not None))
        return http1.Response(201, "Created", {}, b"")

    monkeypatch.setattr(http1, "request", fake)
    ctx = make_ctx(
        "DELETE /v1/charges/ch_1",
        None,
        host="payments.example.com",
        scheme=None,
        tls=True,
        explicit=explicit,
        allow_writes=allow_writes,
        request={"reason": "dup"},
    )
    assert one(run_probe(ctx)).ok is True
    assert calls == [
        ("DELETE", "payments.example.com", 443, "/v1/charges/ch_1", b'{\n  "reason": "dup"\n}', True)
    ]


def test_endpoint_forms(servers: Servers) -> None:
    servers.seen.clear()
    # a gRPC method is not an HTTP path: GET /
    assert one(run_probe(make_ctx("inventory.v1.Inventory/Reserve", servers.web))).ok is True
    # a full URL: its path; the target's path wins when it has one
    assert one(run_probe(make_ctx("http://orders.internal/", servers.web))).ok is True
    r = one(run_probe(make_ctx("GET /nowhere", servers.web, path="/healthz")))
    assert r.message.startswith("GET /healthz -> 200")
    # a templated path is filled from a Request example that describes the request
    desc = {"method": "GET", "path": "/v1/carts/u_1042", "headers": {"Accept": "application/json"}}
    r = one(run_probe(make_ctx("GET /v1/carts/{user_id}", servers.web, request=desc)))
    assert r.message.startswith("GET /v1/carts/u_1042 -> 200 OK")
    # without one, the braces are percent-encoded so the request line stays valid
    r = one(run_probe(make_ctx("GET /v1/carts/{user_id}", servers.web)))
    assert r.error_kind is ErrorKind.PROTOCOL and r.message == "expected 2xx, got 404 Not Found"
    assert [s["request_line"] for s in servers.seen] == [
        "GET /",
        "GET /",
        "GET /healthz",
        "GET /v1/carts/u_1042",
        "GET /v1/carts/%7Buser_id%7D",
    ]


def test_expect_status(servers: Servers) -> None:
    r = one(run_probe(make_ctx("GET /status/202", servers.web, settings={"expect_status": "200,201"})))
    assert r.ok is False and r.error_kind is ErrorKind.PROTOCOL and r.connected
    assert r.message == "expected 200 or 201, got 202 Accepted"
    assert one(run_probe(make_ctx("GET /status/202", servers.web, settings={"expect_status": [202]}))).ok
    r = one(run_probe(make_ctx("GET /status/404", servers.web, settings={"expect_status": "404"})))
    assert r.ok is True and r.message.startswith("GET /status/404 -> 404 Not Found")


def test_unexpected_status_is_protocol(servers: Servers) -> None:
    r = one(run_probe(make_ctx("GET /status/503", servers.web, response={"a": 1})))
    assert r.ok is False and r.error_kind is ErrorKind.PROTOCOL
    assert r.message == "expected 2xx, got 503 Service Unavailable"


def test_401_is_auth_and_headers_come_from_env(servers: Servers) -> None:
    settings = {"headers_from_env": {"Authorization": "API_TOKEN"}}
    r = one(run_probe(make_ctx("GET /secret", servers.web, settings=settings)))
    assert r.ok is False and r.error_kind is ErrorKind.AUTH
    assert r.message == "GET /secret -> 401 Unauthorized: credentials refused ($API_TOKEN not set)"
    r = one(
        run_probe(make_ctx("GET /secret", servers.web, settings=settings, env={"API_TOKEN": "Bearer nope"}))
    )
    assert r.error_kind is ErrorKind.AUTH
    # the directive form: a string of Header=VAR pairs
    settings = {"header_env": "Authorization=API_TOKEN"}
    r = one(
        run_probe(make_ctx("GET /secret", servers.web, settings=settings, env={"API_TOKEN": "Bearer s3cret"}))
    )
    assert r.ok is True


@pytest.mark.parametrize(
    ("settings", "env", "message"),
    [
        ({"expect_status": "OK"}, {}, "invalid setting: expect_status: 'OK' is not an HTTP status"),
        ({"header_env": "Authorization"}, {}, "invalid setting: headers_from_env: want Header=ENV_VAR"),
        ({"ca_bundle": "/nonexistent/ca.pem"}, {}, "invalid setting: cannot load TLS files"),
        ({"header_env": "X-Token=TOKEN"}, {"TOKEN": "a\r\nX-Evil: 1"}, "cannot build the request: bad value"),
    ],
)
def test_bad_settings_are_one_failed_check(
    settings: dict[str, Any], env: dict[str, str], message: str
) -> None:
    ctx = make_ctx("GET /", free_port(), scheme="https", settings=settings, env=env)
    r = one(run_probe(ctx))
    assert r.ok is False and r.error_kind is ErrorKind.PROTOCOL and not r.connected
    assert r.message.startswith(message), r.message


# ---------------------------------------------------------------------------------------------
# The probe: failures


def test_refused() -> None:
    r = one(run_probe(make_ctx("GET /", free_port())))
    assert r.ok is False and r.error_kind is ErrorKind.REFUSED and not r.connected


def test_never_answers_ends_at_the_deadline(raw: ServerThread) -> None:
    port = raw.silent()
    start = time.perf_counter()
    r = one(run_probe(make_ctx("GET /", port, timeout=0.5)))
    elapsed = time.perf_counter() - start
    assert r.error_kind is ErrorKind.TIMEOUT and r.connected
    assert r.message == "no answer before the deadline (0.5 s, waiting for the response)"
    assert 0.45 <= elapsed <= 0.9


def test_garbage_is_protocol(raw: ServerThread) -> None:
    port = raw.raw(canned([b"SSH-2.0-OpenSSH_9.6\r\n\r\n"]))
    r = one(run_probe(make_ctx("GET /", port)))
    assert r.ok is False and r.error_kind is ErrorKind.PROTOCOL and r.connected
    assert r.message == "GET /: not an HTTP/1.x status line: 'SSH-2.0-OpenSSH_9.6'"


def test_tls_against_a_plain_port(servers: Servers) -> None:
    r = one(run_probe(make_ctx("GET /healthz", servers.web, scheme="https")))
    assert r.ok is False and r.error_kind is ErrorKind.TLS and r.connected


def test_unresolvable_host_is_dns() -> None:
    r = one(run_probe(make_ctx("GET /", 80, host="nothing-here.invalid", timeout=5)))
    assert r.ok is False and r.error_kind is ErrorKind.DNS and not r.connected


def test_https_with_ca_bundle_and_sni(servers: Servers) -> None:
    if servers.cert is None or servers.tls is None:
        pytest.skip("no openssl CLI to make a test certificate")
    settings = {"ca_bundle": str(servers.cert[0])}
    servers.sni.clear()
    r = one(
        run_probe(make_ctx("GET /healthz", servers.tls, host="localhost", scheme="https", settings=settings))
    )
    assert r.ok is True, r
    assert {"dns", "connect", "tls", "first_byte"} <= set(r.phases_ms)
    assert servers.sni == ["localhost"]
    # no CA: the self-signed certificate is refused
    r = one(run_probe(make_ctx("GET /healthz", servers.tls, host="localhost", scheme="https")))
    assert r.ok is False and r.error_kind is ErrorKind.TLS
    # insecure skips the check; no scheme + a TLS doc means https
    r = one(
        run_probe(make_ctx("GET /healthz", servers.tls, scheme=None, tls=True, settings={"insecure": "true"}))
    )
    assert r.ok is True


# ---------------------------------------------------------------------------------------------
# http1: framing, keep-alive, limits


def _get(port: int, path: str = "/", method: str = "GET", **kw: Any) -> http1.Response:
    return asyncio.run(http1.request(method, "127.0.0.1", port, path, **kw))


def test_chunked_body_in_pieces(raw: ServerThread) -> None:
    pieces = [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-A: 2\r\n\r\n",
        b"5;ext=1\r\nhel",
        b"lo\r",
        b"\n6\r\n world\r\n0\r\n",
        b"Trailer: x\r\n\r\n",
    ]
    resp = _get(raw.raw(canned(pieces, close=False)))
    assert (resp.status, resp.reason, resp.body) == (200, "OK", b"hello world")
    assert resp.headers["x-a"] == "1, 2" and resp.headers["transfer-encoding"] == "chunked"


def test_content_length_body_in_pieces(raw: ServerThread) -> None:
    pieces = [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", b"\r\n01234", b"56789"]
    assert _get(raw.raw(canned(pieces, close=False))).body == b"0123456789"


def test_close_delimited_body(raw: ServerThread) -> None:
    pieces = [b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ", b"the end"]
    resp = _get(raw.raw(canned(pieces)))
    assert (resp.version, resp.body) == ("HTTP/1.0", b"until the end")


def test_interim_100_continue_is_skipped(raw: ServerThread) -> None:
    pieces = [b"HTTP/1.1 100 Continue\r\n\r\n", b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"]
    resp = _get(raw.raw(canned(pieces, close=False)), method="POST", body=b"{}")
    assert (resp.status, resp.reason, resp.body) == (201, "Created", b"ok")


def test_no_body_for_head_204_304_and_keep_alive_reuse(servers: Servers) -> None:
    async def main() -> list[tuple[int, bytes, bool]]:
        out = []
        conn = await http1.Connection.open("127.0.0.1", servers.web)
        async with conn:
            for method, path in [("HEAD", "/healthz"), ("GET", "/status/204"), ("GET", "/status/304")]:
                resp = await conn.request(method, path)
                out.append((resp.status, resp.body, conn.reusable))
            for _ in range(50):
                assert (await conn.request("GET", "/healthz")).body == b"ok"
            assert conn.reusable
        assert conn.closed
        return out

    assert asyncio.run(main()) == [(200, b"", True), (204, b"", True), (304, b"", True)]


def test_connection_close_ends_reuse(raw: ServerThread) -> None:
    port = raw.raw(
        canned([b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"], close=False)
    )

    async def main() -> None:
        conn = await http1.Connection.open("127.0.0.1", port)
        assert (await conn.request("GET", "/")).body == b"x"
        assert not conn.reusable
        with pytest.raises(http1.ConnectionClosed):
            await conn.request("GET", "/")

    asyncio.run(main())


@pytest.mark.parametrize(
    ("pieces", "message"),
    [
        ([b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000], "response headers larger than 65536 bytes"),
        ([b"HTTP/1.1 200 OK\r\nbad header\r\n\r\n"], "malformed header line: 'bad header'"),
        ([b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx"], "bad Content-Length: '1, 2'"),
        ([b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n"], "is over the 16777216-byte cap"),
        ([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"], "bad chunk size line: 'zz'"),
        ([b"HTTP/2 200\r\n\r\n"], "not an HTTP/1.x status line: 'HTTP/2 200'"),
        ([b""], "the server closed the connection without a response"),
        (
            [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"],
            "closed the connection in the middle of the response",
        ),
    ],
)
def test_bad_responses_are_protocol_errors(raw: ServerThread, pieces: list[bytes], message: str) -> None:
    with pytest.raises(http1.ProtocolError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _get(raw.raw(canned(pieces)))


def test_body_cap_is_configurable(raw: ServerThread) -> None:
    port = raw.raw(canned([b"HTTP/1.1 200 OK\r\n\r\n", b"x" * 100]))
    with pytest.raises(http1.ProtocolError, match="larger than 10 bytes"):
        _get(port, limits=http1.Limits(max_body_bytes=10))


def test_timer_phases_and_request_encoding() -> None:
    timer = Timer()
    with pytest.raises(ConnectionRefusedError):
        _get(free_port(), timer=timer)
    assert list(timer.phases) == ["dns"]
    with pytest.raises(ValueError, match="bad value"):
        http1.encode_request("GET", "h", 80, "/", {"X": "a\r\nInjected: 1"})
    with pytest.raises(ValueError, match="bad request target"):
        http1.encode_request("GET", "h", 80, "/a b")
    raw_request = http1.encode_request("POST", "::1", 8080, "/x", {"Accept": "text/plain"}, None)
    assert raw_request == (
        b"POST /x HTTP/1.1\r\nHost: [::1]:8080\r\nUser-Agent: "
        + http1.USER_AGENT.encode()
        + b"\r\nAccept: text/plain\r\nContent-Length: 0\r\n\r\n"
    )


def test_on_uvloop(servers: Servers) -> None:
    uvloop = pytest.importorskip("uvloop")

    async def main() -> list[ProbeResult]:
        conn = await http1.Connection.open("127.0.0.1", servers.web)
        async with conn:
            for _ in range(3):
                assert (await conn.request("GET", "/healthz")).body == b"ok"
        results = await http_probe.probe(make_ctx("GET /search", servers.web, response=SEARCH_DOC))
        if servers.cert is not None and servers.tls is not None:
            settings = {"ca_bundle": str(servers.cert[0])}
            results += await http_probe.probe(
                make_ctx("GET /healthz", servers.tls, scheme="https", settings=settings)
            )
        return results

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        results = runner.run(main())
    assert [(r.name, r.ok) for r in results][:2] == [("http", True), ("contract", False)]
    assert all(r.ok for r in results[2:])


class _FakeTransport:
    def __init__(self) -> None:
        self.closed = False

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("data", "body", "keep_alive"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", b"hello", True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", b"abc", True),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
            b"z",
            False,
        ),
        (b"HTTP/1.1 200 OK\nContent-Length: 2\nX-Folded: a\n  b\n\nhi", b"hi", True),
        (b"\r\nHTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n!", b"!", True),
        (b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", b"", True),
    ],
)
def test_parser_gives_the_same_answer_for_every_split(data: bytes, body: bytes, keep_alive: bool) -> None:
    """Byte by byte, and cut at every point in two: the same response."""
    loop = asyncio.new_event_loop()
    try:
        splits = [[data[i : i + 1] for i in range(len(data))]] + [
            [data[:i], data[i:]] for i in range(len(data))
        ]
        for pieces in splits:
            protocol = http1._HTTPProtocol(http1.DEFAULT_LIMITS)
            protocol.connection_made(_FakeTransport())  # type: ignore[arg-type]
            waiter: asyncio.Future[http1.Response] = loop.create_future()
            protocol.begin(waiter, False, None)
            for piece in pieces:
                if piece:
                    protocol.data_received(piece)
            assert waiter.done(), pieces
            resp = waiter.result()
            assert (resp.body, protocol.keep_alive) == (body, keep_alive), pieces
    finally:
        loop.close()


def test_a_server_that_speaks_first_is_no_http_server() -> None:
    """Round 67: an HTTP probe of a NATS port (it says ``INFO {…}`` on connect) failed with "protocol:
    ConnectionClosed: connection to 127.0.0.1:4222 is closed", where the probes of the other protocols
    say "not a Redis/PostgreSQL/… server?"."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def speak_first() -> None:
        conn, _ = listener.accept()
        conn.sendall(b'INFO {"server_id":"NATS1","version":"2.10"}\r\n')
        time.sleep(1.0)
        conn.close()

    thread = threading.Thread(target=speak_first, daemon=True)
    thread.start()
    try:
        (result,) = run_probe(make_ctx("GET /healthz", listener.getsockname()[1]))
    finally:
        thread.join(5)
        listener.close()
    assert result.ok is False and result.error_kind is ErrorKind.PROTOCOL, result
    assert "not an HTTP server? it " in result.message and "INFO {" in result.message, result.message
