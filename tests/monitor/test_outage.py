"""The store-outage parts of serve (:mod:`wiremap.monitor.outage`): the bounded backlog, the log lines
(one when the store goes away, one a minute, one when it is back), the store the web app reads."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from tests.web._fakes import FakeStore
from wiremap.monitor.model import CheckResult, Status, Transition
from wiremap.monitor.outage import (
    Backlog,
    DatabaseFile,
    GuardedStore,
    StoreHealth,
    StoreUnavailable,
    short_error,
)
from wiremap.store import open_store


def _result(i: int) -> CheckResult:
    return CheckResult("x", float(i), True, 1.0)


def _transition(i: int) -> Transition:
    return Transition("x", float(i), Status.UP, Status.DOWN, "")


def test_a_full_backlog_drops_the_oldest_results_and_counts_them() -> None:
    b = Backlog(3)
    for i in range(5):
        b.add_result(_result(i))
    b.add_transition(_transition(9))
    assert len(b) == 3 and b.dropped == 2
    results, transitions = b.take()
    assert [r.ts for r in results] == [2, 3, 4] and [t.ts for t in transitions] == [9]
    assert len(b) == 0 and b.transitions == 0


def test_what_was_not_written_goes_back_in_front_within_the_bound() -> None:
    b = Backlog(4)
    for i in range(3):
        b.add_result(_result(i))
    taken, _ = b.take()
    b.add_result(_result(3))  # arrived while the write failed
    b.add_result(_result(4))
    b.give_back(taken, [_transition(1)])
    results, transitions = b.take()
    assert [r.ts for r in results] == [1, 2, 3, 4]  # the oldest (0) dropped
    assert b.dropped == 1 and [t.ts for t in transitions] == [1]


def test_transitions_are_kept_up_to_the_bound_too() -> None:
    b = Backlog(2)
    for i in range(3):
        b.add_transition(_transition(i))
    assert b.transitions == 2 and b.dropped_transitions == 1 and b.dropped == 0


def test_one_line_when_it_goes_away_one_a_minute_one_when_back(caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    b = Backlog(10)
    health = StoreHealth(b, clock=lambda: now[0])
    err = RuntimeError("connection refused\nIs the server running?\n(Background on this error at: …)")
    with caplog.at_level(logging.INFO, logger="wiremap.serve"):
        for _ in range(59):  # a failed flush a second for a minute
            b.add_result(_result(int(now[0])))
            health.failed(err)
            now[0] += 1
        assert len(caplog.records) == 1
        first = caplog.records[0].getMessage()
        assert "history store unavailable (write failed: connection refused)" in first
        assert "\n" not in first and caplog.records[0].exc_info is None
        for _ in range(61):  # up to 119 s: one more line, at 60 s
            b.add_result(_result(int(now[0])))
            health.failed(err)
            now[0] += 1
        assert len(caplog.records) == 2
        assert "unavailable for 60 s" in caplog.records[1].getMessage()
        report = caplog.records[1].getMessage()
        assert "10 results and 0 status changes waiting, 51 results dropped" in report
        outage = health.outage()
        assert outage is not None and outage.since == 1000.0 and outage.dropped == 110
        health.wrote(10, 0)
        health.wrote(3, 0)  # no outage: nothing said
    assert len(caplog.records) == 3
    back = caplog.records[2].getMessage()
    assert back.startswith("history store back after 120 s: 10 results and 0 status changes written")
    assert "110 results dropped (buffer of 10 full)" in back
    assert health.outage() is None and not health.down


def test_the_exposition_counts_drops_and_says_whether_the_store_is_up() -> None:
    b = Backlog(1)
    health = StoreHealth(b)
    registry = CollectorRegistry(auto_describe=True)
    health.register(registry)
    b.add_result(_result(1))
    b.add_result(_result(2))
    health.failed(RuntimeError("down"))
    text = generate_latest(registry).decode()
    assert 'wiremap_store_dropped_total{kind="result"} 1.0' in text
    assert 'wiremap_store_pending{kind="result"} 1.0' in text
    assert "wiremap_store_up 0.0" in text


def test_the_web_store_fails_fast_while_down_and_a_failed_read_marks_it_down() -> None:
    inner = FakeStore()
    health = StoreHealth(Backlog(10))
    guarded = GuardedStore(inner, health)
    assert guarded.transitions(None, 0) == []

    def broken(*args: object, **kwargs: object) -> object:
        raise OSError("no route to host")

    inner.percentiles = broken  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable) as exc:
        guarded.percentiles("x", 0)
    assert exc.value.outage.error == "no route to host" and health.down
    calls = []
    inner.transitions = lambda *a, **k: calls.append(a) or []  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable):
        guarded.transitions(None, 0)
    assert calls == []  # not even tried while it is down
    health.wrote(0, 0)
    assert guarded.transitions(None, 0) == [] and len(calls) == 1


def test_short_error_is_one_masked_line() -> None:
    class Wrapped(Exception):
        orig = RuntimeError('connection to server failed: password=hunter2hunter2\nDETAIL: "x"')

    text = short_error(Wrapped("[SQL: INSERT …]"))
    assert "\n" not in text and "connection to server failed" in text and "hunter2" not in text


def test_an_sqlite_file_moved_away_is_not_written_until_it_is_back(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    store = open_store(f"sqlite:///{folder / 'history.db'}", default_path=tmp_path / "unused.db")
    try:
        f = DatabaseFile.of(store)
        assert f is not None
        f.check()
        folder.rename(tmp_path / "away")
        with pytest.raises(OSError, match="is gone"):
            f.check()
        (tmp_path / "away").rename(folder)
        f.check()
        os.replace(folder / "history.db", folder / "old.db")
        (folder / "history.db").write_bytes((folder / "old.db").read_bytes())
        with pytest.raises(OSError, match="replaced"):
            f.check()
    finally:
        store.close()
