"""The doc's promise under a fault against what a client did at the wire."""

from __future__ import annotations

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap import parse_text
from wiremap.faults.compare import Observed, expected, judge
from wiremap.model import Integration
from wiremap.stub.faults import parse_fault

PAYMENTS = EXAMPLE_DOCS / "checkout-service-to-payments-api.md"


def _payments() -> Integration:
    return parse_text(PAYMENTS.read_text(encoding="utf-8"), str(PAYMENTS)).integration


def _doc(retry: str, modes: str = "- **Timeout**: no answer within 2 s → retried") -> Integration:
    text = (
        "# Integration: Shop → Billing API\n\n## Error Handling\n\n**Failure Modes:**\n"
        f"{modes}\n\n**Retry Strategy:**\n```python\n{retry}\n```\n"
    )
    return parse_text(text, "x.md").integration


def _starts(*gaps_ms: float) -> list[float]:
    out = [100.0]
    for gap in gaps_ms:
        out.append(out[-1] + gap / 1000)
    return out


def test_urllib3_retry_of_the_example_shop() -> None:
    """urllib3 2: retry 1 at once, retry n after backoff_factor * 2 ** (n - 1); only the statuses of
    status_forcelist; 402 is 'never retried' in the doc's own words."""
    payments = _payments()
    got = expected(payments, parse_fault("status:503"))
    assert (got.attempts, got.sleeps_ms, got.succeeds) == (3, [0.0, 400.0], False)
    assert expected(payments, parse_fault("status:500")).attempts == 1  # not in status_forcelist
    assert expected(payments, parse_fault("status:402")).attempts == 1  # "never retried"
    first = expected(payments, parse_fault("first:1:status:503"))
    assert (first.attempts, first.sleeps_ms, first.succeeds) == (2, [0.0], True)
    timeout = expected(payments, parse_fault("timeout"))
    assert timeout.fail_ms == 5000.0  # "no answer within PAYMENTS_TIMEOUT_SECONDS (5 s)"


def test_an_honest_client_is_ok_and_a_lazy_one_a_mismatch_in_numbers() -> None:
    promise = expected(_payments(), parse_fault("status:503"))
    honest = judge(promise, Observed(_starts(8, 410), exit_code=1, gave_up_after_ms=425))
    assert honest.verdict == "ok", honest.message
    lazy = judge(promise, Observed(_starts(1000), exit_code=1, gave_up_after_ms=1003))
    assert lazy.verdict == "mismatch"
    assert lazy.message.startswith(
        "documented 2 retries with 0/400 ms backoff; observed 1 retry after 1,000 ms"
    )
    assert "attempts: documented 3, observed 2" in lazy.differences
    assert any("retry 1 came 1,000 ms" in d for d in lazy.differences)


def test_intervals_within_twenty_percent_plus_fifty_ms() -> None:
    """(20 ms of slack was too little for a client's own work between attempts: round 57.)"""
    doc = _doc(
        "@retry(stop=stop_after_attempt(4), wait=wait_exponential(multiplier=0.1, max=2))\ndef f(): ..."
    )
    promise = expected(doc, parse_fault("refused"))
    assert promise.attempts == 4
    sleeps = promise.sleeps_ms
    assert sleeps is not None and len(sleeps) == 3
    inside = [x * 1.2 + 49 for x in sleeps]
    outside = [*sleeps[:2], sleeps[2] * 1.2 + 55]
    assert judge(promise, Observed(_starts(*inside), 1, None)).verdict == "ok"
    late = judge(promise, Observed(_starts(*outside), 1, None))
    assert late.verdict == "mismatch" and len(late.differences) == 1 and "retry 3" in late.differences[0]


def test_a_timeout_attempt_lasts_the_timeout_before_the_pause() -> None:
    doc = _doc(
        "@retry(stop=stop_after_attempt(3), wait=wait_fixed(0.5))\ndef f(): ...",
        "- **Timeout**: no answer within 2 s → retried twice, 500 ms apart",
    )
    promise = expected(doc, parse_fault("timeout"))
    assert promise.fail_ms == 2000.0 and promise.sleeps_ms == [500.0, 500.0]
    assert judge(promise, Observed(_starts(2510, 2505), 1, 7600)).verdict == "ok"
    assert judge(promise, Observed(_starts(510, 505), 1, 1100)).verdict == "mismatch"


def test_a_fallback_means_the_command_succeeds_and_a_hang_is_never_ok() -> None:
    doc = _doc(
        "# no retries: on any failure we serve the cached price list (fallback)",
        "- **Timeout**: no answer within 1 s → never retried; the cached price list is served",
    )
    promise = expected(doc, parse_fault("timeout"))
    assert promise.attempts == 1
    if promise.succeeds:  # the parser read the fallback: the command must succeed
        assert judge(promise, Observed(_starts(), 2, 1000)).verdict == "mismatch"
    hang = judge(promise, Observed(_starts(), None, None))
    assert hang.verdict == "mismatch" and "had not given up" in hang.message


def test_a_doc_that_does_not_say_is_not_documented_and_unobserved_attempts_are_said() -> None:
    doc = _doc("client.call()  # see the SDK", "- **Invalid Response**: logged")
    promise = expected(doc, parse_fault("status:503"))
    got = judge(promise, Observed(_starts(100, 200), 1, 300))
    assert got.verdict == "not-documented" and "observed 2 retries after 100/200 ms" in got.message
    payments = expected(_payments(), parse_fault("refused"))
    blind = judge(payments, Observed(None, 1, None, why="a packet socket needs root"))
    assert blind.verdict == "ok" and "attempts not observed: a packet socket needs root" in blind.message


