"""TCP operation: each call opens a TCP connection to the destination and closes it (connect time).

The name is resolved once, at :meth:`TcpConnect.open`; a call connects to the resolved addresses in
order (the first that accepts wins), exactly as the ``tcp`` probe does. The client closes first, so
each call leaves one socket in TIME_WAIT on this machine (about 60 s on Linux): tens of thousands of
calls a minute to one destination can run out of ephemeral ports.

This module, which needs no driver, also holds what the other operations share: :func:`require_driver`
(ConfigError from the factory, before any traffic, when a driver is missing) and :func:`error_of`, which
turns the error kind a probe's own classifier found (gRPC status codes, driver messages) into an
exception :func:`wiremap.probes._base.classify` maps back to that kind, so that the engine's one
``classify`` counts a DEADLINE_EXCEEDED as ``timeout`` and a refused gRPC channel as ``refused``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import ssl
from collections.abc import Sequence
from typing import Any

from ..._errors import ConfigError
from ...probes._base import ErrorKind, ProbeContext, classify
from ...probes.tcp import _connect_any
from .._base import Operation

__all__ = ["DRIVER_MISSING", "OperationError", "TcpConnect", "error_of", "factory", "require_driver"]

DRIVER_MISSING = "driver not installed: pip install 'wiremap[probes]'"


class OperationError(Exception):
    """A failed request, already classified: :attr:`kind` is what ``classify`` says of it."""

    kind: ErrorKind = ErrorKind.PROTOCOL

    def __str__(self) -> str:  # ssl.SSLError's own __str__ shows the args tuple
        return str(self.args[0]) if self.args else type(self).__name__


class _Timeout(OperationError, TimeoutError):
    kind = ErrorKind.TIMEOUT


class _Dns(OperationError, socket.gaierror):
    kind = ErrorKind.DNS


class _Tls(OperationError, ssl.SSLError):
    kind = ErrorKind.TLS


class _Refused(OperationError, ConnectionRefusedError):
    kind = ErrorKind.REFUSED


class _Auth(OperationError, PermissionError):
    kind = ErrorKind.AUTH


_BY_KIND: dict[ErrorKind, type[OperationError]] = {
    ErrorKind.TIMEOUT: _Timeout,
    ErrorKind.DNS: _Dns,
    ErrorKind.TLS: _Tls,
    ErrorKind.REFUSED: _Refused,
    ErrorKind.AUTH: _Auth,
}


def require_driver(protocol: str, *modules: str) -> None:
    """ConfigError, before any traffic, when a driver is not installed (looked up, not imported)."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise ConfigError(f"{protocol}: {DRIVER_MISSING} ({module} is missing)")


def error_of(kind: ErrorKind, message: str) -> OperationError:
    """An exception ``classify`` maps to ``kind`` (by its type; ``auth`` by its words, added when missing).

    ``protocol`` (and ``contract``) errors are plain :class:`OperationError`; ``classify`` reads their
    text, so a message with "refused" or "TLS" in it is counted under that kind instead.
    """
    exc = _BY_KIND.get(kind, OperationError)(message)
    if kind is ErrorKind.AUTH and classify(exc)[0] is not ErrorKind.AUTH:
        exc = _Auth(f"not authorized: {message}")
    return exc


class TcpConnect:
    """One call = one TCP connect and close; :meth:`open` only resolves the name. ConfigError without
    a port."""

    def __init__(self, ctx: ProbeContext) -> None:
        if not ctx.target.port:
            raise ConfigError(f"tcp: no port to connect to on {ctx.target.host}")
        self._ctx = ctx
        self._loop: asyncio.AbstractEventLoop | None = None
        self._infos: Sequence[tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]] = ()

    async def open(self) -> None:
        target = self._ctx.target
        self._loop = asyncio.get_running_loop()
        async with asyncio.timeout(self._ctx.timeout_s):
            self._infos = await self._loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        if not self._infos:
            raise _Dns(f"{target.host} resolves to no address")

    async def __call__(self) -> None:
        loop = self._loop
        if loop is None:
            raise RuntimeError("tcp: call before open()")
        await _connect_any(loop, self._infos)

    async def close(self) -> None:
        self._infos = ()


def factory(ctx: ProbeContext) -> Operation:
    return TcpConnect(ctx)
