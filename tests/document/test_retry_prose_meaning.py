"""A Retry Strategy in words asserts only what it says: negations, "more than N", excluded statuses,
per-status and per-method conditions and the past are understood, or their text is listed in ``unread``;
never read as their opposite, never dropped."""

from __future__ import annotations

import ast
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiremap.document.error_handling import read_error_handling
from wiremap.document.extract import FieldRef
from wiremap.document.retry import read_retry
from wiremap.model import RetryPolicy


def _read(text: str, method: str | None = None) -> RetryPolicy | None:
    return read_retry(text, None, 1, method=method)


def _fields(p: RetryPolicy | None) -> dict[str, Any]:
    if p is None:
        return {"policy": None}
    return {
        "max_attempts": p.max_attempts,
        "kind": p.backoff.kind,
        "initial_ms": p.backoff.initial_ms,
        "multiplier": p.backoff.multiplier,
        "increment_ms": p.backoff.increment_ms,
        "timeout_ms": p.timeout_ms,
        "connect_timeout_ms": p.connect_timeout_ms,
        "deadline_ms": p.deadline_ms,
        "status": p.retry_on_status,
        "unread": p.unread,
    }


def _check(text: str, method: str | None, **want: Any) -> None:
    got = _fields(_read(text, method))
    assert {k: got.get(k) for k in want} == want, text


# (meaning, wordings, method, expected fields): every wording of a meaning reads the same
PARAPHRASES: list[tuple[str, list[str], str | None, dict[str, Any]]] = [
    (
        "at most 2 retries, 300 ms apart",
        [
            "Do NOT retry more than 2 times; wait 300 ms between tries.",
            "Never retry more than 2 times, 300 ms apart.",
            "Don't retry more than twice; wait 300 ms between tries.",
            "No more than 2 retries, 300 ms apart.",
            "We must not retry more than 2 times. Wait 300 ms between tries.",
        ],
        None,
        {"max_attempts": 3, "kind": "constant", "initial_ms": 300.0, "unread": []},
    ),
    (
        "503 retried, 500 excluded",
        [
            "We retry 2 times on 503 (not on 500), waiting 300 ms.",
            "We retry 2 times on 503, not on 500, waiting 300 ms.",
            "Retry 2 times on 503 (but never on 500); wait 300 ms between attempts.",
            "Retry twice on 503 except 500, waiting 300 ms.",
        ],
        None,
        {"max_attempts": 3, "initial_ms": 300.0, "status": ["503"]},
    ),
    (
        "4xx not retried, 5xx retried twice, linear 1 s / 2 s",
        [
            "No retry on 4xx; 5xx retried twice with linear backoff (1 s, then 2 s).",
            "4xx is not retried. 5xx is retried twice with linear backoff (1 s, then 2 s).",
            "Do not retry on 4xx; retry 5xx twice with linear backoff of 1 s, 2 s.",
            "Never retry 4xx errors; 5xx retried twice, linear backoff 1 s then 2 s.",
        ],
        None,
        {
            "max_attempts": 3,
            "kind": "linear",
            "initial_ms": 1000.0,
            "increment_ms": 1000.0,
            "status": ["5xx"],
        },
    ),
    (
        "GET retried 3 times, the endpoint is GET",
        [
            "No retries for POST; GETs are retried 3 times, 200 ms apart.",
            "POST is never retried; GET requests are retried 3 times, 200 ms apart.",
            "Writes (POST) are not retried; GETs retry 3 times 200 ms apart.",
        ],
        "GET",
        {"max_attempts": 4, "kind": "constant", "initial_ms": 200.0, "unread": []},
    ),
    (
        "GET retried 3 times, the endpoint is POST",
        [
            "No retries for POST; GETs are retried 3 times, 200 ms apart.",
            "POST is never retried; GET requests are retried 3 times, 200 ms apart.",
        ],
        "POST",
        {"max_attempts": 1, "kind": "none"},
    ),
    (
        "statuses written as the subject of a negation are excluded",
        [
            "Client errors (4xx) are never retried; server errors (5xx) are retried 3 times.",
            "4xx: no retry. 5xx: 3 retries.",
            "Retries 3x on 5xx only, not 4xx.",
        ],
        None,
        {"max_attempts": 4, "status": ["5xx"]},
    ),
    (
        "no retries retries no status",
        ["No retries (4xx and 5xx go to the caller).", "Not retried: a 503 is shown to the user."],
        None,
        {"max_attempts": 1, "kind": "none", "status": []},
    ),
    (
        "a negation under a condition is not the policy",
        [
            "Retry up to 3 times unless the error is a 4xx, in which case we don't retry.",
            "Retry 3 times on 503; otherwise no retries.",
            "We do not retry 4xx errors. 5xx errors are retried up to 3 times.",
            "No retries on 4xx, but 5xx is retried 3 times.",
        ],
        None,
        {"max_attempts": 4, "kind": None},
    ),
    (
        "after a negation, except names what is retried",
        [
            "No retries except on 503, 2 retries 1 s apart.",
            "No retries except on 503; retried twice, 1 s apart.",
            "No retry other than on 503: retry 2 times, 1 s apart.",
        ],
        None,
        {"max_attempts": 3, "initial_ms": 1000.0, "status": ["503"], "unread": []},
    ),
    (
        "a count said shortly",
        [
            "retry 3x w/ 2s delay",
            "Retry idempotent requests 3 times with a 2 s delay.",
            "retry it 3 times, 2 s apart",
        ],
        None,
        {"max_attempts": 4, "kind": "constant", "initial_ms": 2000.0, "unread": []},
    ),
    (
        "key=value settings",
        [
            "retries=3 backoff_ms=100 timeout_ms=1500",
            "retries: 3, backoffMs: 100, timeoutMs: 1500",
            "max_retries=3 backoff-ms=100 timeout-ms=1500",
            "retries=3 backoff_seconds=0.1 timeout_s=1.5",
            "maxRetries=3, backoffMillis=100, timeoutMs=1500",
        ],
        None,
        {"max_attempts": 4, "initial_ms": 100.0, "timeout_ms": 1500.0, "status": [], "unread": []},
    ),
    (
        "units written otherwise",
        [
            "retry after 1.5k ms, max 2 retries",
            "max 2 retries, retry after 1500 ms",
            "2 retries, waiting 1.5 s",
        ],
        None,
        {"max_attempts": 3, "initial_ms": 1500.0, "unread": []},
    ),
    (
        "the past is not the policy",
        [
            "Retries are disabled (we used to retry 3 times with 1 s backoff, removed in v2).",
            "Retries are disabled. We previously retried 3 times with 1 s backoff.",
            "No retries; formerly 3 retries with 1 s backoff.",
            "We no longer retry; it was 3 retries with 1 s backoff.",
        ],
        None,
        {"max_attempts": 1, "kind": "none", "initial_ms": None, "unread": []},
    ),
    (
        "connect and read timeouts add up",
        [
            "Connect timeout 1 s, read timeout 4 s, retry twice.",
            "Retry twice; connect timeout of 1 s and a read timeout of 4 s.",
            "retries=2 connect_timeout_ms=1000 read_timeout_ms=4000",
        ],
        None,
        {"max_attempts": 3, "timeout_ms": 5000.0, "connect_timeout_ms": 1000.0},
    ),
    (
        "a listed schedule",
        [
            "3 retries max, exponential 100ms/200ms/400ms, per-try timeout 300 ms, total deadline 1s.",
            "3 retries, backoff 100ms → 200ms → 400ms, per-try timeout 300 ms, total deadline 1s.",
            "Retry 3 times, waiting 100 ms, 200 ms and 400 ms; per-try timeout 300 ms; total deadline 1 s.",
        ],
        None,
        {
            "max_attempts": 4,
            "kind": "exponential",
            "initial_ms": 100.0,
            "multiplier": 2.0,
            "timeout_ms": 300.0,
        },
    ),
]


