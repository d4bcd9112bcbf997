"""Error-handling fields as other teams write them (new user, round 42): each was misread before."""

from __future__ import annotations

import pytest

from wiremap import parse_text
from wiremap.document.failure_kinds import failure_kind


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("ACCESS_REFUSED", "wrong vhost perms", "auth"),  # was connection_refused
        ("ACCESS_REFUSED", "broker rejects login", "auth"),
        ("NOAUTH", "password missing", "auth"),  # was other
        ("WRONGPASS", "rotated", "auth"),
        ("Close 1008 (policy violation)", "token rejected", "auth"),
        ("EHOSTUNREACH", "", "connection_refused"),
        ("Slow redis (>5s)", "", "timeout"),
        ("Publish not confirmed in time", "", "timeout"),
        ("Connection Refused", "nothing listens", "connection_refused"),  # unchanged
        ("Timeout", "", "timeout"),
    ],
)
def test_a_failure_is_classed_by_the_servers_own_words(name: str, text: str, kind: str) -> None:
    assert failure_kind(name, text)[0] == kind


@pytest.mark.parametrize(
    ("protocol", "tls"),
    [
        ("MQTT v3.1.1 (TLS terminated at the LB, plain on the broker)", False),  # was a TLS handshake
        ("HTTP, TLS offloaded at the ingress", False),
        ("Redis (TLS)", True),
        ("gRPC over TLS", True),
        ("HTTP (no TLS)", False),
    ],
)
def test_tls_ended_before_the_service_is_no_tls_to_it(protocol: str, tls: bool) -> None:
    assert parse_text(f"# Integration: A → B\n\n**Protocol:** {protocol}\n", "a.md").integration.tls is tls


def test_a_failure_modes_list_saying_none_has_no_mode() -> None:
    head = "# Integration: A → B\n\n**Protocol:** AMQP\n\n## Error Handling\n\n**Failure Modes:**\n"
    assert parse_text(head + "- none\n", "a.md").integration.failure_modes == []
    kept = parse_text(head + "- **None of the brokers**: all down → alert\n", "a.md").integration
    assert [m.name for m in kept.failure_modes] == ["None of the brokers"]


def test_failures_named_first_then_the_attempts() -> None:
    """ "On connection errors and timeouts we make up to 3 attempts" dropped the failures with nothing said
    (new user, round 43)."""
    from wiremap.document.retry import read_retry

    p = read_retry("On connection errors and timeouts we make up to 3 attempts in total, 1 s apart.", None, 1)
    assert p is not None and p.max_attempts == 3
    assert set(p.retry_on_failures) >= {"timeout", "connection_refused"}


def test_the_exception_to_a_negation_is_no_status_taken_out() -> None:
    """ "4xx other than 429 are never retried" took 429 out of what is retried, and faults called a client
    retrying 429 as documented wrong (new user, round 44)."""
    from wiremap.document.retry import read_retry

    said = (
        "We retry 503 and 429 up to 3 times with exponential backoff: 200 ms, then 400 ms, then 800 ms. "
        "4xx other than 429 are never retried."
    )
    p = read_retry(said, None, 1)
    assert p is not None and set(p.retry_on_status) == {"503", "429"}
    assert p.not_retried_status == ["4xx"]


@pytest.mark.parametrize(
    ("said", "timeout"),
    [
        ("at most three attempts in total, waiting half a second between them, and each attempt has a "
         "one-second timeout.", 1000.0),
        ("a 2-second timeout per attempt, retried twice", 2000.0),
        ("retry twice with a thirty-second timeout", 30000.0),
    ],
)  # fmt: skip
def test_a_compound_duration_with_a_hyphen(said: str, timeout: float) -> None:
    """ "a one-second timeout" was unread, and faults held a client to a 500 ms pause without it (new user,
    round 45)."""
    from wiremap.document.retry import read_retry

    p = read_retry(said, None, 1)
    assert p is not None and p.timeout_ms == timeout and p.unread == []
