"""TCP operation: each call opens a TCP connection to the destination and closes it (connect time).

The name is resolved once, at :meth:`TcpConnect.open`; a call connects to the resolved addresses in
order (the first that accepts wins), exactly as the ``tcp`` probe does (:mod:`wiremap.protocols.tcp`).
The client closes first, so each call leaves one socket in TIME_WAIT on this machine (about 60 s on
Linux): tens of thousands of calls a minute to one destination can run out of ephemeral ports.
"""

from __future__ import annotations

import asyncio

from ..._errors import ConfigError
from ...probes._base import ProbeContext
from ...protocols import tcp
from .._base import Operation

__all__ = ["TcpConnect", "factory"]


class TcpConnect:
    """One call = one TCP connect and close; :meth:`open` only resolves the name. ConfigError without
    a port."""

    connect_each = True  # (the report says so: "8 connections" read as kept-alive ones, round 55)

    def __init__(self, ctx: ProbeContext) -> None:
        if not ctx.target.port:
            raise ConfigError(f"tcp: no port to connect to on {ctx.target.host}")
        self._ctx = ctx
        self._host = ctx.target.host
        self._port: int = ctx.target.port
        self._infos: tcp.Addresses = ()

    async def open(self) -> None:
        async with asyncio.timeout(self._ctx.timeout_s):
            self._infos = await tcp.resolve(self._host, self._port)

    async def __call__(self) -> None:
        if not self._infos:
            raise RuntimeError("tcp: call before open()")
        await tcp.connect_any(self._infos, self._host, self._port)

    async def close(self) -> None:
        self._infos = ()


def factory(ctx: ProbeContext) -> Operation:
    return TcpConnect(ctx)
