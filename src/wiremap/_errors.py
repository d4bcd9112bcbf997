"""The one error tree of wiremap.

Everything wiremap raises on purpose derives from :class:`WiremapError`; anything
else escaping the CLI is a bug and exits 3.

    WiremapError
    ├── UsageError            bad command-line input (exit 2)
    │   └── PathNotFoundError a path named on the command line does not exist
    ├── ConfigError           bad [tool.wiremap] / wiremap.toml (exit 2)
    └── DocumentError         a document cannot be read at all (binary, undecodable)

Findings about a document's *content* are not exceptions: they are data
(:class:`wiremap.lint.Finding`) and carry file:line.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DocumentError",
    "PathNotFoundError",
    "UsageError",
    "WiremapError",
]


class WiremapError(Exception):
    """Root of every error wiremap raises on purpose."""

    exit_code: int = 2


class UsageError(WiremapError):
    """The command line asked for something impossible."""


class PathNotFoundError(UsageError):
    """A path given on the command line does not exist."""


class ConfigError(WiremapError):
    """The configuration file is invalid."""


class DocumentError(WiremapError):
    """A file cannot be read as a text document (binary, undecodable)."""

    def __init__(self, path: str, message: str, line: int = 1) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message
