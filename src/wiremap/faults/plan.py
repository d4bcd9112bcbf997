"""Which faults to inject for one integration: each documented failure mode as the fault that is it.

=====================================  =============================================================
Failure mode (its name, its kind)      Fault
=====================================  =============================================================
Timeout                                ``timeout`` (accepted, never answered)
Connection Refused                     ``refused`` (nothing listens)
Invalid Response                       ``invalid`` (the protocol, not the documented shape);
                                       ``invalid:not-json`` (HTTP) when the mode says the body is
                                       no JSON ("not JSON", "malformed", "an HTML error page");
                                       ``garbage`` where the stub has no ``invalid`` (TCP, the proxy)
HTTP 5xx / server error                ``status:503``
HTTP 429 / rate limited                ``status:429:retry-after=1`` (gRPC: ``grpc:RESOURCE_EXHAUSTED``)
a named status (402, 401, 404 …)       ``status:CODE`` (HTTP only)
a gRPC code (UNAVAILABLE …)            ``grpc:CODE`` (gRPC only): named in the mode's name, or in the
                                       text of a mode that is none of the kinds above
Connection Reset                       ``reset`` (RST after the request)
disconnect / connection lost, closed   ``disconnect`` (``reset`` where the stub has no ``disconnect``)
=====================================  =============================================================

A Timeout of a gRPC doc is ``timeout`` even when its text says DEADLINE_EXCEEDED: the client's own
deadline is what is tested, not a status the server sends. A failure mode that is none of these (DNS,
TLS, an application error that names no status) is not injected: no stub can be that failure. The list
is in the doc's order, each fault once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Integration, TypedFailureMode
from ..stub.faults import GRPC_CODES, FaultKind, supported_faults
from ..values import is_placeholder_text

__all__ = ["Planned", "planned_faults", "untested_modes"]

_GRPC_NAME = re.compile(r"\b(" + "|".join(c for c in GRPC_CODES if c != "OK") + r")\b")
_RESET = re.compile(r"\breset\b|econnreset", re.IGNORECASE)
_DISCONNECT = re.compile(
    r"disconnect|connection (?:lost|dropped|closed|drop)|drops? the connection|"
    r"connection is (?:lost|dropped|closed)|broker (?:restart|goes away|went away)",
    re.IGNORECASE,
)
_CODE = re.compile(r"(?<![\d.])([45]\d\d)(?![\d.])")


@dataclass(frozen=True, slots=True)
class Planned:
    """One fault to inject (its spec, as ``--fault`` takes it) and the failure mode it comes from."""

    fault: str
    mode: str | None  # the failure mode's name as written; None for a fault given with --only


def _statuses(mode: TypedFailureMode) -> list[str]:
    """``status:`` faults of an HTTP failure mode: the statuses its name names (``5xx`` -> 503,
    ``429`` with a Retry-After), else the first 4xx/5xx its text names."""
    codes = list(mode.http_status)
    if not codes:
        found = _CODE.search(mode.what_happens or "")
        codes = [found.group(1)] if found else []
    if not codes and mode.kind == "http_status":
        # a status by its reason phrase: "Service Unavailable" is a 503, "Bad Gateway" a 502
        for phrase, code in (("server error", "5xx"), ("service unavailable", "503"), ("bad gateway", "502")):
            if re.search(rf"\b{phrase}\b", mode.name, re.IGNORECASE):
                codes = [code]
                break
    out: list[str] = []
    for code in codes:
        c = code.lower()
        if c.endswith("xx"):
            c = {"5": "503", "4": "400"}.get(c[0], "")
        if not c or not c.isdigit() or not 100 <= int(c) <= 599:
            continue
        out.append("status:429:retry-after=1" if c == "429" else f"status:{c}")
    return out


_NOT_JSON = re.compile(
    r"\bnot\s+(?:valid\s+)?json\b|\bnon-?json\b|\binvalid\s+json\b|\bmalformed\b|\bunparse?able\b|"
    r"\b(?:can(?:no|')t|could\s*n[o']t|fails?\s+to)\s+(?:be\s+)?pars|\bparse\s+error\b|\bhtml\b|\bgarbage\b",
    re.IGNORECASE,
)


_WRONG_SHAPE = re.compile(r"\bmissing\b|\btype\b|\bshape\b|\bschema\b|\bfields?\b|\bkeys?\b", re.IGNORECASE)


def _of_mode(mode: TypedFailureMode, protocol: str, can: frozenset[FaultKind]) -> list[str]:
    if protocol == "grpc" and (named := _GRPC_NAME.findall(mode.name)):
        return [f"grpc:{c}" for c in dict.fromkeys(named)]
    spelled = re.sub(r"[\s-]+", "_", mode.name.strip(" *_`.:")).upper()
    if protocol == "grpc" and spelled in GRPC_CODES and spelled not in ("OK", "DEADLINE_EXCEEDED"):
        # a mode named by a code in words ("**Unavailable**", "Resource exhausted"): that code (it was
        # classed as a refusal and never injected: new user, round 53)
        return [f"grpc:{spelled}"]
    if _RESET.search(mode.name):
        return ["reset"]
    if _DISCONNECT.search(mode.name):
        return ["disconnect" if FaultKind.DISCONNECT in can else "reset"]
    if mode.kind == "timeout":
        return ["timeout"]
    if mode.kind == "connection_refused":
        return ["refused"]
    if mode.kind == "connection_lost":  # named otherwise than the two above ("Broken pipe", "Hang up")
        return ["disconnect" if FaultKind.DISCONNECT in can else "reset"]
    if mode.kind == "invalid_response":
        said = f"{mode.name} {mode.what_happens or ''}"
        if protocol == "http" and _NOT_JSON.search(said):
            # "body is not JSON": a body of the wrong shape was no such failure (round 42); a mode naming
            # both ("`id` missing or of another type, or not JSON") is both faults
            return ["invalid", "invalid:not-json"] if _WRONG_SHAPE.search(said) else ["invalid:not-json"]
        return ["invalid" if FaultKind.INVALID in can else "garbage"]
    if protocol == "grpc":
        if mode.kind == "rate_limited":
            return ["grpc:RESOURCE_EXHAUSTED"]
        # an application failure the doc ties to a status: "Out Of Stock: FAILED_PRECONDITION …"
        return [f"grpc:{c}" for c in dict.fromkeys(_GRPC_NAME.findall(mode.what_happens or ""))][:1]
    if protocol == "http":
        if mode.kind == "rate_limited":
            return ["status:429:retry-after=1"]
        if mode.kind in ("http_status", "auth", "other"):
            return _statuses(mode)
    return []


_WHY_NOT: dict[str, str] = {
    "dns": "no stub can be a DNS failure (the client resolves a name the run rewrites to an address)",
    "tls": "no stub can be a TLS failure",
    "auth": "it names no status the stub could answer",
    "http_status": "it names no status the stub could answer",
    "other": "its words name no failure wiremap can inject (a timeout, a refusal, a reset, a disconnect, "
    "an invalid response, a status)",
}


def untested_modes(integration: Integration, server: str) -> list[tuple[str, str]]:
    """The documented failure modes no fault is, each with why: faults says each is skipped, so that a
    failure mode the run cannot test is never silently left out (placeholders excepted)."""
    protocol = integration.protocol or ""
    can = supported_faults(server)
    out: list[tuple[str, str]] = []
    for mode in integration.error_handling.failure_modes:
        if is_placeholder_text(mode.name) or _of_mode(mode, protocol, can):
            continue
        why = _WHY_NOT.get(mode.kind, f"the {server or 'unknown'} stub has no fault that is this failure")
        if mode.kind in ("rate_limited", "http_status", "auth") and protocol not in ("http", "grpc"):
            why = f"a status is no failure of a {protocol or 'non-HTTP'} integration"
        out.append((mode.name, f"failure mode {mode.name!r} ({mode.kind}) not tested: {why}"))
    return out


def planned_faults(integration: Integration, server: str) -> list[Planned]:
    """The faults that are ``integration``'s documented failure modes, for the stub of ``server`` (a
    protocol, or ``"proxy"``); each once, in the doc's order. A fault the stub cannot apply is kept:
    the run says it is skipped and why."""
    protocol = integration.protocol or ""
    can = supported_faults(server)
    out: dict[str, Planned] = {}
    for mode in integration.error_handling.failure_modes:
        if is_placeholder_text(mode.name):
            continue
        for fault in _of_mode(mode, protocol, can):
            out.setdefault(fault, Planned(fault, mode.name))
    return list(out.values())