def test_a_schedule_says_which_attempt_is_answered_first() -> None:
    doc = _doc("@retry(stop=stop_after_attempt(4), wait=wait_fixed(0.1))\ndef f(): ...")
    every = expected(doc, parse_fault("every:2:timeout"))  # attempt 1 answered
    assert (every.attempts, every.sleeps_ms, every.succeeds) == (1, [], True)
    first = expected(doc, parse_fault("first:2:timeout"))
    assert (first.attempts, first.sleeps_ms, first.succeeds) == (3, [100.0, 100.0], True)
    beyond = expected(doc, parse_fault("first:9:timeout"))
    # "→ retried" says nothing of what the caller does once the retries are spent: the exit is not judged
    assert (beyond.attempts, beyond.succeeds) == (4, None)
    plan = parse_fault("p:0.5:timeout", seed=7)
    answered = next(n for n in range(1, 5) if plan.decide(n) is None)
    assert expected(doc, plan).attempts == answered  # seeded: the same attempt in every run


def test_retry_after_is_the_pause_where_the_doc_or_its_library_honours_it() -> None:
    payments = _payments()  # urllib3 waits what Retry-After says (respect_retry_after_header)
    promise = expected(payments, parse_fault("status:503:retry-after=1"))
    assert promise.sleeps_ms == [1000.0, 1000.0]
    said = _doc(
        "@retry(stop=stop_after_attempt(3), wait=wait_fixed(0.1))\ndef f(): ...",
        "- **Rate Limited**: 429 → retried after what Retry-After says",
    )
    assert expected(said, parse_fault("status:429:retry-after=1")).sleeps_ms == [1000.0, 1000.0]
    silent = _doc(
        "@retry(stop=stop_after_attempt(3), wait=wait_fixed(0.1))\ndef f(): ...",
        "- **Rate Limited**: 429 → retried",
    )
    assert expected(silent, parse_fault("status:429:retry-after=1")).sleeps_ms == [100.0, 100.0]


def test_a_failure_that_becomes_an_exception_the_policy_retries_is_retried() -> None:
    """A Timeout that "raises `CartUnavailable`" and a loop that retries on CartUnavailable:
    the timeout is retried, though the exception's name says nothing of a timeout."""
    loop = (
        "for attempt in range(4):\n    try:\n        return get()\n    except CartUnavailable:\n"
        "        time.sleep(0.1)"
    )
    said = _doc(loop, "- **Timeout**: no answer within 1.5 s raises `CartUnavailable` → a badge of ?")
    promise = expected(said, parse_fault("timeout"))
    assert (promise.attempts, promise.sleeps_ms, promise.timeout_ms) == (4, [100.0] * 3, 1500.0)
    silent = _doc(loop, "- **Timeout**: no answer within 1.5 s → a badge of ?")
    assert expected(silent, parse_fault("timeout")).attempts is None  # not-documented, as before


def test_a_fault_is_judged_by_the_failure_mode_it_was_planned_from() -> None:
    """The realtime gateway's doc: a closed connection is retried, an invalid frame never is. A
    ``disconnect`` is of both kinds (a lost connection, an answer cut short): planned from Connection
    Closed, it was judged by Invalid Response's "never retried" too, and a client that retries as its doc
    says was a mismatch."""
    doc = _doc(
        "@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.2),\n"
        "       retry=retry_if_exception_type((ConnectionClosed, ConnectionError)))\ndef f(): ...",
        "- **Invalid Response**: a frame that is not an ack raises `InvalidAck` → never retried\n"
        "- **Connection Closed**: the gateway closes the socket → the publish is retried on a new connection",
    )
    planned = expected(doc, parse_fault("disconnect"), mode="Connection Closed")
    assert (planned.attempts, planned.sleeps_ms) == (3, [200.0, 400.0])
    assert expected(doc, parse_fault("invalid"), mode="Invalid Response").attempts == 1
    # with --only (no mode) every mode of the fault's kinds is read, as before
    assert expected(doc, parse_fault("disconnect")).attempts == 1


def test_a_mode_that_says_retried_is_retried_whatever_the_retry_on_list() -> None:
    """Found by a new user: '- **Timeout**: 300 ms socket timeout → retried' with a loop that catches only
    redis.ConnectionError (redis-py's TimeoutError is not one): the client did not retry, and faults said
    'not-documented' (exit 0) instead of a mismatch. The mode's own words decide first."""
    doc = _doc(
        "for attempt in range(3):\n    try:\n        return r.get(key)\n"
        "    except redis.ConnectionError:\n        time.sleep(0.1)",
        "- **Timeout**: 300 ms socket timeout → retried, see below",
    )
    promise = expected(doc, parse_fault("timeout"))
    assert promise.retried is True and promise.attempts == 3
    assert judge(promise, Observed(_starts(), 1, 331)).verdict == "mismatch"


