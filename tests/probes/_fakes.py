"""Fake peers on 127.0.0.1 for the probe tests: silent, junk-writing or scripted servers."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

__all__ = ["JUNK", "Script", "free_port", "grpc_health_server", "self_signed_cert", "serve", "serve_port"]

JUNK = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

Script = Callable[[bytes, asyncio.Transport], None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


class Peer(asyncio.Protocol):
    def __init__(
        self, greeting: bytes, hang_up: bool, script: Script | None, received: bytearray, chunks: bool = False
    ) -> None:
        self.greeting, self.hang_up, self.script, self.received = greeting, hang_up, script, received
        self.chunks = chunks  # the script sees each chunk as it comes, not everything so far

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if self.greeting:
            transport.write(self.greeting)
        if self.hang_up:
            transport.close()

    def data_received(self, data: bytes) -> None:
        self.received += data
        if self.script is not None:
            self.script(data if self.chunks else bytes(self.received), self.transport)


@contextlib.asynccontextmanager
async def serve(
    greeting: bytes = b"", *, hang_up: bool = False, script: Script | None = None, chunks: bool = False
) -> AsyncIterator[tuple[int, bytearray]]:
    """A local server: silent by default, or writing ``greeting`` (then hanging up), or scripted."""
    received = bytearray()
    peers: list[Peer] = []

    def factory() -> Peer:
        peers.append(Peer(greeting, hang_up, script, received, chunks))
        return peers[-1]

    server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], received
    finally:
        for peer in peers:
            if hasattr(peer, "transport"):
                peer.transport.abort()
        server.close()
        await server.wait_closed()


class _GreetingPeer(asyncio.Protocol):
    def __init__(self, greeting: bytes) -> None:
        self.greeting = greeting

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if self.greeting:  # write it and hang up, as an HTTP server does with bytes it cannot parse
            transport.write(self.greeting)
            transport.close()


@contextlib.asynccontextmanager
async def serve_port(greeting: bytes = b"") -> AsyncIterator[int]:
    """A local server that never answers, or that writes ``greeting`` and hangs up."""
    peers: list[_GreetingPeer] = []

    def factory() -> _GreetingPeer:
        peers.append(_GreetingPeer(greeting))
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


def self_signed_cert(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by the ``openssl`` command (skip without it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextlib.asynccontextmanager
async def grpc_health_server(servicer: Any = None) -> AsyncIterator[tuple[int, Any]]:
    """A gRPC server on 127.0.0.1 with the standard health service (``servicer``, else grpcio's own):
    (port, its servicer). Only for tests that already skip without grpcio."""
    import grpc
    from grpc_health.v1 import health, health_pb2_grpc

    server = grpc.aio.server()
    servicer = servicer if servicer is not None else health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port: int = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield port, servicer
    finally:
        await server.stop(None)
