"""Webhook alerts received by a real local HTTP receiver, retried with backoff, never fatal."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from wiremap.model import Integration
from wiremap.monitor.alerts import Alerter
from wiremap.monitor.model import CheckResult, Status, Transition

INTEG = Integration(
    id="checkout-to-payments",
    path="docs/checkout-to-payments.md",
    source="Checkout",
    destination="Payments",
    maintained_by="@payments-team",
    critical_path=True,
)


class Receiver:
    def __init__(self, fail_first: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.attempts = 0
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.attempts += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.attempts <= outer.fail_first:
                    self.send_response(503)
                else:
                    outer.bodies.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def _down() -> tuple[Transition, CheckResult]:
    result = CheckResult(
        INTEG.id, 10.0, False, 3.0, None, "refused", "connect to postgresql://u:hunter2@db failed"
    )
    return Transition(INTEG.id, 10.0, Status.UP, Status.DOWN, "2 consecutive failed probes"), result


async def _send(alerter: Alerter, *events: tuple[Transition, CheckResult]) -> None:
    for t, r in events:
        alerter.notify(t, INTEG, r)
    await alerter.drain(10)


def test_down_alert_payload(receiver: Receiver) -> None:
    alerter = Alerter([receiver.url])
    asyncio.run(_send(alerter, _down()))
    (body,) = receiver.bodies
    assert body["integration"] == "checkout-to-payments"
    assert (body["old_status"], body["new_status"]) == ("up", "down")
    assert body["error_kind"] == "refused"
    assert body["doc"] == "docs/checkout-to-payments.md"
    assert body["maintained_by"] == "@payments-team"
    assert "hunter2" not in json.dumps(body)
    assert alerter.delivered == 1


def test_first_up_and_degraded_are_not_alerted_but_recovery_is(receiver: Receiver) -> None:
    ok = CheckResult(INTEG.id, 1.0, True, 3.0)
    alerter = Alerter([receiver.url])
    asyncio.run(
        _send(
            alerter,
            (Transition(INTEG.id, 1.0, Status.UNKNOWN, Status.UP), ok),
            (Transition(INTEG.id, 2.0, Status.UP, Status.DEGRADED), ok),
            (Transition(INTEG.id, 3.0, Status.DOWN, Status.UP, "2 consecutive successful probes"), ok),
        )
    )
    assert [(b["old_status"], b["new_status"]) for b in receiver.bodies] == [("down", "up")]
    assert receiver.bodies[0]["error"] is None


def test_a_failing_receiver_is_retried_with_backoff() -> None:
    r = Receiver(fail_first=2)
    try:
        alerter = Alerter([r.url], backoff_s=0.05)
        asyncio.run(_send(alerter, _down()))
        assert r.attempts == 3 and len(r.bodies) == 1
    finally:
        r.server.shutdown()


def test_an_unreachable_receiver_is_logged_and_dropped(caplog: pytest.LogCaptureFixture) -> None:
    alerter = Alerter(["http://127.0.0.1:1/hook?token=s3cr3tvalue"], attempts=2, backoff_s=0.01)
    asyncio.run(_send(alerter, _down()))
    assert alerter.failed == 1 and alerter.delivered == 0
    assert "dropped after 2 attempts" in caplog.text


def test_a_recovery_from_down_to_degraded_is_alerted(receiver: Receiver) -> None:
    """Down, then answering again but slowly: the receivers' last word was "down" (new user, round 28)."""
    ok = CheckResult(INTEG.id, 1.0, True, 300.0)
    alerter = Alerter([receiver.url])
    asyncio.run(
        _send(
            alerter,
            (Transition(INTEG.id, 3.0, Status.DOWN, Status.DEGRADED, "2 of 10 probes slower"), ok),
            (Transition(INTEG.id, 4.0, Status.DEGRADED, Status.UP), ok),  # degraded to up: shown only
        )
    )
    assert [(b["old_status"], b["new_status"]) for b in receiver.bodies] == [("down", "degraded")]


def test_alert_outcomes_are_counted_in_the_metrics(receiver: Receiver) -> None:
    """``wiremap_alerts_total`` had no sample however many alerts were delivered or dropped (round 49)."""
    from wiremap.monitor.metrics import Metrics

    metrics = Metrics()
    assert 'wiremap_alerts_total{outcome="dropped"} 0.0' in metrics.render()[0].decode()
    good = Alerter([receiver.url], on_outcome=metrics.alert_outcome)
    asyncio.run(_send(good, _down(), _down()))
    bad = Alerter(["http://127.0.0.1:1/hook"], attempts=1, on_outcome=metrics.alert_outcome)
    asyncio.run(_send(bad, _down()))
    text = metrics.render()[0].decode()
    assert 'wiremap_alerts_total{outcome="delivered"} 2.0' in text
    assert 'wiremap_alerts_total{outcome="dropped"} 1.0' in text
