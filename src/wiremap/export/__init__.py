"""What ``wiremap export`` writes: the docs' checks in the formats of other tools (Prometheus)."""

from __future__ import annotations

__all__: list[str] = []
