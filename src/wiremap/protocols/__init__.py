"""The protocol layer: one module per protocol owns its connection (connect, one call, close) and maps its
driver's exceptions to one typed error tree (:mod:`._errors`), once; :mod:`.registry` is the one table of
protocols. Probes (``verify``, ``serve``) and load operations (``measure``) are thin users of it.

Protocol modules import their drivers when called, never at import time: drivers are optional.
"""

from __future__ import annotations

from ._errors import (
    AnsweredError,
    AuthError,
    ConnectDeadlineError,
    ConnectError,
    DeadlineError,
    DestinationError,
    DNSError,
    ErrorKind,
    InvalidResponseError,
    ReadDeadlineError,
    RefusedError,
    ResetError,
    TLSError,
    UnreachableError,
    describe,
    hostport,
    name_where,
    os_error,
    root_cause,
)
from .registry import DRIVER_MISSING, PROTOCOLS, Spec, missing_driver, preload

__all__ = [
    "DRIVER_MISSING",
    "PROTOCOLS",
    "AnsweredError",
    "AuthError",
    "ConnectDeadlineError",
    "ConnectError",
    "DNSError",
    "DeadlineError",
    "DestinationError",
    "ErrorKind",
    "InvalidResponseError",
    "ReadDeadlineError",
    "RefusedError",
    "ResetError",
    "Spec",
    "TLSError",
    "UnreachableError",
    "describe",
    "hostport",
    "missing_driver",
    "name_where",
    "os_error",
    "preload",
    "root_cause",
]
