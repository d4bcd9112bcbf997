"""The gRPC health probe against real ``grpc.aio`` servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wiremap import parse_text
from wiremap.model import Integration
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target
from wiremap.probes.grpc import probe

from ._fakes import grpc_health_server
from ._fakes import self_signed_cert as _self_signed

grpc: Any = pytest.importorskip("grpc")
health: Any = pytest.importorskip("grpc_health.v1.health")
health_pb2: Any = pytest.importorskip("grpc_health.v1.health_pb2")
health_pb2_grpc: Any = pytest.importorskip("grpc_health.v1.health_pb2_grpc")

DOC = """# Integration: Checkout Service → Inventory Service

**Protocol:** gRPC
**Destination:** Inventory Service (127.0.0.1:{port})

## Request Format

**Endpoint:** `inventory.v1.Inventory/Reserve`
"""


def _ctx(
    port: int, host: str = "127.0.0.1", timeout_s: float = 2.0, tls: bool = False, **settings: Any
) -> ProbeContext:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="grpc", tls=tls)
    return ProbeContext(integ, Target(host, port), timeout_s, settings)


def _doc_ctx(port: int) -> ProbeContext:
    """The probe's context for :data:`DOC` (Endpoint ``inventory.v1.Inventory/Reserve``) on ``port``."""
    integ = parse_text(DOC.format(port=port), "inventory.md").integration
    return ProbeContext(integ, Target("127.0.0.1", integ.destination_port), 2.0)


def _one(results: list[ProbeResult]) -> ProbeResult:
    assert len(results) == 1
    assert results[0].name == "grpc-health"
    return results[0]


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


def test_serving_then_not_serving_then_unknown_service() -> None:
    async def main() -> list[ProbeResult]:
        async with grpc_health_server() as (port, servicer):
            serving = _one(await probe(_doc_ctx(port)))
            await servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
            not_serving = _one(await probe(_ctx(port)))
            await servicer.set("inventory.v1.Inventory", health_pb2.HealthCheckResponse.SERVING)
            named = _one(await probe(_ctx(port, grpc_service="inventory.v1.Inventory")))
            unknown = _one(await probe(_ctx(port, grpc_service="nope.v1.Nope")))
            return [serving, not_serving, named, unknown]

    serving, not_serving, named, unknown = asyncio.run(main())
    assert serving.ok is True and serving.connected
    assert "SERVING" in serving.message and "check" in serving.phases_ms
    assert not_serving.ok is False and not_serving.connected
    assert not_serving.error_kind is ErrorKind.PROTOCOL and "NOT_SERVING" in not_serving.message
    assert named.ok is True and "inventory.v1.Inventory" in named.message
    assert unknown.ok is False and unknown.error_kind is ErrorKind.PROTOCOL
    assert "nope.v1.Nope" in unknown.message


def test_server_without_health_service_is_unimplemented() -> None:
    async def main() -> ProbeResult:
        server = grpc.aio.server()
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            return _one(await probe(_ctx(port)))
        finally:
            await server.stop(None)

    res = asyncio.run(main())
    assert res.ok is False and res.connected
    assert res.error_kind is ErrorKind.PROTOCOL
    assert "server has no health service" in res.message


def test_tls_against_a_plaintext_server_is_tls() -> None:
    async def main() -> ProbeResult:
        server = grpc.aio.server()
        health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            return _one(await probe(_ctx(port, tls=True)))
        finally:
            await server.stop(None)

    res = asyncio.run(main())
    assert res.ok is False and res.error_kind is ErrorKind.TLS, res.message


def test_tls_with_a_private_ca(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)

    async def main() -> list[ProbeResult]:
        server = grpc.aio.server()
        health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
        creds = grpc.ssl_server_credentials([(key.read_bytes(), cert.read_bytes())])
        port = server.add_secure_port("127.0.0.1:0", creds)
        await server.start()
        try:
            trusted = _one(await probe(_ctx(port, tls=True, ca_bundle=str(cert))))
            untrusted = _one(await probe(_ctx(port, tls=True)))
            plaintext = _one(await probe(_ctx(port)))
            return [trusted, untrusted, plaintext]
        finally:
            await server.stop(None)

    trusted, untrusted, plaintext = asyncio.run(main())
    assert trusted.ok is True, trusted.message
    assert untrusted.ok is False and untrusted.error_kind is ErrorKind.TLS, untrusted.message
    assert plaintext.ok is False and "one that wants TLS" in plaintext.message


