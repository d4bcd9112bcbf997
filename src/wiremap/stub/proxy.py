"""The fault proxy (``wiremap stub --proxy-to HOST:PORT``): forward bytes to the real destination and
fail the way the doc says it might, at the connection level.

For what wiremap does not stub (PostgreSQL, AMQP) and for any real server. Each client connection is
one attempt, recorded when it ends. Faults:

- ``timeout``: accept, never connect onward, never answer;
- ``refused``: the listener is closed (see :func:`wiremap.stub._base.listen`; a refused attempt leaves
  no trace at the proxy and is not counted here);
- ``reset``: read the client's first bytes, then RST;
- ``slow:MS``: every chunk from the destination is held MS before it is passed on;
- ``garbage``: read the client's first bytes, answer bytes that are not the protocol, close;
- ``close-mid-body[:N]``: pass N bytes from the destination (default: half of its first answer), then
  close both sides;
- ``disconnect``: pass the destination's first answer whole, then close both sides.

The destination must be this machine (a loopback address, or one a local socket can bind) unless the
runner passes ``allow_remote`` (``--allow-remote``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time

from .._errors import UsageError
from ._base import GARBAGE, RunningStub, StubContext, hang, listen, peer_of, reset
from .faults import Fault, FaultKind

__all__ = ["is_this_machine", "parse_hostport", "start_proxy"]

_CHUNK = 65536
_FIRST_BYTES = 64


def parse_hostport(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:5432``) -> ``(host, port)``; :class:`UsageError` otherwise."""
    t = text.strip()
    host, sep, port = t.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--proxy-to {text!r}: want HOST:PORT (127.0.0.1:5432)")
    return host, int(port)


def is_this_machine(host: str) -> bool:
    """Whether every address ``host`` resolves to is loopback or an address of this machine (one a
    socket can bind)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    for family, _, _, _, sockaddr in infos:
        addr = str(sockaddr[0])
        if addr.startswith("127.") or addr == "::1":
            continue
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.bind((addr, 0, *sockaddr[2:]) if family == socket.AF_INET6 else (addr, 0))
        except OSError:
            return False
    return bool(infos)


async def _pipe(
    src: asyncio.StreamReader,
    dst: asyncio.StreamWriter,
    counter: list[int],
    first: bytearray | None = None,
    fault: Fault | None = None,
) -> None:
    """Copy ``src`` to ``dst`` until EOF, counting bytes in ``counter[0]``; the downstream direction
    (destination -> client) carries ``fault``: slow, close-mid-body, disconnect."""
    kind = fault.kind if fault is not None else None
    while True:
        data = await src.read(_CHUNK)
        if not data:
            with contextlib.suppress(OSError, RuntimeError):
                if dst.can_write_eof():
                    dst.write_eof()
            return
        if first is not None and len(first) < _FIRST_BYTES:
            first += data[: _FIRST_BYTES - len(first)]
        if kind is FaultKind.SLOW and fault is not None:
            await asyncio.sleep((fault.delay_ms or 0) / 1000)
        if kind is FaultKind.CLOSE_MID_BODY and fault is not None:
            cut = fault.cut_after if fault.cut_after is not None else max(1, len(data) // 2)
            room = cut - counter[0]
            if room < len(data):
                dst.write(data[: max(room, 0)])
                counter[0] += max(room, 0)
                await dst.drain()
                raise _Cut
        dst.write(data)
        counter[0] += len(data)
        await dst.drain()
        if kind is FaultKind.DISCONNECT:
            raise _Cut


class _Cut(Exception):
    """The downstream fault ended the connection."""


async def start_proxy(
    target: tuple[str, int], ctx: StubContext, *, allow_remote: bool = False, connect_timeout: float = 10.0
) -> RunningStub:
    """Listen on ``ctx.host:ctx.port`` and forward each connection to ``target``, with ``ctx.plan``'s
    faults. :class:`UsageError` for a remote target without ``allow_remote``."""
    host, port = target
    if not allow_remote and not is_this_machine(host):
        raise UsageError(
            f"--proxy-to {host}:{port} is not this machine: a stub proxies to a local destination only "
            "(pass --allow-remote if you mean it)"
        )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn: int) -> None:
        ts = time.time()
        attempt, fault = ctx.next_attempt()
        kind = fault.kind if fault is not None else None
        up_count, down_count = [0], [0]
        first = bytearray()
        request: dict[str, object] = {"proxy_to": f"{host}:{port}"}
        upstream: asyncio.StreamWriter | None = None
        try:
            if kind is FaultKind.TIMEOUT:
                await hang(reader, writer)
                return
            if kind is FaultKind.REFUSED:
                writer.close()
                return
            if kind in (FaultKind.RESET, FaultKind.GARBAGE):
                data = await reader.read(_CHUNK)
                up_count[0] += len(data)
                first += data[:_FIRST_BYTES]
                if kind is FaultKind.RESET:
                    reset(writer)
                else:
                    writer.write(GARBAGE)
                    down_count[0] += len(GARBAGE)
                    await writer.drain()
                    writer.close()
                return
            try:
                up_reader, up_writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout=connect_timeout
                )
            except (OSError, TimeoutError) as exc:
                request["upstream_error"] = str(exc) or type(exc).__name__
                reset(writer)  # the destination is down: so is the proxy, for this client
                return
            upstream = up_writer
            tasks = [
                asyncio.ensure_future(_pipe(reader, up_writer, up_count, first)),
                asyncio.ensure_future(_pipe(up_reader, writer, down_count, None, fault)),
            ]
            try:
                # both directions to EOF, or the first that fails (a cut, a reset) ends both
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    failed = task.exception()
                    if failed is not None and not isinstance(failed, _Cut | ConnectionError | OSError):
                        raise failed
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            if upstream is not None:
                upstream.transport.abort()
            writer.close()
            if first:
                request["first_bytes"] = first.hex()
            ctx.recorder.record(
                attempt=attempt,
                connection=conn,
                peer=peer_of(writer),
                bytes_in=up_count[0],
                bytes_out=down_count[0],
                request=request,
                fault=fault,
                ts=ts,
            )

    return await listen(ctx, handle, scheme="tcp")
