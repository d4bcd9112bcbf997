"""Counting connection attempts that leave no trace at a closed port.

A refused TCP connection never reaches a listener: the kernel answers the SYN with a RST. The only
place to see the attempt is the wire, so this reads the loopback interface through a packet socket
(``AF_PACKET``, Linux, needs root or CAP_NET_RAW) and counts SYNs (SYN set, ACK clear) to one port,
with their times. Where that socket cannot be opened, :func:`open_syn_counter` says why and the
caller reports the attempts as not observed: refusals are never turned into resets to make them
countable.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..stub import RunningStub

__all__ = ["SynCounter", "open_syn_counter", "parse_syn", "tell_refusals"]

_ETH_P_ALL = 0x0003
_ETH_HEADER = 14  # the loopback device carries an Ethernet header of zeros
_IPV4, _IPV6 = 0x0800, 0x86DD
_TCP = 6
_SYN, _ACK = 0x02, 0x10
_PACKET_OUTGOING = 4  # linux/if_packet.h


def parse_syn(frame: bytes) -> int | None:
    """The destination port of a TCP SYN (without ACK) in an Ethernet ``frame``; None otherwise."""
    if len(frame) < _ETH_HEADER + 20:
        return None
    (ethertype,) = struct.unpack_from("!H", frame, 12)
    if ethertype == _IPV4:
        ihl = (frame[_ETH_HEADER] & 0x0F) * 4
        if frame[_ETH_HEADER + 9] != _TCP or ihl < 20:
            return None
        tcp = _ETH_HEADER + ihl
    elif ethertype == _IPV6:
        if frame[_ETH_HEADER + 6] != _TCP:  # extension headers before TCP: not a plain SYN, ignored
            return None
        tcp = _ETH_HEADER + 40
    else:
        return None
    if len(frame) < tcp + 14:
        return None
    flags = frame[tcp + 13]
    if not flags & _SYN or flags & _ACK:
        return None
    return int.from_bytes(frame[tcp + 2 : tcp + 4], "big")


@dataclass(slots=True)
class SynCounter:
    """SYNs to ``port`` on the loopback interface since it was opened, as ``time.monotonic()`` stamps."""

    port: int
    sock: socket.socket
    times: list[float] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Count in the running loop (the socket is non-blocking; read as frames arrive)."""
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self.sock.fileno(), self._drain)

    def _drain(self) -> None:
        while True:
            try:
                frame, address = self.sock.recvfrom(128)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            # on loopback each frame is seen twice, leaving and arriving: count it arriving
            if address[2] != _PACKET_OUTGOING and parse_syn(frame) == self.port:
                self.times.append(time.monotonic())

    def close(self) -> None:
        if self._loop is not None:
            self._loop.remove_reader(self.sock.fileno())
            self._loop = None
        self.sock.close()

    @property
    def count(self) -> int:
        return len(self.times)


def open_syn_counter(port: int, interface: str = "lo") -> SynCounter | str:
    """A counter of SYNs to ``port`` on ``interface``, or why one cannot be opened here."""
    if not sys.platform.startswith("linux") or not hasattr(socket, "AF_PACKET"):
        return "refused attempts cannot be observed on this system (needs Linux packet sockets)"
    try:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
    except PermissionError:
        return "refused attempts cannot be observed: a packet socket needs root or CAP_NET_RAW"
    except OSError as exc:
        return f"refused attempts cannot be observed: packet socket: {exc.strerror or exc}"
    try:
        sock.bind((interface, 0))
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        return f"refused attempts cannot be observed: interface {interface}: {exc.strerror or exc}"
    return SynCounter(port, sock)


def tell_refusals(
    counter: SynCounter, stub: RunningStub, seen: Callable[[list[float]], None] | None = None
) -> asyncio.Task[None]:
    """Count in the running loop and tell ``stub`` of each SYN that arrives while its listener is closed
    (a refused attempt: ``first:N:refused`` listens again once N are counted); ``seen`` gets their times.
    The counter is closed when the task is cancelled."""
    counter.start()

    async def watch() -> None:
        done = 0
        try:
            while True:
                await asyncio.sleep(0.005)
                times, done = counter.times[done:], counter.count
                since = stub.refusing_since
                refused = [t for t in times if since is not None and t >= since]
                if refused:
                    if seen is not None:
                        seen(refused)
                    await stub.note_refused(len(refused))
        finally:
            counter.close()

    return asyncio.ensure_future(watch())
