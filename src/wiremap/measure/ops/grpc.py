"""gRPC operation: ``grpc.health.v1.Health/Check`` per call, over one ``grpc.aio`` channel per operation.

Channel, TLS and service are the probe's (:mod:`wiremap.probes.grpc`): TLS for ``https``/``grpcs``
targets or a doc that says TLS (``settings["tls"]`` overrides), ``ca_bundle``/``client_cert``/
``client_key`` settings, ``settings["grpc_service"]`` (default ``""``: the whole server), no retries.
Each channel has its own subchannel pool, so N operations are N HTTP/2 connections (gRPC core would
otherwise share one connection between channels to the same address).

:meth:`GrpcHealthCheck.open` connects with one Check whose answer is not judged (a NOT_SERVING server
is connected to; its calls fail); a call succeeds only when the answer is SERVING. The factory raises
ConfigError without a port, with an unreadable TLS file, or without the driver.
"""

from __future__ import annotations

import contextlib
from typing import Any

from ..._errors import ConfigError
from ...probes._base import ErrorKind, ProbeContext, Timer
from ...probes.grpc import _read, _rpc_failure, _secure
from .._base import Operation
from .tcp import DRIVER_MISSING, OperationError, error_of, require_driver

__all__ = ["GrpcHealthCheck", "factory"]

_OPTIONS = (("grpc.enable_retries", 0), ("grpc.use_local_subchannel_pool", 1))


class GrpcHealthCheck:
    def __init__(self, ctx: ProbeContext) -> None:
        require_driver("grpc", "grpc", "grpc_health")
        self._ctx = ctx
        self._secure = _secure(ctx)
        target = ctx.target
        port = target.port or (443 if self._secure else None)
        if port is None:
            raise ConfigError(f"grpc: no port to connect to on {target.host}")
        host = f"[{target.host}]" if ":" in target.host else target.host
        self._address = f"{host}:{port}"
        self._service = str(ctx.settings.get("grpc_service") or "")
        self._what = f"service {self._service!r}" if self._service else "server"
        self._tls_files: tuple[bytes | None, bytes | None, bytes | None] = (None, None, None)
        if self._secure:
            try:
                root, cert, key = (_read(ctx.settings, k) for k in ("ca_bundle", "client_cert", "client_key"))
            except OSError as exc:
                raise ConfigError(f"grpc: cannot read a TLS file of the settings: {exc}") from exc
            self._tls_files = (
                (root, cert, key) if cert is not None and key is not None else (root, None, None)
            )
        self._channel: Any = None
        self._check: Any = None
        self._request: Any = None
        self._rpc_error: type[BaseException] = OperationError  # grpc.aio.AioRpcError once open
        self._serving: int = 1
        self._status_names: Any = None

    async def open(self) -> None:
        try:
            import grpc
            from grpc_health.v1 import health_pb2, health_pb2_grpc
        except ImportError as exc:
            raise RuntimeError(f"grpc: {DRIVER_MISSING}") from exc
        await self.close()
        options = list(_OPTIONS)
        if self._secure:
            root, cert, key = self._tls_files
            creds = grpc.ssl_channel_credentials(
                root_certificates=root, private_key=key, certificate_chain=cert
            )
            self._channel = grpc.aio.secure_channel(self._address, creds, options)
        else:
            self._channel = grpc.aio.insecure_channel(self._address, options)
        self._check = health_pb2_grpc.HealthStub(self._channel).Check
        self._request = health_pb2.HealthCheckRequest(service=self._service)
        self._rpc_error = grpc.aio.AioRpcError
        self._status_names = health_pb2.HealthCheckResponse.ServingStatus
        self._serving = int(self._status_names.SERVING)
        try:
            await self._check(self._request, timeout=self._ctx.timeout_s)
        except BaseException as exc:
            await self.close()
            if isinstance(exc, self._rpc_error):
                raise self._failure(exc) from exc
            raise

    async def __call__(self) -> None:
        try:
            response = await self._check(self._request, timeout=self._ctx.timeout_s)
        except self._rpc_error as exc:
            raise self._failure(exc) from exc
        if response.status != self._serving:
            raise error_of(ErrorKind.PROTOCOL, f"{self._what} at {self._address} is {self._name(response)}")

    async def close(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None:
            with contextlib.suppress(Exception):  # best effort: nothing is measured any more
                await channel.close()

    def _failure(self, exc: BaseException) -> OperationError:
        res = _rpc_failure(exc, Timer(), self._address, self._what, self._secure, self._ctx.timeout_s)
        return error_of(res.error_kind or ErrorKind.PROTOCOL, res.message)

    def _name(self, response: Any) -> str:
        try:
            return str(self._status_names.Name(response.status))
        except ValueError:
            return f"status {response.status}"


def factory(ctx: ProbeContext) -> Operation:
    return GrpcHealthCheck(ctx)
