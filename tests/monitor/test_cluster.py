"""monitor.cluster without processes: the quorum rule, the timing, the spread of leases, the SQLite lock."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from wiremap._errors import UsageError
from wiremap.monitor.cluster import check_location, decide, lock_sqlite, majority, preferred, timing
from wiremap.monitor.model import Status

UP, DOWN, DEG, UNK, SKIP = Status.UP, Status.DOWN, Status.DEGRADED, Status.UNKNOWN, Status.SKIPPED


@pytest.mark.parametrize(
    ("votes", "quorum", "expected"),
    [
        ([DOWN], None, (DOWN, 1)),
        ([DOWN, UP], None, (UP, 2)),  # one of two is not a majority
        ([DOWN, UP], 2, (UP, 2)),
        ([DOWN, DOWN], 2, (DOWN, 2)),
        ([DOWN, DOWN, UP], None, (DOWN, 2)),
        ([DOWN, UNK], None, (DOWN, 1)),  # a location without a verdict abstains
        ([DOWN, UNK], 2, (None, 2)),  # only 'down' short of the quorum: no decision, keep the last
        ([DOWN, DEG], 2, (DEG, 2)),
        ([DEG, UP], None, (UP, 2)),
        ([UNK, UNK], None, (None, 1)),
        ([SKIP, UNK], None, (SKIP, 1)),
        ([SKIP, UP], None, (UP, 1)),
    ],
)
def test_quorum(votes: list[Status], quorum: int | None, expected: tuple[Status | None, int]) -> None:
    assert decide(votes, quorum) == expected


def test_majority() -> None:
    assert [majority(n) for n in range(1, 6)] == [1, 2, 2, 3, 3]


def test_failover_bound_is_within_two_intervals() -> None:
    for interval in (0.5, 1.0, 2.0, 30.0, 300.0):
        heartbeat, ttl = timing(interval)
        assert heartbeat <= ttl / 3 + 1e-9 or interval < 1
        if interval >= 1:
            assert ttl + heartbeat <= 2 * interval, interval
    assert timing(30.0) == (7.5, 30.0)


def test_leases_spread_and_move_little() -> None:
    keys = [f"integration-{i}" for i in range(600)]
    two = Counter(preferred(["a", "b"], k) for k in keys)
    assert 250 <= two["a"] <= 350, two
    three = {k: preferred(["a", "b", "c"], k) for k in keys}
    moved = [k for k in keys if three[k] != preferred(["a", "b"], k)]
    assert all(three[k] == "c" for k in moved)  # a newcomer takes only its own share
    assert preferred([], "x") is None


def test_location_names() -> None:
    assert check_location("eu-west.1") == "eu-west.1"
    for bad in ("*", "", "-a", "a b", "x" * 64):
        with pytest.raises(UsageError):
            check_location(bad)


def test_sqlite_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    first = lock_sqlite(db)
    try:
        with pytest.raises(UsageError, match=r"in use by another wiremap serve \(pid \d+"):
            lock_sqlite(db)
    finally:
        first.close()
    lock_sqlite(db).close()  # released: taken again
