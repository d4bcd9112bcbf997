"""Storefront: the customer-facing web app (port 8080)."""
