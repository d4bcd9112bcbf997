"""Running a protocol stub from a doc's text in a test, and verifying it with wiremap's own engine."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import wiremap
from wiremap.config import Config
from wiremap.model import Integration
from wiremap.probes._base import ErrorKind, ProbeResult
from wiremap.stub import NO_FAULT, RunningStub, StubContext, StubSpec, parse_fault
from wiremap.stub.faults import check_supported
from wiremap.stub.registry import get_server
from wiremap.verify.engine import VerifyOptions, verify

__all__ = ["ErrorKind", "integration", "running", "verify_stub"]


def integration(doc: str) -> Integration:
    return wiremap.parse_text(doc, "docs/integrations/x.md").integration


@contextlib.asynccontextmanager
async def running(doc: str, fault: str | None = None) -> AsyncIterator[tuple[RunningStub, StubContext]]:
    """The stub of ``doc`` on a free port of 127.0.0.1, with ``fault`` (the ``--fault`` grammar)."""
    spec = StubSpec.from_integration(integration(doc))
    plan = parse_fault(fault) if fault else NO_FAULT
    check_supported(plan, spec.protocol)
    ctx = StubContext(plan=plan)
    stub = await get_server(spec.protocol)(spec, ctx)
    async with stub:
        yield stub, ctx


async def verify_stub(doc: str, stub: RunningStub, timeout_s: float = 2.0) -> list[ProbeResult]:
    """``wiremap verify --target ID=<stub url>`` on ``doc``: its checks."""
    integ = integration(doc)
    options = VerifyOptions(timeout_s=timeout_s, targets={integ.id: stub.url})
    report = await verify(integ, options, Config(), {})
    return list(report.checks)
