"""gRPC operation: ``grpc.health.v1.Health/Check`` per call, over one ``grpc.aio`` channel per operation.

Channel, TLS, service and errors are :mod:`wiremap.protocols.grpc`'s (as the probe's): TLS for
``https``/``grpcs`` targets or a doc that says TLS (``settings["tls"]`` overrides), ``ca_bundle``/
``client_cert``/``client_key`` settings, the service the probe asks about (``settings["grpc_service"]``,
else the Endpoint's service, else the whole server),
no retries. Each channel has its own subchannel pool, so N operations are N HTTP/2 connections (gRPC
core would otherwise share one connection between channels to the same address).

:meth:`GrpcHealthCheck.open` connects with one Check whose answer is not judged (a NOT_SERVING server
is connected to; its calls fail); a call succeeds only when the answer is SERVING. The factory raises
ConfigError without a port, with an unreadable TLS file, or without the driver.
"""

from __future__ import annotations

import time

from ..._errors import ConfigError
from ...probes._base import ProbeContext
from ...probes.grpc import endpoint_service, not_found
from ...protocols import DRIVER_MISSING, AnsweredError, DNSError, RefusedError, TLSError
from ...protocols import grpc as grpc_protocol
from .._base import Operation
from ._driver import require_driver

__all__ = ["GrpcHealthCheck", "factory"]

# the channel's own failures, which an UNAVAILABLE also says (not the server's answer)
_CHANNEL_ERRORS = (DNSError, RefusedError, TLSError)
_CLOSED_WORDS = (
    "socket closed",
    "connection reset",
    "end of stream",
    "eof",
    "failed to connect",
    "broken pipe",
    "goaway",
    "connection closed",
)


class GrpcHealthCheck:
    def __init__(self, ctx: ProbeContext) -> None:
        require_driver("grpc", "grpc", "grpc_health")
        self._timeout_s = ctx.timeout_s
        secure = grpc_protocol.is_secure(ctx)
        port = ctx.target.port or (443 if secure else None)
        if port is None:
            raise ConfigError(f"grpc: no port to connect to on {ctx.target.host}")
        tls_files: tuple[bytes | None, bytes | None, bytes | None] = (None, None, None)
        if secure:
            try:
                tls_files = grpc_protocol.read_tls_files(ctx.settings)
            except OSError as exc:
                raise ConfigError(f"grpc: cannot read a TLS file of the settings: {exc}") from exc
        configured = str(ctx.settings.get("grpc_service") or "")
        named = "" if configured else endpoint_service(ctx.integration)
        # as the probe asks: the setting's service, else the Endpoint's, else (or when the health service
        # does not know the Endpoint's) the whole server
        self._services = [configured] if configured else ([named, ""] if named else [""])
        self._address = (ctx.target.host, port, secure, tls_files)
        self._health = self._for(self._services[0])

    def _for(self, service: str) -> grpc_protocol.Health:
        host, port, secure, tls_files = self._address
        return grpc_protocol.Health(
            host, port, secure=secure, tls_files=tls_files, service=service, own_connection=True
        )

    async def open(self) -> None:
        for n, service in enumerate(self._services):
            await self._health.close()
            health = self._health = self._for(service)
            try:
                health.open()
            except ImportError as exc:
                raise RuntimeError(f"grpc: {DRIVER_MISSING}") from exc
            try:
                await health.check(health.request, timeout=self._timeout_s)
            except BaseException as exc:
                await health.close()
                if n + 1 < len(self._services) and not_found(exc, health):
                    continue
                if isinstance(exc, health.rpc_error):
                    raise health.error(exc, self._timeout_s) from exc
                raise
            self._services = [service]  # what the first open found is what every later one asks
            return

    async def __call__(self) -> None:
        health = self._health
        started = time.perf_counter()
        try:
            response = await health.check(health.request, timeout=self._timeout_s)
        except health.rpc_error as exc:
            raise self._answered(exc, time.perf_counter() - started) or health.error(
                exc, self._timeout_s
            ) from exc
        if response.status != health.serving:
            raise health.not_serving(response.status)

    def _answered(self, exc: BaseException, elapsed_s: float) -> AnsweredError | None:
        """A status the server sent on a channel that works (it answered the open's Check): its answer, not
        the channel's failure. A DEADLINE_EXCEEDED long before the deadline, or an UNAVAILABLE that names no
        connection failure, was "no answer within 5 s" and "not a gRPC server, or one that wants TLS" of a
        server answering SERVING to 9 Checks in 10; the channel was reopened after each (round 64)."""
        health = self._health
        code_obj = exc.code()  # type: ignore[attr-defined]
        code = str(getattr(code_obj, "name", code_obj))
        details = " ".join(str(exc.details() or "").split())  # type: ignore[attr-defined]
        said = f"the server answered {code}" + (f": {details}" if details else "")
        if code == "DEADLINE_EXCEEDED" and elapsed_s < 0.5 * self._timeout_s:
            return AnsweredError(said, health.host, health.port)
        if (
            code == "UNAVAILABLE"
            and not any(w in details.lower() for w in _CLOSED_WORDS)
            and not isinstance(health.error(exc, self._timeout_s), _CHANNEL_ERRORS)
        ):
            return AnsweredError(said, health.host, health.port)
        return None

    async def close(self) -> None:
        await self._health.close()


def factory(ctx: ProbeContext) -> Operation:
    return GrpcHealthCheck(ctx)
