"""Probes by protocol: a view of the one registry, :data:`wiremap.protocols.PROTOCOLS`.

A protocol's probe is ``wiremap.probes.<name>`` with ``async def probe(ctx) -> list[ProbeResult]``,
imported only when used (drivers are optional). Adding one: see :mod:`wiremap.protocols.registry`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping

from ..protocols import PROTOCOLS, Spec
from ..protocols import preload as _preload_protocols
from ._base import ProbeFn

__all__ = ["DRIVERS", "PROBES", "get_probe", "preload", "probe_name"]

PROBES: Mapping[str, str] = {name: Spec.probe(name) for name in PROTOCOLS}
DRIVERS: Mapping[str, tuple[str, ...]] = {
    name: spec.drivers for name, spec in PROTOCOLS.items() if spec.drivers
}


def preload(protocols: set[str | None]) -> None:
    """Import the probes and drivers these protocols need (missing drivers are the probes' to report)."""
    _preload_protocols({probe_name(p) for p in protocols})


def probe_name(protocol: str | None) -> str:
    """The probe that serves ``protocol``: its own, else ``tcp`` (connect only)."""
    return protocol if protocol in PROTOCOLS else "tcp"


def get_probe(protocol: str | None) -> ProbeFn:
    name = Spec.probe(probe_name(protocol))
    # imported once: then a look-up in sys.modules (import_module's own path costs a probe of serve's
    # every interval several µs); still the module's attribute, so a replaced ``probe`` is seen
    module = sys.modules.get(name) or importlib.import_module(name)
    fn: ProbeFn = module.probe
    return fn
