"""The --fault grammar, the seeded plan, and which faults each stub takes."""

from __future__ import annotations

import threading

import pytest

from wiremap._errors import UsageError
from wiremap.stub import NO_FAULT, Fault, FaultKind, Recorder, Schedule, check_supported, parse_fault
from wiremap.stub.faults import SUPPORT


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("timeout", Fault(FaultKind.TIMEOUT)),
        ("refused", Fault(FaultKind.REFUSED)),
        ("reset", Fault(FaultKind.RESET)),
        ("slow:250", Fault(FaultKind.SLOW, delay_ms=250)),
        ("close-mid-body", Fault(FaultKind.CLOSE_MID_BODY)),
        ("close-mid-body:16", Fault(FaultKind.CLOSE_MID_BODY, cut_after=16)),
        ("garbage", Fault(FaultKind.GARBAGE)),
        ("invalid", Fault(FaultKind.INVALID)),
        ("status:503", Fault(FaultKind.STATUS, status=503)),
        ("status:429:retry-after=2", Fault(FaultKind.STATUS, status=429, retry_after_s=2)),
        ("grpc:UNAVAILABLE", Fault(FaultKind.GRPC, grpc_code="UNAVAILABLE")),
        ("grpc:deadline_exceeded", Fault(FaultKind.GRPC, grpc_code="DEADLINE_EXCEEDED")),
        ("disconnect", Fault(FaultKind.DISCONNECT)),
    ],
)
def test_each_fault_parses_and_prints_back(text: str, fault: Fault) -> None:
    plan = parse_fault(text)
    assert plan.fault == fault and plan.schedule is Schedule.ALWAYS
    assert parse_fault(str(plan)) == plan
    assert all(plan.decide(n) == fault for n in range(1, 5))


def test_grpc_number() -> None:
    assert parse_fault("grpc:UNAVAILABLE").fault == Fault(FaultKind.GRPC, grpc_code="UNAVAILABLE")
    fault = parse_fault("grpc:UNAVAILABLE").fault
    assert fault is not None and fault.grpc_number == 14


def test_schedules() -> None:
    first = parse_fault("first:2:status:503")
    assert [first.decide(n) is not None for n in range(1, 6)] == [True, True, False, False, False]
    every = parse_fault("every:3:reset")
    assert [every.decide(n) is not None for n in range(1, 7)] == [False, False, True, False, False, True]
    assert str(first) == "first:2:status:503" and str(every) == "every:3:reset"


def test_p_is_seeded_and_order_free() -> None:
    plan = parse_fault("p:0.3:reset", seed=42)
    forward = [plan.decide(n) is not None for n in range(1, 1001)]
    backward = [plan.decide(n) is not None for n in range(1000, 0, -1)][::-1]
    assert (
        forward
        == backward
        == [parse_fault("p:0.3:reset", seed=42).decide(n) is not None for n in range(1, 1001)]
    )
    assert 230 < sum(forward) < 370
    other = [parse_fault("p:0.3:reset", seed=43).decide(n) is not None for n in range(1, 1001)]
    assert other != forward
    assert str(plan) == "p:0.3:reset"


def test_no_fault_never_fails() -> None:
    assert NO_FAULT.decide(1) is None and NO_FAULT.kind is None and str(NO_FAULT) == "none"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("sometimes", "unknown fault 'sometimes'"),
        ("slow", "slow wants milliseconds"),
        ("slow:fast", "slow wants milliseconds"),
        ("timeout:5", "timeout takes no parameter"),
        ("status:99", "status wants an HTTP status"),
        ("status:abc", "status wants an HTTP status"),
        ("status:429:retry=2", "only retry-after=SECONDS"),
        ("grpc:OK", "grpc wants a gRPC status name"),
        ("grpc:SLOW", "grpc wants a gRPC status name"),
        ("close-mid-body:0", "close-mid-body takes a byte count"),
        ("first:0:reset", "first wants a count of 1 or more"),
        ("every:x:reset", "every wants a count"),
        ("first:2", "first:2 wants a fault after it"),
        ("p:0:reset", "p wants a probability"),
        ("p:1.5:reset", "p wants a probability"),
        ("p:0.3", "p:0.3 wants a fault after it"),
        ("first:2:first:2:reset", "unknown fault 'first'"),
    ],
)
def test_a_bad_fault_is_one_line_naming_what_is_valid(text: str, says: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_fault(text)
    message = str(info.value)
    assert says in message and "\n" not in message
    assert "valid faults: timeout, refused, reset" in message and "first:N:FAULT" in message


def test_which_fault_fits_which_protocol() -> None:
    check_supported(parse_fault("status:503"), "http")
    check_supported(parse_fault("first:2:grpc:UNAVAILABLE"), "grpc")
    check_supported(parse_fault("disconnect"), "mqtt")
    check_supported(parse_fault("disconnect"), "grpc")  # the gRPC stub drops the client's connection
    check_supported(NO_FAULT, "redis")
    with pytest.raises(UsageError, match="status does not apply to a redis stub; it takes: "):
        check_supported(parse_fault("status:503"), "redis")
    with pytest.raises(UsageError, match="grpc does not apply to a http stub"):
        check_supported(parse_fault("grpc:UNAVAILABLE"), "http")
    with pytest.raises(UsageError, match="invalid does not apply to the proxy"):
        check_supported(parse_fault("invalid"), "proxy")
    assert all(FaultKind.STATUS not in kinds for name, kinds in SUPPORT.items() if name != "http")
    assert all(FaultKind.GRPC not in kinds for name, kinds in SUPPORT.items() if name != "grpc")
    common = {FaultKind.TIMEOUT, FaultKind.REFUSED, FaultKind.RESET, FaultKind.SLOW, FaultKind.GARBAGE}
    assert all(common <= kinds for kinds in SUPPORT.values())


def test_the_recorder_waits_across_threads_and_writes_json_lines() -> None:
    import io
    import json

    sink = io.StringIO()
    seen: list[int] = []
    recorder = Recorder(sink=sink, on_record=lambda r: seen.append(r.attempt))

    def produce() -> None:
        for n in range(1, 4):
            recorder.record(attempt=n, connection=1, peer="127.0.0.1:1", bytes_in=n, bytes_out=0, fault=None)

    threading.Timer(0.05, produce).start()
    items = recorder.wait_for(3, timeout=5)
    assert [r.attempt for r in items] == [1, 2, 3] == seen
    assert [json.loads(line)["attempt"] for line in sink.getvalue().splitlines()] == [1, 2, 3]
    assert recorder.to_jsonl() == sink.getvalue()
    with pytest.raises(TimeoutError, match="3 of 4 requests recorded"):
        recorder.wait_for(4, timeout=0.05)
    faulted = recorder.record(
        attempt=4, connection=2, peer="p", bytes_in=0, bytes_out=0, fault=parse_fault("slow:5").fault
    )
    assert faulted.fault == "slow:5" and faulted.to_json()["fault"] == "slow:5"
