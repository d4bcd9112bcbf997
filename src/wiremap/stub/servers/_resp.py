"""RESP, the Redis wire format: the commands a client sends and the replies a server writes.

A client sends each command as an array of bulk strings (``*2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n``) or,
typed by hand, as an inline line (``PING\\r\\n``). :func:`parse_command` reads one from the front of a
buffer. Replies are encoded for the connection's protocol version: RESP2 (``$-1`` for null, a map as a
flat array) or RESP3 (``_``, ``%``), as chosen by ``HELLO``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = [
    "RespError",
    "Value",
    "bulk",
    "encode",
    "error",
    "integer",
    "parse_command",
    "simple",
    "verbatim",
]

MAX_BULK = 512 * 1024 * 1024  # Redis' proto-max-bulk-len
MAX_ARGS = 1024 * 1024
MAX_INLINE = 64 * 1024  # Redis' PROTO_INLINE_MAX_SIZE


class RespError(ValueError):
    """Bytes that are not a RESP command (Redis answers ``-ERR Protocol error: ...`` and hangs up)."""


class _Simple(str):
    """A simple string reply (``+OK``), as opposed to a bulk string."""


class _Error(str):
    """An error reply (``-ERR ...``)."""


class _Verbatim(str):
    """A verbatim string (RESP3 ``=``; a bulk string in RESP2), as Redis answers INFO."""


Value = None | int | bytes | str | Sequence["Value"] | Mapping[str, "Value"]


def simple(text: str) -> _Simple:
    return _Simple(text)


def error(text: str) -> _Error:
    return _Error(text)


def verbatim(text: str) -> _Verbatim:
    return _Verbatim(text)


def integer(n: int) -> int:
    return n


def bulk(data: bytes | str) -> bytes:
    return data.encode() if isinstance(data, str) else data


def encode(value: Value, proto: int = 2) -> bytes:
    """One reply: simple/error/verbatim strings as made above, other ``str`` and ``bytes`` as bulk
    strings, ``int`` as integers, ``None`` as null, sequences as arrays, mappings as maps."""
    if value is None:
        return b"_\r\n" if proto >= 3 else b"$-1\r\n"
    if isinstance(value, bool):  # never meant: say so rather than send :1
        raise TypeError("a RESP reply has no booleans here")
    if isinstance(value, int):
        return b":%d\r\n" % value
    if isinstance(value, _Simple):
        return b"+" + _line(value) + b"\r\n"
    if isinstance(value, _Error):
        return b"-" + _line(value) + b"\r\n"
    if isinstance(value, _Verbatim):
        data = value.encode()
        if proto >= 3:
            return b"=%d\r\ntxt:%s\r\n" % (len(data) + 4, data)
        return b"$%d\r\n%s\r\n" % (len(data), data)
    if isinstance(value, str | bytes):
        data = value.encode() if isinstance(value, str) else value
        return b"$%d\r\n%s\r\n" % (len(data), data)
    if isinstance(value, Mapping):
        head = b"%%%d\r\n" % len(value) if proto >= 3 else b"*%d\r\n" % (2 * len(value))
        return head + b"".join(encode(k, proto) + encode(v, proto) for k, v in value.items())
    return b"*%d\r\n" % len(value) + b"".join(encode(item, proto) for item in value)


def _line(text: str) -> bytes:
    """A simple string or error: one line (a newline inside would end the reply early)."""
    return text.replace("\r", " ").replace("\n", " ").encode()


def parse_command(buf: bytes | bytearray) -> tuple[list[bytes], int] | None:
    """The first command in ``buf`` and the number of bytes it took; None when it is not all there yet.

    An empty inline line is skipped as Redis does (it comes back as an empty command). Raises
    :class:`RespError` for bytes no Redis client sends."""
    if not buf:
        return None
    if buf[:1] != b"*":
        return _inline(buf)
    end = buf.find(b"\r\n")
    if end < 0:
        if len(buf) > MAX_INLINE:
            raise RespError("too big mbulk count string")
        return None
    count = _number(buf[1:end], "invalid multibulk length")
    if count > MAX_ARGS:
        raise RespError("invalid multibulk length")
    pos = end + 2
    args: list[bytes] = []
    for _ in range(max(count, 0)):
        if pos >= len(buf):
            return None
        if buf[pos : pos + 1] != b"$":
            raise RespError(f"expected '$', got '{chr(buf[pos])}'")
        end = buf.find(b"\r\n", pos)
        if end < 0:
            if len(buf) - pos > MAX_INLINE:
                raise RespError("too big bulk count string")
            return None
        size = _number(buf[pos + 1 : end], "invalid bulk length")
        if size < 0 or size > MAX_BULK:
            raise RespError("invalid bulk length")
        start = end + 2
        if len(buf) < start + size + 2:
            return None
        if buf[start + size : start + size + 2] != b"\r\n":
            raise RespError("bulk string not followed by CRLF")
        args.append(bytes(buf[start : start + size]))
        pos = start + size + 2
    return args, pos


def _inline(buf: bytes | bytearray) -> tuple[list[bytes], int] | None:
    end = buf.find(b"\n")
    if end < 0:
        if len(buf) > MAX_INLINE:
            raise RespError("too big inline request")
        return None
    line = bytes(buf[:end]).rstrip(b"\r")
    return line.split(), end + 1


def _number(raw: bytes | bytearray, what: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise RespError(what) from None
