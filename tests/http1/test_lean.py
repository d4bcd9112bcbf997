"""The parser's lean read (a load generator's: no header dict) gives what the full read gives, for every
response it takes, and leaves every other response to the full read."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import example, given, settings
from hypothesis import strategies as st

from wiremap import http1
from wiremap.http1._parser import _HTTPProtocol


@dataclass
class _Waiter:
    result: http1.Response | None = None
    error: BaseException | None = None
    calls: list[str] = field(default_factory=list)

    def done(self) -> bool:
        return bool(self.calls)

    def set_result(self, result: http1.Response, /) -> None:
        self.calls.append("result")
        self.result = result

    def set_exception(self, exception: BaseException, /) -> None:
        self.calls.append("error")
        self.error = exception


class _Transport:
    def __init__(self) -> None:
        self.closing = False

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True


def _read(pieces: list[bytes], *, lean: bool, head: bool = False) -> tuple[_Waiter, _HTTPProtocol]:
    protocol = _HTTPProtocol(http1.DEFAULT_LIMITS)
    protocol.connection_made(_Transport())  # type: ignore[arg-type]
    waiter = _Waiter()
    protocol.begin(waiter, head, None, lean)
    for piece in pieces:
        if piece:
            protocol.data_received(piece)
    if not waiter.calls:
        protocol.connection_lost(None)
    return waiter, protocol


_NAMES = st.sampled_from(
    [
        "Content-Type",
        "content-type",
        "CONTENT-TYPE",
        "Server",
        "Date",
        "X-Trace",
        "Connection",
        "Cache-Control",
    ]
)
_VALUES = st.sampled_from(
    ["application/json", "text/html; charset=utf-8", "close", "keep-alive", "nginx", "a, b", ""]
)


@st.composite
def responses(draw: st.DrawFn) -> tuple[list[bytes], bool]:
    plain = draw(st.integers(0, 9)) < 7  # mostly what the lean read takes, so its branches are exercised
    version = b"HTTP/1.1" if plain else draw(st.sampled_from([b"HTTP/1.1", b"HTTP/1.0"]))
    statuses = [200, 201, 301, 404, 500, 503] + ([] if plain else [204, 304, 100])
    status = draw(st.sampled_from(statuses))
    reason = draw(st.sampled_from([b"OK", b"", b"Not Found", b"Whatever It Is"]))
    body = draw(st.binary(max_size=40))
    headers = [(draw(_NAMES).encode(), draw(_VALUES).encode()) for _ in range(draw(st.integers(0, 4)))]
    framings = ["length"] if plain else ["length", "chunked", "none", "both", "twice", "bad", "folded"]
    framing = draw(st.sampled_from(framings))
    if framing in ("length", "both", "twice", "folded"):
        headers.append(
            (draw(st.sampled_from([b"Content-Length", b"content-length"])), str(len(body)).encode())
        )
    if framing == "twice":
        headers.append((b"Content-Length", str(len(body)).encode()))
    if framing == "bad":
        headers.append((b"Content-Length", b"12x"))
    if framing == "folded":
        headers.append((b"X-Folded", b"a\r\n b"))
    if framing in ("chunked", "both"):
        headers.append((b"Transfer-Encoding", b"chunked"))
        payload = (b"%x\r\n" % len(body) + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    else:
        payload = body
    if draw(st.booleans()):
        headers.insert(
            draw(st.integers(0, len(headers))), (b"Connection", draw(st.sampled_from(_CONNECTION)))
        )
    eol = b"\r\n" if plain else draw(st.sampled_from([b"\r\n", b"\n"]))
    lines = [version + b" " + str(status).encode() + (b" " + reason if reason else b"")]
    lines += [n + b": " + v for n, v in headers]
    data = eol.join(lines) + eol + eol + payload
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=3)))
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    return pieces, (not plain and draw(st.booleans()))


_CONNECTION = [b"close", b"keep-alive", b"Close", b"keep-alive, close", b"upgrade", b" close "]
_PLAIN = b"HTTP/1.1 200 OK\r\nConnection: %s\r\nContent-Length: 2\r\n\r\n{}"


@settings(max_examples=400)
@example(([_PLAIN % b"close"], False))
@example(([_PLAIN % b"keep-alive, close"], False))
@example(([b"HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\n{}"], False))
@example(([b"HTTP/1.1 200 OK\nContent-Length: 2\n\n{}"], False))
@example(([b"HTTP/1.1 200 OK\r\nX: y\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\n{}"], False))
@example(
    (
        [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n ; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}"],
        False,
    )
)
@example(([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"], False))
@example(([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"], False))
@example(([b"HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n"], False))
@example(([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"], True))
@example(([b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"], False))
@example(([b"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n{}"], False))
@example(([b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n{}"], False))
@given(responses())
def test_the_lean_read_is_the_full_read(case: tuple[list[bytes], bool]) -> None:
    pieces, head = case
    full, full_protocol = _read(pieces, lean=False, head=head)
    lean, lean_protocol = _read(pieces, lean=True, head=head)
    assert full.calls == lean.calls
    assert lean_protocol.keep_alive == full_protocol.keep_alive
    if full.result is None:
        assert type(lean.error) is type(full.error) and str(lean.error) == str(full.error)
        return
    assert lean.result is not None
    got, want = lean.result, full.result
    assert (got.status, got.reason, got.body, got.version) == (
        want.status,
        want.reason,
        want.body,
        want.version,
    )
    for name in ("content-type", "content-length", "connection"):
        assert got.headers.get(name) == want.headers.get(name), name
    assert set(got.headers) <= set(want.headers)


def test_the_lean_read_takes_the_plain_response_whole() -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    )
    waiter, protocol = _read([data], lean=True)
    assert waiter.result is not None and waiter.result.body == b"{}" and protocol.keep_alive
    assert waiter.result.headers == {"content-length": "2", "content-type": "application/json"}


_SEQUENCE = [
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{}",  # short: 2 more
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n",  # bytes past the response
]


@settings(max_examples=300)
@example([(0, 0), (0, 0), (1, 0), (1, 0), (0, 0)])
@example([(0, 0), (0, 0), (0, 30), (0, 0)])
@example([(0, 0), (4, 0), (4, 0)])
@example([(3, 0), (3, 0), (0, 0)])
@example([(6, 40)])  # make fuzz: the answer whole in the first read, the stray bytes in the second
@given(st.lists(st.tuples(st.integers(0, len(_SEQUENCE) - 1), st.integers(0, 60)), min_size=1, max_size=8))
def test_answers_read_again_on_one_connection_are_each_the_full_read(case: list[tuple[int, int]]) -> None:
    """On one kept-alive connection, the lean read of each answer (the same bytes again, read whole
    from the last one: not parsed twice) is what the full read of that answer alone gives."""
    protocol = _HTTPProtocol(http1.DEFAULT_LIMITS)
    protocol.connection_made(_Transport())  # type: ignore[arg-type]
    for which, cut in case:
        data = _SEQUENCE[which]
        pieces = [data[:cut], data[cut:]] if 0 < cut < len(data) else [data]
        # the full read of the same reads (bytes past a whole answer, in a read of their own, come after
        # it was answered: make fuzz found the split at the answer's end)
        want, _ = _read(pieces, lean=False)
        waiter = _Waiter()
        protocol.begin(waiter, False, None, True)
        for piece in pieces:
            protocol.data_received(piece)
        if not waiter.calls:
            protocol.connection_lost(None)
        assert waiter.calls == want.calls
        if want.result is None:
            assert type(waiter.error) is type(want.error)
        else:
            got = waiter.result
            assert got is not None
            assert (got.status, got.body, got.headers.get("content-type")) == (
                want.result.status,
                want.result.body,
                want.result.headers.get("content-type"),
            )
        if not protocol.keep_alive or protocol.closed:
            return  # the connection is closed after this answer: nothing more is read on it


def test_bytes_past_the_end_of_the_response_are_a_broken_framing() -> None:
    """Round 55: a server writing ``GARBAGE!`` after each body made the load run reopen a connection per
    request with nothing said, and verify said ok."""
    data = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}GARBAGE!"
    for lean in (True, False):
        waiter, protocol = _read([data], lean=lean)
        assert waiter.calls == ["error"] and not protocol.keep_alive
        assert "8 bytes after the end of the response ('GARBAGE!')" in str(waiter.error)


def test_a_server_that_is_no_http_server_is_said_at_its_first_bytes() -> None:
    """Round 67: an HTTP probe of a NATS port waited for a status line that never comes, then said
    "ConnectionClosed". Bytes that cannot start one fail the response at once; bytes before any request
    (the server spoke first) are kept for the error of the request sent next."""
    for lean in (False, True):
        waiter, _ = _read([b'INFO {"server_id":"NATS1"}\r\n'], lean=lean)
        assert waiter.calls == ["error"] and isinstance(waiter.error, http1.ProtocolError)
        assert str(waiter.error).startswith("not an HTTP server? it answered: b'INFO {"), waiter.error
    for pieces in ([b"\r\nHTT", b"P/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"], [b"HTTP/1.1 200 OK\r\n\r\n"]):
        assert _read(pieces, lean=False)[0].calls == ["result"]  # a status line in parts still reads
    protocol = _HTTPProtocol(http1.DEFAULT_LIMITS)
    protocol.connection_made(_Transport())  # type: ignore[arg-type]
    protocol.data_received(b"INFO {}\r\n")  # before any request
    assert protocol.spoke_first == b"INFO {}\r\n"
