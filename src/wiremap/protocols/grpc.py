"""gRPC: the standard health check, ``grpc.health.v1.Health/Check``, over a ``grpc.aio`` channel.

The channel is TLS when the target's scheme is ``https``/``grpcs`` or the doc says TLS (``settings["tls"]``
overrides both); ``ca_bundle``, ``client_cert`` and ``client_key`` settings are file paths for a private
CA and a client certificate. Retries are off: one attempt, bounded by the caller's deadline.

:meth:`Health.error` maps a failed call to the error tree by its ``grpc.StatusCode``. gRPC core reports a
failure to connect only as ``UNAVAILABLE`` with a details string, so *within UNAVAILABLE* DNS, TLS and
refusal are told apart by the details' words: the one place text is read, as a last resort (the status
code is all the Python API gives).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..secrets import shorten
from ..trust.settings import parse_flag
from ._errors import (
    AnsweredError,
    AuthError,
    DeadlineError,
    DestinationError,
    DNSError,
    InvalidResponseError,
    RefusedError,
    TLSError,
    os_error,
)

if TYPE_CHECKING:
    from ..probes._base import ProbeContext

__all__ = ["SECURE_SCHEMES", "Health", "is_secure", "read_tls_files"]

SECURE_SCHEMES = frozenset({"https", "grpcs"})
_MAX_DETAILS = 300
_ALL_ADDRESSES = re.compile(r"^failed to connect to all addresses; last error: \w+: (?:ipv[46]:\S+: )?", re.I)
# last resort, UNAVAILABLE only (see the module's docstring): gRPC core's words for each cause
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
_TLS_WORDS = ("ssl", "tls", "handshake", "certificate")
_REFUSED_WORDS = ("refused", "unreachable")

# gRPC core logs handshake failures to stderr at its default verbosity; set before grpc is imported
# (registry.preload imports this module before the driver)
if "grpc" not in sys.modules:
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")


def _flag(value: Any) -> bool | None:
    """The one truth table (:func:`wiremap.trust.parse_flag`); None for anything else."""
    try:
        return parse_flag(value)
    except ValueError:
        return None


def is_secure(ctx: ProbeContext) -> bool:
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


def read_tls_files(settings: Mapping[str, Any]) -> tuple[bytes | None, bytes | None, bytes | None]:
    """``(root, cert, key)`` from ``ca_bundle``/``client_cert``/``client_key``; cert and key only as a pair.
    OSError for a file that cannot be read."""
    root, cert, key = (_read(settings, k) for k in ("ca_bundle", "client_cert", "client_key"))
    return (root, cert, key) if cert is not None and key is not None else (root, None, None)


class Health:
    """One channel to ``host:port`` and its health ``Check``: :meth:`open`, then ``await
    h.check(h.request, timeout=...)`` (the stub's method, called directly: nothing in between on the hot
    path), :meth:`error` for what it raises, :meth:`close`."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        secure: bool,
        tls_files: tuple[bytes | None, bytes | None, bytes | None] = (None, None, None),
        service: str = "",
        own_connection: bool = False,
    ) -> None:
        self.host, self.port = host, port
        shown = f"[{host}]" if ":" in host else host
        self.address = f"{shown}:{port}"
        self.secure = secure
        self.service = service
        self.what = f"service {service!r}" if service else "server"
        self._tls_files = tls_files
        self._options: list[tuple[str, int]] = [("grpc.enable_retries", 0)]
        if own_connection:  # gRPC core would otherwise share one connection between channels to one address
            self._options.append(("grpc.use_local_subchannel_pool", 1))
        self.channel: Any = None
        self.check: Any = None
        self.request: Any = None
        self.rpc_error: type[BaseException] = DestinationError  # grpc.aio.AioRpcError once open
        self.serving: int = 1
        self._names: Any = None

    def open(self) -> None:
        """Make the channel (it connects on the first call). ImportError without the driver."""
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        if self.secure:
            root, cert, key = self._tls_files
            creds = grpc.ssl_channel_credentials(
                root_certificates=root, private_key=key, certificate_chain=cert
            )
            self.channel = grpc.aio.secure_channel(self.address, creds, self._options)
        else:
            self.channel = grpc.aio.insecure_channel(self.address, self._options)
        self.check = health_pb2_grpc.HealthStub(self.channel).Check
        self.request = health_pb2.HealthCheckRequest(service=self.service)
        self.rpc_error = grpc.aio.AioRpcError
        self._names = health_pb2.HealthCheckResponse.ServingStatus
        self.serving = int(self._names.SERVING)

    async def close(self) -> None:
        channel, self.channel = self.channel, None
        if channel is not None:
            with contextlib.suppress(Exception):  # best effort
                await channel.close()

    def status_name(self, status: int) -> str:
        try:
            return str(self._names.Name(status))
        except ValueError:
            return f"status {status}"

    def not_serving(self, status: int) -> InvalidResponseError:
        return AnsweredError(
            f"{self.what} at {self.address} is {self.status_name(status)}", self.host, self.port
        )

    def error(self, exc: BaseException, timeout_s: float) -> DestinationError:
        """The one mapping of a failed call, by its status code."""
        host, port = self.host, self.port
        if not isinstance(exc, self.rpc_error):
            return os_error(exc, host, port)
        code_obj: Any = exc.code()  # type: ignore[attr-defined]
        code: str = getattr(code_obj, "name", str(code_obj))
        details = _ALL_ADDRESSES.sub("", " ".join(str(exc.details() or "").split()))  # type: ignore[attr-defined]
        details = shorten(details, _MAX_DETAILS)
        if code == "DEADLINE_EXCEEDED":
            return DeadlineError(f"no answer from {self.address} within {timeout_s:g} s", host, port)
        if code == "UNAVAILABLE":
            lowered = details.lower()  # the last resort: see the module's docstring
            if any(w in lowered for w in _DNS_WORDS):
                return DNSError(f"name does not resolve: {details}", host, port)
            if any(w in lowered for w in _TLS_WORDS):
                return TLSError(f"TLS failed: {details}", host, port)
            if any(w in lowered for w in _REFUSED_WORDS):
                return RefusedError(f"connection to {self.address} refused", host, port)
            # the peer closed: not gRPC at all (an HTTP/1.1 server), or TLS expected; the probe cannot tell
            hint = " (not a gRPC server, or one that wants TLS: the probe spoke plaintext)"
            hint = "" if self.secure else hint
            return InvalidResponseError(f"UNAVAILABLE: {details}{hint}", host, port)
        if code in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
            return AuthError(f"{code}: {details}", host, port)
        if code == "UNIMPLEMENTED":
            return InvalidResponseError(f"server has no health service ({code})", host, port)
        if code == "NOT_FOUND":
            return InvalidResponseError(f"the health service does not know the {self.what}", host, port)
        return InvalidResponseError(f"{code}: {details}", host, port)
