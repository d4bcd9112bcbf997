"""The HTTP/1.1 stub, on raw asyncio streams so that every fault can be put on the wire as it is.

- the documented endpoint (method and path, ``{var}`` matching one segment) answers the documented
  status (``expect_status``, else 200) with the documented Response (``application/json`` when JSON);
- the documented path with another method: 405 with ``Allow``; any other path: 404, a JSON body that
  names the documented endpoint;
- keep-alive as HTTP/1.1 has it (``Connection: close`` and HTTP/1.0 honoured); request bodies by
  ``Content-Length`` or chunked;
- ``https`` endpoints (or an HTTPS Protocol): TLS with a self-signed certificate made at start
  (:mod:`wiremap.stub.tls`); ``RunningStub.cafile`` is the certificate to trust.

Each request is one attempt. Faults: ``timeout`` (read the request, never answer), ``reset`` (RST
after the request), ``slow:MS`` (answer after MS), ``close-mid-body[:N]`` (Content-Length of the whole
body, N bytes of it, default half, then close), ``garbage`` (bytes that are not HTTP, then close),
``invalid`` (the documented status with JSON not of the documented shape), ``status:CODE`` and
``status:429:retry-after=S`` (that status, a JSON error body, ``Retry-After``), ``refused`` (the
listener is closed, see :func:`wiremap.stub._base.listen`).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from .._base import GARBAGE, RunningStub, StubContext, hang, listen, peer_of, reset
from ..faults import Fault, FaultKind
from ..spec import StubSpec
from ..tls import self_signed

__all__ = ["start"]

_MAX_HEAD = 64 * 1024
_MAX_BODY = 16 * 1024 * 1024
_RECORDED_BODY = 4096  # at most this much of a request body is kept in the record
SERVER = "wiremap-stub"


class _BadRequest(Exception):
    pass


@dataclass(slots=True)
class _Request:
    method: str
    target: str
    version: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    size: int = 0  # bytes on the wire, head and body

    @property
    def keep_alive(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "path": self.target,
            "version": self.version,
            "headers": dict(self.headers),
        }
        if self.body:
            text = self.body[:_RECORDED_BODY].decode("utf-8", errors="replace")
            try:
                out["json"] = json.loads(self.body)
            except ValueError:
                out["body"] = text
            out["body_bytes"] = len(self.body)
        return out


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """The next request on the connection; None at a clean end of the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise _BadRequest("the connection ended inside the request head") from exc
    except asyncio.LimitOverrunError as exc:
        raise _BadRequest("request head too large") from exc
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest(f"not an HTTP/1.x request line: {lines[0][:80]!r}")
    req = _Request(parts[0].upper(), parts[1], parts[2], size=len(head))
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise _BadRequest(f"bad header line {line[:80]!r}")
        key = name.strip().lower()
        req.headers[key] = f"{req.headers[key]}, {value.strip()}" if key in req.headers else value.strip()
    if "chunked" in req.headers.get("transfer-encoding", "").lower():
        req.body, n = await _read_chunked(reader)
        req.size += n
    elif "content-length" in req.headers:
        try:
            length = int(req.headers["content-length"])
        except ValueError as exc:
            raise _BadRequest("bad Content-Length") from exc
        if not 0 <= length <= _MAX_BODY:
            raise _BadRequest("request body too large")
        req.body = await reader.readexactly(length)
        req.size += length
    return req


async def _read_chunked(reader: asyncio.StreamReader) -> tuple[bytes, int]:
    body, wire = bytearray(), 0
    while True:
        line = await reader.readuntil(b"\r\n")
        wire += len(line)
        try:
            size = int(line.split(b";")[0].strip(), 16)
        except ValueError as exc:
            raise _BadRequest("bad chunk size") from exc
        if size == 0:
            while True:  # trailers
                trailer = await reader.readuntil(b"\r\n")
                wire += len(trailer)
                if trailer == b"\r\n":
                    return bytes(body), wire
        if len(body) + size > _MAX_BODY:
            raise _BadRequest("request body too large")
        chunk = await reader.readexactly(size + 2)
        wire += len(chunk)
        body += chunk[:-2]


def _head(status: int, headers: list[tuple[str, str]]) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {status} {reason}".rstrip(), f"Server: {SERVER}", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


