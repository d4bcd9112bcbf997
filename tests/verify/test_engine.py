"""The verify engine and its reports, against real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from xml.etree import ElementTree as ET

from wiremap import parse_text
from wiremap.config import Config
from wiremap.model import Integration
from wiremap.probes._base import ErrorKind
from wiremap.verify import VerifyOptions, verify_all
from wiremap.verify.engine import IntegrationReport
from wiremap.verify.report import FORMATS


def _doc(n: int, port: int, critical: bool = True) -> Integration:
    text = (
        f"# Integration: Caller {n} → Service {n}\n\n**Protocol:** HTTP\n"
        f"**Critical Path:** {'Yes' if critical else 'No'}\n\n"
        f"## Quick Reference\n\n**Destination:** Service {n} (127.0.0.1:{port})\n\n"
        "## Request Format\n\n**Endpoint:** `GET /healthz`\n"
    )
    return parse_text(text, f"docs/svc-{n}.md").integration


def test_twenty_hung_destinations_cost_one_deadline(silent_port: int, http_port: int) -> None:
    integrations = [_doc(n, silent_port if n % 10 == 0 else http_port) for n in range(200)]
    options = VerifyOptions(timeout_s=1.0, concurrency=32)
    started = time.monotonic()
    reports = asyncio.run(verify_all(integrations, options, Config(), {}))
    elapsed = time.monotonic() - started
    hung = [r for r in reports if not r.ok]
    assert len(hung) == 20 and all(r.checks[0].error_kind is ErrorKind.TIMEOUT for r in hung)
    assert sum(r.ok for r in reports) == 180
    assert elapsed < 1.0 + 2.5, elapsed  # one deadline plus generous overhead, not 20 deadlines


def test_reports_have_stable_names(http_port: int) -> None:
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))
    dead_port = refused.getsockname()[1]
    refused.close()
    reports: list[IntegrationReport] = asyncio.run(
        verify_all([_doc(1, http_port), _doc(2, dead_port)], VerifyOptions(timeout_s=2), Config(), {})
    )
    data = json.loads(FORMATS["json"](reports, False))
    assert [d["ok"] for d in data] == [True, False]
    assert {"integration", "path", "ok", "checks", "schema_version"} <= set(data[0])
    assert {"name", "ok", "error_kind", "message", "duration_ms"} <= set(data[1]["checks"][0])
    assert data[1]["checks"][0]["error_kind"] == "refused"
    junit = ET.fromstring(FORMATS["junit"](reports, False))
    suite = junit.find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    failure = junit.find(".//testcase[@name='Caller 2 → Service 2']/failure")
    assert failure is not None and failure.get("type") == "refused"
    github = FORMATS["github"](reports, False)
    assert github.startswith("::error file=docs/svc-2.md,line=") and "refused" in github
    text = FORMATS["text"](reports, False)
    assert "FAIL" in text and "1 ok, 1 failed" in text


def test_a_doc_endpoint_that_is_no_url_skips_that_integration_and_the_run_goes_on(http_port: int) -> None:
    """``POST http://[zz/v1/charges`` (an IPv6 bracket never closed) stopped verify for every doc with an
    internal error, exit 3 (an adversary, round 19): that integration is skipped, and why."""
    broken = _doc(2, http_port).model_copy(update={"endpoint": "POST http://[zz/v1/charges"})
    reports = asyncio.run(verify_all([_doc(1, http_port), broken], VerifyOptions(timeout_s=2), Config(), {}))
    assert reports[0].ok and reports[0].checked
    [check] = reports[1].checks
    assert check.skipped and "is not a URL" in check.message