@pytest.mark.parametrize(
    ("text", "method", "want"),
    [(text, method, want) for _, texts, method, want in PARAPHRASES for text in texts],
)
def test_every_wording_of_a_meaning_reads_the_same(
    text: str, method: str | None, want: dict[str, Any]
) -> None:
    _check(text, method, **want)


def test_a_listed_schedule_is_the_worst_case() -> None:
    p = _read("3 retries max, exponential 100ms/200ms/400ms, per-try timeout 300 ms, total deadline 1s.")
    assert p is not None
    assert (p.sleeps_ms(), p.worst_case_ms()) == ([100.0, 200.0, 400.0], 1900.0)


@pytest.mark.parametrize(
    "text",
    [
        "No retries for POST; GETs are retried 3 times, 200 ms apart.",
        "GET requests are retried 3 times, 200 ms apart; PUTs once.",
    ],
)
def test_a_per_method_policy_is_not_asserted_without_the_method(text: str) -> None:
    p = _read(text)
    assert p is None or (p.max_attempts is None and p.unread), _fields(p)


@pytest.mark.parametrize(
    "text",
    [
        "Retry 2 times, 300 zorbs apart.",
        "retries=2 backoff=100",  # no unit: not guessed
        "retry more than 3 times",  # a lower bound is no maximum
    ],
)
def test_what_is_not_understood_is_listed(text: str) -> None:
    p = _read(text)
    assert p is None or (p.unread and p.backoff.initial_ms is None), _fields(p)


def test_the_past_beside_the_policy_is_not_read() -> None:
    for text in (
        "Retry 3 times (was 5 before v2), 1 s apart.",
        "Previously no retries; now 3 retries, 1 s apart.",
        "Retry 3 times, 1 s apart; this was 5 times until March.",
    ):
        _check(text, None, max_attempts=4, kind="constant", initial_ms=1000.0, unread=[])


def test_a_number_that_says_nothing_of_retries_is_not_listed() -> None:
    _check("Retry 3 times. See RFC 7231 section 6.", None, max_attempts=4, unread=[])
    _check("Retry 3 times, 300 zorbs apart.", None, max_attempts=4, unread=["Retry 3 times, 300 zorbs apart"])


def test_microseconds_are_read() -> None:
    _check("1 retry, after 200µs.", None, max_attempts=2, initial_ms=0.2, unread=[])
    _check("1 retry, after 200 us.", None, max_attempts=2, initial_ms=0.2, unread=[])


def test_a_number_is_a_status_only_where_the_text_says_so() -> None:
    _check("Retry 3 times, backoff 100 ms.", None, status=[])
    _check("retries=3 delay_ms=404", None, status=[], initial_ms=404.0)
    _check("Retry 3 times on HTTP 502 or 503.", None, status=["502", "503"])
    _check("Retry 3 times on 429, 503 responses.", None, status=["429", "503"])


_NEG = ["Do not retry more than {n} times", "Never retry more than {n} times", "No more than {n} retries"]
_GAP = ["{ms} ms apart", "wait {ms} ms between tries", "waiting {ms} ms"]


@settings(max_examples=60, deadline=None)
@given(
    neg=st.sampled_from(_NEG),
    gap=st.sampled_from(_GAP),
    sep=st.sampled_from(["; ", ", ", ". "]),
    n=st.integers(1, 9),
    ms=st.integers(1, 5000),
)
def test_not_more_than_n_is_at_most_n(neg: str, gap: str, sep: str, n: int, ms: int) -> None:
    text = neg.format(n=n) + sep + gap.format(ms=ms) + "."
    _check(text, None, max_attempts=n + 1, initial_ms=float(ms), unread=[])


