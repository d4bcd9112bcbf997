"""gRPC probe: the standard health check, ``grpc.health.v1.Health/Check``, over a ``grpc.aio`` channel.

Channel, TLS settings (``tls``, ``ca_bundle``, ``client_cert``, ``client_key``) and error mapping are
:mod:`wiremap.protocols.grpc`'s. The service asked about is ``settings["grpc_service"]``; without it, the
service the Endpoint names (``billing.v1.Billing/Charge`` asks about ``billing.v1.Billing``: a doc naming
a service NOT_SERVING is not green because the server as a whole serves), and the whole server (``""``)
when the Endpoint names none or the health service does not know the one it names (NOT_FOUND: many
servers register only ``""``), which the message says. Retries are off: one attempt per question,
bounded by the probe's deadline.
"""

from __future__ import annotations

import re

from ..model import Integration
from ..protocols import DRIVER_MISSING, ErrorKind
from ..protocols import grpc as grpc_protocol
from ._base import ProbeContext, ProbeResult, Timer, failed, failure, skipped, success

__all__ = ["endpoint_service", "not_found", "probe"]

NAME = "grpc-health"


# ``billing.v1.Billing/Charge``, ``/billing.v1.Billing/Charge``, ``grpc://h:50051/billing.v1.Billing/Charge``
_ENDPOINT_METHOD = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://[^/\s]+)?/?(?P<service>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/(?P<method>[A-Za-z_]\w*)$"
)


def endpoint_service(integ: Integration) -> str:
    """The fully qualified service the Endpoint calls a method of, or ``""``."""
    return service_of(integ.endpoint or "")


def service_of(endpoint: str) -> str:
    """The service of an Endpoint written ``pkg.v1.Service/Method`` (or a URL to it), or ``""``."""
    m = _ENDPOINT_METHOD.match(endpoint.strip().strip("`").strip())
    return m.group("service") if m else ""


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
    configured = str(ctx.settings.get("grpc_service") or "")
    named = "" if configured else endpoint_service(ctx.integration)
    services = [configured] if configured else ([named, ""] if named else [""])
    note = ""
    for n, service in enumerate(services):
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
            if n + 1 < len(services) and not_found(exc, health):  # the Endpoint's service is not registered
                note = f" (the health service does not know service {service!r} of the Endpoint)"
                continue
            err = health.error(exc, ctx.timeout_s)
            return [failed(NAME, timer, err, connected=err.kind in (ErrorKind.AUTH, ErrorKind.PROTOCOL))]
        finally:
            await health.close()
        if response.status == health.serving:
            return [success(NAME, timer, f"{health.what} at {health.address} is SERVING{note}")]
        return [failed(NAME, timer, health.not_serving(response.status), connected=True)]
    raise AssertionError("unreachable: the last service's answer returns")


def not_found(exc: BaseException, health: grpc_protocol.Health) -> bool:
    code = getattr(exc, "code", None)
    return (
        isinstance(exc, health.rpc_error) and code is not None and getattr(code(), "name", "") == "NOT_FOUND"
    )
