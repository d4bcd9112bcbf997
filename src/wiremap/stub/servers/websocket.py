"""The WebSocket stub: websockets' Sans-I/O server protocol on asyncio streams, so that every byte (and
every fault) is the stub's own.

The opening handshake is accepted on the documented path (``{var}`` matches one segment; any path when
the doc names none) and refused with 404 elsewhere. Each text or binary message is answered with the
documented Response, as written in the doc (JSON re-serialised); with no Response documented, messages
are recorded and not answered. Pings are answered by the protocol.

Attempts: the handshake (an HTTP request) and each message. At the handshake: ``garbage`` (bytes that
are not HTTP instead of the 101), ``reset`` (RST instead of the 101), ``disconnect`` (the connection is
closed instead of the 101), ``slow:MS`` (the 101 MS late); a ``timeout``, ``invalid`` or
``close-mid-body`` drawn by the handshake applies to the connection's first message instead (which then
takes no attempt of its own), so that ``first:1:FAULT`` reaches the message a client sends first. At a
message: ``timeout`` (never answered), ``slow:MS``, ``invalid`` (a reply not of the documented shape: the
documented JSON with every value of another JSON type, or a binary frame for a text Response),
``close-mid-body`` (a close frame with code 1011 instead of the reply), ``reset`` (RST), ``disconnect``
(the TCP connection closes, no close frame: code 1006 for the client), ``garbage`` (raw bytes that are
not a WebSocket frame instead of the reply).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ...secrets import shorten
from .._base import GARBAGE, RunningStub, StubContext, listen, peer_of, reset
from ..faults import Fault, FaultKind
from ..spec import StubSpec, unlike

__all__ = ["other_shape", "start"]

MAX_MESSAGE = 1024 * 1024
CLOSE_WAIT_S = 1.0  # after our close frame, how long the client has to answer it
_HANDSHAKE_FAULTS = frozenset({FaultKind.GARBAGE, FaultKind.RESET, FaultKind.DISCONNECT, FaultKind.SLOW})
_MAX_SHOWN = 200


def other_shape(value: Any) -> Any:
    """``value`` with every leaf of another JSON type (objects keep their keys): valid JSON, not of the
    documented shape."""
    if isinstance(value, dict):
        return {k: other_shape(v) for k, v in value.items()} if value else []
    if isinstance(value, list):
        return {"wiremap_stub": "invalid"}
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return 0
    return "null"  # None: documented null fits anything, so say something else still


def _shown(data: bytes | str) -> str:
    text = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
    return shorten(text, _MAX_SHOWN)


async def start(spec: StubSpec, ctx: StubContext) -> RunningStub:
    from websockets.frames import Frame, Opcode
    from websockets.http11 import Request
    from websockets.protocol import State
    from websockets.server import ServerProtocol

    documented_path = spec.path if spec.path is not None and spec.path.startswith("/") else None

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection: int) -> None:
        peer = peer_of(writer)
        proto = ServerProtocol(max_size=MAX_MESSAGE)

        eof = False  # the protocol is done with the connection: the stub closes it (a server closes first)

        async def flush() -> int:
            nonlocal eof
            sent = 0
            for chunk in proto.data_to_send():
                if chunk:
                    writer.write(chunk)
                    sent += len(chunk)
                else:
                    eof = True
            await writer.drain()
            return sent

        def record(
            attempt: int, request: dict[str, Any], bytes_in: int, bytes_out: int, fault: Fault | None
        ) -> None:
            ctx.recorder.record(
                attempt=attempt,
                connection=connection,
                peer=peer,
                bytes_in=bytes_in,
                bytes_out=bytes_out,
                request=request,
                fault=fault,
            )

        # ---- the opening handshake
        request: Request | None = None
        bytes_in = 0
        while request is None:
            data = await reader.read(65536)
            if not data:
                return
            bytes_in += len(data)
            proto.receive_data(data)
            request = next((e for e in proto.events_received() if isinstance(e, Request)), None)
            if request is None and proto.handshake_exc is not None:  # not an HTTP request
                await flush()
                return
        attempt, fault = ctx.next_attempt()
        kind = fault.kind if fault is not None else None
        shown = {"method": "GET", "path": request.path, "message": "(handshake)"}
        if kind is FaultKind.GARBAGE:
            writer.write(GARBAGE)
            await writer.drain()
            record(attempt, shown, bytes_in, len(GARBAGE), fault)
            return
        if kind in (FaultKind.RESET, FaultKind.DISCONNECT):
            record(attempt, shown, bytes_in, 0, fault)
            if kind is FaultKind.RESET:
                reset(writer)
            return
        if fault is not None and kind is FaultKind.SLOW:
            await asyncio.sleep((fault.delay_ms or 0) / 1000)
        carried = fault if kind is not None and kind not in _HANDSHAKE_FAULTS else None
        if documented_path and not spec.matches_path(request.path):
            response = proto.reject(404, f"wiremap stub: the documented WebSocket path is {spec.path}\n")
        else:
            response = proto.accept(request)
        proto.send_response(response)
        out = await flush()
        record(
            attempt, shown | {"status": response.status_code}, bytes_in, out, fault if not carried else None
        )
        if proto.state is not State.OPEN:
            return

        # ---- messages
        parts: list[bytes] = []
        text = True
        while True:
            try:  # after a close frame the client has CLOSE_WAIT_S to answer it
                async with asyncio.timeout(CLOSE_WAIT_S if proto.close_expected() else None):
                    data = await reader.read(65536)
            except TimeoutError:
                return
            if not data:
                proto.receive_eof()
                await flush()
                return
            proto.receive_data(data)
            for event in proto.events_received():
                if not isinstance(event, Frame):
                    continue
                if event.opcode in (Opcode.TEXT, Opcode.BINARY):
                    parts, text = [bytes(event.data)], event.opcode is Opcode.TEXT
                elif event.opcode is Opcode.CONT:
                    parts.append(bytes(event.data))
                else:
                    continue  # ping (answered by the protocol), pong, close (answered too)
                if not event.fin:
                    continue
                message = b"".join(parts)
                parts = []
                if carried is not None:
                    attempt, fault, carried = attempt, carried, None
                else:
                    attempt, fault = ctx.next_attempt()
                done = await _reply(spec, proto, writer, flush, message, text, fault)
                request_shown = {
                    "path": request.path,
                    "message": _shown(message) if text else f"({len(message)} bytes, binary)",
                }
                record(attempt, request_shown, len(message), done[1], fault)
                if done[0]:
                    return
            await flush()
            if eof:
                return

    url_path = documented_path if documented_path and "{" not in documented_path else ""
    return await listen(ctx, handle, scheme="ws", path=url_path)


async def _reply(
    spec: StubSpec,
    proto: Any,
    writer: asyncio.StreamWriter,
    flush: Any,
    message: bytes,
    text: bool,
    fault: Fault | None,
) -> tuple[bool, int]:
    """Answer one message (or not, under its fault): (is the connection done, bytes sent)."""
    kind = fault.kind if fault is not None else None
    if kind is FaultKind.TIMEOUT:
        return False, 0
    if kind is FaultKind.RESET:
        reset(writer)
        return True, 0
    if kind is FaultKind.DISCONNECT:
        writer.close()
        return True, 0
    if kind is FaultKind.GARBAGE:
        writer.write(GARBAGE)
        await writer.drain()
        return True, len(GARBAGE)
    if kind is FaultKind.CLOSE_MID_BODY:
        proto.send_close(1011, "wiremap stub: close-mid-body")
        return False, await flush()
    if fault is not None and kind is FaultKind.SLOW:
        await asyncio.sleep((fault.delay_ms or 0) / 1000)
    if spec.response_text is None:
        return False, 0  # nothing documented to answer with
    if kind is FaultKind.INVALID:
        if spec.response_json is not None:
            # none of the documented keys, as stub.md says (every key kept with another type passed a
            # client that checks keys only: new user, round 53)
            proto.send_text(json.dumps(unlike(spec.response_json)).encode())
        else:
            proto.send_binary(GARBAGE)
    elif spec.response_is_json or text:
        proto.send_text(spec.response_body())
    else:
        proto.send_binary(spec.response_body())
    return False, await flush()