@settings(max_examples=60, deadline=None)
@given(
    kept=st.sampled_from(["502", "503", "504", "429"]),
    dropped=st.sampled_from(["500", "501", "404"]),
    form=st.sampled_from(["({neg} {s})", ", {neg} {s},", " ({neg} {s})"]),
    neg=st.sampled_from(["not on", "not for", "never on", "except", "excluding", "but not"]),
)
def test_an_excluded_status_is_not_retried(kept: str, dropped: str, form: str, neg: str) -> None:
    text = f"Retry 2 times on {kept}" + form.format(neg=neg, s=dropped) + " waiting 300 ms."
    p = _read(text)
    assert p is not None and p.retry_on_status == [kept] and p.max_attempts == 3, _fields(p)


@pytest.mark.parametrize(
    ("endpoint", "attempts"),
    [("GET /v1/prices", 4), ("POST /v1/prices", 1), ("https://x/v1/prices", None), (None, None)],
)
def test_the_endpoint_method_picks_the_rule(endpoint: str | None, attempts: int | None) -> None:
    text = "No retries for POST; GETs are retried 3 times, 200 ms apart."
    ref = FieldRef(section="Error Handling", label="Retry Strategy", line=3, raw=text, value=text)
    policy = read_error_handling([], {}, ref, endpoint).retry
    assert policy is not None and policy.max_attempts == attempts
    assert bool(policy.unread) is (attempts is None)


@pytest.mark.parametrize(("endpoint", "attempts"), [("GET /v1/prices", 4), ("POST /v1/prices", 1)])
def test_the_doc_s_endpoint_picks_the_per_method_rule(endpoint: str, attempts: int) -> None:
    """End to end: the parser hands the Endpoint's method to the Retry Strategy's reader."""
    from wiremap import parse_text

    doc = (
        "# Integration: Catalog → Prices\n\n**Protocol:** HTTP\n\n## Request Format\n\n"
        f"**Endpoint:** `{endpoint}`\n\n## Error Handling\n\n**Retry Strategy:**\n"
        "No retries for POST; GETs are retried 3 times, 200 ms apart.\n"
    )
    retry = parse_text(doc, "p.md").integration.error_handling.retry
    assert retry is not None and retry.max_attempts == attempts and not retry.unread


# found by a new user: "up to three times, half a second apart … times out after two seconds" read the
# count and dropped both durations (backoff and timeout null, nothing unread)
@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "We retry up to three times, half a second apart. Each try times out after two seconds.",
            {"max_attempts": 4, "kind": "constant", "initial_ms": 500.0, "timeout_ms": 2000.0, "unread": []},
        ),
        (
            "Retried 3 times, one and a half seconds apart; each attempt times out after ten seconds.",
            {
                "max_attempts": 4,
                "kind": "constant",
                "initial_ms": 1500.0,
                "timeout_ms": 10_000.0,
                "unread": [],
            },
        ),
        (
            "Retry twice, waiting a second between attempts. Timeout of thirty seconds per call.",
            {"max_attempts": 3, "initial_ms": 1000.0, "timeout_ms": 30_000.0, "unread": []},
        ),
        (
            "Up to 5 retries, a quarter of a second apart, with a timeout of a minute and a half.",
            {"max_attempts": 6, "initial_ms": 250.0, "timeout_ms": 90_000.0, "unread": []},
        ),
        (
            "Retry 2 times with exponential backoff starting at two hundred milliseconds; "
            "give up after a couple of seconds.",
            {"kind": "exponential", "initial_ms": 200.0, "deadline_ms": 2000.0, "unread": []},
        ),
        (
            "Retry four times, a second and a half apart; each request times out after twenty-five seconds.",
            {"max_attempts": 5, "initial_ms": 1500.0, "timeout_ms": 25_000.0, "unread": []},
        ),
        (
            "Retry three times with a half-second delay; overall deadline of a minute.",
            {"max_attempts": 4, "initial_ms": 500.0, "deadline_ms": 60_000.0, "unread": []},
        ),
    ],
)
def test_a_duration_in_words_is_read_as_its_number(text: str, want: dict[str, Any]) -> None:
    _check(text, None, **want)


@pytest.mark.parametrize(
    "text",
    [
        "Retry twice, a few seconds apart.",
        "We retry 3 times, several seconds apart.",
        "Retry up to 3 times with a delay of some seconds between tries.",
        "Retried twice; each attempt times out after a few minutes.",
        "Retry 3 times, pausing a handful of milliseconds.",
    ],
)
def test_a_duration_not_understood_is_unread_never_dropped(text: str) -> None:
    p = _read(text)
    assert p is not None and p.unread, _fields(p)
    assert p.timeout_ms is None and p.deadline_ms is None


@pytest.mark.parametrize(
    "text",
    [
        "Retry once; a second attempt goes to the replica.",
        "Retry twice; the second retry uses another host.",
        "Retry once, 200 ms apart; a second failure is raised.",
    ],
)
def test_second_as_an_ordinal_is_no_duration(text: str) -> None:
    p = _read(text)
    assert p is not None and p.unread == [] and p.backoff.initial_ms in (None, 200.0), _fields(p)


# found by a new user: "# no retries; connect timeout 3s" gave fallback "connect timeout 3s" (so faults
# expected the command to succeed) and no connect timeout
@pytest.mark.parametrize(
    "text",
    [
        "# no retries; connect timeout 3s",
        "no retries; connect timeout 3s",
        "No retries, connection timeout of 3 s.",
        "No retry; connect timeout is 3 seconds",
        "None: connect timeout 3 s",
        "No retries. Connect timeout: three seconds.",
    ],
)
def test_what_follows_no_retries_is_read_not_taken_as_a_fallback(text: str) -> None:
    p = read_retry(text, None, 1)
    assert p is not None, text
    assert (p.max_attempts, p.fallback, p.connect_timeout_ms, p.timeout_ms) == (1, None, 3000.0, None), text


