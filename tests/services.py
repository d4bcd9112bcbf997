"""Real services of the CI machine: skip with a reason when down, fail under WIREMAP_REQUIRE_SERVICES=1."""

from __future__ import annotations

import os
import socket

import pytest

SERVICES = {
    "postgresql": ("127.0.0.1", 5432),
    "redis": ("127.0.0.1", 6379),
    "amqp": ("127.0.0.1", 5672),
    "nats": ("127.0.0.1", 4222),
    "mqtt": ("127.0.0.1", 1883),
}


def require_service(name: str) -> tuple[str, int]:
    """``(host, port)`` of a running service, else skip (or fail when services are required)."""
    host, port = SERVICES[name]
    try:
        with socket.create_connection((host, port), timeout=2):
            return host, port
    except OSError as exc:
        reason = f"{name} is not reachable at {host}:{port} ({exc.strerror or exc})"
        if os.environ.get("WIREMAP_REQUIRE_SERVICES") == "1":
            pytest.fail(f"WIREMAP_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