class _Server:
    def __init__(self, spec: StubSpec, ctx: StubContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self.documented = f"{spec.method or 'GET'} {spec.path}"

    # --- what to answer -------------------------------------------------------------------

    def _documented(self, req: _Request) -> tuple[int, list[tuple[str, str]], bytes]:
        spec = self.spec
        if not spec.matches_path(req.target):
            return self._error(
                404,
                f"wiremap stub of {spec.integration_id}: nothing documented at {req.method} {req.target}",
                {"documented": self.documented},
            )
        allowed = {spec.method or "GET"}
        if "GET" in allowed:
            allowed.add("HEAD")
        if req.method not in allowed:
            status, err_headers, body = self._error(
                405,
                f"wiremap stub of {spec.integration_id}: {req.target} is documented for {spec.method} only",
                {"documented": self.documented},
            )
            return status, [*err_headers, ("Allow", ", ".join(sorted(allowed)))], body
        body = spec.response_body()
        headers: list[tuple[str, str]] = []
        if spec.response_is_json:
            headers.append(("Content-Type", "application/json"))
        elif body:
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
        return spec.documented_status, headers, body

    def _error(
        self, status: int, message: str, extra: dict[str, Any] | None = None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        data: dict[str, Any] = {"error": message, "status": status, **(extra or {})}
        return status, [("Content-Type", "application/json")], _json(data)

    def _faulted(self, req: _Request, fault: Fault) -> tuple[int, list[tuple[str, str]], bytes]:
        if fault.kind is FaultKind.STATUS:
            assert fault.status is not None
            status, headers, body = self._error(
                fault.status, f"wiremap stub: fault {fault}", {"documented": self.documented}
            )
            if fault.retry_after_s is not None:
                headers.append(("Retry-After", str(fault.retry_after_s)))
            return status, headers, body
        if fault.not_json:  # what a proxy's error page is: said to be JSON, and no JSON at all
            body = b"<html><body>wiremap stub: not JSON</body></html>"
            return self.spec.documented_status, [("Content-Type", "application/json")], body
        # invalid: the documented status, a JSON body not of the documented shape
        return (
            self.spec.documented_status,
            [("Content-Type", "application/json")],
            _json(self.spec.invalid_json()),
        )

    # --- the connection ---------------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn: int) -> None:
        peer = peer_of(writer)
        while True:
            try:
                req = await _read_request(reader)
            except _BadRequest as exc:
                status, headers, body = self._error(400, f"wiremap stub: {exc}")
                writer.write(
                    _head(status, [*headers, ("Content-Length", str(len(body))), ("Connection", "close")])
                )
                writer.write(body)
                await writer.drain()
                return
            if req is None:
                return
            ts = time.time()
            attempt, fault = self.ctx.next_attempt()
            if not await self._answer(req, writer, fault, attempt, conn, peer, ts, reader):
                return

    async def _answer(
        self,
        req: _Request,
        writer: asyncio.StreamWriter,
        fault: Fault | None,
        attempt: int,
        conn: int,
        peer: str,
        ts: float,
        reader: asyncio.StreamReader,
    ) -> bool:
        """Answer one request; whether the connection goes on."""
        record = req.as_dict()

        def done(bytes_out: int, status: int | None = None) -> None:
            if status is not None:
                record["status"] = status
            self.ctx.recorder.record(
                attempt=attempt,
                connection=conn,
                peer=peer,
                bytes_in=req.size,
                bytes_out=bytes_out,
                request=record,
                fault=fault,
                ts=ts,
            )

        kind = fault.kind if fault is not None else None
        if kind is FaultKind.TIMEOUT:
            done(0)
            await hang(reader, writer)
            return False
        if kind is FaultKind.RESET:
            done(0)
            reset(writer)
            return False
        if kind is FaultKind.REFUSED:  # came on a connection kept alive: nothing listens, so no answer
            done(0)
            writer.close()
            return False
        if kind is FaultKind.GARBAGE:
            writer.write(GARBAGE)
            await writer.drain()
            done(len(GARBAGE))
            writer.close()
            return False
        if kind is FaultKind.SLOW:
            assert fault is not None
            await asyncio.sleep((fault.delay_ms or 0) / 1000)
        if kind in (FaultKind.STATUS, FaultKind.INVALID):
            assert fault is not None
            status, headers, body = self._faulted(req, fault)
        else:
            status, headers, body = self._documented(req)
        keep = req.keep_alive and not self.ctx.next_is_refused()
        if kind is FaultKind.CLOSE_MID_BODY:
            if not body:
                body = _json({"wiremap_stub": "close-mid-body", "documented": self.documented})
            cut = fault.cut_after if fault is not None and fault.cut_after is not None else len(body) // 2
            cut = max(0, min(cut, len(body) - 1))
            head = _head(status, [*headers, ("Content-Length", str(len(body))), ("Connection", "close")])
            writer.write(head + body[:cut])
            await writer.drain()
            done(len(head) + cut, status)
            writer.close()
            return False
        if req.method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            payload = b""
            length = str(len(body)) if req.method == "HEAD" else None
        else:
            payload, length = body, str(len(body))
        extra = [("Content-Length", length)] if length is not None else []
        head = _head(status, [*headers, *extra, ("Connection", "keep-alive" if keep else "close")])
        writer.write(head + payload)
        await writer.drain()
        done(len(head) + len(payload), status)
        return keep


async def start(spec: StubSpec, ctx: StubContext) -> RunningStub:
    """Serve ``spec`` over HTTP (HTTPS when the doc's endpoint is TLS) on ``ctx.host:ctx.port``."""
    server = _Server(spec, ctx)
    cert = self_signed() if spec.tls else None
    scheme = "https" if cert else "http"
    path = (spec.path or "/") if "{" not in (spec.path or "") else ""
    stub = await listen(
        ctx,
        server.handle,
        scheme=scheme,
        path=path,
        ssl_context=cert.server_context(["http/1.1"]) if cert else None,
        on_close=cert.cleanup if cert else None,
    )
    if cert is not None:
        stub.cafile = cert.cafile
    return stub
