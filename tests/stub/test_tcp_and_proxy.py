"""The TCP stub and the fault proxy, with plain sockets and psycopg in front of the real PostgreSQL."""

from __future__ import annotations

import socket
import time
from collections.abc import Awaitable, Callable

import pytest

from tests.services import require_service
from tests.stub._running import served
from wiremap._errors import UsageError
from wiremap.stub import RunningStub, StubContext, StubSpec
from wiremap.stub._base import GARBAGE
from wiremap.stub.proxy import is_this_machine, parse_hostport, start_proxy
from wiremap.stub.servers import tcp

TCP_DOC = """\
# Integration: Billing → Ledger

**Protocol:** TCP

## Quick Reference

**Destination:** Ledger (127.0.0.1:7000)

## Request Format

**Endpoint:** `127.0.0.1:7000`
{examples}"""

BANNER = "\n**Response:**\n```\n220 ledger ready\n```\n"
REPLY = "\n**Request:**\n```\nPOST totals\n```\n" + BANNER


def connect(port: int, timeout: float = 5.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_all(s: socket.socket) -> bytes:
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    return data


def test_echo_when_nothing_is_documented_and_each_connection_is_recorded() -> None:
    with served(TCP_DOC.format(examples="")) as (stub, ctx, _):
        assert stub.url == f"tcp://127.0.0.1:{stub.port}"
        with connect(stub.port) as s:
            s.sendall(b"hello")
            assert s.recv(100) == b"hello"
        (rec,) = ctx.recorder.wait_for(1)
    assert rec.request == {"mode": "echo", "first_bytes": "hello"}
    assert (rec.bytes_in, rec.bytes_out, rec.fault) == (5, 5, None)


def test_a_documented_response_alone_is_a_banner() -> None:
    with served(TCP_DOC.format(examples=BANNER)) as (stub, _, _), connect(stub.port) as s:
        assert s.recv(100) == b"220 ledger ready"


@pytest.mark.parametrize("request_text", ["(connect)", "none", "connect only", "(nothing sent)"])
def test_a_request_that_says_nothing_is_sent_leaves_a_banner(request_text: str) -> None:
    """``**Request:** (connect)`` over a banner: the stub waited for bytes the client never sends, so its
    garbage fault never reached a client that only reads (faults called its timeout retry a mismatch:
    new user, round 50)."""
    doc = TCP_DOC.format(examples=f"\n**Request:**\n```text\n{request_text}\n```\n" + BANNER)
    with served(doc) as (stub, _, _), connect(stub.port) as s:
        assert s.recv(100) == b"220 ledger ready"
    with served(doc, "garbage") as (stub, _, _), connect(stub.port, 2.0) as s:
        assert read_all(s) == GARBAGE


def test_a_documented_request_and_response_is_request_reply() -> None:
    with served(TCP_DOC.format(examples=REPLY)) as (stub, _, _), connect(stub.port) as s:
        s.sendall(b"POST totals")
        assert s.recv(100) == b"220 ledger ready"


@pytest.mark.parametrize(
    "fault", ["disconnect", "garbage", "reset", "timeout", "close-mid-body:3", "slow:200"]
)
def test_tcp_faults(fault: str) -> None:
    with served(TCP_DOC.format(examples=REPLY), fault) as (stub, ctx, _), connect(stub.port, 0.5) as s:
        t0 = time.monotonic()
        s.sendall(b"POST totals")
        if fault == "disconnect":
            assert read_all(s) == b""
        elif fault == "garbage":
            assert read_all(s) == GARBAGE
        elif fault == "reset":
            with pytest.raises(ConnectionResetError):
                read_all(s)
        elif fault == "timeout":
            with pytest.raises(TimeoutError):
                s.recv(100)
        elif fault == "close-mid-body:3":
            assert read_all(s) == b"220"
        else:
            assert s.recv(100) == b"220 ledger ready"
            assert time.monotonic() - t0 >= 0.2
        s.close()
        assert ctx.recorder.wait_for(1)[0].fault == fault


# --- the proxy ----------------------------------------------------------------------------------


def proxy_to(port: int) -> Callable[[StubContext], Awaitable[RunningStub]]:
    async def start(ctx: StubContext) -> RunningStub:
        return await start_proxy(("127.0.0.1", port), ctx)

    return start


def test_parse_hostport_and_this_machine() -> None:
    assert parse_hostport("127.0.0.1:5432") == ("127.0.0.1", 5432)
    assert parse_hostport("[::1]:5432") == ("::1", 5432)
    for bad in ("5432", "host:", "host:0", "host:99999", ":5432"):
        with pytest.raises(UsageError, match="want HOST:PORT"):
            parse_hostport(bad)
    assert is_this_machine("127.0.0.1") and is_this_machine("localhost")
    assert not is_this_machine("192.0.2.1")  # TEST-NET-1: no interface of ours


def test_a_remote_destination_needs_allow_remote() -> None:
    async def start(ctx: StubContext) -> RunningStub:
        return await start_proxy(("192.0.2.1", 5432), ctx)

    with pytest.raises(UsageError, match="is not this machine"), served("", start=start):
        pass


def test_the_proxy_forwards_and_records() -> None:
    with (
        served(TCP_DOC.format(examples="")) as (echo, _, _),
        served("", start=proxy_to(echo.port)) as (proxy, ctx, _),
        connect(proxy.port) as s,
    ):
        s.sendall(b"ping")
        assert s.recv(100) == b"ping"
        s.shutdown(socket.SHUT_WR)
        assert read_all(s) == b""
        (rec,) = ctx.recorder.wait_for(1)
    assert rec.request == {"proxy_to": f"127.0.0.1:{echo.port}", "first_bytes": b"ping".hex()}
    assert (rec.bytes_in, rec.bytes_out, rec.fault) == (4, 4, None)


@pytest.mark.parametrize(
    "fault", ["reset", "garbage", "timeout", "close-mid-body:2", "disconnect", "slow:200"]
)
def test_proxy_faults(fault: str) -> None:
    with served(TCP_DOC.format(examples="")) as (echo, _, _):
        start = proxy_to(echo.port)
        with served("", fault, start=start) as (proxy, ctx, _), connect(proxy.port, 0.5) as s:
            t0 = time.monotonic()
            s.sendall(b"ping")
            if fault == "reset":
                with pytest.raises(ConnectionResetError):
                    read_all(s)
            elif fault == "garbage":
                assert read_all(s) == GARBAGE
            elif fault == "timeout":
                with pytest.raises(TimeoutError):
                    s.recv(100)
            elif fault == "close-mid-body:2":
                assert read_all(s) == b"pi"
            elif fault == "disconnect":
                assert read_all(s) == b"ping"  # the first answer whole, then the connection drops
            else:
                assert s.recv(100) == b"ping"
                assert time.monotonic() - t0 >= 0.2
            s.close()
            assert ctx.recorder.wait_for(1)[0].fault == fault


def test_the_proxy_refuses_then_listens_again() -> None:
    with (
        served(TCP_DOC.format(examples="")) as (echo, _, _),
        served("", "first:1:refused", start=proxy_to(echo.port)) as (proxy, ctx, loop),
    ):
        with pytest.raises(ConnectionRefusedError):
            connect(proxy.port)
        loop.run(proxy.note_refused())
        with connect(proxy.port) as s:
            s.sendall(b"x")
            assert s.recv(10) == b"x"
        assert ctx.recorder.wait_for(1)[0].attempt == 2


def test_the_proxy_before_the_real_postgresql() -> None:
    psycopg = pytest.importorskip("psycopg")
    host, port = require_service("postgresql")

    def query(proxy_port: int) -> object:
        with psycopg.connect(
            host="127.0.0.1", port=proxy_port, user="postgres", dbname="postgres", connect_timeout=5,
            sslmode="disable",
        ) as conn:  # fmt: skip
            return conn.execute("select 1").fetchone()

    async def start(ctx: StubContext) -> RunningStub:
        return await start_proxy((host, port), ctx)

    with served("", "every:2:reset", start=start) as (proxy, ctx, _):
        assert query(proxy.port) == (1,)
        with pytest.raises(psycopg.OperationalError):
            query(proxy.port)
        assert query(proxy.port) == (1,)
        # recorded as each connection ends: in attempt order here
        records = sorted(ctx.recorder.wait_for(3), key=lambda r: r.attempt)
    assert [r.fault for r in records] == [None, "reset", None]
    assert records[0].bytes_in > 8 and records[0].bytes_out > 0
    assert records[1].bytes_out == 0


def test_the_tcp_spec_documents_no_method() -> None:
    from tests.stub._running import integration

    spec = StubSpec.from_integration(integration(TCP_DOC.format(examples=BANNER)))
    assert (spec.protocol, spec.method, spec.response_text, spec.port) == (
        "tcp",
        None,
        "220 ledger ready",
        7000,
    )
    assert tcp.start is not None