@pytest.mark.parametrize(
    ("text", "fallback"),
    [
        ("no retries: the nightly job re-runs the day", None),
        ("No retries; the error goes to the caller", None),
        ("None. The order is marked failed.", None),
        ("No retries, no fallback and the error is raised", None),
        ("no retries: we serve the cached price list", "we serve the cached price list"),
        ("No retries; falls back to the default rate", "falls back to the default rate"),
        ("Retry twice, then serve the cached price list.", "serve the cached price list"),
        ("None: the stale value is returned", "the stale value is returned"),
        ("no retries - degrade to the static page", "degrade to the static page"),
        ("No retries: serve from the local cache", "serve from the local cache"),
    ],
)
def test_a_fallback_needs_words_that_say_one(text: str, fallback: str | None) -> None:
    p = read_retry(text, None, 1)
    assert p is not None and p.fallback == fallback, (text, p and p.fallback)


@pytest.mark.parametrize("lang", ["", "yaml"])
def test_key_colon_value_settings_read_like_key_equals_value(lang: str) -> None:
    colon = read_retry(
        "retries: 2   # we retry twice\nbackoff: 500ms, doubling\nconnect_timeout: 3s", lang, 1
    )
    equals = read_retry("retries=2 backoff_ms=500 connect_timeout=3s", "", 1)
    assert colon is not None and equals is not None
    assert colon.max_attempts == equals.max_attempts == 3
    assert colon.connect_timeout_ms == equals.connect_timeout_ms == 3000.0
    assert colon.backoff.initial_ms == equals.backoff.initial_ms == 500.0
    assert (colon.backoff.kind, colon.backoff.multiplier) == ("exponential", 2.0)
    assert colon.unread == []


def test_a_config_setting_not_read_is_listed_unread() -> None:
    p = read_retry("retries: 2\nbackoff:\n  initial: 500ms\nsocket_timeout: 0.5\nhost: db", "yaml", 1)
    assert p is not None and p.max_attempts == 3
    # a key inside the backoff map is that part of the backoff (round 41: it was listed unread)
    assert p.backoff.initial_ms == 500.0
    assert p.unread == ["socket_timeout: 0.5"]
    assert p.timeout_ms is None


@pytest.mark.parametrize(
    "text",
    [
        "r = redis.Redis.from_url(URL, socket_timeout=0.5)  # no retry, we fall back to the database",
        "# no retry, we fall back to the database\nr = redis.Redis(host='127.0.0.1', socket_timeout=0.5)",
    ],
)
def test_a_code_comment_is_read_and_the_code_completes_it(text: str) -> None:
    p = read_retry(text, "python", 1)
    assert p is not None
    assert (p.max_attempts, p.backoff.kind, p.timeout_ms) == (1, "none", 500.0)
    assert p.fallback == "we fall back to the database"


def test_a_hash_in_a_string_is_no_comment() -> None:
    p = read_retry('r = redis.Redis.from_url("redis://h/#no retry", socket_timeout=0.5)', "python", 1)
    # the code's own timeout is read (round 47); "#no retry" inside the string says nothing of retries
    assert p is not None and p.timeout_ms == 500.0 and p.max_attempts is None and p.retries is None


@pytest.mark.parametrize(
    "text",
    [
        "We retry up to 3 times total (3 attempts), 200ms apart.",
        "retry up to 3 times (3 attempts)",
        "Retried 3 times, i.e. 3 attempts in all.",
    ],
)
def test_an_attempts_count_wins_over_a_colloquial_retry_count(text: str) -> None:
    """A new user's doc (round 12): "3 attempts" said in so many words was read as 4."""
    p = _read(text)
    assert p is not None and p.max_attempts == 3, text


@pytest.mark.parametrize(
    ("text", "attempts", "retried_on", "not_retried"),
    [
        (
            "We retry timeouts and connection errors three times.",
            4,
            ["timeout", "connection_refused", "connection_lost"],
            [],
        ),
        ("3 retries. Invalid responses are never retried.", 4, [], ["invalid_response"]),
        ("Retried twice, 1 s apart; we don't retry on timeouts.", 3, [], ["timeout"]),
        (
            "Timeouts are retried 2 times; validation errors are not retried.",
            3,
            ["timeout"],
            ["other"],
        ),
        ("No retries.", 1, [], []),
        ("Requests are never retried.", 1, [], []),
    ],
)
def test_words_for_one_failure_are_that_failure_s_rule(
    text: str, attempts: int, retried_on: list[str], not_retried: list[str]
) -> None:
    """A negation about one failure ("Invalid responses are never retried") is not the policy: it made a
    strategy of 3 retries no retry at all (new user, round 13); a negation about every call is."""
    p = _read(text)
    assert p is not None
    assert (p.max_attempts, p.retry_on_failures, p.not_retried_failures) == (
        attempts,
        retried_on,
        not_retried,
    )


def test_a_sentence_wrapped_over_lines_is_read_as_one() -> None:
    """ "…exponential backoff:" / "100 ms, 200 ms, then 400 ms" lost its schedule to the line break."""
    p = _read("We retry three times with exponential backoff:\n100 ms, 200 ms, then 400 ms.")
    assert p is not None and p.unread == []
    assert (p.max_attempts, p.backoff.initial_ms, p.backoff.multiplier) == (4, 100.0, 2.0)


@pytest.mark.parametrize(
    ("text", "method", "attempts", "unread"),
    [
        ("no retry for POSTs, GETs twice, 100 ms between tries.", "GET", 3, []),
        ("GETs twice, no retry for POSTs.", "GET", 3, []),
        ("GETs twice, no retry for POSTs.", "POST", 1, []),
        ("GETs twice, no retry for POSTs.", None, None, ["GETs twice"]),
        (
            "retry at most 3 times, twice the timeout apart",
            None,
            4,
            ["retry at most 3 times, twice the timeout apart"],
        ),
    ],
)
def test_a_count_without_a_retry_word_beside_it(
    text: str, method: str | None, attempts: int | None, unread: list[str]
) -> None:
    """ "GETs twice" was read as nothing with unread [] and faults passed a client that retried once as
    "retried, count not judged" (new user, round 14): a count in a line about retrying is the retry count,
    and a count nothing read is listed unread."""
    p = _read(text, method)
    assert p is not None and (p.max_attempts, p.unread) == (attempts, unread)


