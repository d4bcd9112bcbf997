"""The contract of the history store: one suite, run against SQLite and PostgreSQL (fixture ``store``)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from wiremap.monitor.model import CheckResult, Percentiles, Rollup, Status, Transition
from wiremap.store import SqlStore
from wiremap.store.rows import ERROR_KIND_MAX, MESSAGE_MAX
from wiremap.store.schema import bookkeeping

T0 = 1_699_999_200.0  # an hour boundary (and so a minute boundary)
DAY = 86_400.0


def up(integration_id: str, ts: float, ms: float = 10.0, ttfb: float | None = None) -> CheckResult:
    return CheckResult(integration_id, ts, True, ms, ttfb)


def down(integration_id: str, ts: float, kind: str = "timeout", message: str = "") -> CheckResult:
    return CheckResult(integration_id, ts, False, 5000.0, None, kind, message)


# -- results -------------------------------------------------------------------------------------------------


def test_results_round_trip_every_field(store: SqlStore) -> None:
    written = [
        CheckResult("a", T0 + 0.25, True, 12.5, 3.75),
        CheckResult("a", T0 + 1.5, False, 5000.0, None, "timeout", "no answer in 5s"),
        CheckResult("a", T0 + 2.0, True, 7.0, None, None, ""),
    ]
    store.add_results(written)
    assert store.results("a", T0) == written
    assert store.results("b", T0) == []


def test_results_window_is_half_open_and_ordered(store: SqlStore) -> None:
    # written out of order, in two batches
    store.add_results([up("a", T0 + t) for t in (5, 1, 3)])
    store.add_results([up("a", T0 + t) for t in (4, 2, 0)])
    assert [r.ts - T0 for r in store.results("a", T0)] == [0, 1, 2, 3, 4, 5]
    assert [r.ts - T0 for r in store.results("a", T0 + 1, T0 + 4)] == [1, 2, 3]
    assert store.results("a", T0 + 6) == []


def test_results_limit_keeps_the_newest_oldest_first(store: SqlStore) -> None:
    store.add_results([up("a", T0 + t) for t in range(10)])
    assert [r.ts - T0 for r in store.results("a", T0, limit=3)] == [7, 8, 9]
    assert [r.ts - T0 for r in store.results("a", T0, T0 + 5, limit=2)] == [3, 4]
    assert len(store.results("a", T0, limit=100)) == 10
    assert store.results("a", T0, limit=0) == []


def test_empty_batch_is_a_no_op(store: SqlStore) -> None:
    store.add_results([])
    assert store.latest() == {}


def test_failures_newest_first_with_limit(store: SqlStore) -> None:
    store.add_results([up("a", T0 + t) if t % 3 else down("a", T0 + t, message=f"#{t}") for t in range(12)])
    store.add_results([down("b", T0 + 1)])
    found = store.failures("a", T0)
    assert [r.message for r in found] == ["#9", "#6", "#3", "#0"]
    assert all(not r.ok and r.error_kind == "timeout" for r in found)
    assert [r.message for r in store.failures("a", T0, limit=2)] == ["#9", "#6"]
    assert [r.message for r in store.failures("a", T0 + 4)] == ["#9", "#6"]
    assert store.failures("c", T0) == []


# -- transitions and latest ----------------------------------------------------------------------------------


def test_transitions_round_trip_filter_and_order(store: SqlStore) -> None:
    store.add_transition(Transition("a", T0 + 1, Status.UNKNOWN, Status.UP, "2 successes"))
    store.add_transition(Transition("b", T0 + 2, Status.UNKNOWN, Status.DOWN, "2 failures"))
    store.add_transition(Transition("a", T0 + 3, Status.UP, Status.DEGRADED, "p99 120 ms > 100 ms"))
    store.add_transition(Transition("a", T0 + 4, Status.DEGRADED, Status.DOWN))
    a = store.transitions("a", T0)
    assert [(t.old, t.new) for t in a] == [
        (Status.DEGRADED, Status.DOWN),
        (Status.UP, Status.DEGRADED),
        (Status.UNKNOWN, Status.UP),
    ]
    assert a[1] == Transition("a", T0 + 3, Status.UP, Status.DEGRADED, "p99 120 ms > 100 ms")
    assert isinstance(a[0].new, Status)
    assert [t.integration_id for t in store.transitions(None, T0)] == ["a", "a", "b", "a"]
    assert [t.ts - T0 for t in store.transitions(None, T0, limit=2)] == [4, 3]
    assert [t.ts - T0 for t in store.transitions(None, T0 + 2.5)] == [4, 3]
    assert store.transitions("zzz", T0) == []


def test_a_batch_of_transitions_is_one_transaction(store: SqlStore) -> None:
    batch = [Transition(f"i{n}", T0 + n, Status.UNKNOWN, Status.UP, "2 successes") for n in range(50)]
    store.add_transitions(batch)
    assert store.transitions(None, T0, limit=100) == batch[::-1]
    store.add_transitions([])
    # the second breaks NOT NULL: the first, in the same transaction, is not kept either
    broken = [
        Transition("x", T0 + 60, Status.UP, Status.DOWN),
        Transition(None, T0 + 61, Status.UP, Status.DOWN),
    ]  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        store.add_transitions(broken)
    assert [t.integration_id for t in store.transitions(None, T0 + 55)] == []


def test_latest_is_the_newest_result_of_each_integration(store: SqlStore) -> None:
    assert store.latest() == {}
    store.add_results([up("a", T0 + 1), down("a", T0 + 2, message="newest a"), up("b", T0 + 1, 3.0)])
    store.add_results([up("a", T0 + 1.5)])  # older than what is stored: does not replace it
    store.add_results([up("b", T0 + 9, 4.0)])
    latest = store.latest()
    assert set(latest) == {"a", "b"}
    assert latest["a"] == down("a", T0 + 2, message="newest a")
    assert latest["b"] == up("b", T0 + 9, 4.0)


# -- percentiles ---------------------------------------------------------------------------------------------


def test_percentiles_nearest_rank_on_known_data(store: SqlStore) -> None:
    # latencies 1..100 ms in shuffled order, and 10 failures (whose 5 s duration must not count)
    store.add_results([up("a", T0 + (i * 37) % 100, float((i * 37) % 100 + 1)) for i in range(100)])
    store.add_results([down("a", T0 + 100 + i) for i in range(10)])
    p = store.percentiles("a", T0)
    assert p == Percentiles(110, 10, 50.0, 95.0, 99.0)
    assert p.uptime == pytest.approx(100 / 110)


def test_percentiles_small_sample_and_ttfb_first(store: SqlStore) -> None:
    # ttfb when there is one, else duration: latencies 40, 10, 30, 20
    store.add_results([up("a", T0, 500.0, 40.0), up("a", T0 + 1, 10.0), up("a", T0 + 2, 900.0, 30.0)])
    store.add_results([up("a", T0 + 3, 20.0), down("a", T0 + 4)])
    # nearest rank on [10, 20, 30, 40]: p50 rank 2, p95 rank ceil(3.8) = 4, p99 rank 4
    assert store.percentiles("a", T0) == Percentiles(5, 1, 20.0, 40.0, 40.0)
    # the window is [since, until)
    assert store.percentiles("a", T0 + 1, T0 + 3) == Percentiles(2, 0, 10.0, 30.0, 30.0)


def test_percentiles_of_an_empty_or_all_failed_window(store: SqlStore) -> None:
    assert store.percentiles("a", T0) == Percentiles()
    assert store.percentiles("a", T0).uptime is None
    store.add_results([down("a", T0), down("a", T0 + 1)])
    assert store.percentiles("a", T0) == Percentiles(2, 2, None, None, None)
    assert store.percentiles("a", T0).uptime == 0.0


def test_percentiles_beyond_raw_retention_come_from_rollups(store: SqlStore) -> None:
    now = T0 + 30 * 60 + 30  # half past, mid-minute
    old = T0 - 10 * DAY
    # two old minute buckets: [10, 20, 30] with a failure, and [100]
    store.add_results([up("a", old + 1, 10.0), up("a", old + 2, 20.0), up("a", old + 3, 30.0)])
    store.add_results([down("a", old + 4), up("a", old + 61, 100.0)])
    store.add_results([up("a", now - 5 * 60, 7.0)])  # recent, rolled up below
    store.roll_up(now)
    store.add_results([up("a", now - 10, 8.0)])  # recent, in the minute not yet complete: raw only
    store.prune(now, raw_days=7)
    assert store.results("a", old) == store.results("a", now - DAY)  # the old raw results are gone
    # minute rollups: counts summed, each percentile the max of the buckets' (and the raw tail's)
    assert store.percentiles("a", old - 60) == Percentiles(7, 1, 100.0, 100.0, 100.0)
    assert store.percentiles("a", old - 60, old + 60) == Percentiles(4, 1, 20.0, 30.0, 30.0)
    # a window raw results still cover is computed from them, exactly
    assert store.percentiles("a", now - DAY) == Percentiles(2, 0, 7.0, 8.0, 8.0)


def test_percentiles_fall_back_to_hour_rollups(store: SqlStore) -> None:
    now = T0
    old = T0 - 100 * DAY
    store.add_results([up("a", old + 1, 10.0), up("a", old + 1800, 50.0), down("a", old + 1900)])
    store.roll_up(now)
    store.prune(now, raw_days=7, minute_days=30, hour_days=400)
    assert store.rollups("a", 60, old, now) == []
    assert store.percentiles("a", old - 3600) == Percentiles(3, 1, 10.0, 50.0, 50.0)


# -- rollups -------------------------------------------------------------------------------------------------


def _three_minutes(store: SqlStore) -> None:
    # minute 0: 10, 20, a failure; minute 1: 30; minute 2: a failure only; minute 3: 40 (incomplete)
    store.add_results([up("a", T0 + 1, 10.0), up("a", T0 + 30, 20.0), down("a", T0 + 59.5)])
    store.add_results([up("a", T0 + 60, 30.0), down("b", T0 + 130), up("a", T0 + 185, 40.0)])


def test_roll_up_writes_complete_buckets_only(store: SqlStore) -> None:
    _three_minutes(store)
    store.roll_up(T0 + 180 + 30)
    assert store.rollups("a", 60, T0) == [
        Rollup("a", T0, 60, 3, 1, 10.0, 20.0, 20.0),
        Rollup("a", T0 + 60, 60, 1, 0, 30.0, 30.0, 30.0),
    ]
    assert store.rollups("b", 60, T0) == [Rollup("b", T0 + 120, 60, 1, 1, None, None, None)]
    assert store.rollups("a", 3600, T0) == []  # the hour is not complete
    # a bucket is complete when its end is <= now
    store.roll_up(T0 + 240)
    assert store.rollups("a", 60, T0 + 180) == [Rollup("a", T0 + 180, 60, 1, 0, 40.0, 40.0, 40.0)]
    store.roll_up(T0 + 3600)
    assert store.rollups("a", 3600, T0) == [Rollup("a", T0, 3600, 5, 1, 20.0, 40.0, 40.0)]
    assert store.rollups("b", 3600, T0) == [Rollup("b", T0, 3600, 1, 1, None, None, None)]


def test_roll_up_is_idempotent(store: SqlStore) -> None:
    _three_minutes(store)
    store.roll_up(T0 + 3600 + 1)
    first = [store.rollups(i, b, 0) for i in "ab" for b in (60, 3600)]
    store.roll_up(T0 + 3600 + 1)
    store.roll_up(T0 + 3600 + 50)  # still no new complete bucket
    assert [store.rollups(i, b, 0) for i in "ab" for b in (60, 3600)] == first
    assert len(first[0]) == 3 and len(first[1]) == 1


def test_roll_up_window_filter(store: SqlStore) -> None:
    _three_minutes(store)
    store.roll_up(T0 + 3600)
    assert [r.bucket_start - T0 for r in store.rollups("a", 60, T0 + 60, T0 + 180)] == [60]
    assert store.rollups("a", 60, T0 + 3600) == []


def test_a_late_result_is_rolled_up_again(store: SqlStore) -> None:
    # a slow probe started in minute 0 is flushed after minute 0 was rolled up
    store.add_results([up("a", T0 + 10, 10.0)])
    store.roll_up(T0 + 61)
    store.roll_up(T0 + 3601)
    store.add_results([up("a", T0 + 58, 90.0)])
    store.roll_up(T0 + 3602)
    assert store.rollups("a", 60, T0) == [Rollup("a", T0, 60, 2, 0, 10.0, 90.0, 90.0)]
    assert store.rollups("a", 3600, T0) == [Rollup("a", T0, 3600, 2, 0, 10.0, 90.0, 90.0)]


def test_a_result_written_during_a_roll_up_is_not_lost(store: SqlStore) -> None:
    store.add_results([up("a", T0 + 1)])
    store.roll_up(T0 + 60)
    # a roll_up(T0 + 120) in progress: it holds the watermark and has read minute 1 (still empty)
    rolling = store.engine.execution_options(wiremap_write=True).connect()
    try:
        rolling.begin()
        mark = bookkeeping.c.key == "rollup_60"
        assert rolling.execute(select(bookkeeping.c.value).where(mark).with_for_update()).scalar() == T0 + 60
        writer = threading.Thread(target=store.add_results, args=([up("a", T0 + 61, 50.0)],))
        writer.start()
        time.sleep(0.3)
        assert writer.is_alive(), "the batch did not wait for the roll-up"
        rolling.execute(update(bookkeeping).where(mark).values(value=T0 + 120))
        rolling.commit()
    finally:
        rolling.close()
    writer.join(30)
    store.roll_up(T0 + 120)
    assert store.rollups("a", 60, T0 + 60) == [Rollup("a", T0 + 60, 60, 1, 0, 50.0, 50.0, 50.0)]


def test_a_result_older_than_raw_retention_does_not_rewrite_rollups(store: SqlStore) -> None:
    now = T0 + 10 * DAY
    store.add_results([up("a", T0 + 1, 10.0), up("a", T0 + 2, 20.0)])
    store.roll_up(now)
    store.prune(now, raw_days=7)
    before = [store.rollups("a", b, 0) for b in (60, 3600)]
    store.add_results([up("a", T0 + 3, 999.0)])  # its bucket's other raw results are gone
    store.roll_up(now + 60)
    assert [store.rollups("a", b, 0) for b in (60, 3600)] == before
    assert before[0] == [Rollup("a", T0, 60, 2, 0, 10.0, 20.0, 20.0)]


def test_roll_up_catches_up_over_gaps(store: SqlStore) -> None:
    # the monitor was stopped for two days: many empty chunks, two buckets with data
    store.add_results([up("a", T0 + 5, 1.0), up("a", T0 + 2 * DAY + 5, 2.0)])
    store.roll_up(T0 + 2 * DAY + 3600)
    assert [r.bucket_start - T0 for r in store.rollups("a", 60, 0)] == [0, 2 * DAY]
    assert [r.bucket_start - T0 for r in store.rollups("a", 3600, 0)] == [0, 2 * DAY]
    store.roll_up(T0)  # a clock that went back: nothing happens
    assert len(store.rollups("a", 60, 0)) == 2


def test_roll_up_of_an_empty_store(store: SqlStore) -> None:
    store.roll_up(T0)
    store.add_results([up("a", T0 + 1)])
    store.roll_up(T0 + 60)
    assert [r.count for r in store.rollups("a", 60, 0)] == [1]


# -- prune ---------------------------------------------------------------------------------------------------


def test_prune_per_retention(store: SqlStore) -> None:
    now = T0
    store.add_results([up("a", now - 400.5 * DAY), up("a", now - 31 * DAY), up("a", now - 8 * DAY)])
    store.add_results([up("old", now - 8 * DAY), up("a", now - 2 * DAY), up("a", now - 60)])
    store.add_transition(Transition("a", now - 401 * DAY, Status.UNKNOWN, Status.UP))
    store.add_transition(Transition("a", now - 399 * DAY, Status.UP, Status.DOWN))
    store.roll_up(now)
    store.prune(now, raw_days=7, minute_days=30, hour_days=400)
    assert [(now - r.ts) / DAY for r in store.results("a", 0)] == [2, 60 / DAY]
    minute_ages = [(now - r.bucket_start) / DAY for r in store.rollups("a", 60, 0)]
    assert minute_ages == [8, 2, 60 / DAY]
    hour_ages = [round((now - r.bucket_start) / DAY, 3) for r in store.rollups("a", 3600, 0)]
    assert hour_ages == [31, 8, 2, round(3600 / DAY, 3)]
    assert [t.new for t in store.transitions("a", 0)] == [Status.DOWN]
    assert set(store.latest()) == {"a"}  # "old" has no raw result left
    # pruning again changes nothing
    store.prune(now, raw_days=7, minute_days=30, hour_days=400)
    assert len(store.results("a", 0)) == 2


# -- text ----------------------------------------------------------------------------------------------------


def test_long_texts_are_truncated(store: SqlStore) -> None:
    store.add_results([down("a", T0, kind="k" * 500, message="x" * 5000)])
    store.add_transition(Transition("a", T0, Status.UP, Status.DOWN, "r" * 5000))
    (r,) = store.results("a", T0)
    assert len(r.message) == MESSAGE_MAX and r.message.endswith("…")
    assert r.error_kind is not None and len(r.error_kind) == ERROR_KIND_MAX
    assert store.latest()["a"].message == r.message
    assert len(store.transitions("a", T0)[0].reason) == MESSAGE_MAX


def test_unicode_and_hostile_text(store: SqlStore) -> None:
    text = "échec: 接続がタイムアウト 🚀 — ✓"
    store.add_results([down("intégration-東京", T0, message=text)])
    store.add_results([down("a", T0, message="nul\x00byte and lone \udc80 surrogate")])
    store.add_transition(Transition("intégration-東京", T0, Status.UP, Status.DOWN, text))
    assert store.results("intégration-東京", T0)[0].message == text
    assert store.transitions("intégration-東京", T0)[0].reason == text
    assert store.results("a", T0)[0].message == "nul\ufffdbyte and lone ? surrogate"
    # a message cut in the middle of multi-byte characters stays valid text
    store.add_results([down("b", T0, message="日" * 2000)])
    assert store.results("b", T0)[0].message == "日" * (MESSAGE_MAX - 1) + "…"


def test_not_a_number_latency_does_not_break_the_batch(store: SqlStore) -> None:
    store.add_results([CheckResult("a", T0, True, float("nan"), float("nan")), up("a", T0 + 1, 5.0)])
    assert [(r.duration_ms, r.ttfb_ms) for r in store.results("a", T0)] == [(0.0, None), (5.0, None)]


# -- scale and threads ---------------------------------------------------------------------------------------


def test_many_integrations(store: SqlStore) -> None:
    ids = [f"svc-{i:03d}" for i in range(300)]
    for second in range(4):
        store.add_results([up(i, T0 + second * 20, float(n % 50 + second)) for n, i in enumerate(ids)])
    latest = store.latest()
    assert len(latest) == 300
    assert latest["svc-123"] == up("svc-123", T0 + 60, 26.0)
    assert len(store.results("svc-299", T0)) == 4
    store.roll_up(T0 + 120)
    assert store.rollups("svc-007", 60, T0) == [
        Rollup("svc-007", T0, 60, 3, 0, 8.0, 9.0, 9.0),
        Rollup("svc-007", T0 + 60, 60, 1, 0, 10.0, 10.0, 10.0),
    ]


def test_readers_run_while_a_writer_writes(store: SqlStore) -> None:
    errors: list[BaseException] = []
    done = threading.Event()

    def write() -> None:
        try:
            for n in range(40):
                store.add_results([up(f"w{i}", T0 + n, float(i)) for i in range(50)])
                if n % 10 == 0:
                    store.roll_up(T0 + n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    def read() -> None:
        try:
            while not done.is_set():
                got = store.results("w7", T0)
                assert [r.ts for r in got] == sorted(r.ts for r in got)
                store.latest()
                store.percentiles("w3", T0)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(store.results("w49", T0)) == 40


def test_summaries_combine_every_integrations_rollups_in_one_call(store: SqlStore) -> None:
    # two hours of a, one of b; a's second hour has a slow probe and a failure
    batch = [up("a", T0 + i * 60, ms=10.0 + i % 5) for i in range(60)]
    batch += [up("a", T0 + 3600 + i * 60, ms=20.0) for i in range(58)]
    batch += [up("a", T0 + 3600 + 58 * 60, ms=900.0), down("a", T0 + 3600 + 59 * 60)]
    batch += [up("b", T0 + i * 60, ms=5.0) for i in range(60)]
    store.add_results(batch)
    store.roll_up(T0 + 2 * 3600)
    got = store.summaries(3600, T0, T0 + 2 * 3600)
    assert set(got) == {"a", "b"}
    assert (got["a"].count, got["a"].failures) == (120, 1)
    assert got["a"].p99 == 900.0  # the maximum of the hours' p99s
    assert got["a"].p50 == 20.0
    assert got["b"] == Percentiles(60, 0, 5.0, 5.0, 5.0)
    assert store.summaries(3600, T0 + 3600, T0 + 2 * 3600)["a"].count == 60  # window on bucket starts
    assert store.summaries(60, T0 + 7200) == {}
