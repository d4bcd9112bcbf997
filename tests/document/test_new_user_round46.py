"""Retry Strategy sentences other teams write (new user, round 46): each was misread or dropped before."""

from __future__ import annotations

import pytest

from wiremap.document.retry import read_retry
from wiremap.values import compound_durations, parse_duration_ms


@pytest.mark.parametrize(
    ("said", "timeout"),
    [
        ("Timeout: 2,500 ms per attempt; 2 retries, 100 ms apart.", 2500.0),  # was 500 ms
        ("timeout of 10,000 ms per attempt, retried twice", 10000.0),  # was nothing
        ("each attempt times out after 120,000 ms; 2 retries", 120000.0),
        ("Per-attempt timeout 1m30s. 2 retries, 100 ms apart.", 90000.0),  # was dropped, not even unread
        ("Timeout is PT2S per attempt. 2 retries, 100 ms apart.", 2000.0),
        ("a 2s500ms timeout per attempt, retried twice", 2500.0),
    ],
)
def test_a_timeout_with_a_thousands_comma_or_in_go_or_iso_form(said: str, timeout: float) -> None:
    p = read_retry(said, None, 1)
    assert p is not None and p.timeout_ms == timeout and p.unread == []
    assert p.max_attempts == 3


def test_a_list_of_pauses_is_no_thousands_figure() -> None:
    p = read_retry("3 retries, backing off 100,200,400 ms", None, 1)
    assert p is not None and p.timeout_ms is None and (p.backoff is None or p.backoff.initial_ms != 100200400)


@pytest.mark.parametrize(
    ("said", "kinds", "pause"),
    [
        ("Retry up to 3 times, but never on timeouts. 100 ms apart.", ["timeout"], 100.0),  # was: all retried
        ("Retry 3 times, never for timeouts, 100 ms apart", ["timeout"], 100.0),
        ("3 retries except on connection resets, 200 ms apart.", ["connection_lost"], 200.0),
    ],
)
def test_failures_taken_out_without_a_verb_of_their_own(said: str, kinds: list[str], pause: float) -> None:
    p = read_retry(said, None, 1)
    assert p is not None and p.retries == 3 and p.not_retried_failures == kinds
    assert p.backoff is not None and p.backoff.initial_ms == pause


def test_a_status_taken_out_is_still_a_status() -> None:
    p = read_retry("Retry up to 3 times except on 404, 100 ms apart.", None, 1)
    assert p is not None and p.not_retried_status == ["404"] and p.not_retried_failures == []


@pytest.mark.parametrize(
    ("text", "ms"),
    [("1m30s", 90000.0), ("PT1M30S", 90000.0), ("PT0.5S", 500.0), ("1h2m", 3720000.0), ("10m", 600000.0)],
)
def test_compound_durations_parse(text: str, ms: float) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize("text", ["k8s", "v1.2m3", "STEP 3", "at 12:30", "T1", "route 66m"])
def test_what_is_no_compound_duration_stays(text: str) -> None:
    assert compound_durations(text) == text


def test_compound_durations_keep_every_offset() -> None:
    text = "timeout 1m30s. deadline PT1M, 2s500ms"
    assert len(compound_durations(text)) == len(text)


@pytest.mark.parametrize(
    ("said", "statuses", "failures"),
    [
        ("For 503s, retry twice, 200 ms apart.", ["503"], []),  # was unread: "for 503s" read as 503 s
        ("Retry twice for 503 and timeouts, 200 ms apart.", ["503"], ["timeout"]),  # kept 503 only
        ("We retry 503s and timeouts up to 3 times.", ["503"], ["timeout"]),
        ("Retries: 3 on 503 or timeout", ["503"], ["timeout"]),
        ("retry 2 times on 5xx and connection errors", ["5xx"], ["connection_refused", "connection_lost"]),
    ],
)
def test_statuses_and_failures_said_together(said: str, statuses: list[str], failures: list[str]) -> None:
    p = read_retry(said, None, 1)
    assert p is not None and p.unread == []
    assert p.retry_on_status == statuses and p.retry_on_failures == failures