@pytest.mark.parametrize(
    "text",
    [
        "timeout_ms=2000 retries=0",
        "retries=0 backoff_ms=100 timeout_ms=2000",
        "max_attempts=1 timeout_ms=2000",
    ],
)
def test_settings_with_no_retry_keep_their_timeout(text: str) -> None:
    """``timeout_ms=2000 retries=0`` read "2000 retries", and the timeout as a failure that is not
    retried: no attempts, no timeout, ERR002 silent (new user, round 15). A setting's value is no count,
    and settings are about every call."""
    p = _read(text)
    assert p is not None
    assert (p.max_attempts, p.timeout_ms, p.not_retried_failures, p.unread) == (1, 2000.0, [], [])


@pytest.mark.parametrize(
    ("text", "attempts", "timeout_ms", "sleeps", "fallback"),
    [
        (
            "No retries; timeout 1 s, we fall back to the default rate.",
            1,
            1000.0,
            [],
            "we fall back to the default rate",
        ),
        ("No retry, 2 s timeout; we serve the cached price.", 1, 2000.0, [], "we serve the cached price"),
        ("We retry once, immediately.", 2, None, [0.0], None),
    ],
)
def test_a_fallback_is_its_clause_and_immediately_is_no_pause(
    text: str, attempts: int, timeout_ms: float | None, sleeps: list[float], fallback: str | None
) -> None:
    """The fallback swallowed the rest of the sentence ("timeout 1 s" was never read), and "immediately"
    left the pause unknown (new user, round 16)."""
    p = _read(text)
    assert p is not None
    assert (p.max_attempts, p.timeout_ms, p.sleeps_ms(), p.fallback, p.unread) == (
        attempts,
        timeout_ms,
        sleeps,
        fallback,
        [],
    )


def test_a_schedule_in_words_is_no_constant_pause_and_a_dial_timeout_is_a_connect_timeout() -> None:
    """ "waiting one second, then two, then four seconds" asserted a constant 1 s pause (while listing the
    sentence unread); "Dial timeout 3 s" was a per-attempt timeout and ERR002 warned on it (new user,
    round 20)."""
    words = _read("We make at most 4 attempts in total, waiting one second, then two, then four seconds.")
    assert words is not None and (words.max_attempts, words.backoff.kind, words.backoff.initial_ms) == (
        4,
        None,
        None,
    )
    assert words.unread  # said: the schedule was not read
    dial = _read("No retries: a failed send is dropped and the nightly batch re-sends it. Dial timeout 3 s.")
    assert dial is not None and (dial.timeout_ms, dial.connect_timeout_ms) == (None, 3000.0)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a rule for another operation, said first, beside a counted policy: listed, the policy read
        (
            "No retries for publishes. The connection is retried 3 times, five seconds apart.",
            {
                "max_attempts": 4,
                "kind": "constant",
                "initial_ms": 5000.0,
                "unread": ["No retries for publishes"],
            },
        ),
        (
            "The connection is retried 3 times, five seconds apart. We don't retry the outbox flush.",
            {"max_attempts": 4, "initial_ms": 5000.0, "unread": ["We don't retry the outbox flush"]},
        ),
        # the statuses a negation names stay excluded; its exception is what is retried
        ("We do not retry 4xx responses, except 429.", {"status": ["429"], "unread": []}),
        (
            "We do not retry 4xx responses, except 429. 5xx are retried 2 times.",
            {"max_attempts": 3, "status": ["429", "5xx"]},
        ),
        ("No retries except on 503.", {"status": ["503"]}),
        # a sentence ending in a number ends there
        (
            "Retried 2 times on 503. 4xx are never retried.",
            {"max_attempts": 3, "status": ["503"], "unread": []},
        ),
        # calls counted together are the attempts
        (
            "We retry up to 3 times (so 4 calls in total) with exponential backoff starting at 200 ms, "
            "doubling each time, capped at 2 s.",
            {"max_attempts": 4, "kind": "exponential", "initial_ms": 200.0, "unread": []},
        ),
    ],
)
def test_round_21_wordings(text: str, want: dict[str, Any]) -> None:
    """Found by a new user (round 21): a negation about publishes read as "no retry" for the policy
    beside it, so faults failed a client doing what its doc says; "do not retry 4xx, except 429" read as
    4xx retried; "Retried 2 times on 503. 4xx are never retried." read as nothing (the sentence did not
    end after "503."); "(so 4 calls in total)" listed the whole sentence as not understood."""
    _check(text, None, **want)


@pytest.mark.parametrize(
    ("text", "retried", "not_retried"),
    [
        ("We retry 2 times on timeouts but never on 5xx.", ["timeout"], []),
        (
            "// retries: 2, 250ms apart (timeouts and connection errors only, never on 500)",
            ["timeout", "connection_refused", "connection_lost"],
            [],
        ),
        ("We retry only on timeouts, 3 times.", ["timeout"], []),
        (
            "Retried twice for connection errors; invalid responses are never retried.",
            ["connection_refused", "connection_lost"],
            ["invalid_response"],
        ),
    ],
)
def test_the_failures_a_count_or_only_names_are_the_ones_retried(
    text: str, retried: list[str], not_retried: list[str]
) -> None:
    """ "retry 2 times on timeouts" and "(timeouts and connection errors only)" read no failure at all
    (new user, round 21): every failure was held to the count."""
    p = _read(text)
    assert p is not None and (p.retry_on_failures, p.not_retried_failures) == (retried, not_retried), p


def test_a_vague_count_lists_its_sentence_once() -> None:
    p = _read("Reconnects a couple of times, a few seconds apart, then gives up.")
    assert p is not None and len(p.unread) == 1 and p.retried is True, p.unread


@pytest.mark.parametrize("text", ["none", "None", "Never.", "off"])
def test_a_strategy_that_is_the_word_none_is_no_retry(text: str) -> None:
    """ "**Retry Strategy:** none" was "could not be read" (new user, round 22)."""
    p = _read(text)
    assert p is not None and p.max_attempts == 1 and p.backoff.kind == "none"


