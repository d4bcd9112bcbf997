"""The one registry of protocols: name -> the modules that speak it and the drivers they need.

Adding a protocol is ``wiremap/protocols/<name>.py`` (the connection: connect, one call, close, and the
one mapping of its driver's errors to :mod:`wiremap.protocols._errors`), ``wiremap/probes/<name>.py``
(what ``verify`` checks with it), optionally ``wiremap/measure/ops/<name>.py`` (``measure``'s load), and
one line here. :mod:`wiremap.probes.registry` and :mod:`wiremap.measure.ops` are views of this table.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

__all__ = ["DRIVER_MISSING", "PROTOCOLS", "Spec", "missing_driver", "preload"]

DRIVER_MISSING = "driver not installed: pip install 'wiremap[probes]'"


@dataclass(frozen=True, slots=True)
class Spec:
    # imported up front by :func:`preload`: a first import inside a running probe blocks the event loop
    # for ~0.1 s and so delays every probe in flight. A missing driver is the probe's to report.
    drivers: tuple[str, ...] = ()
    measure: bool = False  # has ``wiremap.measure.ops.<name>``

    @staticmethod
    def module(name: str) -> str:
        return f"wiremap.protocols.{name}"

    @staticmethod
    def probe(name: str) -> str:
        return f"wiremap.probes.{name}"

    @staticmethod
    def operation(name: str) -> str:
        return f"wiremap.measure.ops.{name}"


PROTOCOLS: dict[str, Spec] = {
    "amqp": Spec(("aio_pika",)),
    "grpc": Spec(("grpc", "grpc_health.v1.health_pb2"), measure=True),
    "http": Spec(("wiremap.http1",), measure=True),
    "mqtt": Spec(("aiomqtt",)),
    "nats": Spec(("nats",)),
    "postgresql": Spec(("psycopg",), measure=True),
    "redis": Spec(("redis.asyncio",), measure=True),
    "tcp": Spec((), measure=True),
    "websocket": Spec(("websockets.asyncio.client",), measure=True),
}


def preload(names: set[str]) -> None:
    """Import the probes, protocol modules and drivers of these protocols (those that are installed)."""
    for name in names:
        spec = PROTOCOLS[name]
        for module in (Spec.probe(name), Spec.module(name), *spec.drivers):
            try:
                importlib.import_module(module)
            except ImportError:
                continue


def missing_driver(*modules: str) -> str | None:
    """The first of ``modules`` that is not installed (looked up, not imported), else None."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            return module
    return None
