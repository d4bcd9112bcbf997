"""Re-export of :mod:`wiremap.document.walk` for rules."""

from __future__ import annotations

from ..document.walk import TextUnit, text_units

__all__ = ["TextUnit", "text_units"]
