"""The response side: an :class:`asyncio.Protocol` that frames HTTP/1.x responses (RFC 9112 §6.3)."""

from __future__ import annotations

import asyncio
import re
from typing import cast

from ..secrets import shorten
from ._types import (
    BAD_VALUE,
    IncompleteResponse,
    Limits,
    Marker,
    ProtocolError,
    Response,
    Waiter,
)

# response framing states, and chunked-body states
_IDLE, _HEAD, _LENGTH, _CHUNKED, _UNTIL_CLOSE = range(5)
_SIZE, _DATA, _DATA_END, _TRAILER = range(4)

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_STATUS = re.compile(r"HTTP/(1\.[01]) ([0-9]{3})(?:[ \t]([^\x00\r\n]*))?")
_HEADER = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\x00\r\n]*?)[ \t]*")
_HEADER_BLOCK = re.compile(
    r"[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\x00\r\n]*(?:\r\n[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\x00\r\n]*)*"
)
_HEADER_PAIR = re.compile(r"([^:\r\n]+):([^\r\n]*)")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")


def _shorten(text: str | bytes, n: int = 60) -> str:
    s = text.decode("latin-1") if isinstance(text, bytes | bytearray) else text
    return repr(shorten(s, n + 1))


class _HTTPProtocol(asyncio.Protocol):
    """Reads responses into a future, one request at a time."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.keep_alive = False
        self._buf = bytearray()
        self._waiter: Waiter | None = None
        self._timer: Marker | None = None
        self._head_request = False
        self._lean = False
        self._state = _IDLE
        self._scan = 0
        self._received = False
        self._status = 0
        self._reason = ""
        self._version = "HTTP/1.1"
        self._headers: dict[str, str] = {}
        self._body = bytearray()
        self._remaining = 0
        # ``lean``: the last response read whole from one read, and its bytes (see data_received)
        self._repeat: tuple[bytes, Response] | None = None
        self._finished: Response | None = None
        self._chunk_state = _SIZE
        self._trailer_bytes = 0
        # the server's first bytes when it spoke before any request (NATS' ``INFO {…}``): no HTTP server
        self.spoke_first: bytes | None = None

    # -- asyncio callbacks ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not asyncio.Transport subclasses

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is None:  # unsolicited bytes between responses: the connection is unusable
            if not self._received and self.spoke_first is None:  # before any request: kept, to say so
                self.spoke_first = bytes(data[:60])
            self.keep_alive = False
            self._close_transport()
            return
        # A load generator's answers are byte for byte the last one but for the Date header's
        # second: one read holding exactly the bytes of the last lean response (which left the
        # connection kept alive and nothing buffered) is that response again, not parsed twice.
        whole = self._lean and self._state == _HEAD and not self._buf
        if whole and (repeat := self._repeat) is not None and data == repeat[0]:
            self._received = True
            self._state = _IDLE
            self._waiter = None
            if not waiter.done():
                waiter.set_result(repeat[1])
            return
        if self._timer is not None:
            self._timer.mark("first_byte")
            self._timer = None
        self._received = True
        self._buf += data
        self._finished = None
        try:
            self._parse()
        except ProtocolError as exc:
            self._fail(exc)
            return
        if whole and self._finished is not None and self.keep_alive and not self._head_request:
            self._repeat = (bytes(data), self._finished)

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost finishes a close-delimited body

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.keep_alive = False
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._state == _UNTIL_CLOSE:
            self._finish()
        elif exc is not None:
            self._fail(exc)
        elif not self._received:
            self._fail(IncompleteResponse("the server closed the connection without a response"))
        else:
            self._fail(IncompleteResponse("the server closed the connection in the middle of the response"))

    # -- requests ------------------------------------------------------------------------------

    def begin(self, waiter: Waiter, head_request: bool, timer: Marker | None, lean: bool = False) -> None:
        """Expect the response to a request; ``lean``: its headers are only read as far as a load
        generator needs (:meth:`_lean_head`)."""
        self._waiter = waiter
        self._lean = lean
        self._head_request = head_request
        self._timer = timer
        self._state = _HEAD
        self._scan = 0
        self._received = False
        self._headers = {}
        self._body = bytearray()

    def _close_transport(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _fail(self, exc: BaseException) -> None:
        self.keep_alive = False
        self._state = _IDLE
        waiter, self._waiter = self._waiter, None
        self._close_transport()
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def _finish(self) -> None:
        response = Response(self._status, self._reason, self._headers, bytes(self._body), self._version)
        self._state = _IDLE
        self._body = bytearray()
        if self._buf:
            # bytes past the end of the response, and no request was made for them: the server's framing
            # is broken, and a client keeping the connection would read them as the next answer (a load
            # run reopened a connection per request and said nothing: round 55)
            extra = bytes(self._buf)
            self._buf.clear()
            self._fail(
                ProtocolError(
                    f"{len(extra)} bytes after the end of the response ({_shorten(extra, 24)}): "
                    "the server's framing is broken (Content-Length or chunking)"
                )
            )
            return
        self._finished = response
        if not self.keep_alive:
            self._close_transport()
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(response)

    # -- parser --------------------------------------------------------------------------------

    def _parse(self) -> None:
        buf = self._buf
        while True:
            state = self._state
            if state == _HEAD:
                if not self._parse_head():
                    return
            elif state == _LENGTH:
                if not self._take(buf):
                    return
                self._finish()
                return
            elif state == _CHUNKED:
                if not self._parse_chunked():
                    return
                self._finish()
                return
            elif state == _UNTIL_CLOSE:
                self._body += buf
                buf.clear()
                if len(self._body) > self.limits.max_body_bytes:
                    raise ProtocolError(f"response body larger than {self.limits.max_body_bytes} bytes")
                return
            else:
                return

    def _take(self, buf: bytearray) -> bool:
        """Move up to ``_remaining`` bytes of ``buf`` into the body; True when all have come."""
        n = self._remaining
        if len(buf) <= n:
            self._body += buf
            self._remaining = n - len(buf)
            buf.clear()
        else:
            self._body += buf[:n]
            del buf[:n]
            self._remaining = 0
        return self._remaining == 0

    def _find_head_end(self, buf: bytearray) -> tuple[int, int]:
        """(end of the head, start of the body) in ``buf``, or (-1, -1) when the head is incomplete."""
        start = max(0, self._scan - 3)
        end = buf.find(b"\r\n\r\n", start)
        if end >= 0 and buf.find(b"\n\n", start, end) < 0:
            return end, end + 4
        m = _HEAD_END.search(buf, start)  # bare-LF line ends (tolerated, RFC 9112 §2.2)
        return (m.start(), m.end()) if m else (-1, -1)

    def _lean_head(self, buf: bytearray) -> bool | None:
        """The common response, read without a header dict (``lean``): ``HTTP/1.1 NNN``, a final
        status, one well-formed ``Content-Length`` and no ``Transfer-Encoding``, CRLF line ends, no
        folding. Its headers are only ``content-length``, ``content-type`` and ``connection``, all a
        load generator looks at. None: not that response (or not all of its head yet), the full
        parser reads it."""
        if not buf.startswith(b"HTTP/1.1 ") or self._head_request:
            return None
        end = buf.find(b"\r\n\r\n")
        if end < 0 or end > self.limits.max_header_bytes:
            return None
        head = bytes(buf[:end])
        code_text = head[9:12]
        if not code_text.isdigit() or head[12:13] not in (b" ", b"\r", b""):
            return None
        code = int(code_text)
        low = head.lower()
        if code < 200 or code in (204, 304) or b"transfer-encoding" in low or b"\n\n" in low:
            return None
        if b"\r\n " in low or b"\r\n\t" in low or low.count(b"\n") != low.count(b"\r\n"):
            return None  # folding or bare LFs: the full parser's
        at = low.find(b"\r\ncontent-length:")
        if at < 0 or low.find(b"\r\ncontent-length:", at + 17) >= 0:
            return None
        if low.count(b"\r\ncontent-type:") > 1 or low.count(b"\r\nconnection:") > 1:
            return None  # repeated: the full read joins them
        stop = low.find(b"\r\n", at + 17)
        value = low[at + 17 : stop if stop >= 0 else len(low)].strip(b" \t")
        if not value.isdigit() or len(value) > 12:
            return None
        n = int(value)
        if n > self.limits.max_body_bytes:
            return None  # the full parser says why
        headers = {"content-length": value.decode()}
        keep_alive = True
        if (at := low.find(b"\r\nconnection:")) >= 0:
            stop = low.find(b"\r\n", at + 13)
            value_at = slice(at + 13, stop if stop >= 0 else len(low))
            headers["connection"] = head[value_at].decode("latin-1").strip(" \t")
            keep_alive = b"close" not in {t.strip(b" \t") for t in low[value_at].split(b",")}
        if (at := low.find(b"\r\ncontent-type:")) >= 0:
            stop = low.find(b"\r\n", at + 15)
            headers["content-type"] = (
                head[at + 15 : stop if stop >= 0 else len(head)].decode("latin-1").strip(" \t")
            )
        line_end = head.find(b"\r\n")
        self._status = code
        self._reason = head[13 : line_end if line_end >= 0 else len(head)].decode("latin-1").strip()
        self._version = "HTTP/1.1"
        self._headers = headers
        self.keep_alive = keep_alive
        del buf[: end + 4]
        self._scan = 0
        self._remaining = n
        if n:
            self._state = _LENGTH
            return True
        self._state = _IDLE
        self._finish()
        return False

    def _parse_head(self) -> bool:
        buf = self._buf
        if self._lean and (lean := self._lean_head(buf)) is not None:
            return lean
        while buf and buf[0] in (13, 10):  # tolerated empty lines (CR, LF) before the status line
            del buf[:1]
        max_bytes = self.limits.max_header_bytes
        end, body_start = self._find_head_end(buf)
        if end < 0:
            if len(buf) >= 5 and not buf.startswith(b"HTTP/"):  # no status line will come: said now, not
                # at the deadline or when the server gives up (NATS' ``INFO {…}`` on connect: round 67)
                raise ProtocolError(f"not an HTTP server? it answered: {bytes(buf[:60])!r}")
            if len(buf) > max_bytes:
                raise ProtocolError(f"response headers larger than {max_bytes} bytes")
            self._scan = len(buf)
            return False
        if end > max_bytes:
            raise ProtocolError(f"response headers larger than {max_bytes} bytes")
        head = buf[:end].decode("latin-1")
        del buf[:body_start]
        self._scan = 0
        if body_start - end != 4 or head.count("\n") != head.count("\r\n"):  # bare LFs: make them CRLF
            head = head.replace("\r\n", "\n").replace("\n", "\r\n")
        status_line, _, block = head.partition("\r\n")
        status = _STATUS.fullmatch(status_line)
        if status is None:
            raise ProtocolError(f"not an HTTP/1.x status line: {_shorten(status_line)}")
        headers = self._parse_headers(block) if block else {}
        code = int(status.group(2))
        if 100 <= code < 200 and code != 101:  # interim response (100 Continue, 103 Early Hints)
            return True
        version = status.group(1)
        self._version = "HTTP/1.1" if version == "1.1" else "HTTP/1.0"
        self._status = code
        reason = status.group(3)
        self._reason = reason.strip() if reason else ""
        self._headers = headers
        self._set_framing(code, version, headers)
        if self._state == _IDLE:
            self._finish()
            return False
        return True

    def _parse_headers(self, block: str) -> dict[str, str]:
        """Header lines (CRLF-separated, no final CRLF) to a dict of lower-case names."""
        headers: dict[str, str] = {}
        if _HEADER_BLOCK.fullmatch(block):  # the common case: every line well-formed, no folding
            pairs = _HEADER_PAIR.findall(block)
            if len(pairs) > self.limits.max_headers:
                raise ProtocolError(f"more than {self.limits.max_headers} response headers")
            for name, value in pairs:
                name = name.lower()
                value = value.strip(" \t")
                if name in headers:
                    headers[name] = f"{headers[name]}, {value}"
                else:
                    headers[name] = value
            return headers
        lines = block.split("\r\n")
        if len(lines) > self.limits.max_headers:
            raise ProtocolError(f"more than {self.limits.max_headers} response headers")
        last = ""
        for line in lines:
            if line[:1] in (" ", "\t"):  # obsolete line folding: one header value on several lines
                if not last or BAD_VALUE.search(line):
                    raise ProtocolError(f"malformed header line: {_shorten(line)}")
                headers[last] = f"{headers[last]} {line.strip()}".strip()
                continue
            hm = _HEADER.fullmatch(line)
            if hm is None:
                raise ProtocolError(f"malformed header line: {_shorten(line)}")
            name, value = hm.group(1).lower(), hm.group(2)
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
            last = name
        return headers

    def _set_framing(self, code: int, version: str, headers: dict[str, str]) -> None:
        connection = headers.get("connection")
        if connection is None:
            self.keep_alive = version == "1.1"
        else:
            tokens = {t.strip().lower() for t in connection.split(",")}
            self.keep_alive = "close" not in tokens if version == "1.1" else "keep-alive" in tokens
        if self._head_request or code in (204, 304) or code < 200:
            if code == 101:
                self.keep_alive = False  # switched protocols: not HTTP any more
            self._state = _IDLE
            return
        te = headers.get("transfer-encoding")
        cl = headers.get("content-length")
        if te is not None:
            if cl is not None:
                self.keep_alive = False  # RFC 9112 §6.3: both present; close after this response
            if te.rsplit(",", 1)[-1].strip().lower() == "chunked":
                self._state = _CHUNKED
                self._chunk_state = _SIZE
                self._trailer_bytes = 0
            else:
                self._state = _UNTIL_CLOSE
                self.keep_alive = False
            return
        if cl is not None:
            if not (cl.isascii() and cl.isdigit()):  # "5, 5" (a repeated header) is fine, "5, 6" is not
                values = {v.strip() for v in cl.split(",")}
                value = values.pop() if len(values) == 1 else ""
                if not (value.isascii() and value.isdigit()):
                    raise ProtocolError(f"bad Content-Length: {_shorten(cl)}")
                cl = value
            n = int(cl)
            if n > self.limits.max_body_bytes:
                raise ProtocolError(f"Content-Length {n} is over the {self.limits.max_body_bytes}-byte cap")
            self._remaining = n
            self._state = _LENGTH if n else _IDLE
            return
        self._state = _UNTIL_CLOSE
        self.keep_alive = False

    def _parse_chunked(self) -> bool:
        """Consume chunked framing from the buffer; True once the last chunk and trailers are in."""
        buf = self._buf
        limits = self.limits
        while True:
            cs = self._chunk_state
            if cs in (_SIZE, _TRAILER):
                nl = buf.find(b"\n")
                if nl < 0:
                    if len(buf) > limits.max_chunk_line:
                        raise ProtocolError("chunk size line too long")
                    return False
                line = bytes(buf[:nl]).rstrip(b"\r")
                del buf[: nl + 1]
                if cs == _TRAILER:
                    if not line:
                        return True
                    self._trailer_bytes += len(line)
                    if self._trailer_bytes > limits.max_header_bytes:
                        raise ProtocolError(f"trailers larger than {limits.max_header_bytes} bytes")
                    continue
                size_text = line.split(b";", 1)[0].strip()
                if not _CHUNK_SIZE.fullmatch(size_text):
                    raise ProtocolError(f"bad chunk size line: {_shorten(line)}")
                size = int(size_text, 16)
                if size == 0:
                    self._chunk_state = _TRAILER
                    continue
                if len(self._body) + size > limits.max_body_bytes:
                    raise ProtocolError(f"response body larger than {limits.max_body_bytes} bytes")
                self._remaining = size
                self._chunk_state = _DATA
            elif cs == _DATA:
                if not self._take(buf):
                    return False
                self._chunk_state = _DATA_END
            else:  # _DATA_END: the CRLF after a chunk's data
                if buf[:2] == b"\r\n":
                    del buf[:2]
                elif buf[:1] == b"\n":
                    del buf[:1]
                elif not buf or (len(buf) == 1 and buf[0] == 13):
                    return False  # the CRLF has not (fully) arrived yet
                else:
                    raise ProtocolError("chunk data not followed by CRLF")
                self._chunk_state = _SIZE


# ---------------------------------------------------------------------------------------------
# Connections
