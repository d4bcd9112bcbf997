"""Fixtures of the store tests: one ``store`` per backend (SQLite file, PostgreSQL in a throwaway schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import require_service
from wiremap.store import SqlStore, open_store

PG_USERS = ("postgres", "root")  # trust auth on the CI machine; either role may be the one that exists
PG_DATABASE = "test"


def postgresql_url() -> str:
    """A URL of the test database for a role that can log in (skip, or fail when services are required)."""
    import psycopg

    host, port = require_service("postgresql")
    errors = []
    for user in PG_USERS:
        try:
            with psycopg.connect(host=host, port=port, user=user, dbname=PG_DATABASE, connect_timeout=5):
                return f"postgresql://{user}@{host}:{port}/{PG_DATABASE}"
        except psycopg.Error as exc:
            errors.append(f"{user}: {exc}")
    reason = f"PostgreSQL is up but no test role can log in to {PG_DATABASE!r}: {'; '.join(errors)}"
    if os.environ.get("WIREMAP_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_target() -> Iterator[tuple[str, str]]:
    """``(url, schema)``: a fresh schema name in the test database, dropped (with all in it) afterwards."""
    url = postgresql_url()
    schema = f"wiremap_test_{uuid.uuid4().hex[:12]}"
    try:
        yield url, schema
    finally:
        drop_schema(url, schema)


def _open(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> SqlStore:
    if backend == "sqlite":
        return open_store(None, default_path=tmp_path / ".wiremap" / "history.db")
    url, schema = request.getfixturevalue("pg_target")
    return open_store(url, default_path=tmp_path / "unused.db", pg_schema=schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """The store under test, on each backend; every test starts from an empty, migrated database."""
    s = _open(request.param, tmp_path, request)
    try:
        yield s
    finally:
        s.close()
