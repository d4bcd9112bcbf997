"""Stub servers by protocol: one module per protocol, imported only when used.

Adding a protocol is one module ``stub/servers/<protocol>.py`` with
``async def start(spec: StubSpec, ctx: StubContext) -> RunningStub``, one line here, and one row of
:data:`wiremap.stub.faults.SUPPORT`. PostgreSQL and AMQP are not stubbed: put the fault proxy
(:mod:`wiremap.stub.proxy`, ``--proxy-to``) in front of a real server instead.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from .._errors import UsageError
from ._base import RunningStub, StubContext
from .spec import StubSpec

__all__ = ["SERVERS", "StartStub", "get_server"]

SERVERS: dict[str, str] = {
    "grpc": "wiremap.stub.servers.grpc",
    "http": "wiremap.stub.servers.http",
    "mqtt": "wiremap.stub.servers.mqtt",
    "nats": "wiremap.stub.servers.nats",
    "redis": "wiremap.stub.servers.redis",
    "tcp": "wiremap.stub.servers.tcp",
    "websocket": "wiremap.stub.servers.websocket",
}


class StartStub(Protocol):
    async def __call__(self, spec: StubSpec, ctx: StubContext) -> RunningStub: ...


def get_server(protocol: str) -> StartStub:
    """The ``start`` of ``protocol``'s stub; :class:`UsageError` when there is none (yet)."""
    name = SERVERS.get(protocol)
    if name is None:
        known = ", ".join(sorted(SERVERS))
        raise UsageError(
            f"no {protocol} stub (stubs: {known}); serve the real thing behind --proxy-to HOST:PORT instead"
        )
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise UsageError(f"the {protocol} stub is not written yet; use --proxy-to HOST:PORT") from exc
    fn: StartStub = module.start
    return fn
