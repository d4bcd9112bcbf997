"""kill -9 in the middle of writing: the database stays intact and every batch is all there or absent."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests._paths import ROOT
from tests.store._crash_writer import BATCH
from wiremap.monitor.model import CheckResult
from wiremap.store import SqlStore, open_store
from wiremap.store.schema import results


def _write_then_kill(url: str, schema: str | None = None) -> None:
    args = [sys.executable, "-m", "tests.store._crash_writer", url, *([schema] if schema else [])]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the first batch is committed
        if line.strip() != "ready":
            proc.kill()
            pytest.fail(f"the writer did not start: {line!r} {proc.communicate()[1]}")
        time.sleep(0.7)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL


def _check_batches(store: SqlStore) -> int:
    """Every batch complete, batches numbered 0..n-1 without a gap; returns n."""
    with store.engine.connect() as conn:
        counts = dict(conn.execute(select(results.c.message, func.count()).group_by(results.c.message)).all())
    sizes = collections.Counter(counts.values())
    assert set(sizes) == {BATCH}, f"partial batches: {sizes}"
    numbers = sorted(int(m) for m in counts)
    assert numbers == list(range(len(numbers)))
    assert len(numbers) >= 2, "the writer was killed before it wrote much: the test proves little"
    return len(numbers)


def _keeps_writing(store: SqlStore) -> None:
    store.add_results([CheckResult("after", 1_800_000_000.0, True, 1.0)])
    store.roll_up(1_800_000_100.0)
    assert store.results("after", 0) == [CheckResult("after", 1_800_000_000.0, True, 1.0)]
    assert {f"crash-{i}" for i in range(5)} <= set(store.latest())


def test_sqlite_survives_kill_9_mid_write(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    open_store(None, default_path=path).close()  # migrated before the race starts
    _write_then_kill(f"sqlite:///{path}")
    with open_store(None, default_path=path) as store:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        _check_batches(store)
        _keeps_writing(store)


def test_postgresql_survives_kill_9_mid_write(pg_target: tuple[str, str], tmp_path: Path) -> None:
    url, schema = pg_target
    open_store(url, default_path=tmp_path / "unused.db", pg_schema=schema).close()
    _write_then_kill(url, schema)
    with open_store(url, default_path=tmp_path / "unused.db", pg_schema=schema) as store:
        _check_batches(store)
        _keeps_writing(store)