def test_a_fault_the_library_s_retry_does_not_cover_is_not_retried() -> None:
    """Found by a new user: redis-py's Retry(…, 3) and 'Invalid Response: ignore' was judged against 3
    retries; redis-py retries ConnectionError and TimeoutError only."""
    redis_doc = _doc(
        "r = redis.Redis.from_url(URL, retry=Retry(ExponentialBackoff(cap=0.5, base=0.01), 3))",
        "- **Timeout**: slow\n- **Invalid Response**: ignore",
    )
    assert expected(redis_doc, parse_fault("invalid")).attempts == 1
    assert expected(redis_doc, parse_fault("timeout")).attempts == 4
    assert expected(redis_doc, parse_fault("refused")).attempts == 4
    grpc = _doc(
        'config = {"methodConfig": [{"retryPolicy": {"maxAttempts": 4, "initialBackoff": "0.1s", '
        '"maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}]}',
        "- **Connection refused**: restarting\n- **Invalid Response**: bad message",
    )
    assert expected(grpc, parse_fault("refused")).attempts == 4
    assert expected(grpc, parse_fault("invalid")).attempts == 1
    assert expected(grpc, parse_fault("grpc:INTERNAL")).attempts == 1
    urllib3 = _doc(
        "s.mount('http://', HTTPAdapter(max_retries=Retry(total=2, status_forcelist=[503])))",
        "- **Invalid Response**: bad JSON\n- **Rate limited**: 429",
    )
    assert expected(urllib3, parse_fault("invalid")).attempts == 1  # urllib3 never reads the body
    assert expected(urllib3, parse_fault("status:429:retry-after=1")).attempts == 3  # its Retry-After default
    assert expected(urllib3, parse_fault("status:404")).attempts == 1


def test_retries_none_and_a_mode_that_gives_up_are_no_retry() -> None:
    """Found by a new user: 'Retries: none.' and '**Timeout** (no ack in 3 s) → give up' said
    'not-documented'."""
    text = (
        "# Integration: Notifier → Push Gateway\n\n## Error Handling\n\n**Failure Modes:**\n"
        "- **Timeout** (no ack in 3 s) → give up, user gets it on next poll\n"
        "- **Connection reset by peer**: reconnect\n\n"
        "**Retry Strategy:**\nRetries: none. Timeout per message: 3000 ms.\n"
    )
    integ = parse_text(text, "x.md").integration
    assert integ.error_handling.retry is not None and integ.error_handling.retry.max_attempts == 1
    for fault in ("timeout", "reset"):
        promise = expected(integ, parse_fault(fault))
        assert promise.attempts == 1 and promise.retried is False, fault
    # a mode that gives up, under a policy that retries everything else
    gives_up = _doc(
        "@retry(stop=stop_after_attempt(3), wait=wait_fixed(0.1))\ndef f(): ...",
        "- **DB down** (connection refused) → job fails, rerun in the morning",
    )
    assert expected(gives_up, parse_fault("refused")).attempts == 1


def test_when_the_doc_s_parts_disagree_the_verdict_says_so() -> None:
    """Found by a new user: 'Rate limited: backoff' under a loop that retries 5xx only was judged by the
    loop without a word."""
    doc = _doc(
        "for attempt in range(3):\n    r = httpx.get(url)\n    if r.status_code < 500:\n        break\n"
        "    time.sleep(0.1 * (attempt + 1))",
        "- **HTTP 502/503**: retried\n- **Rate limited**: backoff",
    )
    promise = expected(doc, parse_fault("status:429:retry-after=1"))
    assert "disagrees" in promise.conflict and "'Rate limited'" in promise.conflict
    verdict = judge(promise, Observed(_starts(), 1, 30))
    assert "the doc disagrees with itself" in verdict.message
    assert expected(doc, parse_fault("status:503")).conflict == ""


def test_the_mode_s_action_says_whether_the_command_succeeds_fails_or_is_not_judged() -> None:
    """Found by a new user: '**HTTP 409**: duplicate invoice → ignore, never retried' was a mismatch ("the
    command should fail by the doc, it succeeded"): every failure was expected to fail the command. A mode
    whose caller carries on expects success, one that surfaces the error a failure, one that says neither
    leaves the exit unjudged, and says so."""
    doc = _doc(
        "@retry(stop=stop_after_attempt(3), wait=wait_fixed(0.1))\ndef f(): ...",
        "- **HTTP 409**: duplicate invoice → ignore, never retried\n"
        "- **HTTP 404**: no such customer → the order fails\n"
        "- **HTTP 410**: gone → not retried, log and continue with the cached profile\n"
        "- **HTTP 422**: bad request → never retried, 5xx to the user\n"
        "- **HTTP 418**: teapot → never retried",
    )
    ignored = expected(doc, parse_fault("status:409"))
    assert (ignored.attempts, ignored.succeeds) == (1, True)
    assert judge(ignored, Observed(_starts(), 0, 12)).verdict == "ok"
    assert judge(ignored, Observed(_starts(), 1, 12)).verdict == "mismatch"
    assert expected(doc, parse_fault("status:404")).succeeds is False
    assert expected(doc, parse_fault("status:410")).succeeds is True
    assert expected(doc, parse_fault("status:422")).succeeds is False
    silent = expected(doc, parse_fault("status:418"))
    assert silent.succeeds is None
    for code in (0, 1):
        got = judge(silent, Observed(_starts(), code, 12))
        assert got.verdict == "ok" and "exit not judged" in got.message, got.message


# -- found by a new user (nu9) ---------------------------------------------------------------------------

