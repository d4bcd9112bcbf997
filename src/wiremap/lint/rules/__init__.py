"""One module per rule; each exposes ``RULE``. Listed in :mod:`wiremap.lint.registry`."""
