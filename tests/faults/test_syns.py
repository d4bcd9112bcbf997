"""Refused connections counted at the wire: a closed port leaves no other trace."""

from __future__ import annotations

import asyncio
import os
import socket
import struct

import pytest

from wiremap.faults.syns import SynCounter, open_syn_counter, parse_syn


def _frame(ethertype: int, ip: bytes, flags: int, port: int) -> bytes:
    tcp = struct.pack("!HHIIBBHHH", 40000, port, 1, 0, 5 << 4, flags, 65535, 0, 0)
    return bytes(12) + struct.pack("!H", ethertype) + ip + tcp


def _ipv4(proto: int = 6) -> bytes:
    return bytes([0x45, 0, 0, 40, 0, 0, 0, 0, 64, proto, 0, 0]) + bytes([127, 0, 0, 1] * 2)


def _ipv6(next_header: int = 6) -> bytes:
    return bytes([0x60, 0, 0, 0, 0, 20, next_header, 64]) + bytes(15) + b"\x01" + bytes(15) + b"\x01"


def test_parse_syn_reads_the_destination_port_of_a_syn_only() -> None:
    assert parse_syn(_frame(0x0800, _ipv4(), 0x02, 8080)) == 8080
    assert parse_syn(_frame(0x86DD, _ipv6(), 0x02, 5432)) == 5432
    assert parse_syn(_frame(0x0800, _ipv4(), 0x12, 8080)) is None  # SYN-ACK: the answer, not an attempt
    assert parse_syn(_frame(0x0800, _ipv4(), 0x14, 8080)) is None  # RST-ACK: the refusal itself
    assert parse_syn(_frame(0x0800, _ipv4(proto=17), 0x02, 8080)) is None  # UDP
    assert parse_syn(_frame(0x0806, _ipv4(), 0x02, 8080)) is None  # ARP
    assert parse_syn(_frame(0x0800, _ipv4(), 0x02, 8080)[:30]) is None  # truncated


def _counter(port: int) -> SynCounter:
    counter = open_syn_counter(port)
    if isinstance(counter, str):
        if os.environ.get("WIREMAP_REQUIRE_SERVICES") == "1" and os.geteuid() == 0:
            pytest.fail(f"running as root with WIREMAP_REQUIRE_SERVICES=1, but {counter}")
        pytest.skip(counter)
    return counter


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_attempts_are_counted_once_each_with_their_times() -> None:
    port, other = _closed_port(), _closed_port()
    counter = _counter(port)
    asyncio.run(_attempts(counter, port, other))


async def _attempts(counter: SynCounter, port: int, other: int) -> None:
    counter.start()
    try:
        for delay in (0.0, 0.05, 0.1):
            await asyncio.sleep(delay)
            with pytest.raises(ConnectionRefusedError):
                await asyncio.open_connection("127.0.0.1", port)
        with pytest.raises(ConnectionRefusedError):  # another port: not counted
            await asyncio.open_connection("127.0.0.1", other)
        for _ in range(20):
            if counter.count >= 3:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert counter.count == 3
        gaps = [b - a for a, b in zip(counter.times, counter.times[1:], strict=False)]
        assert 0.04 <= gaps[0] < 0.5 and 0.09 <= gaps[1] < 0.6
    finally:
        counter.close()