_FAIL_OPEN_POLICY = (
    "// retries: 2, 100ms backoff doubling\nclient := &http.Client{Timeout: 800 * time.Millisecond}"
)


def test_fail_open_is_the_caller_carrying_on_and_says_nothing_of_retrying() -> None:
    """'→ allow the order (fail open)' read 'fail' as no retry and as the caller failing: the honest client
    (2 retries, exit 0) got two mismatches, one that crashed at once got ok."""
    doc = _doc(
        _FAIL_OPEN_POLICY,
        "- **HTTP 5xx**: broken → allow the order (fail open), treat as success\n"
        "- **Timeout** (800 ms): → fail open, use the default score",
    )
    for fault in ("status:503", "timeout"):
        promise = expected(doc, parse_fault(fault))
        assert (promise.attempts, promise.succeeds, promise.conflict) == (3, True, ""), fault
    closed = _doc(_FAIL_OPEN_POLICY, "- **Timeout** (800 ms): → fails closed, the order is rejected")
    promise = expected(closed, parse_fault("timeout"))
    assert (promise.attempts, promise.succeeds) == (3, False)
    fast = _doc(_FAIL_OPEN_POLICY, "- **Timeout** (800 ms): → fail fast")
    assert expected(fast, parse_fault("timeout")).attempts == 1
    silent = _doc(_FAIL_OPEN_POLICY, "- **Timeout** (800 ms): → fails silently")
    assert expected(silent, parse_fault("timeout")).succeeds is True


def test_a_policy_naming_no_status_retries_a_status_too() -> None:
    """'// retries: 2' (no statuses named) was applied to a timeout but a 503 said 'not-documented'."""
    modes = "- **HTTP 5xx**: broken → allow the order\n- **Timeout**: → use the default"
    doc = _doc(_FAIL_OPEN_POLICY, modes)
    assert expected(doc, parse_fault("status:503")).attempts == 3


def test_reconnect_up_to_n_times_is_the_retry_of_a_lost_connection() -> None:
    """'Connection Lost → reconnect up to 5 times, 2 s apart, then crash' said 'not-documented'."""
    text = (
        "# Integration: Notify → Broker\n\n**Protocol:** AMQP\n\n## Error Handling\n\n**Failure Modes:**\n"
        "- **Connection Lost**: broker restarts → reconnect up to 5 times, 2 s apart, then crash\n\n"
        "**Retry Strategy:** reconnect up to 5 times with 2 s between attempts\n"
    )
    doc = parse_text(text, "x.md").integration
    promise = expected(doc, parse_fault("disconnect"), mode="Connection Lost")
    assert (promise.attempts, promise.retried, promise.succeeds) == (6, True, False)
    assert expected(doc, parse_fault("disconnect")).attempts == 6  # --only: by the kind


def _prose(retry: str, modes: str) -> Integration:
    text = (
        "# Integration: Shop → Billing API\n\n## Error Handling\n\n**Failure Modes:**\n"
        f"{modes}\n\n**Retry Strategy:**\n```text\n{retry}\n```\n"
    )
    return parse_text(text, "x.md").integration


def test_a_failure_the_words_say_is_not_retried_is_judged_apart_from_the_rest() -> None:
    """ "Invalid responses are never retried" under "we retry timeouts and connection errors three
    times" set the whole policy to no retry, and faults called the doc self-contradictory while the
    client did what it said (new user, round 13): the sentence names one failure, not the policy."""
    doc = _prose(
        "We retry timeouts and connection errors three times with exponential backoff:\n"
        "100 ms, 200 ms, then 400 ms (capped at 400 ms). Socket timeout is half a second.\n"
        "Invalid responses are never retried.",
        "- **Timeout**: no answer → retried\n- **Connection Refused**: the cache is down → retried",
    )
    refused = expected(doc, parse_fault("refused"))
    assert (refused.attempts, refused.sleeps_ms, refused.conflict) == (4, [100.0, 200.0, 400.0], "")
    assert judge(refused, Observed(_starts(100, 200, 400), 1, None)).verdict == "ok"
    assert expected(doc, parse_fault("timeout")).attempts == 4
    assert expected(doc, parse_fault("garbage")).attempts == 1  # "never retried"
    # the strategy names what it retries: a failure it does not name is not retried by it
    assert expected(doc, parse_fault("status:503")).attempts == 1


def test_retried_without_a_count_is_held_to_retrying_not_to_a_count() -> None:
    """ "→ we retry a couple of times with jitter" was "does not say whether it is retried" (new user,
    round 13): it says retried; how often is not judged, no retry at all is a mismatch."""
    doc = _prose(
        "We retry a couple of times with jitter unless it's a 4xx.",
        "- **Connection Refused**: broker down → we retry a couple of times with jitter, then log and drop",
    )
    policy = doc.error_handling.retry
    assert policy is not None and policy.retried is True and policy.max_attempts is None
    assert policy.retry_on_status == []  # "unless it's a 4xx" excludes 4xx: it was read as retried on 4xx
    assert any("how many times is not said" in u for u in policy.unread)
    promise = expected(doc, parse_fault("refused"))
    assert promise.attempts is None and promise.retried is True
    none = judge(promise, Observed(_starts(), 0, None))
    assert none.verdict == "mismatch" and "observed no retry" in none.message
    some = judge(promise, Observed(_starts(150, 300), 0, None))
    assert some.verdict == "ok" and "not judged" in some.message


