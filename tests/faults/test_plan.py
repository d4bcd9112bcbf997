"""Each documented failure mode as the fault that is it."""

from __future__ import annotations

import pytest

from tests._paths import EXAMPLE_DOCS
from tests.faults._clients import doc, integration
from wiremap import parse_text
from wiremap.faults.plan import planned_faults
from wiremap.model import Integration


def _example(stem: str) -> Integration:
    path = EXAMPLE_DOCS / f"{stem}.md"
    return parse_text(path.read_text(encoding="utf-8"), str(path)).integration


def _faults(integ: Integration, server: str) -> list[tuple[str, str | None]]:
    return [(p.fault, p.mode) for p in planned_faults(integ, server)]


def test_the_example_shop() -> None:
    assert _faults(_example("checkout-service-to-payments-api"), "http") == [
        ("timeout", "Timeout"),
        ("refused", "Connection Refused"),
        ("status:502", "Server Error"),  # the first status its text names: "a 502, 503 or 504 …"
        ("invalid", "Invalid Response"),  # "`id` … missing or of another type, or not JSON": both faults
        ("invalid:not-json", "Invalid Response"),
        ("status:402", "Card Declined"),  # a named status: "402 with a decline_code …"
    ]
    # gRPC: a Timeout is the client's own deadline (a hang), not a DEADLINE_EXCEEDED the server sends
    assert _faults(_example("checkout-service-to-inventory-service"), "grpc") == [
        ("timeout", "Timeout"),
        ("refused", "Connection Refused"),
        ("invalid", "Invalid Response"),
        ("grpc:FAILED_PRECONDITION", "Out Of Stock"),
    ]
    # the proxy (PostgreSQL) has no 'invalid': bytes that are not the protocol instead
    assert _faults(_example("checkout-service-to-orders-database"), "proxy") == [
        ("timeout", "Timeout"),
        ("refused", "Connection Refused"),
        ("garbage", "Invalid Response"),
    ]
    realtime = _faults(_example("notifications-service-to-realtime-gateway"), "websocket")
    assert ("disconnect", "Connection Closed") in realtime


@pytest.mark.parametrize(
    ("mode", "server", "fault"),
    [
        ("- **HTTP 5xx**: the API is failing → retried", "http", "status:503"),
        ("- **Server Error**: anything the API throws → retried", "http", "status:503"),
        ("- **Rate Limited**: 429 with Retry-After → honoured", "http", "status:429:retry-after=1"),
        ("- **HTTP 429**: too many requests → honoured", "http", "status:429:retry-after=1"),
        ("- **Not Found**: 404 for an unknown id → not retried", "http", "status:404"),
        ("- **UNAVAILABLE**: the server restarts → retried", "grpc", "grpc:UNAVAILABLE"),
        ("- **Throttled**: quota used up → backs off", "grpc", "grpc:RESOURCE_EXHAUSTED"),
        ("- **Broker Disconnect**: the broker restarts → reconnects", "redis", "disconnect"),
        ("- **Connection Lost**: the peer goes away → reconnects", "http", "reset"),
        ("- **Connection Reset**: ECONNRESET mid-request → retried", "redis", "reset"),
        ("- **Invalid Response**: not the documented shape → logged", "tcp", "garbage"),
        ("- **Invalid Response**: not the documented shape → logged", "http", "invalid"),
        # the mode says the body is no JSON: a body of the wrong shape is no such failure (round 42)
        ("- **Invalid Response**: body is not JSON → never retried", "http", "invalid:not-json"),
        ("- **Invalid Response**: an HTML error page instead of JSON → raised", "http", "invalid:not-json"),
        # a gRPC code named in words: that code (it was classed as a refusal and never injected: round 53)
        ("- **Unavailable**: the server answers UNAVAILABLE → retried", "grpc", "grpc:UNAVAILABLE"),
        ("- **Resource exhausted**: quota → not retried", "grpc", "grpc:RESOURCE_EXHAUSTED"),
    ],
)
def test_one_mode(mode: str, server: str, fault: str) -> None:
    protocol = {"http": "http", "grpc": "http", "redis": "redis", "tcp": "tcp"}[server]
    text = doc(protocol, modes=mode)
    if server == "grpc":
        text = text.replace("**Protocol:** HTTP", "**Protocol:** gRPC")
    assert [p.fault for p in planned_faults(integration(text), server)] == [fault]


def test_what_no_stub_can_be_is_not_injected_and_each_fault_comes_once() -> None:
    modes = (
        "- **DNS Failure**: the name does not resolve → alert\n"
        "- **TLS Error**: an expired certificate → alert\n"
        "- **Timeout**: no answer in 1 s → retried\n"
        "- **Slow Response**: no answer in 2 s → retried\n"
        "- **[Failure mode]**: [what happens] → [how to handle]"
    )
    assert _faults(integration(doc(modes=modes)), "http") == [("timeout", "Timeout")]


def test_a_failure_mode_no_fault_is_is_said_untested_never_dropped() -> None:
    """Found by a new user: '**Bad JSON back**: ledger answered garbage' was classed other and vanished."""
    from wiremap.faults.plan import untested_modes

    integ = integration(
        doc(
            modes="- **Bad JSON back**: ledger answered garbage → not retried\n"
            "- **Slow consumer**: messages dropped"
        )
    )
    assert ("invalid:not-json", "Bad JSON back") in _faults(integ, "http")  # "garbage": no JSON at all
    untested = untested_modes(integ, "http")
    assert [name for name, _ in untested] == ["Slow consumer"]
    assert "not tested" in untested[0][1]
