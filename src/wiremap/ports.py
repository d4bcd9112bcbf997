"""The default port of each URL scheme wiremap reads: one table for targets, secrets and discovery."""

from __future__ import annotations

__all__ = ["DEFAULT_PORTS"]

DEFAULT_PORTS: dict[str, int | None] = {
    "http": 80,
    "https": 443,
    "ws": 80,
    "wss": 443,
    "grpc": 443,
    "grpcs": 443,
    "postgresql": 5432,
    "postgres": 5432,
    "redis": 6379,
    "rediss": 6380,  # the probe's TLS port for Redis (redis-py itself keeps 6379)
    "amqp": 5672,
    "amqps": 5671,
    "nats": 4222,
    "tls": 4222,
    "mqtt": 1883,
    "mqtts": 8883,
    "mongodb": 27017,
    "mysql": 3306,
    "tcp": None,
}
