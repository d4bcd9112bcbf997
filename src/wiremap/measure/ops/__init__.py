"""Load operations by protocol: a view of the one registry, :data:`wiremap.protocols.PROTOCOLS`.

Each module ``wiremap.measure.ops.<protocol>`` (a protocol whose entry says ``measure=True``) has
``factory(ctx) -> Operation``: called once per connection, it raises ConfigError for a setting or a
request it will not send. Its connection and errors are the protocol module's
(``wiremap.protocols.<protocol>``). Adding one: see :mod:`wiremap.protocols.registry`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from ...protocols import PROTOCOLS, Spec
from .._base import OperationFactory

__all__ = ["OPS", "get_factory"]

OPS: Mapping[str, str] = {name: Spec.operation(name) for name, spec in PROTOCOLS.items() if spec.measure}


def get_factory(protocol: str | None) -> OperationFactory:
    """The operation factory for ``protocol``; KeyError when it cannot be measured (yet)."""
    if protocol is None or protocol not in OPS:
        raise KeyError(f"no load operation for protocol {protocol!r}")
    module = importlib.import_module(OPS[protocol])
    factory: OperationFactory = module.factory
    return factory