def test_the_last_attempt_waits_the_documented_timeout() -> None:
    """ "No retries. Timeout 1 s." passed a client that waited 5 s before giving up: only the pauses
    between attempts were compared (new user, round 16). The last attempt, from its start to the
    command's exit, is held to the documented timeout."""
    doc = _prose(
        "No retries. Timeout 1 s. We fall back to the default rate.", "- **Timeout**: slow → default rate"
    )
    promise = expected(doc, parse_fault("timeout"))
    assert (promise.attempts, promise.attempt_timeout_ms) == (1, 1000.0)
    slow = judge(promise, Observed(_starts(), 0, 5016.0))
    assert slow.verdict == "mismatch" and "waited 5,016 ms" in slow.message, slow.message
    assert judge(promise, Observed(_starts(), 0, 1080.0)).verdict == "ok"
    # not a timeout fault: nothing to hold the exit time to
    assert expected(doc, parse_fault("refused")).attempt_timeout_ms is None


def test_reconnect_up_to_n_times_and_a_start_to_cap_backoff_are_counted() -> None:
    """ "reconnect up to 10 times" in the Retry Strategy was retried without a count (faults passed a
    client reconnecting 3 times); "max 3 retries (exp. backoff 0.1s → 0.4s)" was a multiplier of 4
    (faults failed a client pausing 100/200/400 ms). New user, round 16."""
    nats = _prose(
        "On a lost connection the client will reconnect up to 10 times, 2 s apart.",
        "- **Disconnect**: reconnect",
    )
    promise = expected(nats, parse_fault("refused"))
    assert promise.attempts == 11
    assert judge(promise, Observed(_starts(2000, 2000, 2000), 1, None)).verdict == "mismatch"
    ledger = _prose("max 3 retries (exp. backoff 0.1s → 0.4s)", "- **HTTP 503**: retried")
    assert expected(ledger, parse_fault("status:503")).sleeps_ms == [100.0, 200.0, 400.0]


def test_a_mode_that_fails_after_the_retries_the_strategy_names() -> None:
    """ "Timeouts are retried twice" with the mode "→ the call raises and the order page fails" was "no
    retry (the doc disagrees with itself)": the bare "fails" is what happens once the retries are spent."""
    doc = _prose(
        "Timeouts are retried twice (50 ms pause).",
        "- **Timeout**: no answer → the call raises and the page fails",
    )
    promise = expected(doc, parse_fault("timeout"))
    assert (promise.attempts, promise.conflict) == (3, "")


def test_a_mode_that_raises_under_a_policy_that_retries_is_the_end_after_the_retries() -> None:
    """ "**Timeout**: no answer in 3 s → raise, order fails" under urllib3 ``Retry(total=2,
    allowed_methods={"POST"})`` was "documented no retry (the doc disagrees with itself)" while the client
    made the 3 attempts the Retry Strategy says (new user, round 18). A mode deferring to a later run
    ("rerun in the morning") still says no retry."""
    retry = (
        "from urllib3.util.retry import Retry\n"
        'Retry(total=2, backoff_factor=0.2, allowed_methods={"POST"}, status_forcelist=[502, 503])'
    )
    doc = _doc(retry, "- **Timeout**: no answer in 3 s → raise, order fails")
    doc = doc.model_copy(update={"endpoint": "POST /v1/charges"})
    promise = expected(doc, parse_fault("timeout"))
    assert (promise.attempts, promise.conflict) == (3, "")


def test_words_naming_statuses_and_honouring_retry_after() -> None:
    """Round 19 (new user): "3 retries on 503, constant 200 ms backoff" expected 3 retries of a timeout
    (the words name what is retried: a timeout is not it); "we honour Retry-After and retry, at most 3
    attempts" with no backoff documented passed a client pausing 50 ms against Retry-After: 1."""
    polled = _prose(
        "3 retries on 503, constant 200 ms backoff",
        "- **Timeout**: no answer → the poll fails and is logged; the next poll tries again",
    )
    assert polled.error_handling.retry is not None and polled.error_handling.retry.backoff.kind == "constant"
    timeout = expected(polled, parse_fault("timeout"))
    assert (timeout.attempts, timeout.conflict) == (1, "")
    assert expected(polled, parse_fault("status:503")).sleeps_ms == [200.0, 200.0, 200.0]
    carrier = _prose(
        "429 and 503 are retried, at most 3 attempts.",
        "- **Rate Limited**: 429 with a Retry-After header → we honour Retry-After and retry",
    )
    promise = expected(carrier, parse_fault("status:429:retry-after=1"))
    assert promise.sleeps_ms == [1000.0, 1000.0]
    assert judge(promise, Observed(_starts(51, 51), 1, None)).verdict == "mismatch"


@pytest.mark.parametrize(
    ("action", "succeeds"),
    [
        # the word alone as the outcome is the error reaching the caller (new user, round 21: "exit not
        # judged: the doc does not say")
        ("not retried, error", False),
        ("the job errors out", False),
        ("not retried; the error rate goes up and we continue", True),
        # kept to be sent later is carrying on (round 22: "exit not judged")
        ("not retried; the sale is queued locally", True),
        ("buffered on disk and replayed", True),
        ("the queue is full, the order fails", False),
        # the page goes on without it (round 24: "exit not judged")
        ("not retried; we hide the widget", True),
        ("the recommendations section is omitted", True),
        # the caller's operation turned down (round 29: the policy's timeout fallback made it "succeeds")
        ("bad JSON → order rejected", False),
        ("the payment is declined", False),
        ("retried, then a flat rate is shown", True),
    ],
)
def test_what_the_mode_s_words_say_of_the_exit(action: str, succeeds: bool) -> None:
    doc = _doc(
        "@retry(stop=stop_after_attempt(3), wait=wait_fixed(0.1))\ndef f(): ...",
        f"- **HTTP 404**: gone → {action}",
    )
    assert expected(doc, parse_fault("status:404")).succeeds is succeeds