def test_a_duration_in_parentheses_after_timeout_is_read_with_its_scope() -> None:
    """ "HttpClient.Timeout (10 s) is the overall budget" was listed unread (a dot inside a name ended the
    sentence, and the parenthesis hid the duration) (new user, round 22)."""
    p = _read(
        "3 retries, 200 ms apart. Per-try timeout 2 s; HttpClient.Timeout (10 s) is the overall budget."
    )
    assert p is not None and (p.timeout_ms, p.deadline_ms, p.unread) == (2000.0, 10000.0, [])


@pytest.mark.parametrize(
    ("code", "want"),
    [
        (
            "services.AddHttpClient<PricingClient>()\n"
            "    .AddPolicyHandler(Policy<HttpResponseMessage>\n"
            "        .Handle<HttpRequestException>()\n"
            "        .OrResult(r => (int)r.StatusCode >= 500)\n"
            "        .WaitAndRetryAsync(3, attempt => TimeSpan.FromMilliseconds(200 * attempt)))\n"
            "    .AddPolicyHandler(Policy.TimeoutAsync<HttpResponseMessage>(TimeSpan.FromSeconds(2)));",
            {
                "max_attempts": 4,
                "kind": "linear",
                "initial_ms": 200.0,
                "increment_ms": 200.0,
                "timeout_ms": 2000.0,
                "status": ["5xx"],
            },
        ),
        (
            "HttpPolicyExtensions.HandleTransientHttpError()\n"
            "    .OrResult(msg => msg.StatusCode == HttpStatusCode.TooManyRequests)\n"
            "    .WaitAndRetryAsync(5, retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt)));",
            {
                "max_attempts": 6,
                "kind": "exponential",
                "initial_ms": 2000.0,
                "multiplier": 2.0,
                "status": ["5xx", "408", "429"],
            },
        ),
        (
            "Policy.Handle<SqlException>().WaitAndRetry(2, _ => TimeSpan.FromMilliseconds(500));",
            {"max_attempts": 3, "kind": "constant", "initial_ms": 500.0},
        ),
        ("Policy.Handle<HttpRequestException>().RetryAsync(3);", {"max_attempts": 4, "kind": "none"}),
        (
            "Policy.TimeoutAsync(TimeSpan.FromSeconds(10))\n"
            "    .WrapAsync(Policy.Handle<Exception>().WaitAndRetryAsync(2, i => TimeSpan.FromSeconds(1)));",
            {"max_attempts": 3, "deadline_ms": 10000.0, "timeout_ms": None},
        ),
    ],
)
def test_polly_in_csharp_is_read(code: str, want: dict[str, Any]) -> None:
    """A .NET team's Polly policy read as the comment's prose alone, no statuses, and faults said the doc
    disagreed with itself over a 400 (new user, round 22)."""
    got = _fields(read_retry(code, "csharp", 1))
    assert {k: got[k] for k in want} == want
    policy = read_retry(code, "csharp", 1)
    assert policy is not None and policy.form == "polly"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "We give up after the third attempt. Back off 1s, 2s between attempts. "
            "No more than 2m end to end.",
            {"max_attempts": 3, "kind": "exponential", "initial_ms": 1000.0, "deadline_ms": 120000.0},
        ),
        ("// we give up after the third attempt\n// back off 200ms, then 400ms", {"max_attempts": 3}),
        ("Retry 3 times; we never spend more than 10 seconds.", {"max_attempts": 4, "deadline_ms": 10000.0}),
        ("each attempt takes no more than 2 s; retry twice", {"max_attempts": 3, "timeout_ms": 2000.0}),
        (
            "Unconfirmed messages are republished up to 5 times, 200 ms apart. Confirm timeout is 5 s.",
            {"max_attempts": 6, "kind": "constant", "initial_ms": 200.0, "timeout_ms": 5000.0},
        ),
    ],
)
def test_round_23_wordings(text: str, want: dict[str, Any]) -> None:
    """Found by a new user (round 23): "give up after the third attempt" read no count (faults failed a
    client making exactly 3, and passed one making 7); "never spend more than 10 seconds" was listed as a
    lower bound; "republished up to 5 times" was no retry at all."""
    _check(text, None, unread=[], **want)


def test_libraries_defaults_and_timeouts_are_read() -> None:
    """got's default pause and statuses, aiohttp's ClientTimeout(total=…) and nats.go's Timeout(…) were not
    read (new user, round 23): pauses were never judged, and an invalid 200 answer was held to a retry."""
    got = read_retry("const api = got.extend({ retry: { limit: 2 }, timeout: { request: 3000 } });", "ts", 1)
    assert got is not None and (got.max_attempts, got.backoff.kind, got.backoff.initial_ms) == (
        3,
        "exponential",
        1000.0,
    )
    assert "503" in got.retry_on_status and "200" not in got.retry_on_status and got.timeout_ms == 3000.0
    aio = read_retry(
        "timeout = aiohttp.ClientTimeout(total=1.5)\n@retry(stop=stop_after_attempt(3))\nasync def f(): ...",
        "python",
        1,
    )
    assert aio is not None and (aio.max_attempts, aio.timeout_ms) == (3, 1500.0)
    nats = read_retry("// retry twice\nnc, _ := nats.Connect(url, nats.Timeout(2*time.Second))", "go", 1)
    assert nats is not None and (nats.max_attempts, nats.timeout_ms) == (3, 2000.0)


