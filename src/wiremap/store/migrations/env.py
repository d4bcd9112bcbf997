"""Alembic environment of the history store: online only, on the connection :mod:`..migrate` hands over.

There is no ``alembic.ini``: :func:`wiremap.store.migrate.alembic_config` builds the configuration and puts
the open connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from wiremap.store.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("wiremap's migrations run through wiremap.store.open_store (no alembic.ini)")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
