"""The TCP stub: accept; answer what the doc documents, else echo.

- a Response documented and no Request: the Response is a banner, sent on connect;
- a Request and a Response documented: each read from the client is answered with the Response;
- nothing documented: what the client sends is echoed back.

Each connection is one attempt, recorded when it ends (bytes both ways, the first bytes received).
Faults: ``timeout`` (accept, never answer), ``refused`` (the listener is closed), ``reset`` (RST after
the client's first bytes, or at once for a banner), ``slow:MS`` (each answer after MS),
``close-mid-body[:N]`` (N bytes of the first answer, default half, then close), ``garbage`` (bytes that
are not the documented answer, then close), ``disconnect`` (close: at once for a banner, else after the
client's first bytes).
"""

from __future__ import annotations

import asyncio
import time

from .._base import GARBAGE, RunningStub, StubContext, hang, listen, peer_of, reset
from ..faults import FaultKind
from ..spec import StubSpec

__all__ = ["start"]

_FIRST_BYTES = 256


def _preview(data: bytes) -> str:
    return data[:_FIRST_BYTES].decode("utf-8", errors="replace")


async def start(spec: StubSpec, ctx: StubContext) -> RunningStub:
    """Serve ``spec`` as a plain TCP listener on ``ctx.host:ctx.port``."""
    answer = spec.response_text.encode() if spec.response_text is not None else None
    banner = answer is not None and spec.request_text is None
    mode = "banner" if banner else ("reply" if answer is not None else "echo")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn: int) -> None:
        ts = time.time()
        attempt, fault = ctx.next_attempt()
        kind = fault.kind if fault is not None else None
        got = bytearray()  # the first bytes received, for the record
        n_in = sent = 0
        try:
            if kind is FaultKind.TIMEOUT:
                await hang(reader, writer)
                return
            if kind is FaultKind.REFUSED:
                writer.close()
                return
            if not banner:
                first = await reader.read(65536)
                got += first[:_FIRST_BYTES]
                n_in += len(first)
                if not first:
                    return
            else:
                first = b""
            if kind is FaultKind.DISCONNECT:  # after what the client said first (unread bytes would RST)
                writer.close()
                return
            if kind is FaultKind.RESET:
                reset(writer)
                return
            if kind is FaultKind.GARBAGE:
                writer.write(GARBAGE)
                sent += len(GARBAGE)
                await writer.drain()
                writer.close()
                return
            delay = (fault.delay_ms or 0) / 1000 if fault is not None and kind is FaultKind.SLOW else 0.0
            data = first
            while True:
                out = answer if answer is not None else data
                if kind is FaultKind.CLOSE_MID_BODY:
                    assert fault is not None
                    cut = fault.cut_after if fault.cut_after is not None else len(out) // 2
                    out = out[: max(0, min(cut, len(out) - 1))]
                if delay:
                    await asyncio.sleep(delay)
                writer.write(out)
                sent += len(out)
                await writer.drain()
                if kind is FaultKind.CLOSE_MID_BODY:
                    writer.close()
                    return
                data = await reader.read(65536)
                if not data:
                    return
                if len(got) < _FIRST_BYTES:
                    got += data[: _FIRST_BYTES - len(got)]
                n_in += len(data)
                if banner:  # a banner is said once; what follows is read and dropped
                    while more := await reader.read(65536):
                        n_in += len(more)
                    return
        finally:
            ctx.recorder.record(
                attempt=attempt,
                connection=conn,
                peer=peer_of(writer),
                bytes_in=n_in,
                bytes_out=sent,
                request={"mode": mode, "first_bytes": _preview(bytes(got))} if got else {"mode": mode},
                fault=fault,
                ts=ts,
            )

    return await listen(ctx, handle, scheme="tcp")
