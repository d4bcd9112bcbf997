"""What every load operation checks first: its driver is installed (ConfigError before any traffic)."""

from __future__ import annotations

from ..._errors import ConfigError
from ...protocols import DRIVER_MISSING, missing_driver

__all__ = ["DRIVER_MISSING", "require_driver"]


def require_driver(protocol: str, *modules: str) -> None:
    """ConfigError, before any traffic, when a driver is not installed (looked up, not imported)."""
    module = missing_driver(*modules)
    if module is not None:
        raise ConfigError(f"{protocol}: {DRIVER_MISSING} ({module} is missing)")
