"""The HTTP stub, observed with real clients: urllib, http.client, aiohttp, wiremap's own http1, sockets."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from typing import Any

import aiohttp
import pytest

from tests.stub._running import Loop, http_doc, integration, served
from wiremap import http1
from wiremap._errors import UsageError
from wiremap.stub import StubSpec
from wiremap.verify.shape import shape_mismatches

DOCUMENTED = {"id": "ch_1", "status": "succeeded", "amount": 4998, "tags": ["a"]}


def call(
    url: str, method: str = "POST", body: bytes | None = b'{"order_id": "o_1"}', **kw: Any
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=body if method != "GET" else None, method=method)
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5, **kw) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def raw_request(port: int, path: str = "/v1/charges", timeout: float = 5.0) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{{}}".encode())
    return s


def test_the_documented_endpoint_answers_the_documented_json_and_is_recorded() -> None:
    with served(http_doc()) as (stub, ctx, _):
        assert stub.url == f"http://127.0.0.1:{stub.port}/v1/charges"
        status, headers, body = call(stub.url)
        assert status == 200
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == DOCUMENTED
        (rec,) = ctx.recorder.wait_for(1)
    assert rec.attempt == 1 and rec.connection == 1 and rec.fault is None
    assert rec.peer.startswith("127.0.0.1:")
    assert rec.request["method"] == "POST" and rec.request["path"] == "/v1/charges"
    assert rec.request["json"] == {"order_id": "o_1"} and rec.request["status"] == 200
    assert rec.bytes_in > 0 and rec.bytes_out > len(body)
    line = json.loads(ctx.recorder.to_jsonl())
    assert line["request"]["headers"]["content-type"] == "application/json"


def test_the_documented_status_comes_from_expect_status() -> None:
    doc = http_doc() + "\n<!-- wiremap: expect_status=201 -->\n"
    assert StubSpec.from_integration(integration(doc)).status == 201
    with served(doc) as (stub, _, _):
        assert call(stub.url)[0] == 201


def test_another_path_is_a_404_naming_the_documented_endpoint_and_another_method_a_405() -> None:
    with served(http_doc()) as (stub, _, _):
        status, _, body = call(f"http://127.0.0.1:{stub.port}/v1/refunds")
        assert status == 404
        data = json.loads(body)
        assert data["documented"] == "POST /v1/charges"
        assert "nothing documented at POST /v1/refunds" in data["error"]
        status, headers, body = call(stub.url, method="GET")
        assert status == 405 and headers["Allow"] == "POST"


def test_a_path_template_matches_one_segment() -> None:
    with served(http_doc("GET /v1/carts/{user_id}")) as (stub, _, _):
        assert stub.url == f"http://127.0.0.1:{stub.port}"
        assert call(f"{stub.url}/v1/carts/u_42", method="GET")[0] == 200
        assert call(f"{stub.url}/v1/carts/u_42/items", method="GET")[0] == 404


def test_first_2_status_503_fails_twice_then_answers() -> None:
    with served(http_doc(), "first:2:status:503") as (stub, ctx, _):
        statuses = [call(stub.url)[0] for _ in range(3)]
        records = ctx.recorder.wait_for(3)
    assert statuses == [503, 503, 200]
    assert [r.fault for r in records] == ["status:503", "status:503", None]


def test_status_429_carries_retry_after_and_aiohttp_sees_it() -> None:
    async def client(url: str) -> tuple[int, str | None, Any]:
        async with aiohttp.ClientSession() as session, session.post(url, json={"order_id": "o_1"}) as r:
            return r.status, r.headers.get("Retry-After"), await r.json()

    with served(http_doc(), "status:429:retry-after=2") as (stub, _, _):
        status, retry_after, body = asyncio.run(client(stub.url))
    assert (status, retry_after) == (429, "2")
    assert body["status"] == 429 and body["documented"] == "POST /v1/charges"


def test_timeout_accepts_and_never_answers() -> None:
    with served(http_doc(), "timeout") as (stub, ctx, _):
        s = raw_request(stub.port, timeout=0.5)
        with pytest.raises(TimeoutError):
            s.recv(1024)
        s.close()
        (rec,) = ctx.recorder.wait_for(1)
    assert rec.fault == "timeout" and rec.bytes_out == 0 and rec.request["path"] == "/v1/charges"


def test_reset_is_econnreset_after_the_request() -> None:
    with served(http_doc(), "reset") as (stub, ctx, _):
        s = raw_request(stub.port)
        with pytest.raises(ConnectionResetError):
            s.recv(1024)
        s.close()
        with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
            urllib.request.urlopen(urllib.request.Request(stub.url, data=b"{}"), timeout=5)
        assert [r.fault for r in ctx.recorder.wait_for(2)] == ["reset", "reset"]


def test_slow_answers_after_the_delay() -> None:
    with served(http_doc(), "slow:300") as (stub, _, _):
        t0 = time.monotonic()
        status, _, body = call(stub.url)
        elapsed = time.monotonic() - t0
    assert status == 200 and json.loads(body) == DOCUMENTED
    assert elapsed >= 0.3


def test_close_mid_body_promises_more_than_it_sends() -> None:
    async def own_client(port: int) -> None:
        await asyncio.wait_for(http1.request("POST", "127.0.0.1", port, "/v1/charges", body=b"{}"), 5)

    with served(http_doc(), "close-mid-body") as (stub, _, _):
        conn = http.client.HTTPConnection("127.0.0.1", stub.port, timeout=5)
        conn.request("POST", "/v1/charges", body=b"{}")
        response = conn.getresponse()
        assert response.status == 200
        assert int(response.headers["Content-Length"]) == len(json.dumps(DOCUMENTED))
        with pytest.raises(http.client.IncompleteRead):
            response.read()
        conn.close()
        with pytest.raises(http1.IncompleteResponse):
            asyncio.run(own_client(stub.port))


def test_close_mid_body_n_sends_n_bytes_of_the_body() -> None:
    with served(http_doc(), "close-mid-body:5") as (stub, ctx, _):
        s = raw_request(stub.port)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        s.close()
        (rec,) = ctx.recorder.wait_for(1)
    head, _, body = data.partition(b"\r\n\r\n")
    assert body == json.dumps(DOCUMENTED).encode()[:5]
    assert rec.fault == "close-mid-body:5" and rec.bytes_out == len(data)


def test_garbage_is_not_http() -> None:
    async def own_client(port: int) -> None:
        await asyncio.wait_for(http1.request("GET", "127.0.0.1", port, "/v1/charges"), 5)

    with served(http_doc(), "garbage") as (stub, _, _):
        with pytest.raises((http.client.BadStatusLine, http.client.RemoteDisconnected)):
            urllib.request.urlopen(urllib.request.Request(stub.url, data=b"{}"), timeout=5)
        with pytest.raises(http1.ProtocolError):
            asyncio.run(own_client(stub.port))


def test_invalid_is_the_documented_status_with_a_body_not_of_the_documented_shape() -> None:
    with served(http_doc(), "invalid") as (stub, _, _):
        status, headers, body = call(stub.url)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert len(shape_mismatches(DOCUMENTED, json.loads(body))) == len(DOCUMENTED)
    # none of the documented keys: a client that checks a key is there sees it too, not only one that
    # checks its type ("JSON without `id`" was served with an ``id`` of another type: new user, round 22)
    assert not set(json.loads(body)) & set(DOCUMENTED)


def test_invalid_not_json_is_the_documented_status_with_no_json_at_all() -> None:
    """A doc's "body is not JSON" failure: the wrong-shape JSON of ``invalid`` was no such failure, and a
    client raising on unparseable bodies was a mismatch (new user, round 42)."""
    with served(http_doc(), "invalid:not-json") as (stub, _, _):
        status, headers, body = call(stub.url)
    assert status == 200 and headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_every_n_fails_every_nth_attempt() -> None:
    with served(http_doc(), "every:2:status:500") as (stub, _, _):
        assert [call(stub.url)[0] for _ in range(4)] == [200, 500, 200, 500]


def test_p_is_reproducible_with_its_seed() -> None:
    def run(seed: int) -> list[int]:
        with served(http_doc(), "p:0.5:status:500", seed=seed) as (stub, _, _):
            return [call(stub.url)[0] for _ in range(12)]

    first = run(7)
    assert first == run(7)
    assert 0 < first.count(500) < 12
    assert run(8) != first or run(9) != first


def test_keep_alive_requests_share_one_connection() -> None:
    with served(http_doc()) as (stub, ctx, _):
        conn = http.client.HTTPConnection("127.0.0.1", stub.port, timeout=5)
        for _ in range(3):
            conn.request("POST", "/v1/charges", body=b"{}")
            r = conn.getresponse()
            assert r.status == 200 and json.loads(r.read()) == DOCUMENTED
        conn.close()
        records = ctx.recorder.wait_for(3)
    assert [(r.attempt, r.connection) for r in records] == [(1, 1), (2, 1), (3, 1)]


def test_refused_means_nothing_listens_and_leaves_no_record() -> None:
    with served(http_doc(), "refused") as (stub, ctx, _):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", stub.port), timeout=2)
        assert len(ctx.recorder) == 0 and ctx.attempts == 0


def test_first_refused_listens_again_once_the_refused_attempts_are_counted() -> None:
    with served(http_doc(), "first:1:refused") as (stub, ctx, loop):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", stub.port), timeout=2)
        loop.run(stub.note_refused())  # what a SYN counter does
        assert call(stub.url)[0] == 200
        (rec,) = ctx.recorder.wait_for(1)
    assert rec.attempt == 2  # the refused one was attempt 1


def test_every_2_refused_closes_a_kept_alive_connection_before_the_refusal() -> None:
    with served(http_doc(), "every:2:refused") as (stub, _, _):
        conn = http.client.HTTPConnection("127.0.0.1", stub.port, timeout=5)
        conn.request("POST", "/v1/charges", body=b"{}")
        r = conn.getresponse()
        assert r.status == 200 and r.headers["Connection"] == "close"
        r.read()
        conn.close()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", stub.port), timeout=2)


def test_https_endpoint_is_served_with_a_self_signed_certificate() -> None:
    with served(http_doc("GET https://payments.internal/v1/health")) as (stub, _, _):
        assert stub.url.startswith("https://127.0.0.1:") and stub.cafile is not None
        context = ssl.create_default_context(cafile=stub.cafile)
        status, _, body = call(stub.url, method="GET", context=context)
        assert status == 200 and json.loads(body) == DOCUMENTED
        with pytest.raises(urllib.error.URLError):  # not trusted without the certificate
            call(stub.url, method="GET")


def test_a_placeholder_endpoint_is_not_servable() -> None:
    with pytest.raises(UsageError, match="no HTTP endpoint documented"):
        StubSpec.from_integration(integration(http_doc("[URL or method]")))


def test_the_template_example_payloads_are_not_served() -> None:
    doc = http_doc().replace(
        '{"id": "ch_1", "status": "succeeded", "amount": 4998, "tags": ["a"]}',
        '{\n  "result": "value",\n  "status": "success"\n}',
    )
    spec = StubSpec.from_integration(integration(doc))
    assert spec.response_json is None and spec.response_body() == b""
    assert "Response example is the template's or a placeholder" in spec.not_served
    with served(doc) as (stub, _, _):
        status, _, body = call(stub.url)
    assert (status, body) == (200, b"")


def test_a_doc_without_protocol_is_not_servable() -> None:
    with pytest.raises(UsageError, match="no Protocol documented"):
        StubSpec.from_integration(integration(http_doc(protocol="[HTTP/gRPC/WebSocket/etc]")))


def test_the_recorder_is_read_from_another_thread_while_the_loop_records() -> None:
    with served(http_doc()) as (stub, ctx, loop):
        assert isinstance(loop, Loop)

        async def many() -> None:
            async with aiohttp.ClientSession() as session:
                for _ in range(5):
                    async with session.post(stub.url, json={}) as r:
                        await r.read()

        loop.run(many())
        assert [r.attempt for r in ctx.recorder.wait_for(5, timeout=5)] == [1, 2, 3, 4, 5]
        assert loop.run(ctx.recorder.wait_for_async(5)) == ctx.recorder.items
