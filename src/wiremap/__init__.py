"""wiremap: integration docs that are true and stay true.

>>> import wiremap
>>> catalog = wiremap.load("examples/shop/docs/integrations")
>>> [i.id for i in catalog][:1]
['cart-service-to-cart-redis']
"""

from __future__ import annotations

from ._errors import ConfigError, DocumentError, PathNotFoundError, UsageError, WiremapError
from ._version import __version__
from .catalog import Catalog, load
from .config import Config, load_config
from .document import ParsedDoc, parse_text, render_document
from .findings import Finding, Severity
from .lint import lint_catalog
from .model import SCHEMA_VERSION, Integration

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
