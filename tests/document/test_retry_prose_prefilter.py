"""The scans skipped for speed skip nothing: a clause the duration pre-filter passes over holds no limit
any of the limit patterns would read (lint at parse speed)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests._fuzz import examples
from wiremap.document.retry import prose

_WORDS = st.sampled_from(
    [
        "timeout", "deadline", "of", "a", "second", "two", "seconds", "half", "minute", "ms", "3", "0.5",
        "s", "per", "attempt", "each", "try", "times", "out", "after", "budget", "total", "µs", "hrs",
        "ſec", "Sec", "MIN", "k", "couple", "quarter", "an", "hour", "millis", "١٢", "connect", "read",
    ]
)  # fmt: skip


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(_WORDS, max_size=9).map(" ".join) | st.text(max_size=30))
@example("a second timeout")
@example("timeout of half a minute")
@example("times out after ſec")  # no duration (no number), skipped either way
@example("deadline ١٢ s")  # a non-ASCII digit
def test_a_clause_the_prefilter_skips_holds_no_limit(clause: str) -> None:
    if prose._MAY_HOLD_DURATION.search(clause):
        return
    assert not any(pattern.search(clause) for pattern, _ in prose._LIMITS)
