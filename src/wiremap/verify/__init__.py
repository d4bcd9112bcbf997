"""verify: prove each documented integration works, over its own protocol."""

from __future__ import annotations

from .engine import IntegrationReport, VerifyOptions, verify, verify_all

__all__ = ["IntegrationReport", "VerifyOptions", "verify", "verify_all"]
