"""The TCP probe against real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from wiremap import parse_text
from wiremap.model import Integration
from wiremap.probes._base import ErrorKind, ProbeContext, ProbeResult, Target
from wiremap.probes.tcp import probe

SFTP_DOC = """# Integration: Billing Export → Partner SFTP

**Protocol:** SFTP
**Destination:** Partner SFTP (127.0.0.1:{port})
"""


def _run(ctx: ProbeContext) -> ProbeResult:
    results = asyncio.run(probe(ctx))
    assert len(results) == 1
    return results[0]


def _ctx(host: str, port: int | None, protocol: str | None = "tcp", timeout_s: float = 2.0) -> ProbeContext:
    integ = Integration(id="a-to-b", path="a-to-b.md", protocol=protocol)
    return ProbeContext(integ, Target(host, port), timeout_s)


@pytest.fixture
def listener() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never speaks."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connects_and_times_the_phases(listener: int) -> None:
    res = _run(_ctx("127.0.0.1", listener))
    assert res.ok is True and res.connected
    assert res.name == "tcp"
    assert res.message == f"connected to 127.0.0.1:{listener}"
    assert set(res.phases_ms) == {"dns", "connect"}
    assert res.duration_ms >= sum(res.phases_ms.values()) > 0


def test_localhost_tries_every_address(listener: int) -> None:
    """``localhost`` may resolve to ::1 first; the IPv4 listener must still be found."""
    res = _run(_ctx("localhost", listener))
    assert res.ok is True, res.message


def test_fallback_for_a_protocol_without_a_probe_says_so(listener: int) -> None:
    integ = parse_text(SFTP_DOC.format(port=listener), "sftp.md").integration
    assert integ.protocol == "sftp"
    res = _run(ProbeContext(integ, Target("127.0.0.1", integ.destination_port), 2.0))
    assert res.ok is True
    assert "no sftp probe: TCP connect only" in res.message


def test_no_protocol_is_a_fallback_too(listener: int) -> None:
    res = _run(_ctx("127.0.0.1", listener, protocol=None))
    assert res.ok is True and "TCP connect only" in res.message


def test_refused(closed_port: int) -> None:
    res = _run(_ctx("127.0.0.1", closed_port, protocol="kafka"))
    assert res.ok is False and not res.connected
    assert res.error_kind is ErrorKind.REFUSED
    assert "refused" in res.message and "no kafka probe: TCP connect only" in res.message
    assert "dns" in res.phases_ms and "connect" not in res.phases_ms


def test_unresolvable_name_is_dns() -> None:
    res = _run(_ctx("no-such-host.invalid", 22))
    assert res.ok is False and res.error_kind is ErrorKind.DNS
    assert "dns" not in res.phases_ms


def test_no_port_is_skipped() -> None:
    res = _run(_ctx("127.0.0.1", None))
    assert res.skipped and res.ok is None
    assert res.message == "no port to connect to"


def test_a_doc_saying_tls_gets_a_handshake_not_a_connect(listener: int, tmp_path: Path) -> None:
    """Round 56: "TCP over TLS" and "Kafka (SSL)" against a plaintext port said ok (a connect): the doc
    says TLS, so the handshake is made and the certificate verified."""
    from tests.probes._fakes import self_signed_cert

    def ctx(port: int, protocol: str, settings: dict[str, str] | None = None) -> ProbeContext:
        integ = Integration(id="a-to-b", path="a-to-b.md", protocol=protocol, tls=True)
        return ProbeContext(integ, Target("localhost", port), 2.0, settings or {})

    r = _run(ctx(listener, "tcp"))  # accepts and never speaks: no handshake
    assert r.ok is False and r.error_kind is ErrorKind.TLS and "does the port speak TLS?" in r.message
    cert, key = self_signed_cert(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(str(cert), str(key))

    async def main() -> tuple[ProbeResult, ProbeResult]:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        async with server:
            trusted = (await probe(ctx(port, "kafka", {"ca_bundle": str(cert)})))[0]
            untrusted = (await probe(ctx(port, "kafka")))[0]
        return trusted, untrusted

    trusted, untrusted = asyncio.run(main())
    assert trusted.ok is True and "handshake done, certificate verified" in trusted.message, trusted
    assert "no kafka probe: TCP connect only" in trusted.message
    assert untrusted.ok is False and untrusted.error_kind is ErrorKind.TLS
