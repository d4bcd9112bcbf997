"""Every refusal, unresolvable name, timeout and TLS failure names the host:port, whatever the protocol."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap.cli.main import main

DOCS = sorted(p.name for p in EXAMPLE_DOCS.glob("*.md"))


@pytest.mark.parametrize("host", ["127.0.0.1", "no-such-host.invalid"])
def test_failures_name_where(tmp_path: Path, capsys: pytest.CaptureFixture[str], host: str) -> None:
    for name in DOCS:
        text = (EXAMPLE_DOCS / name).read_text(encoding="utf-8")
        text = re.sub(r"\(127\.0\.0\.1:\d+\)", f"({host}:1)", text, count=1)
        text = re.sub(r"`(ws|http)://127\.0\.0\.1:\d+", rf"`\1://{host}:1", text)
        (tmp_path / name).write_text(text, encoding="utf-8")
    main(["verify", str(tmp_path), "--format", "json", "--timeout", "2"])
    checks = [c for i in json.loads(capsys.readouterr().out) for c in i["checks"]]
    failed = [c for c in checks if c["error_kind"] in ("refused", "dns")]
    assert len(failed) >= 5  # http, redis, grpc, postgresql, amqp, websocket (the POST one is skipped)
    for c in failed:
        assert f"{host}:1" in c["message"] or f"{host}'" in c["message"], c


def test_an_ok_row_names_the_checks_that_ran_and_the_skipped_one_apart() -> None:
    """ "ok  mqtt  skipped: MQTT_PASSWORD is bound to no host" read as the MQTT check passing; only the
    health-check command had run (new user, round 21)."""
    from wiremap.model import Integration
    from wiremap.probes._base import ProbeResult, Target
    from wiremap.verify.engine import IntegrationReport
    from wiremap.verify.report.text import render

    integ = Integration(id="t-to-b", path="t.md", source="Telemetry", destination="Broker", protocol="mqtt")
    report = IntegrationReport(
        integ,
        Target("127.0.0.1", 1883),
        (
            ProbeResult("mqtt", None, message="MQTT_PASSWORD is bound to no host"),
            ProbeResult("health-check", True),
        ),
    )
    row = next(line for line in render([report], color=False).splitlines() if "Telemetry" in line)
    # the doc's command alone passing is no ok of the destination, never contacted (round 56)
    assert row.split()[3:6] == ["mqtt", "skip", "health-check"], row
    assert "the destination was not probed (mqtt skipped: MQTT_PASSWORD is bound to no host)" in row
    ran = IntegrationReport(
        integ,
        Target("127.0.0.1", 1883),
        (
            ProbeResult("mqtt", True, message="CONNACK accepted"),
            ProbeResult("contract", None, message="no documented reply to compare"),
            ProbeResult("health-check", True),
        ),
    )
    row = next(line for line in render([ran], color=False).splitlines() if "Telemetry" in line)
    assert row.split()[3:6] == ["mqtt", "ok", "mqtt,"], row
    assert "contract skipped: no documented reply to compare" in row


def test_a_failed_row_names_every_failed_check() -> None:
    """A refused tcp probe and a failed health-check command: the table named only ``tcp``, and the
    command's failure was seen only in JSON (new user, round 26)."""
    from wiremap.model import Integration
    from wiremap.probes._base import ErrorKind, ProbeResult, Target
    from wiremap.verify.engine import IntegrationReport
    from wiremap.verify.report.text import render

    integ = Integration(id="l-to-b", path="l.md", source="Ledger", destination="Book", protocol="tcp")
    report = IntegrationReport(
        integ,
        Target("127.0.0.1", 18607),
        (
            ProbeResult(
                "tcp", False, error_kind=ErrorKind.REFUSED, message="connection to 127.0.0.1:18607 refused"
            ),
            ProbeResult(
                "health-check", False, error_kind=ErrorKind.PROTOCOL, message="exit 127: sh: nc: not found"
            ),
        ),
    )
    row = next(line for line in render([report], color=False).splitlines() if "Ledger" in line)
    assert "tcp, health-check" in row, row
    assert "refused: connection to 127.0.0.1:18607 refused; health-check: protocol: exit 127" in row, row


def test_a_command_s_failure_shows_its_last_line_too() -> None:
    """``protocol: exit 1: Traceback (most recent call last):`` was the whole reason shown; the error is on
    the output's last line (new user, round 29)."""
    from wiremap.model import Integration
    from wiremap.probes._base import ErrorKind, ProbeResult, Target
    from wiremap.verify.engine import IntegrationReport
    from wiremap.verify.report.text import render

    integ = Integration(id="c-to-f", path="c.md", source="Checkout", destination="Fraud", protocol="nats")
    out = (
        'exit 1: Traceback (most recent call last):\n  File "x.py", line 3\n'
        "nats.errors.NoRespondersError: nats: no responders"
    )
    report = IntegrationReport(
        integ,
        Target("127.0.0.1", 4222),
        (
            ProbeResult("nats", True),
            ProbeResult("health-check", False, error_kind=ErrorKind.PROTOCOL, message=out),
        ),
    )
    row = next(line for line in render([report], color=False).splitlines() if "Checkout" in line)
    assert "exit 1: Traceback (most recent call last): … nats.errors.NoRespondersError" in row, row


def test_a_tcp_connect_standing_in_for_a_protocol_says_so_in_text_and_junit() -> None:
    """Round 55/56: a Kafka doc checked by a TCP connect showed ``ok  tcp`` with an empty reason and JUnit
    ``tcp: ok``; only the JSON said "no kafka probe: TCP connect only"."""
    from wiremap.model import Integration
    from wiremap.probes._base import ProbeResult, Target
    from wiremap.verify.engine import IntegrationReport
    from wiremap.verify.report import junit, text

    integ = Integration(id="o-to-k", path="k.md", source="Orders", destination="Kafka", protocol="kafka")
    said = "connected to 127.0.0.1:9092 (no kafka probe: TCP connect only)"
    report = IntegrationReport(integ, Target("127.0.0.1", 9092), (ProbeResult("tcp", True, message=said),))
    row = next(line for line in text.render([report], color=False).splitlines() if "Orders" in line)
    assert "ok" in row.split() and "no kafka probe: TCP connect only" in row, row
    assert "tcp: ok (0.0 ms): connected to 127.0.0.1:9092 (no kafka probe: TCP connect only)" in junit.render(
        [report], color=False
    )
