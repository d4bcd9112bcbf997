"""open_store: URLs, SQLite connection settings, and bad input as a ConfigError with the password masked."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.services import require_service
from wiremap._errors import ConfigError
from wiremap.store import SqlStore, open_store
from wiremap.store.engine import BUSY_TIMEOUT_MS, parse_url

SECRET = "hunter2-very-secret"


def test_default_path_creates_its_directories(tmp_path: Path) -> None:
    path = tmp_path / "project" / ".wiremap" / "history.db"
    with open_store(None, default_path=path) as store:
        assert store.engine.dialect.name == "sqlite"
    assert path.is_file()


def test_sqlite_url(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "h.db"
    open_store(f"sqlite:///{path}", default_path=tmp_path / "unused.db").close()
    assert path.is_file()
    assert not (tmp_path / "unused.db").exists()


def test_sqlite_settings_on_every_connection(tmp_path: Path) -> None:
    with open_store(None, default_path=tmp_path / "h.db") as store:
        conns = [store.engine.connect() for _ in range(3)]  # three pooled connections
        try:
            for conn in conns:
                assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
                assert conn.execute(text("PRAGMA busy_timeout")).scalar() == BUSY_TIMEOUT_MS
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        finally:
            for conn in conns:
                conn.close()


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_urls_map_to_the_supported_drivers(url: str, driver: str) -> None:
    parsed, schema = parse_url(url, Path("unused"))
    assert parsed.drivername == driver
    assert schema is None


def test_schema_from_the_url_or_the_argument() -> None:
    parsed, schema = parse_url("postgresql://u@h/db?schema=wm&sslmode=disable", Path("unused"))
    assert schema == "wm"
    assert dict(parsed.query) == {"sslmode": "disable"}  # libpq would reject ?schema=
    assert parse_url("postgresql://u@h/db?schema=wm", Path("unused"), "other")[1] == "other"


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://user:{SECRET}@db.example.com/history",
        f"postgresql+psycopg2://user:{SECRET}@db.example.com/history",
        f"http://user:{SECRET}@example.com/",
    ],
)
def test_unknown_scheme_is_a_config_error(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        open_store(url, default_path=tmp_path / "h.db")
    message = str(info.value)
    assert "unsupported scheme" in message
    assert "sqlite:///" in message and "postgresql://" in message
    assert SECRET not in message
    assert "db.example.com" in message or "example.com" in message


@pytest.mark.parametrize("url", ["not a url", f"::{SECRET}::", ""])
def test_not_a_url_is_a_config_error(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a URL"):
        open_store(url, default_path=tmp_path / "h.db")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="names no file"):
        open_store(url, default_path=tmp_path / "h.db")


@pytest.mark.parametrize("schema", ['x";drop', "Wiremap", "1st", "a" * 64])
def test_bad_schema_name_is_a_config_error(schema: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="plain lower-case identifier"):
        open_store(f"postgresql://u@h/db?schema={schema}", default_path=tmp_path / "h.db")


def test_unreachable_postgresql_is_a_config_error_with_the_password_masked(tmp_path: Path) -> None:
    started = time.monotonic()
    url = f"postgresql://wiremap:{SECRET}@127.0.0.1:1/history"
    with pytest.raises(ConfigError) as info:
        open_store(url, default_path=tmp_path / "h.db")
    message = str(info.value)
    assert message.startswith(
        "cannot open history store postgresql+psycopg://wiremap:***@127.0.0.1:1/history"
    )
    assert "refused" in message.lower() or "failed" in message.lower()
    assert SECRET not in message
    assert "Traceback" not in message and "\n" not in message
    assert time.monotonic() - started < 15


def test_wrong_postgresql_database_is_a_config_error(tmp_path: Path) -> None:
    host, port = require_service("postgresql")
    with pytest.raises(ConfigError) as info:
        open_store(f"postgresql://postgres:{SECRET}@{host}:{port}/no_such_db_x", default_path=tmp_path / "h")
    assert "no_such_db_x" in str(info.value)
    assert SECRET not in str(info.value)


def test_not_a_database_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not SQLite" * 500)
    with pytest.raises(ConfigError, match=r"cannot open history store .*not a database"):
        open_store(None, default_path=path)


def test_uncreatable_directory_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file, not a directory")
    with pytest.raises(ConfigError, match="cannot create the directory"):
        open_store(None, default_path=tmp_path / "file" / ".wiremap" / "history.db")


def test_postgresql_schema_from_the_url_isolates_the_tables(
    pg_target: tuple[str, str], tmp_path: Path
) -> None:
    url, schema = pg_target
    with open_store(f"{url}?schema={schema}", default_path=tmp_path / "unused.db") as store:
        assert isinstance(store, SqlStore)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT current_schema()")).scalar() == schema
            found = conn.execute(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"), {"s": schema}
            ).scalar()
        assert found == 8  # seven tables (three of them monitor.cluster's) and alembic_version
