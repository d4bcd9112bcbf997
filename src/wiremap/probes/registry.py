"""Probes by protocol: one module per protocol, imported only when used (drivers are optional).

Adding a protocol is one module with ``async def probe(ctx) -> list[ProbeResult]`` plus one line here.
"""

from __future__ import annotations

import importlib

from ._base import ProbeFn

__all__ = ["DRIVERS", "PROBES", "get_probe", "preload", "probe_name"]

PROBES: dict[str, str] = {
    "amqp": "wiremap.probes.amqp",
    "grpc": "wiremap.probes.grpc",
    "http": "wiremap.probes.http",
    "mqtt": "wiremap.probes.mqtt",
    "nats": "wiremap.probes.nats",
    "postgresql": "wiremap.probes.postgresql",
    "redis": "wiremap.probes.redis",
    "tcp": "wiremap.probes.tcp",
    "websocket": "wiremap.probes.websocket",
}


# Each probe's driver: imported up front by :func:`preload`, because a first import inside a
# running probe blocks the event loop for ~0.1 s and so delays every probe in flight.
DRIVERS: dict[str, tuple[str, ...]] = {
    "amqp": ("aio_pika",),
    "grpc": ("grpc", "grpc_health.v1.health_pb2"),
    "http": ("wiremap.http1",),
    "mqtt": ("aiomqtt",),
    "nats": ("nats",),
    "postgresql": ("psycopg",),
    "redis": ("redis.asyncio",),
    "websocket": ("websockets.asyncio.client",),
}


def preload(protocols: set[str | None]) -> None:
    """Import the probes and drivers these protocols need (missing drivers are the probes' to report)."""
    for protocol in protocols:
        name = probe_name(protocol)
        for module in (PROBES[name], *DRIVERS.get(name, ())):
            try:
                importlib.import_module(module)
            except ImportError:
                continue


def probe_name(protocol: str | None) -> str:
    """The probe that serves ``protocol``: its own, else ``tcp`` (connect only)."""
    return protocol if protocol in PROBES else "tcp"


def get_probe(protocol: str | None) -> ProbeFn:
    module = importlib.import_module(PROBES[probe_name(protocol)])
    fn: ProbeFn = module.probe
    return fn
