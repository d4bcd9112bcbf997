"""Alembic glue: migrate a store to the newest schema when it is opened, without an ``alembic.ini``.

The migration scripts ship inside the package (``migrations/``); the :class:`~alembic.config.Config` is
built here and handed the open connection. Opening an up-to-date database costs one ``SELECT`` of the
version table: alembic is imported only when there is something to do.

A new revision, after changing ``schema.py`` (autogenerate compares it with a database at head)::

    with open_store(None, default_path=Path("/tmp/h.db")).engine.begin() as conn:
        command.revision(alembic_config(conn), "what changed", autogenerate=True, rev_id="0002")

then review the script, ``ruff format`` it, and set :data:`HEAD` (a test checks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from .._errors import ConfigError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["HEAD", "MIGRATIONS", "alembic_config", "current_revision", "upgrade"]

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0002"  # the newest revision in migrations/versions (a test checks it against alembic's view)
_PG_LOCK = 0x77_69_72_65  # "wire": serializes two processes migrating one PostgreSQL database at once


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic configuration for the packaged scripts, bound to ``connection`` (used by ``env.py``)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at; ``None`` for a database without the version table."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> bool:
    """Migrate to :data:`HEAD`; ``False`` when the database already was there (nothing else is done)."""
    with engine.connect() as conn:
        at_head = current_revision(conn) == HEAD
        conn.rollback()
    if at_head:
        return False
    from alembic import command
    from alembic.util import CommandError

    writer = engine.execution_options(wiremap_write=True)
    with writer.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        found = current_revision(conn)
        if found == HEAD:  # another process migrated while we waited for the lock
            return False
        try:
            command.upgrade(alembic_config(conn), "head")
        except CommandError:  # a revision this wiremap does not know: written by a newer one
            raise ConfigError(
                f"the history store is at schema revision {found!r}, unknown to this wiremap (newest it "
                f"knows: {HEAD!r}): upgrade wiremap, or point --store at another database"
            ) from None
    return True
