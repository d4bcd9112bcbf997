"""Attempt starts: numbered by the stub as each attempt arrives, on the SYN counter's clock."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request

import pytest

from tests.stub._running import http_doc, served
from wiremap.stub import Recorder, StubContext, parse_fault


def test_every_numbered_attempt_has_a_monotonic_start_before_its_record() -> None:
    ctx = StubContext(Recorder(), parse_fault("timeout"))
    before = time.monotonic()
    ctx.next_attempt()
    ctx.next_attempt()
    ctx.recorder.started(1, at=0.0)  # the first note of an attempt wins
    starts = ctx.recorder.starts()
    assert len(starts) == 2 and before <= starts[0] <= starts[1] <= time.monotonic()
    assert len(ctx.recorder) == 0  # started, not recorded yet (a timeout holds it open)
    ctx.recorder.clear()
    assert ctx.recorder.starts() == []


def test_a_held_attempt_has_its_start_at_arrival_not_when_it_ends() -> None:
    """The TCP stub records a connection when it ends; its start is when it arrived."""
    doc = http_doc(endpoint="127.0.0.1:7070", protocol="TCP")
    with served(doc, "timeout") as (stub, ctx, _loop):
        with socket.create_connection((stub.host, stub.port), timeout=1) as s:
            s.sendall(b"x")
            arrived = time.monotonic()
            deadline = time.monotonic() + 2
            while not ctx.recorder.starts() and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)
        (start,) = ctx.recorder.starts()
        assert start <= arrived + 0.1
        (item,) = ctx.recorder.wait_for(1, timeout=2)  # recorded once the client left
        assert item.attempt == 1


def test_http_attempts_are_requests() -> None:
    with served(http_doc(endpoint="GET /v1/x"), "status:503") as (stub, ctx, _loop):
        for _ in range(2):
            with pytest.raises(urllib.error.HTTPError, match="503"):
                urllib.request.urlopen(f"http://{stub.host}:{stub.port}/v1/x", timeout=1)
        assert len(ctx.recorder.starts()) == 2
