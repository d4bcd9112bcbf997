"""From a store URL to a configured SQLAlchemy engine, or a :class:`ConfigError` that says what is wrong.

Supported URLs::

    None                                   SQLite at the caller's default path (``.wiremap/history.db``)
    sqlite:///relative/or/absolute.db      SQLite file (parent directories are created)
    postgresql://user:pw@host:5432/db      PostgreSQL through psycopg 3 (also ``postgresql+psycopg://``)
    postgresql://…/db?schema=wiremap       …with every table in schema ``wiremap`` (created when missing)

Every message shows the URL with its password masked: store URLs come from the command line and end up
in logs and CI output.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .._errors import ConfigError
from ..secrets import mask_text

__all__ = ["BUSY_TIMEOUT_MS", "make_engine", "parse_url", "safe_url"]

BUSY_TIMEOUT_MS = 30_000  # writers are background work: waiting beats failing
CONNECT_TIMEOUT_S = 10
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")  # lower case: PostgreSQL folds unquoted names
_SQLITE = ("sqlite", "sqlite+pysqlite")
_POSTGRESQL = ("postgresql", "postgres", "postgresql+psycopg")


def safe_url(url: URL | str) -> str:
    """The URL for a message: password masked, whatever shape the URL has."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return mask_text(url)


def parse_url(url: str | None, default_path: Path, pg_schema: str | None = None) -> tuple[URL, str | None]:
    """The normalized URL (SQLite file or PostgreSQL on psycopg 3) and the PostgreSQL schema, if any."""
    if url is None:
        return URL.create("sqlite", database=str(default_path)), None
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"history store URL {safe_url(url)!r} is not a URL: use sqlite:///PATH or postgresql://HOST/DB"
        ) from None
    name = parsed.drivername
    if name in _SQLITE:
        if not parsed.database or parsed.database == ":memory:":
            raise ConfigError(
                f"history store URL {safe_url(parsed)!r} names no file: use sqlite:///PATH "
                "(an in-memory database would be one per connection and lose everything)"
            )
        return parsed.set(drivername="sqlite"), None
    if name in _POSTGRESQL:
        query = dict(parsed.query)
        schema = query.pop("schema", None)
        if isinstance(schema, tuple):
            schema = schema[-1]
        schema = pg_schema or schema
        if schema is not None and not _IDENTIFIER.fullmatch(schema):
            raise ConfigError(
                f"PostgreSQL schema {schema!r} is not a plain lower-case identifier ([a-z_][a-z0-9_]*)"
            )
        return parsed.set(drivername="postgresql+psycopg", query=query), schema
    raise ConfigError(
        f"history store URL {safe_url(parsed)!r} has an unsupported scheme {name!r}: "
        "use sqlite:///PATH or postgresql://USER@HOST:PORT/DB (psycopg 3)"
    )


def make_engine(url: URL, pg_schema: str | None) -> Engine:
    """An engine whose connections are set up for the store (SQLite pragmas, PostgreSQL search path)."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S  # libpq waits forever on a black-holed host
    if pg_schema is not None:
        # set at connection start-up by the server, so no transaction (and no rollback) can undo it
        connect_args["options"] = f"-c search_path={pg_schema}"
    try:
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except Exception as exc:  # e.g. psycopg missing
        raise ConfigError(f"cannot use history store {safe_url(url)}: {mask_text(str(exc))}") from None


def _sqlite_engine(url: URL) -> Engine:
    assert url.database is not None
    path = Path(url.database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the directory of history store {path}: {exc.strerror}") from None
    # one engine, a pool of connections shared by the scheduler's writer and the web app's readers;
    # check_same_thread=False because the pool hands a connection to whichever thread asks
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling issues BEGIN late and never BEGIN IMMEDIATE; take it over
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")  # readers run while the writer writes
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: safe against a process crash
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # writers take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that reads and
        # then writes can fail with SQLITE_BUSY at once when another writer got in between
        mode = "IMMEDIATE" if conn.get_execution_options().get("wiremap_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
