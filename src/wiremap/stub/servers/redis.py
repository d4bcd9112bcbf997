"""The Redis stub: a RESP2/RESP3 server on asyncio streams, enough for redis-py and redis-cli.

Commands: ``HELLO`` (answered as Redis 7 answers it: a map of server, version, proto, id, mode, role,
modules, in RESP3 after ``HELLO 3``), ``AUTH`` (any credentials are accepted: the stub has no users),
``SELECT`` (16 databases), ``CLIENT SETNAME/GETNAME/SETINFO/ID``, ``PING``, ``ECHO``, ``GET``, ``SET``
(``EX``/``PX``/``NX``/``XX``/``GET``), ``DEL``, ``EXISTS``, ``INFO`` (a few fields), ``QUIT``. Anything
else: ``-ERR unknown command``.

What the doc documents is served: a Request ``GET cart:u_1042`` with a Response puts the Response under
``cart:u_1042`` in database 0; any other documented Request command is answered with the Response as a
bulk string. Nothing else is invented.

Faults, one attempt per command (:mod:`wiremap.stub.faults`): ``timeout`` (that command and every later
one on the connection go unanswered), ``reset`` (RST instead of the reply), ``disconnect`` (the
connection is closed instead of the reply), ``garbage`` (bytes that are not RESP), ``slow:MS``,
``close-mid-body`` (part of the reply, then close), ``invalid`` (a reply of the wrong RESP type: an
integer where a status or a bulk string is due, a bulk string where an integer is due).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from ...secrets import shorten
from .._base import GARBAGE, RunningStub, StubContext, hang, listen, peer_of, reset
from ..faults import Fault, FaultKind
from ..spec import StubSpec
from ._resp import RespError, Value, encode, error, parse_command, simple, verbatim

__all__ = ["start"]

VERSION = "7.2.4"  # what HELLO and INFO say
DATABASES = 16
_MAX_SHOWN = 200


@dataclass
class _Entry:
    value: bytes
    expires: float | None = None  # time.monotonic()


@dataclass
class _Session:
    id: int
    proto: int = 2
    db: int = 0
    name: bytes | None = None


@dataclass
class _Store:
    dbs: list[dict[bytes, _Entry]] = field(default_factory=lambda: [{} for _ in range(DATABASES)])
    documented: dict[tuple[bytes, ...], bytes] = field(default_factory=dict)  # command -> reply

    def get(self, db: int, key: bytes) -> bytes | None:
        entry = self.dbs[db].get(key)
        if entry is None:
            return None
        if entry.expires is not None and entry.expires <= time.monotonic():
            del self.dbs[db][key]
            return None
        return entry.value


def _documented(spec: StubSpec) -> _Store:
    """The store the doc implies: ``GET key`` + Response seeds the key; another command is answered."""
    store = _Store()
    if spec.request_text is None or spec.response_text is None:
        return store
    line = next((ln.strip() for ln in spec.request_text.splitlines() if ln.strip()), "")
    args = [a.encode() for a in line.split()]
    if not args:
        return store
    reply = spec.response_body()
    if args[0].upper() == b"GET" and len(args) == 2:
        store.dbs[0][args[1]] = _Entry(reply)
    else:
        store.documented[(args[0].upper(), *args[1:])] = reply
    return store


def _shown(args: list[bytes]) -> str:
    text = " ".join(a.decode("utf-8", errors="replace") for a in args)
    return shorten(text, _MAX_SHOWN)


def _arity(name: str) -> Value:
    return error(f"ERR wrong number of arguments for '{name.lower()}' command")


def _hello(args: list[bytes], session: _Session) -> Value:
    proto = session.proto
    rest = args[1:]
    if rest:
        try:
            proto = int(rest[0])
        except ValueError:
            return error("ERR Protocol version is not an integer or out of range")
        if proto not in (2, 3):
            return error("NOPROTO unsupported protocol version")
        rest = rest[1:]
    while rest:
        option = rest[0].upper()
        if option == b"AUTH" and len(rest) >= 3:
            rest = rest[3:]  # any credentials are accepted
        elif option == b"SETNAME" and len(rest) >= 2:
            session.name, rest = rest[1], rest[2:]
        else:
            return error(f"ERR Syntax error in HELLO option '{rest[0].decode(errors='replace')}'")
    session.proto = proto
    return {
        "server": "redis",
        "version": VERSION,
        "proto": proto,
        "id": session.id,
        "mode": "standalone",
        "role": "master",
        "modules": [],
    }


def _client(args: list[bytes], session: _Session) -> Value:
    if len(args) < 2:
        return _arity("client")
    sub = args[1].upper()
    if sub == b"SETNAME" and len(args) == 3:
        session.name = args[2] or None
        return simple("OK")
    if sub == b"GETNAME" and len(args) == 2:
        return session.name
    if sub == b"SETINFO" and len(args) == 4:
        if args[2].upper() not in (b"LIB-NAME", b"LIB-VER"):
            return error(f"ERR Unrecognized option '{args[2].decode(errors='replace')}'")
        return simple("OK")
    if sub == b"ID" and len(args) == 2:
        return session.id
    name = args[1].decode(errors="replace")
    return error(f"ERR unknown subcommand or wrong number of arguments for '{name}'. Try CLIENT HELP.")


def _set(args: list[bytes], session: _Session, store: _Store) -> Value:
    if len(args) < 3:
        return _arity("set")
    key, value = args[1], args[2]
    expires: float | None = None
    nx = xx = get = False
    i = 3
    while i < len(args):
        option = args[i].upper()
        if option in (b"EX", b"PX") and i + 1 < len(args):
            try:
                amount = int(args[i + 1])
            except ValueError:
                return error("ERR value is not an integer or out of range")
            if amount <= 0:
                return error("ERR invalid expire time in 'set' command")
            expires = time.monotonic() + (amount if option == b"EX" else amount / 1000)
            i += 2
            continue
        if option == b"NX":
            nx = True
        elif option == b"XX":
            xx = True
        elif option == b"GET":
            get = True
        elif option == b"KEEPTTL":
            pass
        else:
            return error("ERR syntax error")
        i += 1
    if nx and xx:
        return error("ERR syntax error")
    old = store.get(session.db, key)
    if (nx and old is not None) or (xx and old is None):
        return old if get else None
    store.dbs[session.db][key] = _Entry(value, expires)
    return old if get else simple("OK")


def _info() -> str:
    return (
        "# Server\r\n"
        f"redis_version:{VERSION}\r\n"
        "redis_mode:standalone\r\n"
        "os:wiremap stub\r\n"
        "\r\n# Replication\r\n"
        "role:master\r\n"
    )


def answer(args: list[bytes], session: _Session, store: _Store) -> tuple[Value, bool]:
    """The reply to one command, and whether to close the connection after it (QUIT)."""
    name = args[0].upper()
    n = len(args)
    documented = store.documented.get((name, *args[1:]))
    if documented is not None:
        return documented, False
    if name == b"PING":
        if n > 2:
            return _arity("ping"), False
        return (args[1] if n == 2 else simple("PONG")), False
    if name == b"ECHO":
        return (args[1] if n == 2 else _arity("echo")), False
    if name == b"HELLO":
        return _hello(args, session), False
    if name == b"AUTH":
        return (simple("OK") if n in (2, 3) else _arity("auth")), False
    if name == b"SELECT":
        if n != 2:
            return _arity("select"), False
        try:
            db = int(args[1])
        except ValueError:
            return error("ERR value is not an integer or out of range"), False
        if not 0 <= db < DATABASES:
            return error("ERR DB index is out of range"), False
        session.db = db
        return simple("OK"), False
    if name == b"CLIENT":
        return _client(args, session), False
    if name == b"GET":
        return (store.get(session.db, args[1]) if n == 2 else _arity("get")), False
    if name == b"SET":
        return _set(args, session, store), False
    if name in (b"DEL", b"UNLINK"):
        if n < 2:
            return _arity(name.decode()), False
        live = [k for k in dict.fromkeys(args[1:]) if store.get(session.db, k) is not None]
        for key in live:
            del store.dbs[session.db][key]
        return len(live), False
    if name == b"EXISTS":
        if n < 2:
            return _arity("exists"), False
        return sum(1 for k in args[1:] if store.get(session.db, k) is not None), False
    if name == b"INFO":
        return verbatim(_info()), False
    if name == b"QUIT":
        return simple("OK"), True
    first = "".join(f"'{a.decode(errors='replace')}' " for a in args[1:4])  # as Redis 7 writes it
    return error(
        f"ERR unknown command '{args[0].decode(errors='replace')}', with args beginning with: {first}"
    ), False


def _wrong_type(reply: Value) -> Value:
    """``invalid``: valid RESP, the wrong type (an integer for ``+OK``/``PONG``/a bulk, a bulk string
    for an integer or a map)."""
    if isinstance(reply, int):
        return b"wiremap-stub: not an integer"
    if isinstance(reply, dict):
        return simple("OK")
    return 1


async def start(spec: StubSpec, ctx: StubContext) -> RunningStub:
    store = _documented(spec)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection: int) -> None:
        peer = peer_of(writer)
        session = _Session(id=connection)
        buf = bytearray()
        stuck: Fault | None = None  # a timeout: nothing more is answered on this connection
        while True:
            data = await reader.read(65536)
            if not data:
                return
            buf += data
            while buf:
                try:
                    got = parse_command(buf)
                except RespError as exc:
                    writer.write(encode(error(f"ERR Protocol error: {exc}")))
                    await writer.drain()
                    return
                if got is None:
                    break
                args, used = got
                del buf[:used]
                if not args:
                    continue
                attempt, fault = ctx.next_attempt()
                fault = stuck or fault
                request = {"command": args[0].decode(errors="replace").upper(), "args": _shown(args[1:])}
                if fault is not None and fault.kind is FaultKind.TIMEOUT:
                    stuck = fault
                    ctx.recorder.record(
                        attempt=attempt,
                        connection=connection,
                        peer=peer,
                        bytes_in=used,
                        bytes_out=0,
                        request=request,
                        fault=fault,
                    )
                    continue
                reply, close = answer(args, session, store)
                wire = encode(reply, session.proto)
                if fault is not None and fault.kind is FaultKind.INVALID:
                    wire = encode(_wrong_type(reply), session.proto)
                ctx.recorder.record(
                    attempt=attempt,
                    connection=connection,
                    peer=peer,
                    bytes_in=used,
                    bytes_out=0 if fault is not None and fault.kind in _SILENT else len(wire),
                    request=request,
                    fault=fault,
                )
                if fault is not None:
                    if await _apply(fault, wire, reader, writer):
                        return
                    continue
                writer.write(wire)
                await writer.drain()
                if close or ctx.next_is_refused():  # refused: the client must come back to a closed port
                    return

    return await listen(ctx, handle, scheme="redis")


_SILENT = frozenset({FaultKind.RESET, FaultKind.DISCONNECT})


async def _apply(
    fault: Fault, wire: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bool:
    """Apply a command's fault; True when the connection is done."""
    kind = fault.kind
    if kind is FaultKind.SLOW:
        await asyncio.sleep((fault.delay_ms or 0) / 1000)
        writer.write(wire)
        await writer.drain()
        return False
    if kind is FaultKind.INVALID:
        writer.write(wire)
        await writer.drain()
        return False
    if kind is FaultKind.RESET:
        reset(writer)
        return True
    if kind is FaultKind.GARBAGE:
        writer.write(GARBAGE)
        await writer.drain()
        return True
    if kind is FaultKind.CLOSE_MID_BODY:
        cut = fault.cut_after if fault.cut_after is not None else max(1, len(wire) // 2)
        writer.write(wire[: min(cut, len(wire) - 1)] if len(wire) > 1 else wire)
        await writer.drain()
        return True
    if kind is FaultKind.DISCONNECT:
        return True
    await hang(reader, writer)  # anything else the plan may hold (refused is the listener's)
    return True
