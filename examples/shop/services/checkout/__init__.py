"""Checkout service: turns a cart into a paid, persisted order (port 8084)."""
