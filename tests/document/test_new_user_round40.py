"""A pause schedule written with "and then" (new user, round 40): its second pause was dropped, a
constant backoff asserted, and faults called a client doing what the doc says a mismatch."""

from __future__ import annotations

import pytest

from wiremap.document.retry import read_retry


@pytest.mark.parametrize(
    "said",
    [
        "We retry 5xx errors twice, waiting 200ms and then 400ms. Per-attempt timeout is 1 s.",
        "We retry twice: 200ms, then 400ms",
        "retry twice, waiting 200 ms, followed by 400 ms",
        "retries: 2, backing off 200ms and then 400ms",
    ],
)
def test_a_schedule_joined_by_and_then_is_the_schedule(said: str) -> None:
    p = read_retry(said, None, 1)
    assert p is not None
    assert (p.retries, p.backoff.kind, p.backoff.initial_ms, p.backoff.multiplier) == (
        2,
        "exponential",
        200.0,
        2.0,
    )
    assert p.unread == []  # read whole: nothing listed as not understood


def test_two_equal_pauses_stay_constant() -> None:
    p = read_retry("We retry twice, waiting 300ms and then 300ms", None, 1)
    assert p is not None and (p.backoff.kind, p.backoff.initial_ms) == ("constant", 300.0)