@pytest.mark.parametrize(
    ("block", "timeout", "deadline"),
    [
        ("# timeout=2 s per attempt\nretry = Retry(total=3, backoff_factor=0.5)\n", 2000.0, None),
        ("# each attempt times out after 2 s\nretry = Retry(total=3, backoff_factor=0.5)\n", 2000.0, None),
        (
            "# overall deadline 10 s\n@retry(stop=stop_after_attempt(3), wait=wait_fixed(1))\n"
            "def call():\n    return requests.get(u, timeout=2)\n",
            2000.0,  # the code's own timeout, not the comment's
            10000.0,
        ),
    ],
)
def test_a_limit_in_a_comment_of_python_code(block: str, timeout: float, deadline: float | None) -> None:
    """A timeout said in a comment of a python Retry Strategy block was dropped with no ERR001 (round 45's
    known-left item); a comment without a limit word still says nothing."""
    p = read_retry(block, "python", 10)
    assert (
        p is not None and p.timeout_ms == timeout and p.deadline_ms == deadline and p.max_attempts in (3, 4)
    )
    quiet = read_retry("# 3 workers, 2 s apart\nretry = Retry(total=3, backoff_factor=0.5)\n", "python", 10)
    assert quiet is not None and quiet.timeout_ms is None and quiet.max_attempts == 4


@pytest.mark.parametrize(
    ("said", "attempts"),
    [
        ("We call it once.\nNo retries; 200 ms timeout per call.", 1),  # "once" was one retry
        ("We call it once. No retries; 200 ms timeout per call.", 1),  # "We call it once" was unread
        ("each request is tried twice, 100 ms apart", 2),
        ("retry once", 2),  # a retry's count is still retries
    ],
)
def test_how_many_times_the_call_is_made(said: str, attempts: int) -> None:
    """(new user, round 47)"""
    p = read_retry(said, None, 98)
    assert p is not None and p.max_attempts == attempts and p.unread == []


def test_a_label_over_a_paragraph_names_each_sentences_line() -> None:
    """ERR findings on a prose Retry Strategy written under its label pointed at the label (round 47)."""
    from wiremap import parse_text

    doc = parse_text(
        "# Integration: A → B\n\n## Error Handling\n\n**Retry Strategy:**\n\nWe call it once.\n"
        "No retries; 200 ms timeout per call.\n",
        "d.md",
    )
    retry = doc.integration.error_handling.retry
    assert retry is not None and retry.timeout_ms == 200.0 and retry.max_attempts == 1
    assert retry.lines["timeout_ms"] == 8 and retry.lines["max_attempts"] == 7
    same = parse_text(
        "# Integration: A → B\n\n## Error Handling\n\n**Retry Strategy:** We call it once.\n"
        "No retries; 200 ms timeout per call.\n",
        "d.md",
    ).integration.error_handling.retry
    assert same is not None and same.lines["timeout_ms"] == 6 and same.lines["max_attempts"] == 5


@pytest.mark.parametrize(
    ("condition", "statuses", "unread"),
    [
        ("(e) => e.response?.status === 503", ["503"], False),  # was every 5xx
        ("(e) => e.response && e.response.status >= 500", ["5xx"], False),
        ("(e) => [502, 503].includes(e.response?.status)", ["502", "503"], False),
        ("axiosRetry.isNetworkOrIdempotentRequestError", ["429", "5xx"], False),  # the default (round 57)
        ("(e) => shouldRetry(e)", [], True),  # not read: said so, and no 5xx assumed
    ],
)
def test_axios_retry_condition(condition: str, statuses: list[str], unread: bool) -> None:
    """(new user, round 48)"""
    text = (
        "const client = axios.create({ timeout: 1500 });\n"
        f"axiosRetry(client, {{ retries: 3, retryDelay: () => 200, retryCondition: {condition} }});"
    )
    p = read_retry(text, "js", 1)
    assert p is not None and p.retry_on_status == statuses and bool(p.unread) is unread
    assert p.unread in ([], ["retryCondition: (e) => shouldRetry(e)"])


def test_latency_figures_on_the_label_line() -> None:
    """ "**Latency:** p50 around 60 ms, p95 ≈ 0.3s, and the 99th percentile is under 1.2 seconds." was
    dropped with nothing said (CRT003 "no P99", ERR003 silent: new user, round 48)."""
    from wiremap import parse_text

    integ = parse_text(
        "# Integration: A → B\n\n## Performance\n\n**Latency:** p50 around 60 ms, p95 ≈ 0.3s, and the 99th "
        "percentile is under 1.2 seconds.\n",
        "d.md",
    ).integration
    lat = integ.latency_ms
    assert (lat.typical, lat.p95, lat.p99) == (60.0, 300.0, 1200.0)
    assert integ.lines["latency_ms.p99"] == 5
