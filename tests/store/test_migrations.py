"""Migrations: a fresh database goes to head, a reopen does no work, the result is exactly ``schema.py``."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from tests._paths import ROOT
from wiremap._errors import ConfigError
from wiremap.store import SqlStore, open_store
from wiremap.store.migrate import HEAD, MIGRATIONS, alembic_config, current_revision, upgrade
from wiremap.store.schema import BOOKKEEPING_KEYS, bookkeeping, metadata


def _diff(store: SqlStore) -> list[object]:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_head_constant_is_alembics_head() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


def test_fresh_database_is_at_head_with_every_table(store: SqlStore) -> None:
    with store.engine.connect() as conn:
        assert current_revision(conn) == HEAD
        tables = set(inspect(conn).get_table_names())
        assert tables == {*metadata.tables, "alembic_version"}
        keys = {k for (k,) in conn.execute(select(bookkeeping.c.key))}
    assert keys == set(BOOKKEEPING_KEYS)


def test_migrated_schema_equals_the_metadata(store: SqlStore) -> None:
    assert _diff(store) == []


def test_the_comparison_sees_a_difference(store: SqlStore) -> None:
    # guards the test above against comparing nothing with nothing
    with store.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_results_ts"))
    assert [d[0] for d in _diff(store) if isinstance(d, tuple)] == ["add_index"]


def test_reopening_does_no_migration_work(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert upgrade(store.engine) is False

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("alembic ran on an up-to-date database")

    monkeypatch.setattr(command, "upgrade", forbidden)
    if store.engine.dialect.name == "sqlite":
        path = store.engine.url.database
        assert path is not None
        open_store(f"sqlite:///{path}", default_path=tmp_path / "unused.db").close()
    assert upgrade(store.engine) is False


def test_downgrade_to_base_and_back(store: SqlStore) -> None:
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    with store.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    assert upgrade(store.engine) is True
    assert _diff(store) == []


def test_migrations_are_package_data() -> None:
    """Every file alembic needs at run time is matched by ``[tool.setuptools.package-data]``."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "wiremap"
    ]
    package = MIGRATIONS.parent.parent
    needed = [
        p for p in MIGRATIONS.rglob("*") if p.suffix in (".py", ".mako") and "__pycache__" not in p.parts
    ]
    assert any(p.name == "0001_initial.py" for p in needed)
    for path in needed:
        relative = path.relative_to(package).as_posix()
        assert any(
            fnmatch.fnmatch(relative, pat) and relative.count("/") == pat.count("/") for pat in patterns
        )


def test_a_database_from_a_newer_wiremap_is_a_config_error(store: SqlStore, tmp_path: Path) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(ConfigError, match="schema revision '9999', unknown to this wiremap"):
        upgrade(store.engine)
