"""store: the history of ``wiremap serve`` (check results, status changes, rollups) in SQLite or PostgreSQL.

One implementation, :class:`SqlStore` (SQLAlchemy Core), behind the
:class:`~wiremap.monitor.model.Store` protocol; :func:`open_store` picks the database from a URL and
migrates its schema (alembic, scripts shipped in the package) before handing it out.

PostgreSQL tables go to the connection's default schema (normally ``public``), or to a schema of their
own: ``postgresql://host/db?schema=wiremap`` or ``open_store(url, ..., pg_schema="wiremap")`` (the
argument wins). That schema is created when missing and set as the ``search_path`` of every connection,
which is also how tests isolate themselves in a throwaway schema.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .._errors import ConfigError
from ..secrets import mask_text
from .engine import make_engine, parse_url, safe_url
from .migrate import upgrade
from .sql import SqlStore

__all__ = ["SqlStore", "open_store"]


def open_store(url: str | None, *, default_path: Path, pg_schema: str | None = None) -> SqlStore:
    """Open (and migrate to the newest schema) the store at ``url``; SQLite at ``default_path`` when
    ``url`` is ``None``. Anything that keeps it from opening is a :class:`ConfigError` naming the URL with
    its password masked."""
    parsed, schema = parse_url(url, default_path, pg_schema)
    engine = make_engine(parsed, schema)
    try:
        if schema is not None:
            with engine.begin() as conn:
                # looked up first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists
                found = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})
                if found.first() is None:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        cause = getattr(exc, "orig", None) or exc
        detail = " ".join(str(cause).split())
        raise ConfigError(f"cannot open history store {safe_url(parsed)}: {mask_text(detail)}") from None
    except OSError as exc:
        engine.dispose()
        raise ConfigError(f"cannot open history store {safe_url(parsed)}: {exc}") from None
    except ConfigError:
        engine.dispose()
        raise
    return SqlStore(engine)
