"""The NATS stub: a core NATS server on asyncio streams, enough for nats-py and the nats CLI.

INFO on connect, then CONNECT (``verbose`` gets ``+OK`` after each operation, as nats-server does),
PING/PONG, SUB (with queue groups: one member of a group gets each message), UNSUB (with a message
count), PUB and HPUB delivered as MSG/HMSG to every matching subscription of every connection (HMSG only
to a connection whose CONNECT said ``headers``). What the doc documents is served: a PUB to the
documented subject with a reply subject is answered on it with the documented Response (a NATS
request/reply), unless a connection subscribes to the subject itself. Nothing else is invented.

One attempt per connection (NATS has no request of its own; the probe connects and flushes): the
connection's fault lasts as long as it does. ``timeout`` (no INFO, nothing answered), ``garbage`` (bytes
that are not NATS instead of INFO), ``close-mid-body`` (half of INFO, then close), ``disconnect`` (INFO,
then the connection is closed when CONNECT arrives), ``reset`` (the same with a RST), ``slow:MS`` (INFO
and every answer MS late), ``invalid`` (each PUB/HPUB gets ``-ERR 'Permissions Violation for Publish to
…'``, which nats-server sends and nats-py passes to its error callback; the connection stays).
Every operation a client sends is recorded, with its connection's attempt number.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...secrets import shorten
from .._base import GARBAGE, RunningStub, StubContext, hang, listen, peer_of, reset
from ..faults import Fault, FaultKind
from ..spec import StubSpec
from ._nats_wire import (
    MAX_PAYLOAD,
    NatsError,
    Op,
    encode_err,
    encode_info,
    encode_msg,
    parse_op,
    subject_matches,
    valid_subject,
)

__all__ = ["start"]

VERSION = "2.10.22"  # what INFO says: a nats-server version with headers and no_responders
_MAX_SHOWN = 200


@dataclass(eq=False)
class _Sub:
    conn: _Conn
    subject: str
    queue: str
    sid: str
    left: int | None = None  # messages until an UNSUB with a count removes it


@dataclass(eq=False)
class _Conn:
    number: int
    writer: asyncio.StreamWriter
    delay_s: float = 0.0
    verbose: bool = False
    headers: bool = False
    subs: dict[str, _Sub] = field(default_factory=dict)

    async def send(self, data: bytes) -> None:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if not self.writer.is_closing():
            self.writer.write(data)
            await self.writer.drain()


def _info(port: int, connection: int, peer: str) -> dict[str, Any]:
    return {
        "server_id": "NSTUB" + secrets.token_hex(12).upper(),
        "server_name": "wiremap-stub",
        "version": VERSION,
        "proto": 1,
        "go": "go1.22",
        "host": "127.0.0.1",
        "port": port,
        "headers": True,
        "max_payload": MAX_PAYLOAD,
        "client_id": connection,
        "client_ip": peer.rpartition(":")[0],
    }


def _request(op: Op) -> dict[str, Any]:
    """What the recorder keeps of an operation (CONNECT's options without a password or a token)."""
    out: dict[str, Any] = {"op": op.kind}
    if op.subject:
        out["subject"] = op.subject
    if op.reply:
        out["reply"] = op.reply
    if op.queue:
        out["queue"] = op.queue
    if op.sid:
        out["sid"] = op.sid
    if op.kind in ("PUB", "HPUB"):
        text = op.payload.decode("utf-8", errors="replace")
        out["payload"] = shorten(text, _MAX_SHOWN)
    if op.kind == "CONNECT":
        secret = {"pass", "auth_token", "jwt", "sig", "nkey"}
        out["options"] = {k: ("***" if k in secret else v) for k, v in op.options.items()}
    return out


class _Hub:
    """Every subscription of the stub, and delivery."""

    def __init__(self, spec: StubSpec) -> None:
        self.subs: list[_Sub] = []
        self.spec = spec
        self._rr = 0

    async def publish(self, op: Op) -> None:
        matching = [s for s in self.subs if subject_matches(s.subject, op.subject)]
        if not matching:
            await self._documented_reply(op)
            return
        chosen: list[_Sub] = [s for s in matching if not s.queue]
        groups: dict[str, list[_Sub]] = {}
        for s in matching:
            if s.queue:
                groups.setdefault(s.queue, []).append(s)
        for members in groups.values():
            self._rr += 1
            chosen.append(members[self._rr % len(members)])
        for sub in chosen:
            headers = op.headers if sub.conn.headers else b""
            await sub.conn.send(encode_msg(op.subject, sub.sid, op.reply, op.payload, headers))
            if sub.left is not None:
                sub.left -= 1
                if sub.left <= 0:
                    self.remove(sub)

    async def _documented_reply(self, op: Op) -> None:
        """A request to the documented subject, answered with the documented Response."""
        spec = self.spec
        if not op.reply or spec.response_text is None or spec.path is None:
            return
        if not valid_subject(spec.path, wildcards=True) or not subject_matches(spec.path, op.subject):
            return
        await self.publish(Op("PUB", subject=op.reply, payload=spec.response_body()))

    def remove(self, sub: _Sub) -> None:
        sub.conn.subs.pop(sub.sid, None)
        if sub in self.subs:
            self.subs.remove(sub)

    def drop(self, conn: _Conn) -> None:
        for sub in list(conn.subs.values()):
            self.remove(sub)


async def start(spec: StubSpec, ctx: StubContext) -> RunningStub:
    hub = _Hub(spec)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection: int) -> None:
        peer = peer_of(writer)
        attempt, fault = ctx.next_attempt()
        kind = fault.kind if fault is not None else None
        conn = _Conn(connection, writer)
        info = encode_info(_info(ctx.port, connection, peer))
        recorded = 0
        arrived = time.time()

        def record(op: Op | None, bytes_in: int, bytes_out: int) -> None:
            nonlocal recorded
            recorded += 1
            request = _request(op) if op is not None else {"op": "(connection)"}
            ctx.recorder.record(
                ts=None if op is not None else arrived,
                attempt=attempt,
                connection=connection,
                peer=peer,
                bytes_in=bytes_in,
                bytes_out=bytes_out,
                request=request,
                fault=fault,
            )

        if kind is FaultKind.TIMEOUT:
            record(None, 0, 0)
            await hang(reader, writer)
            return
        if kind in (FaultKind.GARBAGE, FaultKind.CLOSE_MID_BODY):
            assert fault is not None
            data = GARBAGE if kind is FaultKind.GARBAGE else info[: fault.cut_after or len(info) // 2]
            writer.write(data)
            await writer.drain()
            record(None, 0, len(data))
            return
        if kind is FaultKind.SLOW:
            assert fault is not None
            conn.delay_s = (fault.delay_ms or 0) / 1000
        try:
            await conn.send(info)
            await _serve(conn, reader, hub, fault, record)
        finally:
            hub.drop(conn)
            if not recorded:  # the client left before its first operation: the attempt is still seen
                record(None, 0, len(info))

    return await listen(ctx, handle, scheme="nats")


async def _serve(
    conn: _Conn,
    reader: asyncio.StreamReader,
    hub: _Hub,
    fault: Fault | None,
    record: Callable[[Op | None, int, int], None],
) -> None:
    kind = fault.kind if fault is not None else None
    buf = bytearray()
    while True:
        data = await reader.read(65536)
        if not data:
            return
        buf += data
        while buf:
            try:
                got = parse_op(buf)
            except NatsError as exc:
                record(None, len(buf), 0)
                await conn.send(encode_err(str(exc)))
                return
            if got is None:
                break
            op, used = got
            del buf[:used]
            if op.kind == "CONNECT" and kind in (FaultKind.DISCONNECT, FaultKind.RESET):
                record(op, used, 0)
                if kind is FaultKind.RESET:
                    reset(conn.writer)
                return
            out = await _answer(conn, op, hub, kind)
            record(op, used, out)


async def _answer(conn: _Conn, op: Op, hub: _Hub, kind: FaultKind | None) -> int:
    """Do what ``op`` asks; the bytes written to its own connection."""
    ok = b"+OK\r\n" if conn.verbose else b""
    if op.kind == "CONNECT":
        conn.verbose = bool(op.options.get("verbose"))
        conn.headers = bool(op.options.get("headers"))
        reply = b"+OK\r\n" if conn.verbose else b""
    elif op.kind == "PING":
        reply = b"PONG\r\n"
    elif op.kind == "PONG":
        reply = b""
    elif op.kind == "SUB":
        if not valid_subject(op.subject, wildcards=True):
            reply = encode_err("Invalid Subject")
        else:
            sub = _Sub(conn, op.subject, op.queue, op.sid)
            conn.subs[op.sid] = sub
            hub.subs.append(sub)
            reply = ok
    elif op.kind == "UNSUB":
        found = conn.subs.get(op.sid)
        if found is not None:
            if op.max_msgs:
                found.left = op.max_msgs
            else:
                hub.remove(found)
        reply = ok
    else:  # PUB, HPUB
        if kind is FaultKind.INVALID:
            reply = encode_err(f'Permissions Violation for Publish to "{op.subject}"')
        elif not valid_subject(op.subject, wildcards=False):
            reply = encode_err("Invalid Publish Subject")
        else:
            if ok:
                await conn.send(ok)
            await hub.publish(op)
            return len(ok)
    if reply:
        await conn.send(reply)
    return len(reply)
