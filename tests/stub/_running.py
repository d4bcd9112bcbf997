"""A stub on its own event loop in a thread, so that tests can use blocking clients (urllib, sockets,
psycopg) against it, and read its recorder from the test's thread as the pytest plugin will."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import wiremap
from wiremap.model import Integration
from wiremap.stub import NO_FAULT, RunningStub, StubContext, StubSpec, parse_fault
from wiremap.stub.faults import check_supported
from wiremap.stub.registry import get_server

__all__ = ["HTTP_DOC", "Loop", "http_doc", "integration", "served"]

HTTP_DOC = """\
# Integration: Checkout → Payments

**Purpose:** Charges the card
**Protocol:** {protocol}
**Direction:** Unidirectional
**Critical Path:** Yes

## Quick Reference

**Destination:** Payments API (payments.internal:443)

## Request Format

**Endpoint:** `{endpoint}`

**Request:**
```json
{{"order_id": "o_1", "amount": 4998}}
```

**Response:**
```json
{{"id": "ch_1", "status": "succeeded", "amount": 4998, "tags": ["a"]}}
```
"""


def http_doc(endpoint: str = "POST /v1/charges", protocol: str = "HTTP") -> str:
    return HTTP_DOC.format(endpoint=endpoint, protocol=protocol)


def integration(doc: str) -> Integration:
    return wiremap.parse_text(doc, "docs/integrations/x.md").integration


class Loop:
    """An event loop running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Awaitable[Any], timeout: float = 10.0) -> Any:
        async def wrap() -> Any:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrap(), self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@contextlib.contextmanager
def served(
    doc: str,
    fault: str | None = None,
    *,
    seed: int = 0,
    start: Callable[[StubContext], Awaitable[RunningStub]] | None = None,
) -> Iterator[tuple[RunningStub, StubContext, Loop]]:
    """The stub of ``doc`` (or what ``start`` starts) on a free port of 127.0.0.1, with ``fault``."""
    plan = parse_fault(fault, seed=seed) if fault else NO_FAULT
    ctx = StubContext(plan=plan)
    loop = Loop()
    try:
        if start is None:
            spec = StubSpec.from_integration(integration(doc))
            check_supported(plan, spec.protocol)
            stub = loop.run(get_server(spec.protocol)(spec, ctx))
        else:
            stub = loop.run(start(ctx))
        try:
            yield stub, ctx, loop
        finally:
            loop.run(stub.close())
    finally:
        loop.stop()
