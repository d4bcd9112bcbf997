"""GitHub Actions workflow-command escaping (``::error file=…::message``)."""

from __future__ import annotations

__all__ = ["escape_data", "escape_property"]


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
