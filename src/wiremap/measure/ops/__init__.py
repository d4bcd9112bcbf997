"""Load operations by protocol: one module per protocol, imported only when used (drivers are optional).

Each module ``wiremap.measure.ops.<protocol>`` has ``factory(ctx) -> Operation``: called once per
connection, it raises ConfigError for a setting or a request it will not send. Adding a protocol is
one module plus one line here.
"""

from __future__ import annotations

import importlib

from .._base import OperationFactory

__all__ = ["OPS", "get_factory"]

OPS: dict[str, str] = {
    "grpc": "wiremap.measure.ops.grpc",
    "http": "wiremap.measure.ops.http",
    "postgresql": "wiremap.measure.ops.postgresql",
    "redis": "wiremap.measure.ops.redis",
    "tcp": "wiremap.measure.ops.tcp",
    "websocket": "wiremap.measure.ops.websocket",
}


def get_factory(protocol: str | None) -> OperationFactory:
    """The operation factory for ``protocol``; KeyError when it cannot be measured (yet)."""
    if protocol not in OPS:
        raise KeyError(f"no load operation for protocol {protocol!r}")
    module = importlib.import_module(OPS[protocol])
    factory: OperationFactory = module.factory
    return factory
