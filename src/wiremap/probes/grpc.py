"""gRPC probe: the standard health check, ``grpc.health.v1.Health/Check``, over a ``grpc.aio`` channel.

Channel, TLS settings (``tls``, ``ca_bundle``, ``client_cert``, ``client_key``) and error mapping are
:mod:`wiremap.protocols.grpc`'s. The service asked about is ``settings["grpc_service"]`` (default ``""``:
the whole server). Retries are off: one attempt, bounded by the probe's deadline.
"""

from __future__ import annotations

from ..protocols import DRIVER_MISSING, ErrorKind
from ..protocols import grpc as grpc_protocol
from ._base import ProbeContext, ProbeResult, Timer, failed, failure, skipped, success

__all__ = ["probe"]

NAME = "grpc-health"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    target = ctx.target
    secure = grpc_protocol.is_secure(ctx)
    port = target.port or (443 if secure else None)
    if port is None:
        return [skipped(NAME, "no port to connect to")]
    timer = Timer()
    try:
        tls_files = grpc_protocol.read_tls_files(ctx.settings) if secure else (None, None, None)
    except OSError as exc:
        return [failure(NAME, timer, ErrorKind.TLS, f"cannot read a TLS file of the settings: {exc}")]
    service = str(ctx.settings.get("grpc_service") or "")
    # a connection of its own: gRPC core shares one per address between channels, with its reconnect
    # backoff, so a probe right after another's refusal could read that stored refusal without trying
    health = grpc_protocol.Health(
        target.host, port, secure=secure, tls_files=tls_files, service=service, own_connection=True
    )
    try:
        health.open()
    except ImportError:
        return [skipped(NAME, DRIVER_MISSING)]
    try:
        response = await health.check(health.request, timeout=ctx.timeout_s)
        timer.mark("check")
    except Exception as exc:
        timer.mark("check")
        err = health.error(exc, ctx.timeout_s)
        return [failed(NAME, timer, err, connected=err.kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL))]
    finally:
        await health.close()
    if response.status == health.serving:
        return [success(NAME, timer, f"{health.what} at {health.address} is SERVING")]
    return [failed(NAME, timer, health.not_serving(response.status), connected=True)]
