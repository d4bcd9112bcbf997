"""wiremap: integration docs that are true and stay true.

>>> import wiremap
>>> catalog = wiremap.load("examples/shop/docs/integrations")
>>> [i.id for i in catalog][:1]
['cart-service-to-cart-redis']
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from ._version import __version__

if _typing.TYPE_CHECKING:
    from ._errors import ConfigError, DocumentError, PathNotFoundError, UsageError, WiremapError
    from .catalog import Catalog, load
    from .config import Config, load_config
    from .document import ParsedDoc, parse_text, render_document
    from .findings import Finding, Severity
    from .lint import lint_catalog
    from .model import SCHEMA_VERSION, Integration

# The public names, imported on first use: ``import wiremap`` costs nothing until one is used (the pytest
# plugin is loaded by every pytest run where wiremap is installed; the model alone takes ~0.2 s to build).
_LAZY = {
    "ConfigError": "._errors",
    "DocumentError": "._errors",
    "PathNotFoundError": "._errors",
    "UsageError": "._errors",
    "WiremapError": "._errors",
    "Catalog": ".catalog",
    "load": ".catalog",
    "Config": ".config",
    "load_config": ".config",
    "ParsedDoc": ".document",
    "parse_text": ".document",
    "render_document": ".document",
    "Finding": ".findings",
    "Severity": ".findings",
    "lint_catalog": ".lint",
    "SCHEMA_VERSION": ".model",
    "Integration": ".model",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wiremap' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "SCHEMA_VERSION",
    "Catalog",
    "Config",
    "ConfigError",
    "DocumentError",
    "Finding",
    "Integration",
    "ParsedDoc",
    "PathNotFoundError",
    "Severity",
    "UsageError",
    "WiremapError",
    "__version__",
    "lint_catalog",
    "load",
    "load_config",
    "parse_text",
    "render_document",
]
