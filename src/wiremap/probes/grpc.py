"""gRPC probe: the standard health check, ``grpc.health.v1.Health/Check``, over a ``grpc.aio`` channel.

The channel is TLS when the target's scheme is ``https``/``grpcs`` or the doc says TLS (``settings["tls"]``
overrides both); ``ca_bundle``, ``client_cert`` and ``client_key`` settings are file paths for a private CA
and a client certificate. The service asked about is ``settings["grpc_service"]`` (default ``""``: the
whole server). Retries are off: one attempt, bounded by the probe's deadline.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

from ..trust.settings import parse_flag
from ._base import ErrorKind, ProbeContext, ProbeResult, Timer, classify, failure, skipped, success

__all__ = ["probe"]

NAME = "grpc-health"
DRIVER_MISSING = "driver not installed: pip install 'wiremap[probes]'"
SECURE_SCHEMES = frozenset({"https", "grpcs"})
_DNS_WORDS = (
    "dns resolution failed",
    "domain name not found",
    "name or service not known",
    "nodename nor servname",
    "could not resolve",
    "no address associated",
    "temporary failure in name resolution",
    "errors resolving",
    "lookup failed",
)
_ALL_ADDRESSES = re.compile(r"^failed to connect to all addresses; last error: \w+: (?:ipv[46]:\S+: )?", re.I)
_TLS_WORDS = ("ssl", "tls", "handshake", "certificate")
_MAX_DETAILS = 300


# gRPC core logs handshake failures to stderr at its default verbosity; set before grpc is imported
# (registry.preload imports this module before the driver)
if "grpc" not in sys.modules:
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    try:
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc
    except ImportError:
        return [skipped(NAME, DRIVER_MISSING)]

    target = ctx.target
    secure = _secure(ctx)
    port = target.port or (443 if secure else None)
    if port is None:
        return [skipped(NAME, "no port to connect to")]
    host = f"[{target.host}]" if ":" in target.host else target.host
    address = f"{host}:{port}"
    service = str(ctx.settings.get("grpc_service") or "")
    what = f"service {service!r}" if service else "server"

    timer = Timer()
    try:
        creds = _channel_credentials(grpc, ctx.settings) if secure else None
    except OSError as exc:
        return [failure(NAME, timer, ErrorKind.TLS, f"cannot read a TLS file of the settings: {exc}")]
    options = [("grpc.enable_retries", 0)]
    channel: Any = (
        grpc.aio.secure_channel(address, creds, options)
        if creds is not None
        else grpc.aio.insecure_channel(address, options)
    )
    try:
        stub: Any = health_pb2_grpc.HealthStub(channel)
        request = health_pb2.HealthCheckRequest(service=service)
        response: Any = await stub.Check(request, timeout=ctx.timeout_s)
        timer.mark("check")
    except grpc.aio.AioRpcError as exc:
        timer.mark("check")
        return [_rpc_failure(exc, timer, address, what, secure, ctx.timeout_s)]
    except Exception as exc:
        kind, message = classify(exc)
        return [failure(NAME, timer, kind, message)]
    finally:
        with contextlib.suppress(Exception):
            await channel.close()

    status: int = response.status
    serving_status: Any = health_pb2.HealthCheckResponse.ServingStatus
    if status == serving_status.SERVING:
        return [success(NAME, timer, f"{what} at {address} is SERVING")]
    try:
        status_name = str(serving_status.Name(status))
    except ValueError:
        status_name = f"status {status}"
    return [failure(NAME, timer, ErrorKind.PROTOCOL, f"{what} at {address} is {status_name}", connected=True)]


def _rpc_failure(
    exc: Any, timer: Timer, address: str, what: str, secure: bool, timeout_s: float
) -> ProbeResult:
    """One result for a failed call, by its status code (and, for UNAVAILABLE, the details' words)."""
    code: str = getattr(exc.code(), "name", str(exc.code()))
    details = _ALL_ADDRESSES.sub("", " ".join(str(exc.details() or "").split()))
    if len(details) > _MAX_DETAILS:
        details = details[: _MAX_DETAILS - 1] + "…"
    lowered = details.lower()
    if code == "DEADLINE_EXCEEDED":
        return failure(NAME, timer, ErrorKind.TIMEOUT, f"no answer from {address} within {timeout_s:g} s")
    if code == "UNAVAILABLE":
        if any(w in lowered for w in _DNS_WORDS):
            return failure(NAME, timer, ErrorKind.DNS, f"name does not resolve: {details}")
        if any(w in lowered for w in _TLS_WORDS):
            return failure(NAME, timer, ErrorKind.TLS, f"TLS failed: {details}")
        if "refused" in lowered or "unreachable" in lowered:
            return failure(NAME, timer, ErrorKind.REFUSED, f"connection to {address} refused")
        hint = "" if secure else " (a TLS-only server? the probe used plaintext)"
        return failure(NAME, timer, ErrorKind.PROTOCOL, f"UNAVAILABLE: {details}{hint}")
    if code in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return failure(NAME, timer, ErrorKind.AUTH, f"{code}: {details}", connected=True)
    if code == "UNIMPLEMENTED":
        message = f"server has no health service ({code})"
        return failure(NAME, timer, ErrorKind.PROTOCOL, message, connected=True)
    if code == "NOT_FOUND":
        return failure(
            NAME, timer, ErrorKind.PROTOCOL, f"the health service does not know the {what}", connected=True
        )
    return failure(NAME, timer, ErrorKind.PROTOCOL, f"{code}: {details}", connected=True)


def _flag(value: Any) -> bool | None:
    """The one truth table (:func:`wiremap.trust.parse_flag`); None for anything else."""
    try:
        return parse_flag(value)
    except ValueError:
        return None


def _secure(ctx: ProbeContext) -> bool:
    forced = _flag(ctx.settings["tls"]) if "tls" in ctx.settings else None
    if forced is not None:
        return forced
    return (ctx.target.scheme or "").lower() in SECURE_SCHEMES or ctx.integration.tls


def _read(settings: Mapping[str, Any], key: str) -> bytes | None:
    path = settings.get(key)
    if not path:
        return None
    with open(os.path.expanduser(str(path)), "rb") as fh:
        return fh.read()


def _channel_credentials(grpc: Any, settings: Mapping[str, Any]) -> Any:
    """Default roots, or ``ca_bundle``; plus the client certificate when both cert and key are set."""
    root = _read(settings, "ca_bundle")
    cert = _read(settings, "client_cert")
    key = _read(settings, "client_key")
    if cert is None or key is None:
        cert = key = None
    return grpc.ssl_channel_credentials(root_certificates=root, private_key=key, certificate_chain=cert)
