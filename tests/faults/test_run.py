"""``wiremap faults`` end to end: clients with KNOWN policies run against stubs failing each way, their
attempts seen at the wire, judged against an honest doc, a doc that promises more, and one that says
nothing."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.faults._clients import client, command, doc, integration
from tests.services import require_service
from wiremap.faults.compare import SLACK_MS, TOLERANCE
from wiremap.faults.run import FaultResult, IntegrationFaults, RunOptions, run_integration
from wiremap.faults.syns import open_syn_counter
from wiremap.model import Integration


def _faults(integ: Integration, cmd: str, *only: str, tmp_path: Path, **kw: object) -> IntegrationFaults:
    options = RunOptions(command=cmd, root=tmp_path, env=dict(os.environ), only=only, **kw)  # type: ignore[arg-type]
    return asyncio.run(run_integration(integ, options))


def _can_count_syns() -> bool:
    counter = open_syn_counter(1)
    if isinstance(counter, str):
        return False
    counter.sock.close()
    return True


def _near(got: list[float] | None, want: list[float]) -> bool:
    """Every interval within the tolerance the verdict uses."""
    assert got is not None
    return len(got) == len(want) and all(
        w * (1 - TOLERANCE) - SLACK_MS <= g <= w * (1 + TOLERANCE) + SLACK_MS
        for g, w in zip(got, want, strict=True)
    )


def _by_fault(report: IntegrationFaults) -> dict[str, FaultResult]:
    return {r.fault: r for r in report.results}


def test_an_honest_http_client_is_ok_through_every_fault(tmp_path: Path) -> None:
    """3 attempts, 100 ms apart, a 200 ms timeout: what the doc says (tenacity, Failure Modes)."""
    cmd = command(client(tmp_path, "http"), 3, [100], timeout_ms=200)
    faults = ("timeout", "reset", "status:503", "invalid", "garbage", "close-mid-body", "first:1:status:503")
    report = _faults(integration(doc()), cmd, *faults, tmp_path=tmp_path)
    got = _by_fault(report)
    for fault in faults:
        r = got[fault]
        assert r.verdict == "ok", f"{fault}: {r.message}\n{r.output}"
        assert r.rewritten and set(r.rewritten) == {"BILLING_URL"}
        assert r.rewritten["BILLING_URL"].startswith("http://127.0.0.1:")
    for fault in faults[1:-1]:
        r = got[fault]
        assert (r.observed_attempts, r.exit_code) == (3, 1), fault
        assert _near(r.observed_intervals_ms, [100, 100]), (fault, r.observed_intervals_ms)
    timeout = got["timeout"]  # each attempt waits its 200 ms before the 100 ms pause
    assert timeout.observed_attempts == 3 and _near(timeout.observed_intervals_ms, [300, 300])
    assert (timeout.documented_attempts, timeout.documented_timeout_ms) == (3, 200.0)
    first = got["first:1:status:503"]  # the second attempt is answered: the command succeeds
    assert (first.observed_attempts, first.exit_code) == (2, 0)
    assert report.ok


def test_refused_attempts_are_counted_at_the_wire_or_said_unobserved(tmp_path: Path) -> None:
    cmd = command(client(tmp_path, "http"), 3, [100])
    report = _faults(integration(doc()), cmd, "refused", "first:2:refused", tmp_path=tmp_path)
    got = _by_fault(report)
    always, first = got["refused"], got["first:2:refused"]
    if _can_count_syns():
        assert always.verdict == "ok" and always.observed_attempts == 3, always.message
        assert _near(always.observed_intervals_ms, [100, 100]), always.observed_intervals_ms
        # two refused (SYNs), then the stub listens again and the third attempt is answered
        assert first.verdict == "ok" and (first.observed_attempts, first.exit_code) == (3, 0), first.message
        assert _near(first.observed_intervals_ms, [100, 100]), first.observed_intervals_ms
    else:
        for r in (always, first):
            assert r.observed_attempts is None and "refused attempts cannot be observed" in r.message
            assert r.verdict == "ok"  # the command failed as the doc says; the attempts are not judged


def test_a_client_without_retries_against_a_doc_that_promises_them_is_a_mismatch_in_numbers(
    tmp_path: Path,
) -> None:
    cmd = command(client(tmp_path, "http"), 1)
    report = _faults(integration(doc()), cmd, "status:503", "reset", tmp_path=tmp_path)
    assert not report.ok
    for r in report.results:
        assert r.verdict == "mismatch", r.message
        assert r.message.startswith("documented 2 retries with 100/100 ms backoff; observed no retry")
        assert "attempts: documented 3, observed 1" in r.message
        assert (r.observed_attempts, r.documented_attempts, r.exit_code) == (1, 3, 1)


def test_a_slower_client_is_a_mismatch_that_says_when_each_retry_came(tmp_path: Path) -> None:
    cmd = command(client(tmp_path, "http"), 3, [250])
    (r,) = _faults(integration(doc()), cmd, "status:503", tmp_path=tmp_path).results
    assert r.verdict == "mismatch" and r.observed_attempts == 3
    assert "retry 1 came 2" in r.message and "documented 100 ms (allowed 30–170 ms)" in r.message


def test_exponential_backoff_is_compared_pause_by_pause(tmp_path: Path) -> None:
    retry = "@retry(stop=stop_after_attempt(4), wait=wait_exponential(multiplier=0.05))\ndef call(): ..."
    integ = integration(doc(retry=retry))
    honest = command(client(tmp_path, "http"), 4, [50, 100, 200])
    (r,) = _faults(integ, honest, "status:503", tmp_path=tmp_path).results
    assert r.verdict == "ok", r.message
    assert r.documented_backoff_ms == [50.0, 100.0, 200.0]
    assert _near(r.observed_intervals_ms, [50, 100, 200]), r.observed_intervals_ms
    constant = command(client(tmp_path, "http"), 4, [50])
    (r,) = _faults(integ, constant, "status:503", tmp_path=tmp_path).results
    assert r.verdict == "mismatch" and "retry 3 came" in r.message and "documented 200 ms" in r.message
    assert "retry 1 came" not in r.message  # the first pause is the documented one


def test_a_doc_that_says_nothing_of_retries_is_not_documented_with_what_was_seen(tmp_path: Path) -> None:
    integ = integration(
        doc(retry="the SDK decides", retry_language="text", modes="- **Invalid Response**: logged")
    )
    cmd = command(client(tmp_path, "http"), 2, [100])
    (r,) = _faults(integ, cmd, "status:503", tmp_path=tmp_path).results
    assert r.verdict == "not-documented", r.message
    assert "observed 1 retry after 1" in r.message and r.observed_attempts == 2


def test_a_tcp_client_through_connection_faults(tmp_path: Path) -> None:
    cmd = command(client(tmp_path, "tcp"), 3, [100], timeout_ms=150)
    modes = (
        "- **Timeout**: no answer within 150 ms → retried\n"
        "- **Connection Reset**: the ledger restarts → retried"
    )
    report = _faults(integration(doc("tcp", modes=modes)), cmd, tmp_path=tmp_path)
    got = _by_fault(report)
    assert list(got) == ["timeout", "reset"]  # the documented modes, as faults
    for fault, interval in (("timeout", 250), ("reset", 100)):
        r = got[fault]
        assert r.verdict == "ok", f"{fault}: {r.message}\n{r.output}"
        assert r.observed_attempts == 3 and _near(r.observed_intervals_ms, [interval, interval])
        assert set(r.rewritten) == {"LEDGER_ADDR"}
    extra = _faults(integration(doc("tcp", modes=modes)), cmd, "garbage", "disconnect", tmp_path=tmp_path)
    assert all(r.verdict == "ok" and r.observed_attempts == 3 for r in extra.results), extra.results


def test_a_redis_client_through_timeout_and_disconnect(tmp_path: Path) -> None:
    pytest.importorskip("redis")
    cmd = command(client(tmp_path, "redis"), 2, [150], timeout_ms=150)
    integ = integration(
        doc(
            "redis",
            retry="@retry(stop=stop_after_attempt(2), wait=wait_fixed(0.15))\ndef get(): ...",
            modes=(
                "- **Timeout**: no answer within 150 ms → retried\n"
                "- **Disconnect**: the cache restarts → retried"
            ),
        )
    )
    report = _faults(integ, cmd, tmp_path=tmp_path)
    got = _by_fault(report)
    assert set(got) == {"timeout", "disconnect"}
    for fault, interval in (("timeout", 300), ("disconnect", 150)):
        r = got[fault]
        assert r.verdict == "ok", f"{fault}: {r.message}\n{r.output}"
        assert r.observed_attempts == 2 and _near(r.observed_intervals_ms, [interval]), (
            r.observed_intervals_ms
        )


def test_the_proxy_in_front_of_the_real_postgresql(tmp_path: Path) -> None:
    host, port = require_service("postgresql")
    pytest.importorskip("psycopg")
    env = (
        f"export ORDERS_DATABASE_URL=postgresql://postgres@{host}:{port}/test?sslmode=disable&gssencmode=disable"
        "  # libpq URL"
    )
    integ = integration(
        doc(
            "postgresql",
            env=env,
            address=f"{host}:{port}",
            modes=(
                "- **Connection Refused**: PostgreSQL is down → retried\n"
                "- **Connection Reset**: failover → retried"
            ),
        )
    )
    cmd = command(client(tmp_path, "psycopg"), 3, [100])
    report = _faults(integ, cmd, "reset", "first:1:reset", "first:1:disconnect", tmp_path=tmp_path)
    got = _by_fault(report)
    reset, first = got["reset"], got["first:1:reset"]
    assert reset.verdict == "ok" and reset.observed_attempts == 3, f"{reset.message}\n{reset.output}"
    assert _near(reset.observed_intervals_ms, [100, 100])
    # the first connection is reset, the second reaches PostgreSQL through the proxy: the command succeeds
    assert first.verdict == "ok" and (first.observed_attempts, first.exit_code) == (2, 0), first.output
    assert got["first:1:disconnect"].exit_code == 0, got["first:1:disconnect"].output
    assert reset.rewritten["ORDERS_DATABASE_URL"].startswith("postgresql://postgres@127.0.0.1:")
    assert "sslmode=disable" in reset.rewritten["ORDERS_DATABASE_URL"]


def test_a_client_that_never_gives_up_is_stopped_at_its_bound(tmp_path: Path) -> None:
    hang = tmp_path / "hang.py"
    hang.write_text("import os, time\nos.environ['BILLING_URL']\ntime.sleep(30)\n", encoding="utf-8")
    cmd = command(hang, 1)
    (r,) = _faults(integration(doc()), cmd, "timeout", tmp_path=tmp_path, timeout_s=0.5).results
    assert r.verdict == "mismatch" and r.exit_code is None
    assert "had not given up" in r.message and "stopped after 0.5 s" in r.message


def test_a_command_that_never_reaches_the_stub_says_so(tmp_path: Path) -> None:
    crash = tmp_path / "crash.py"
    crash.write_text("import os\nos.environ['BILLING_API_TOKEN']\n", encoding="utf-8")
    (r,) = _faults(integration(doc()), command(crash, 1), "status:503", tmp_path=tmp_path).results
    assert r.verdict == "mismatch" and r.observed_attempts == 0 and r.exit_code == 1
    assert "the command made no attempt at the stub and exited 1: it failed before reaching it" in r.message
    assert "elsewhere than BILLING_URL" in r.message and "KeyError: 'BILLING_API_TOKEN'" in r.output


def test_schedules_are_judged_by_the_attempt_they_answer(tmp_path: Path) -> None:
    cmd = command(client(tmp_path, "http"), 3, [100])
    report = _faults(integration(doc()), cmd, "every:2:status:503", "first:3:status:503", tmp_path=tmp_path)
    every, beyond = report.results
    assert every.verdict == "ok" and (every.observed_attempts, every.exit_code) == (1, 0), every.message
    # the doc's 3 attempts all fail under first:3: the command should fail, and does
    assert beyond.verdict == "ok" and (beyond.observed_attempts, beyond.exit_code) == (3, 1), beyond.message


def test_a_grpc_doc_of_another_method_than_health_is_skipped_with_why(tmp_path: Path) -> None:
    """The gRPC stub answers the health service only: the inventory client's Reserve would get
    UNIMPLEMENTED under every fault, so nothing is run and each fault says why."""
    from tests._paths import EXAMPLE_DOCS
    from wiremap import parse_text

    path = EXAMPLE_DOCS / "checkout-service-to-inventory-service.md"
    inventory = parse_text(path.read_text(encoding="utf-8"), str(path)).integration
    report = _faults(inventory, "exit 0", tmp_path=tmp_path)
    assert [r.fault for r in report.results] == ["timeout", "refused", "invalid", "grpc:FAILED_PRECONDITION"]
    assert {r.verdict for r in report.results} == {"skipped"} and report.ok
    why = "the stub serves gRPC health only: inventory.v1.Inventory/Reserve cannot be stubbed yet"
    assert all(r.message == why for r in report.results)


def test_the_stub_speaks_tls_as_the_client_is_told_to(tmp_path: Path) -> None:
    """Protocol HTTPS with the client's variable an ``http://`` URL: the stub spoke TLS, the plaintext
    client's attempts failed their handshake, and faults said "observed no attempt" (new user, round 14).
    The stub follows the scheme of the URL the client is given."""
    cmd = command(client(tmp_path, "http"), 3, [100], timeout_ms=300)
    text = doc().replace("**Protocol:** HTTP", "**Protocol:** HTTPS", 1)
    assert "**Protocol:** HTTPS" in text
    r = _by_fault(_faults(integration(text), cmd, "status:503", tmp_path=tmp_path))["status:503"]
    assert r.verdict == "ok", f"{r.message}\n{r.output}"
    assert r.observed_attempts == 3 and r.rewritten["BILLING_URL"].startswith("http://127.0.0.1:")
