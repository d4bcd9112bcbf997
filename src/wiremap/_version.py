"""The version, in one place (pyproject.toml reads it; importlib.metadata costs ~40 ms at startup)."""

__version__ = "0.1.0"