def test_refused(closed_port: int) -> None:
    res = _one(asyncio.run(probe(_ctx(closed_port))))
    assert res.ok is False and not res.connected
    assert res.error_kind is ErrorKind.REFUSED, res.message


def test_silent_listener_ends_at_the_deadline(silent_port: int) -> None:
    started = time.perf_counter()
    res = _one(asyncio.run(probe(_ctx(silent_port, timeout_s=0.5))))
    elapsed = time.perf_counter() - started
    assert res.ok is False and res.error_kind is ErrorKind.TIMEOUT, res.message
    assert 0.45 <= elapsed <= 1.0


def test_unresolvable_name_is_dns() -> None:
    res = _one(asyncio.run(probe(_ctx(50051, host="no-such-host.invalid"))))
    assert res.ok is False and res.error_kind is ErrorKind.DNS, res.message


def test_unreadable_ca_bundle_is_tls(tmp_path: Path) -> None:
    res = _one(asyncio.run(probe(_ctx(50051, tls=True, ca_bundle=str(tmp_path / "missing.pem")))))
    assert res.ok is False and res.error_kind is ErrorKind.TLS and "missing.pem" in res.message


def test_no_port_is_skipped() -> None:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol="grpc")
    res = _one(asyncio.run(probe(ProbeContext(integ, Target("127.0.0.1", None), 1.0))))
    assert res.skipped and res.message == "no port to connect to"


def test_missing_driver_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "grpc", None)
    res = _one(asyncio.run(probe(_ctx(50051))))
    assert res.skipped
    assert res.message == "driver not installed: pip install 'wiremap[probes]'"


def test_an_http1_server_is_not_called_tls_only() -> None:
    """Found by a new user: a gRPC doc pointed at a plain HTTP/1.1 server said 'Socket closed (a
    TLS-only server? the probe used plaintext)'; the server was not TLS. The probe cannot tell which."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        res = _one(asyncio.run(probe(_ctx(server.server_address[1]))))
    finally:
        server.shutdown()
        server.server_close()
    assert res.ok is False, res.message
    assert "TLS-only" not in res.message
    if res.error_kind is ErrorKind.PROTOCOL and "UNAVAILABLE" in res.message:
        assert "not a gRPC server, or one that wants TLS" in res.message


def test_the_endpoint_s_service_is_asked_about_before_the_whole_server() -> None:
    """A doc whose Endpoint calls ``inventory.v1.Inventory/Reserve`` was green while that service was
    NOT_SERVING, because only the whole server ("") was asked about (new user, round 14). The Endpoint's
    service is asked first; a health service that does not know it (many register only "") leaves the
    whole server's answer, and the message says so."""

    async def main() -> list[ProbeResult]:
        async with grpc_health_server() as (port, servicer):
            ctx = _doc_ctx(port)
            unknown = _one(await probe(ctx))
            await servicer.set("inventory.v1.Inventory", health_pb2.HealthCheckResponse.NOT_SERVING)
            down = _one(await probe(ctx))
            await servicer.set("inventory.v1.Inventory", health_pb2.HealthCheckResponse.SERVING)
            up = _one(await probe(ctx))
            return [unknown, down, up]

    unknown, down, up = asyncio.run(main())
    assert unknown.ok is True and "does not know service 'inventory.v1.Inventory'" in unknown.message
    assert down.ok is False and down.error_kind is ErrorKind.PROTOCOL
    assert "service 'inventory.v1.Inventory'" in down.message and "NOT_SERVING" in down.message
    assert up.ok is True and "service 'inventory.v1.Inventory'" in up.message
