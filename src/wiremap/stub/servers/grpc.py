"""The gRPC stub: a ``grpc.aio`` server with the standard health service, behind a TCP front on the
stub's port so that faults below gRPC (RST, garbage, a closed connection) reach the wire.

``grpc.health.v1.Health/Check`` answers SERVING for the whole server (``""``) and for the documented
service (the doc's ``grpc_service`` setting, as the probe asks for it), NOT_FOUND for any other service,
as grpcio-health-checking's servicer does. ``Watch`` sends the same status once and then stays open.

One attempt per call. Faults: ``timeout`` (the call is never answered: DEADLINE_EXCEEDED for the
client), ``grpc:CODE`` (the call ends with that status), ``slow:MS``, ``invalid`` (the health service
answers NOT_SERVING: a valid answer that is not the documented one), ``reset`` (the client's TCP
connection gets a RST during the call), ``disconnect`` (the connection is closed during the call),
``garbage`` (bytes that are not HTTP/2 are written on the connection, which is then closed).
``refused`` is the listener's (:func:`wiremap.stub._base.listen`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ...trust.settings import canonical_key
from .._base import GARBAGE, LOOPBACK, RunningStub, StubContext, listen, peer_of, reset
from ..faults import Fault, FaultKind
from ..spec import StubSpec

__all__ = ["documented_service", "start"]

CHECK = "/grpc.health.v1.Health/Check"
WATCH = "/grpc.health.v1.Health/Watch"
_PEER_PORT = re.compile(r":(\d+)$")

if "grpc" not in sys.modules:  # as the probe does: no gRPC core chatter on stderr
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")


@dataclass(frozen=True, slots=True)
class _Link:
    """A client's connection to the front, and its number."""

    writer: asyncio.StreamWriter
    connection: int


def documented_service(spec: StubSpec) -> str:
    """The service the doc's ``grpc_service`` setting names, else the Endpoint's (the setting's default, as
    configuration.md says: a client checking its own service got NOT_FOUND: new user, round 53); ""
    (the whole server) when neither names one."""
    for key, value in spec.settings.items():
        with contextlib.suppress(ValueError, KeyError):
            if canonical_key(key) == "grpc_service":
                return str(value or "").strip()
    from ...probes.grpc import service_of

    return service_of(spec.endpoint or "")


async def start(spec: StubSpec, ctx: StubContext) -> RunningStub:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    links: dict[int, _Link] = {}  # the front's port towards the grpc server -> the client's connection
    known = {"", documented_service(spec)}
    status_enum: Any = health_pb2.HealthCheckResponse.ServingStatus

    def link_of(context: Any) -> _Link | None:
        m = _PEER_PORT.search(str(context.peer() or ""))
        return links.get(int(m.group(1))) if m else None

    async def answer(method: str, request: Any, context: Any) -> Any:
        """The response of one call under its fault (or raise/abort/hang as the fault says)."""
        attempt, fault = ctx.next_attempt()
        link = link_of(context)
        service = str(request.service)
        status = status_enum.SERVING if service in known else None
        kind = fault.kind if fault is not None else None
        if kind is FaultKind.INVALID:
            status = status_enum.NOT_SERVING
        shown = {"call": method, "service": service}
        if kind is FaultKind.GRPC:
            shown["status"] = str(fault)
        elif status is None:
            shown["status"] = "NOT_FOUND"
        else:
            shown["status"] = status_enum.Name(status)
        response = health_pb2.HealthCheckResponse(status=status) if status is not None else None
        ctx.recorder.record(
            attempt=attempt,
            connection=link.connection if link else 0,
            peer=peer_of(link.writer) if link else str(context.peer()),
            bytes_in=request.ByteSize(),
            bytes_out=response.ByteSize() if response is not None and kind not in _UNANSWERED else 0,
            request=shown,
            fault=fault,
        )
        if fault is not None:
            await _apply(fault, link, context, grpc)
        if response is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
        return response

    class Health(health_pb2_grpc.HealthServicer):  # type: ignore[misc]
        async def Check(self, request: Any, context: Any) -> Any:
            return await answer(CHECK, request, context)

        async def Watch(self, request: Any, context: Any) -> Any:
            yield await answer(WATCH, request, context)
            await asyncio.Event().wait()  # a watch stays open until the client leaves

    server: Any = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    health_pb2_grpc.add_HealthServicer_to_server(Health(), server)
    inner = server.add_insecure_port(f"{LOOPBACK}:0")
    await server.start()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection: int) -> None:
        up_reader, up_writer = await asyncio.open_connection(LOOPBACK, inner)
        local = up_writer.get_extra_info("sockname")[1]
        links[local] = _Link(writer, connection)
        try:
            pumps = [
                asyncio.ensure_future(_pump(reader, up_writer)),
                asyncio.ensure_future(_pump(up_reader, writer)),
            ]
            try:
                await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for p in pumps:
                    p.cancel()
                await asyncio.gather(*pumps, return_exceptions=True)
        finally:
            links.pop(local, None)
            up_writer.close()

    try:
        front = await listen(ctx, handle, scheme="grpc")
    except BaseException:
        await server.stop(None)
        raise

    async def close() -> None:
        await front.close()
        await server.stop(None)

    return _Fronted(front, close)


class _Fronted(RunningStub):
    """The front's :class:`RunningStub` that also stops the gRPC server when it closes; whether it is
    refusing is the front listener's (the SYN counter reads ``refusing_since``)."""

    def __init__(self, front: RunningStub, close: Callable[[], Awaitable[None]]) -> None:
        self._front = front
        super().__init__(front.host, front.port, front.url, close, front.note_refused, front.cafile)

    @property
    def refusing_since(self) -> float | None:
        return self._front.refusing_since

    @refusing_since.setter
    def refusing_since(self, value: float | None) -> None:
        pass  # set by the front's listener only


_UNANSWERED = frozenset(
    {FaultKind.TIMEOUT, FaultKind.GRPC, FaultKind.RESET, FaultKind.DISCONNECT, FaultKind.GARBAGE}
)


async def _apply(fault: Fault, link: _Link | None, context: Any, grpc: Any) -> None:
    """Apply a call's fault; returns only when the call is then answered (slow, invalid)."""
    kind = fault.kind
    if kind is FaultKind.SLOW:
        await asyncio.sleep((fault.delay_ms or 0) / 1000)
        return
    if kind is FaultKind.INVALID:
        return
    if kind is FaultKind.GRPC:
        await context.abort(grpc.StatusCode[fault.grpc_code], f"wiremap stub: {fault}")
    if link is not None:
        if kind is FaultKind.RESET:
            reset(link.writer)
        elif kind is FaultKind.DISCONNECT:
            link.writer.close()
        elif kind is FaultKind.GARBAGE:
            link.writer.write(GARBAGE)
            link.writer.close()
    await asyncio.Event().wait()  # timeout, or the connection is gone: never answered


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            if writer.is_closing():
                return
            writer.write(data)
            await writer.drain()