def test_round_24_wordings_and_readers() -> None:
    """Found by a new user (round 24): "a timed-out request" named no failure and "1500 millis" was no
    duration (the policy became "4 attempts for every failure"); Ktor's HttpRequestRetry and reqwest /
    reqwest-retry were not read (lint said nothing)."""
    words = _read(
        "We retry a timed-out request up to three times; each attempt has a 1500 millis timeout and we give "
        "up after 2 s in total. Connection errors are never retried."
    )
    assert words is not None and (words.max_attempts, words.timeout_ms, words.deadline_ms) == (
        4,
        1500.0,
        2000.0,
    )
    assert (words.retry_on_failures, words.unread) == (["timeout"], [])
    assert set(words.not_retried_failures) == {"connection_refused", "connection_lost"}
    ktor = read_retry(
        "install(HttpRequestRetry) {\n    retryOnServerErrors(maxRetries = 3)\n    exponentialDelay()\n}",
        "kotlin",
        1,
    )
    assert ktor is not None and (ktor.form, ktor.max_attempts, ktor.retry_on_status) == ("ktor", 4, ["5xx"])
    assert (ktor.backoff.kind, ktor.backoff.initial_ms, ktor.backoff.max_ms) == (
        "exponential",
        2000.0,
        60000.0,
    )
    rust = read_retry(
        "let policy = ExponentialBackoff::builder().build_with_max_retries(3);\n"
        "let http = reqwest::Client::builder().timeout(Duration::from_secs(10))"
        ".connect_timeout(Duration::from_millis(500)).build()?;",
        "rust",
        1,
    )
    assert rust is not None and (rust.max_attempts, rust.timeout_ms, rust.connect_timeout_ms) == (
        4,
        10000.0,
        500.0,
    )


def test_round_25_decorators_alone_terse_words_and_library_defaults() -> None:
    """Found by a new user (round 25): a tenacity or backoff decorator written alone was "not Python" (no
    policy, a BLK002 error, and faults passed any count); "3x retry, exp bo 100ms→1.6s, 2s/try" read only
    the deadline; "timeouts: connect 500 ms, read 2 s" nothing; go-retryablehttp's default policy retried
    a 401, so faults said the doc disagreed with itself."""
    tenacity = read_retry(
        "@retry(stop=(stop_after_attempt(5) | stop_after_delay(10)), wait=wait_exponential(multiplier=0.5, "
        "min=0.5, max=4), retry=retry_if_exception_type(psycopg.OperationalError))",
        "python",
        1,
    )
    assert tenacity is not None and (tenacity.max_attempts, tenacity.deadline_ms) == (5, 10000.0)
    backoff = read_retry(
        "@backoff.on_exception(backoff.expo, redis.ConnectionError, max_tries=3, max_time=5)", "python", 1
    )
    assert backoff is not None and (backoff.max_attempts, backoff.deadline_ms) == (3, 5000.0)
    _check(
        "3x retry, exp bo 100ms→1.6s, 2s/try, 10s total.",
        None,
        max_attempts=4,
        kind="exponential",
        initial_ms=100.0,
        timeout_ms=2000.0,
        deadline_ms=10000.0,
        unread=[],
    )
    words = _read("Retry twice. OkHttp timeouts: connect 500 ms, read 2 s.")
    assert words is not None and (words.connect_timeout_ms, words.read_timeout_ms, words.timeout_ms) == (
        500.0,
        2000.0,
        2500.0,
    )
    go = read_retry("client := retryablehttp.NewClient()\nclient.RetryMax = 3", "go", 1)
    assert go is not None and "401" not in go.retry_on_status and "503" in go.retry_on_status


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # "~800 ms": approximate figures were not read (timeout null, ERR001 "not understood")
        ("No retries. Timeout ~800 ms.", {"max_attempts": 1, "timeout_ms": 800.0, "unread": []}),
        ("No retries; timeout ≈ 2s", {"max_attempts": 1, "timeout_ms": 2000.0, "unread": []}),
        ("Retry twice, ~200ms apart, on 503.", {"max_attempts": 3, "initial_ms": 200.0, "status": ["503"]}),
        # a fallback is its own sentence: the timeout after it was swallowed into it
        (
            "none — we fall back to the cached price list. Timeout is half a second.",
            {"max_attempts": 1, "timeout_ms": 500.0, "unread": []},
        ),
    ],
)
def test_approximate_figures_and_the_sentences_after_a_fallback_are_read(
    text: str, want: dict[str, Any]
) -> None:
    """New user, round 26."""
    _check(text, None, **want)
    if "fall back" in text:
        policy = _read(text)
        assert policy is not None and policy.fallback == "we fall back to the cached price list"


@pytest.mark.parametrize(
    "text", ["no retry: the next poll (every 30 s) is the retry", "None: the job reruns every 5 minutes"]
)
def test_no_retry_has_no_backoff(text: str) -> None:
    """ "# no retry: the next poll (every 30 s) is the retry" read as backoff none with 30 s initial: a
    policy contradicting itself (new user, round 27)."""
    _check(text, None, max_attempts=1, kind="none", initial_ms=None)


@pytest.mark.parametrize(
    "text",
    [
        "2 retries, 250ms fixed, 5xx only",
        "2 retries, fixed 250ms, 5xx only",
        "2 retries, 250ms constant backoff, 5xx only",
    ],
)
def test_a_pause_beside_fixed_is_a_constant_backoff(text: str) -> None:
    """ "2 retries, 250ms fixed, 5xx only": the pause was listed unread (round 27)."""
    _check(text, None, max_attempts=3, kind="constant", initial_ms=250.0, unread=[])


@pytest.mark.parametrize(
    "text",
    [
        "The connection reconnects forever, waiting 2 s between attempts.",
        "We reconnect forever with 2s backoff (constant, no jitter)",
        "Reconnect until it succeeds, 2 s apart",
    ],
)
def test_retried_forever_is_retried_with_no_count(text: str) -> None:
    """ "reconnects forever, waiting 2 s between attempts" was read as no count and no retry, and faults
    judged a client doing exactly that against "documented 1 attempt" (new user, round 29)."""
    policy = _read(text)
    assert policy is not None and policy.retried is True and policy.max_attempts is None
    assert (policy.backoff.kind, policy.backoff.initial_ms) == ("constant", 2000.0)


