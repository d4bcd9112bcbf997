"""The NATS client protocol: what a client sends (CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG) and what a
server writes (INFO, MSG, HMSG, +OK, -ERR, PING, PONG). Text lines ending in CRLF; PUB and HPUB carry a
payload of the size they announce. Operation names are case-insensitive, as nats-server reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "NatsError",
    "Op",
    "encode_err",
    "encode_info",
    "encode_msg",
    "parse_op",
    "subject_matches",
    "valid_subject",
]

MAX_CONTROL_LINE = 4096  # nats-server's max_control_line
MAX_PAYLOAD = 1024 * 1024  # the max_payload the stub's INFO announces


class NatsError(ValueError):
    """A line no NATS client sends; nats-server answers ``-ERR 'Unknown Protocol Operation'``."""


@dataclass(frozen=True, slots=True)
class Op:
    """One client operation. ``kind`` is upper case: CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG."""

    kind: str
    subject: str = ""
    reply: str = ""
    queue: str = ""
    sid: str = ""
    max_msgs: int | None = None
    headers: bytes = b""
    payload: bytes = b""
    options: dict[str, Any] = field(default_factory=dict)  # CONNECT's JSON


def parse_op(buf: bytes | bytearray) -> tuple[Op, int] | None:
    """The first operation in ``buf`` and the bytes it took; None while it is incomplete."""
    end = buf.find(b"\r\n")
    if end < 0:
        if len(buf) > MAX_CONTROL_LINE:
            raise NatsError("Maximum Control Line Exceeded")
        return None
    line = bytes(buf[:end]).decode("utf-8", errors="replace")
    name, _, rest = line.strip().partition(" ")
    kind = name.upper()
    args = rest.split()
    after = end + 2
    if kind in ("PING", "PONG"):
        return Op(kind), after
    if kind == "CONNECT":
        try:
            options = json.loads(rest)
        except ValueError:
            raise NatsError("Invalid CONNECT JSON") from None
        if not isinstance(options, dict):
            raise NatsError("Invalid CONNECT JSON")
        return Op(kind, options=options), after
    if kind == "SUB":
        if len(args) == 2:
            return Op(kind, subject=args[0], sid=args[1]), after
        if len(args) == 3:
            return Op(kind, subject=args[0], queue=args[1], sid=args[2]), after
        raise NatsError("processSub Parse Error")
    if kind == "UNSUB":
        if len(args) == 1:
            return Op(kind, sid=args[0]), after
        if len(args) == 2:
            return Op(kind, sid=args[0], max_msgs=_size(args[1], "processUnsub Parse Error")), after
        raise NatsError("processUnsub Parse Error")
    if kind == "PUB":
        if len(args) not in (2, 3):
            raise NatsError("processPub Parse Error")
        size = _size(args[-1], "processPub Parse Error")
        payload = _payload(buf, after, size)
        if payload is None:
            return None
        reply = args[1] if len(args) == 3 else ""
        return Op(kind, subject=args[0], reply=reply, payload=payload), after + size + 2
    if kind == "HPUB":
        if len(args) not in (3, 4):
            raise NatsError("processHeaderPub Parse Error")
        hsize = _size(args[-2], "processHeaderPub Parse Error")
        total = _size(args[-1], "processHeaderPub Parse Error")
        if hsize > total:
            raise NatsError("processHeaderPub Bad or Missing Size")
        data = _payload(buf, after, total)
        if data is None:
            return None
        reply = args[1] if len(args) == 4 else ""
        op = Op(kind, subject=args[0], reply=reply, headers=data[:hsize], payload=data[hsize:])
        return op, after + total + 2
    raise NatsError("Unknown Protocol Operation")


def _size(raw: str, message: str) -> int:
    if not raw.isdigit():
        raise NatsError(message)
    value = int(raw)
    if value > MAX_PAYLOAD:
        raise NatsError("Maximum Payload Violation")
    return value


def _payload(buf: bytes | bytearray, start: int, size: int) -> bytes | None:
    if len(buf) < start + size + 2:
        return None
    if buf[start + size : start + size + 2] != b"\r\n":
        raise NatsError("Bad Payload Size")  # the announced size and the bytes disagree
    return bytes(buf[start : start + size])


def encode_info(info: dict[str, Any]) -> bytes:
    return b"INFO " + json.dumps(info, separators=(",", ":")).encode() + b"\r\n"


def encode_err(message: str) -> bytes:
    return f"-ERR '{message}'\r\n".encode()


def encode_msg(subject: str, sid: str, reply: str, payload: bytes, headers: bytes = b"") -> bytes:
    """MSG, or HMSG when there are headers."""
    to = f" {reply}" if reply else ""
    if headers:
        line = f"HMSG {subject} {sid}{to} {len(headers)} {len(headers) + len(payload)}\r\n"
        return line.encode() + headers + payload + b"\r\n"
    return f"MSG {subject} {sid}{to} {len(payload)}\r\n".encode() + payload + b"\r\n"


def valid_subject(subject: str, *, wildcards: bool) -> bool:
    """Non-empty tokens; ``*`` and a final ``>`` only where wildcards are allowed (SUB, not PUB)."""
    tokens = subject.split(".")
    for i, token in enumerate(tokens):
        if not token:
            return False
        if token in ("*", ">") and (not wildcards or (token == ">" and i != len(tokens) - 1)):
            return False
    return True


def subject_matches(pattern: str, subject: str) -> bool:
    """Does a subscription's subject (``orders.*``, ``orders.>``) match a published one?"""
    want, have = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or (token != "*" and token != have[i]):
            return False
    return len(want) == len(have)