def test_a_retry_of_the_whole_job_is_no_retry_of_the_call() -> None:
    """ "→ job is released back to the queue (Laravel retries the job, not the call)" was "documented as
    retried" and faults failed a client that does not retry (new user, round 22)."""
    doc = _doc(
        "# We retry at most 2 times, 500 ms apart, on 5xx. We don't retry on timeouts.",
        "- **Timeout**: no answer in 5 s → job is released back to the queue (Laravel retries the job, not "
        "the call)\n- **HTTP 503**: restarting → retried, then the job fails",
    )
    timeout = expected(doc, parse_fault("timeout"))
    assert (timeout.attempts, timeout.conflict) == (1, "")  # no "the doc disagrees with itself"
    assert expected(doc, parse_fault("status:503")).attempts == 3


def test_a_connect_and_read_timeout_pair_waits_the_read_part_on_an_unanswered_request() -> None:
    """``timeout=(2, 5)``: the stub accepts at once and never answers, so only the 5 s read timeout can run
    out; faults held each attempt to 7 s and failed a client that does what its doc says (round 24)."""
    doc = _doc(
        "s.mount('http://', HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.2)))\n"
        "r = s.get(url, timeout=(2, 5))",
        "- **Timeout**: no answer → retried",
    )
    policy = doc.error_handling.retry
    assert policy is not None and (policy.timeout_ms, policy.connect_timeout_ms, policy.read_timeout_ms) == (
        7000.0,
        2000.0,
        5000.0,
    )
    assert expected(doc, parse_fault("timeout")).timeout_ms == 5000.0


def test_retrying_the_message_is_retrying_the_publish() -> None:
    """A whole job or batch retried later is no retry of the call (round 22); a message retried is, on a
    message bus, the publish itself."""
    from wiremap.faults.compare import _retried_now

    assert _retried_now("we retry the message twice")
    assert not _retried_now("Laravel retries the job, not the call")


def test_a_status_taken_out_of_a_class_is_not_retried() -> None:
    """ "retried twice on 5xx except 501": the exclusion was dropped, so faults expected a 501 to be retried
    and failed a client that does not retry it (new user, round 30)."""
    doc = _prose("Retried twice on 5xx except 501, 300 ms apart.", "- **Timeout**: slow upstream → retried")
    assert expected(doc, parse_fault("status:501")).attempts == 1
    assert expected(doc, parse_fault("status:503")).attempts == 3


def test_a_pause_of_no_said_kind_is_judged_on_the_first_retry() -> None:
    """``retries=3 backoff_ms=100 timeout_ms=300``: the kind of backoff is not said, so no pause was
    compared and a client pausing 700 ms passed (new user, round 32). The first pause is said."""
    text = (
        "# Integration: Shop → Billing API\n\n## Error Handling\n\n**Failure Modes:**\n"
        "- **Connection Refused**: → retried\n\n**Retry Strategy:**\n"
        "```\nretries=3 backoff_ms=100 timeout_ms=300\n```\n"
    )
    doc = parse_text(text, "x.md").integration
    policy = doc.error_handling.retry
    assert policy is not None and policy.backoff.kind is None and policy.backoff.initial_ms == 100.0
    promise = expected(doc, parse_fault("refused"))
    assert (promise.attempts, promise.sleeps_ms) == (4, [100.0])
    assert judge(promise, Observed(_starts(110, 300, 900), 1, None)).verdict == "ok"  # later ones: not said
    slow = judge(promise, Observed(_starts(706, 701, 701), 1, None))
    assert slow.verdict == "mismatch" and any("retry 1 came 706 ms" in d for d in slow.differences)


def test_a_timeout_said_in_words_in_the_mode_s_name_is_the_attempt_s_length() -> None:
    """``**Timeout** (SocketTimeoutException, after two seconds)``: no timeout was read, so a client that
    waited 2 s then paused 200 ms was a mismatch against "200 ms" (new user, round 35)."""
    doc = _doc(
        "@retry(stop=stop_after_attempt(3), wait=wait_fixed(0.2))\ndef f(): ...",
        modes="- **Timeout** (`SocketTimeoutException`, after two seconds): → retried",
    )
    promise = expected(doc, parse_fault("timeout"))
    assert (promise.attempts, promise.fail_ms) == (3, 2000.0)
    assert judge(promise, Observed(_starts(2202, 2203), 1, None)).verdict == "ok"


