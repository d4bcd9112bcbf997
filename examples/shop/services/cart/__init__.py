"""Cart service: HTTP API over carts kept in Redis (port 8082)."""
