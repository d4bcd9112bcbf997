"""The dashboard and JSON API of ``wiremap serve`` (:func:`create_app`)."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