def test_a_mode_naming_other_statuses_says_nothing_of_this_one() -> None:
    """Round 37: "Retry up to 3 times, 200 ms apart, on any failure except 404s and 409s" beside the modes
    "HTTP 503 → retried", "HTTP 404 → not retried", "HTTP 409 → not retried": a 500 was "documented no
    retry (the doc disagrees with itself)", and with the 404/409 modes gone a 404 was judged by the 503
    mode. The Retry Strategy answers for a status no mode names."""
    modes = (
        "- **HTTP 503**: the quote service restarts → retried\n"
        "- **HTTP 404**: no such quote → not retried\n"
        "- **HTTP 409**: quote already taken → not retried"
    )
    text = (
        "# Integration: Shop → Quote API\n\n## Error Handling\n\n**Failure Modes:**\n"
        f"{modes}\n\n**Retry Strategy:**\n"
        "Retry up to 3 times, 200 ms apart, on any failure except 404s and 409s.\n"
    )
    doc = parse_text(text, "x.md").integration
    five = expected(doc, parse_fault("status:500"))
    assert (five.attempts, five.sleeps_ms) == (4, [200.0, 200.0, 200.0]) and not five.conflict
    assert expected(doc, parse_fault("status:404")).attempts == 1
    only_503 = parse_text(text.replace(modes, modes.split("\n")[0]), "x.md").integration
    assert expected(only_503, parse_fault("status:404")).attempts == 1  # the strategy excludes it
    assert expected(only_503, parse_fault("status:503")).attempts == 4


def test_a_status_named_as_retried_beats_its_class_named_as_not() -> None:
    """ "We retry 503 and 429 … 4xx other than 429 are never retried": faults expected no retry of 429 and
    called a client doing what the doc says a mismatch (new user, round 44)."""
    text = (
        "# Integration: UI → Search API\n\n## Error Handling\n\n**Failure Modes:**\n"
        "- **HTTP 429**: rate limited → retried\n\n**Retry Strategy:** We retry 503 and 429 up to 3 times "
        "with exponential backoff: 200 ms, then 400 ms, then 800 ms. 4xx other than 429 are never retried.\n"
    )
    integ = parse_text(text, "x.md").integration
    got = expected(integ, parse_fault("status:429"))
    assert (got.attempts, got.sleeps_ms) == (4, [200.0, 400.0, 800.0])
    assert expected(integ, parse_fault("status:404")).attempts == 1


def test_a_status_the_modes_treat_as_success_is_not_retried() -> None:
    """ "HTTP 409 Conflict: already posted → treat as success" under a policy naming no condition: faults
    expected 3 retries of the 409 and called the right client a mismatch (new user, round 48)."""
    text = (
        "# Integration: Shop → Ledger\n\n## Error Handling\n\n**Failure Modes:**\n"
        "1. **HTTP 409 Conflict**: the key was already posted → treat as success\n"
        "2. **HTTP 503**: ledger overloaded → retried\n\n"
        '**Retry Strategy:**\n```json\n{"retry": {"maxAttempts": 4, "initialBackoffMs": 250}}\n```\n'
    )
    doc = parse_text(text, "x.md").integration
    conflict = expected(doc, parse_fault("status:409"))
    assert (conflict.attempts, conflict.succeeds) == (1, True)
    assert expected(doc, parse_fault("status:503")).attempts == 4


def test_the_pause_a_failure_mode_gives_with_its_count_is_judged() -> None:
    """ "→ retried 3 times, 0.25 s apart" under a strategy wiremap could not read: the count was held to
    and the 1.5 s pauses passed as ok (new user, round 50)."""
    text = (
        "# Integration: Agent → Broker\n\n## Error Handling\n\n**Failure Modes:**\n"
        "- **Connection Refused**: Mosquitto is down → retried 3 times, 0.25 s apart, then the agent fails\n"
    )
    doc = parse_text(text, "x.md").integration
    promise = expected(doc, parse_fault("refused"))
    assert (promise.attempts, promise.sleeps_ms) == (4, [250.0, 250.0, 250.0])
    slow = judge(promise, Observed(_starts(1501, 1501, 1505), exit_code=1, gave_up_after_ms=4510))
    assert slow.verdict == "mismatch"
    silent = _doc("retry = something_we_wrote()", "- **Connection Refused**: → retried 3 times")
    unread = expected(silent, parse_fault("refused"))
    ok = judge(unread, Observed(_starts(1501, 1501, 1505), exit_code=1, gave_up_after_ms=4510))
    assert ok.verdict == "ok" and "pauses not judged" in ok.message


def _http_doc(endpoint: str, retry: str, language: str, modes: str) -> Integration:
    text = (
        f"# Integration: Shop → Catalog\n\n## Request Format\n\n**Endpoint:** `{endpoint}`\n\n"
        f"## Error Handling\n\n**Failure Modes:**\n{modes}\n\n"
        f"**Retry Strategy:**\n```{language}\n{retry}\n```\n"
    )
    return parse_text(text, "x.md").integration


def test_urllib3_retries_a_status_for_its_allowed_methods_only() -> None:
    """``Retry(total=3, status_forcelist=[503])`` on a POST: urllib3's default allowed_methods leave POST out,
    so a 503 is not retried; faults expected 3 retries (and called the right client a mismatch: round 52)."""
    retry = "retry = Retry(total=3, backoff_factor=0.2, status_forcelist=[503])"
    modes = "- **HTTP 503**: overloaded → the quote fails"
    assert (
        expected(_http_doc("POST /v1/quotes", retry, "python", modes), parse_fault("status:503")).attempts
        == 1
    )
    assert (
        expected(_http_doc("GET /v1/quotes", retry, "python", modes), parse_fault("status:503")).attempts == 4
    )