@pytest.mark.parametrize(
    ("text", "attempts", "retried"),
    [
        ("We usually do 2 retries", None, True),  # a usual count is no rule (round 30: a firm 3 attempts)
        ("Typically retried 3 times on 503, 200ms apart", None, True),
        ("No retries usually needed", 1, None),  # no retry is no count
        ("Retries are usually not needed; we retry 3 times on 503", 4, None),  # the hedge in another clause
        ("We retry 3 times; that is usually enough", 4, None),
    ],
)
def test_a_usual_count_is_no_count(text: str, attempts: int | None, retried: bool | None) -> None:
    policy = _read(text)
    assert policy is not None and (policy.max_attempts, policy.retried) == (attempts, retried)


@pytest.mark.parametrize(
    ("text", "attempts", "kind", "initial", "multiplier"),
    [
        # pauses written one by one are as many retries when no count is said (round 33: faults judged
        # "retried, how often not said" and compared no pause)
        ("We back off 250ms, 500ms, 1s then give up.", 4, "exponential", 250.0, 2.0),
        ("Backoff: 250ms → 500ms → 1s, then fail", 4, "exponential", 250.0, 2.0),
        ("We retry after 250ms, 500ms and 1s", 4, "exponential", 250.0, 2.0),  # was a constant 250 ms
        ("Backoff: 250ms → 500ms → 1s\nRetries: 5", 6, "exponential", 250.0, 2.0),  # a count said wins
        ("exp. backoff 0.1s → 0.4s", None, "exponential", 100.0, 4.0),  # two by an arrow: a range, no count
        ("Three attempts in total, one second between them", 3, "constant", 1000.0, None),
    ],
)
def test_a_schedule_written_out_gives_the_count(
    text: str, attempts: int | None, kind: str, initial: float, multiplier: float | None
) -> None:
    p = _read(text)
    assert p is not None and p.unread == []
    assert (p.max_attempts, p.backoff.kind, p.backoff.initial_ms, p.backoff.multiplier) == (
        attempts,
        kind,
        initial,
        multiplier,
    )


@pytest.mark.parametrize(
    ("text", "excluded"),
    [
        # a sentence taking statuses out of a policy said elsewhere is not "no retry" for every call (round
        # 33: "We do not retry 404s." made 2 retries 1 attempt; "404s" was read as 404 seconds)
        ("2 retries, 1s apart. We do not retry 404s.", ["404"]),
        ("2 retries, 1s apart. 404s are not retried.", ["404"]),
        ("2 retries, 1s apart. We never retry a 400 or 404.", ["400", "404"]),
        ("Retry up to 3 times on 5xx; 4xx errors are not retried.", ["4xx"]),
    ],
)
def test_statuses_taken_out_keep_the_policy(text: str, excluded: list[str]) -> None:
    p = _read(text)
    assert p is not None and p.unread == [] and p.not_retried_status == excluded
    assert p.max_attempts is not None and p.max_attempts > 1


def test_a_status_in_the_plural_is_a_status_and_a_time_in_seconds_a_time() -> None:
    p = _read("We retry 5xxs up to 3 times, 1 s apart; timeout 500s.")
    assert p is not None and p.retry_on_status == ["5xx"] and p.timeout_ms == 500_000.0


def test_pauses_before_each_retry_and_a_breaker_count_written_first_are_read() -> None:
    """Round 34: "waiting 200 ms before the first retry, 400 ms before the second and 800 ms before the
    third" was listed unread (ERR001) and "After 5 consecutive failures the circuit breaker opens" had no
    threshold."""
    p = _read(
        "We retry timeouts and HTTP 503 responses up to 3 times, waiting 200 ms before the first retry, "
        "400 ms before the second and 800 ms before the third. After 5 consecutive failures the circuit "
        "breaker opens and stays open for 30 seconds."
    )
    assert p is not None and p.unread == []
    assert (p.max_attempts, p.backoff.kind, p.backoff.initial_ms, p.backoff.multiplier) == (
        4,
        "exponential",
        200.0,
        2.0,
    )
    assert p.circuit_breaker is not None
    assert (p.circuit_breaker.failure_threshold, p.circuit_breaker.cool_down_ms) == (5, 30000.0)


@pytest.mark.parametrize(
    "text",
    [
        '{"retries": 1, "backoff_ms": 50, "timeout_ms": 250}',
        '{"maxAttempts": 2, "initialBackoffMs": 50, "timeoutMs": 250}',
    ],
)
def test_json_settings_are_read_as_yaml_s_are(text: str) -> None:
    """A JSON block's ``backoff_ms`` / ``timeoutMs`` were dropped without a word (unread [], ERR001 silent)
    while the same keys in YAML are read (new user, round 35)."""
    p = read_retry(text, "json", 1)
    assert p is not None and (p.max_attempts, p.backoff.initial_ms, p.timeout_ms) == (2, 50.0, 250.0)


def test_msec_is_a_unit_in_a_strategy_as_in_a_latency() -> None:
    """ "250 msec apart" was listed unread while "P99: 30 msec" read as 30 ms (new user, round 36)."""
    p = _read("We reconnect up to 5 times, 250 msec apart")
    assert p is not None and p.unread == [] and (p.backoff.kind, p.backoff.initial_ms) == ("constant", 250.0)


def test_a_fragment_read_as_its_call_leaves_the_shared_tree_as_parsed() -> None:
    """The retry reader and BLK002 share each block's tree (document/pysyntax.py's cache); reading
    ``retry=Retry(...),`` lines as a Redis call renamed the cached call in place. Read twice, the same."""
    from wiremap.document.pysyntax import parsed

    text = "retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),\nsocket_timeout=0.25,"
    first = read_retry(text, "python", 1)
    second = read_retry(text, "python", 1)
    assert first is not None and first == second and first.form == "redis"
    cached = parsed(f"__fragment__(\n{text}\n)")
    assert cached is not None and not isinstance(cached, SyntaxError)
    assert ast.unparse(cached).startswith("__fragment__(")