def test_tenacity_stop_after_delay_is_read_when_an_attempt_ends() -> None:
    """stop_after_delay(2) with 0.5 s attempts and 100/200/400 ms waits makes 4 attempts (the 4th starts at
    2.2 s: tenacity checks the delay before its pause), faults said 3 (round 52)."""
    retry = (
        "@retry(stop=(stop_after_attempt(5) | stop_after_delay(2)), wait=wait_exponential(multiplier=0.1))\n"
        "def get():\n    return httpx.get(URL, timeout=0.5)"
    )
    doc = _http_doc("GET /v1/items", retry, "python", "- **Timeout**: no answer in 0.5 s → retried")
    assert expected(doc, parse_fault("timeout")).attempts == 4


def test_a_config_naming_statuses_does_not_retry_a_timeout() -> None:
    """``{"retries": 2, "retry_on_status": [503]}``: the key was unread and the policy held to retry a
    timeout too (round 52)."""
    retry = '{"retries": 2, "backoff_ms": 300, "retry_on_status": [503]}'
    doc = _http_doc("GET /v1/items", retry, "json", "- **Timeout**: → fail open, show the cached list")
    assert doc.error_handling.retry is not None and doc.error_handling.retry.retry_on_status == ["503"]
    assert expected(doc, parse_fault("timeout")).attempts == 1
    assert expected(doc, parse_fault("status:503")).attempts == 3


def test_an_outcome_said_without_a_retry_rule_is_judged() -> None:
    """ "503 → serve the cached catalog" under a Retry Strategy wiremap does not read: the retry is not
    judged, the exit is (a client that crashed passed as not-documented: round 52)."""
    doc = _http_doc(
        "GET /v1/catalog", "client = httpx.Client(transport=httpx.HTTPTransport(retries=2))", "python",
        "- **HTTP 503**: catalog overloaded → serve the cached catalog",
    )  # fmt: skip
    promise = expected(doc, parse_fault("status:503"))
    crashed = judge(promise, Observed(_starts(), exit_code=1, gave_up_after_ms=20))
    assert crashed.verdict == "mismatch" and "should succeed" in crashed.message
    served = judge(promise, Observed(_starts(), exit_code=0, gave_up_after_ms=20))
    assert served.verdict == "not-documented"


def test_a_grpc_code_is_judged_by_the_mode_that_names_it() -> None:
    """grpc:UNAVAILABLE was judged by the Invalid Response mode (NOT_SERVING, "not retried") while the
    Unavailable mode and the service config say 4 attempts (new user, round 53)."""
    text = (
        "# Integration: Shop → Pricing\n\n**Protocol:** gRPC\n\n## Request Format\n\n"
        "**Endpoint:** `shop.v1.Pricing/Quote`\n\n## Error Handling\n\n**Failure Modes:**\n"
        "- **Invalid Response**: health answers NOT_SERVING → never retried\n"
        "- **Unavailable**: the server answers UNAVAILABLE → retried by the channel's retry policy up to "
        "4 attempts\n\n"
        '**Retry Strategy:**\n```json\n{"methodConfig": [{"name": [{"service": "shop.v1.Pricing"}], '
        '"retryPolicy": '
        '{"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2, '
        '"retryableStatusCodes": ["UNAVAILABLE"]}}]}\n```\n'
    )
    promise = expected(parse_text(text, "x.md").integration, parse_fault("grpc:UNAVAILABLE"))
    assert promise.attempts == 4 and promise.conflict == ""


def test_urllib3_s_own_counts_limit_their_failures_below_total() -> None:
    """Round 57: ``Retry(total=4, status=1, status_forcelist=[503])`` retries a 503 once; faults held the
    client that did to 4 retries ("documented 5 attempts, observed 2")."""
    doc = _doc(
        "Retry(total=4, status=1, connect=2, backoff_factor=0.1, status_forcelist=[503])",
        "- **HTTP 503** → retried once",
    )
    policy = doc.error_handling.retry
    assert policy is not None and policy.retry_limits == {"http_status": 1, "connection_refused": 2}
    assert expected(doc, parse_fault("status:503")).attempts == 2
    assert expected(doc, parse_fault("refused")).attempts == 3
    assert expected(doc, parse_fault("timeout")).attempts == 5


def test_a_reset_is_not_judged_by_the_invalid_response_mode() -> None:
    """Round 57: with no mode for a reset, ``--only reset`` was judged by "Invalid Response: not
    retried", while the Retry Strategy (urllib3, GET) retries a read error."""
    doc = _doc(
        "Retry(total=3, backoff_factor=0.4, status_forcelist=[503])",
        "- **Invalid Response**: malformed JSON → not retried, the order fails",
    )
    assert expected(doc, parse_fault("reset")).attempts == 4


def test_a_loop_catching_httpx_transport_error_retries_resets_and_refusals() -> None:
    """Round 57: ``except (httpx.TransportError, Retryable)`` in a loop was "not-documented" for a reset
    and a refusal (the base of httpx's connect, read and timeout errors)."""
    doc = _doc(
        "for attempt in range(3):\n    try:\n        return client.get(url)\n"
        "    except (httpx.TransportError, Retryable):\n        time.sleep(0.2)",
        "- **HTTP 503**: raises Retryable → retried",
    )
    for fault in ("reset", "refused", "timeout"):
        promise = expected(doc, parse_fault(fault))
        assert promise.retried is True and promise.attempts == 3, fault
