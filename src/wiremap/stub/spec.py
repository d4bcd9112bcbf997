"""What a stub serves: the destination as its doc documents it, and nothing the doc does not say.

:meth:`StubSpec.from_integration` reads the typed model only. A field still a template placeholder
(``[URL or method]``, the template's own example payloads) is not served and is listed in
``not_served``; a doc with nothing servable at all is a :class:`UsageError` that says what is missing.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .._errors import UsageError
from ..model import Integration, Payload
from ..values import is_placeholder_text

__all__ = ["HTTP_METHODS", "StubSpec", "unlike"]

# a Request that says nothing is sent: the client connects and the server speaks first (a banner). The
# TCP stub waited for bytes that never came, and its faults (garbage) never reached the client: round 50
_NOTHING_SENT = re.compile(
    r"^\s*[(\[<]?\s*(?:connect(?:ion)?(?:\s+only)?|just\s+connect|nothing(?:\s+is)?(?:\s+sent)?|none|"
    r"no\s+request|empty|\(?server\s+speaks\s+first\)?|-+|—)\s*[)\]>]?\s*\.?\s*$",
    re.IGNORECASE,
)

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_METHOD_REST = re.compile(r"^([A-Za-z]+)\s+(\S+)")
_URL = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
_BRACKETED = re.compile(r"\[[^\[\]\n]+\]")
_STATUS = re.compile(r"^\s*([1-5][0-9][0-9])\s*$")
TLS_SCHEMES = frozenset({"https", "wss", "grpcs", "rediss", "mqtts", "tls", "amqps"})


@functools.lru_cache(maxsize=1)
def _template_payloads() -> tuple[Any, ...]:
    """The template's own Request/Response examples: a doc that kept them documents nothing."""
    from ..document import parse_text
    from ..document.template import template_text

    i = parse_text(template_text()).integration
    return tuple(p.json_value for p in (i.request, i.response) if p is not None and p.json_value is not None)


def _text(value: str | None) -> str | None:
    """``value`` stripped of code marks, or None when empty or a ``[placeholder]``."""
    if value is None:
        return None
    t = value.strip().strip("`").strip()
    if not t or is_placeholder_text(t):
        return None
    return t


def _payload(p: Payload | None) -> Payload | None:
    """A documented example, or None when there is none or it is the template's (or holds placeholders)."""
    if p is None or not p.text.strip():
        return None
    if p.json_value is not None:
        return None if p.json_value in _template_payloads() else p
    # a non-JSON example with a ``[placeholder]`` in it is the template's, or half-filled
    return None if _BRACKETED.search(p.text) else p


def _expected_status(settings: Mapping[str, str]) -> int | None:
    """The documented status: the ``expect_status`` setting when it names one status (the first of a
    list), else None. ``2xx`` names no status."""
    raw = settings.get("expect_status")
    if raw is None:
        return None
    first = str(raw).strip().strip("[]").split(",")[0]
    m = _STATUS.match(first)
    return int(m.group(1)) if m else None


@dataclass(frozen=True, slots=True)
class StubSpec:
    """What the doc documents that a stub can serve; None is "not documented" (and not served)."""

    integration_id: str
    doc_path: str
    protocol: str  # the normalised Protocol (``http``, ``grpc`` …): picks the server
    protocol_raw: str | None = None
    tls: bool = False  # https / wss / grpcs … in the Protocol or the endpoint URL
    host: str | None = None  # the documented host (information only: a stub binds 127.0.0.1)
    port: int | None = None  # the documented port (Destination, else the endpoint URL)
    endpoint: str | None = None  # the Endpoint text as written, code marks stripped
    scheme: str | None = None  # of an endpoint URL (``https``)
    method: str | None = None  # HTTP method, uppercase (``GET`` when the endpoint is a bare path/URL)
    path: str | None = None  # HTTP path with its query, ``{var}`` kept; for other protocols the
    #                          endpoint's method/subject/channel as written (``payments.v1.Pay/Charge``)
    status: int | None = None  # the documented status (``expect_status``), None: not documented
    request_text: str | None = None
    request_json: Any = None
    response_text: str | None = None  # the documented Response (a WebSocket reply, a banner …)
    response_json: Any = None  # its JSON value when it is JSON
    response_language: str | None = None
    failure_modes: tuple[str, ...] = ()
    settings: Mapping[str, str] = field(default_factory=dict)
    not_served: tuple[str, ...] = ()  # what the doc leaves a placeholder: "Endpoint is a placeholder"

    @property
    def has_response(self) -> bool:
        return self.response_text is not None

    @property
    def response_is_json(self) -> bool:
        return self.response_json is not None or (
            self.response_text is not None and (self.response_language or "").lower() == "json"
        )

    @property
    def documented_status(self) -> int:
        """The status a documented answer carries: the documented one, else 200."""
        if self.status is not None:
            return self.status
        return 200

    def response_body(self) -> bytes:
        """The documented Response as bytes (JSON re-serialised compactly), ``b""`` when none."""
        if self.response_json is not None:
            return json.dumps(self.response_json, ensure_ascii=False).encode()
        return (self.response_text or "").encode()

    def invalid_json(self) -> Any:
        """A JSON value *not* of the documented shape (the ``invalid`` fault): another JSON type than
        the documented Response; for an object, an object without any of its documented keys."""
        return unlike(self.response_json)

    def matches_path(self, path: str) -> bool:
        """Whether a request path (query ignored) is the documented one; ``{var}`` matches one segment."""
        if self.path is None:
            return False
        want = urlsplit(self.path).path or "/"
        got = urlsplit(path).path or "/"
        pattern = "".join(
            "[^/]+" if re.fullmatch(r"\{[^{}/]*\}", part) else re.escape(part)
            for part in re.split(r"(\{[^{}/]*\})", want)
        )
        return re.fullmatch(pattern, got) is not None

    @classmethod
    def from_integration(cls, integration: Integration) -> StubSpec:
        """The spec of one doc; :class:`UsageError` when it documents nothing a stub can serve."""
        i = integration
        where = f"{i.path} ({i.id})"
        not_served: list[str] = []
        if not i.protocol:
            raise UsageError(
                f"{where}: no Protocol documented (it is {i.protocol_raw or 'missing'!s}); "
                "nothing to stub: write **Protocol:** (HTTP, gRPC, WebSocket, Redis, NATS, MQTT, TCP …)"
            )
        endpoint = _text(i.endpoint)
        if endpoint is None:
            not_served.append("Endpoint is a placeholder" if i.endpoint else "no Endpoint documented")
        method: str | None = None
        path: str | None = None
        scheme: str | None = None
        url_port: int | None = None
        if endpoint is not None:
            rest = endpoint
            m = _METHOD_REST.match(endpoint)
            if m and m.group(1).upper() in HTTP_METHODS:
                method, rest = m.group(1).upper(), m.group(2)
            u = _URL.match(rest)
            if u:
                parts = urlsplit(rest)
                scheme = u.group(1).lower()
                try:
                    url_port = parts.port
                except ValueError:
                    url_port = None
                path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            elif rest.startswith("/"):
                path = rest
            else:
                path = endpoint if method is None else rest
            if i.protocol in ("http", "websocket") and method is None and (u or rest.startswith("/")):
                method = "GET" if i.protocol == "http" else None
        request, response = _payload(i.request), _payload(i.response)
        if i.request is not None and request is None:
            not_served.append("Request example is the template's or a placeholder")
        if i.response is None:
            not_served.append("no Response example documented")
        elif response is None:
            not_served.append("Response example is the template's or a placeholder")
        settings = dict(i.directives.settings)
        if i.protocol == "http" and (path is None or not path.startswith("/")):
            raise UsageError(
                f"{where}: no HTTP endpoint documented (**Endpoint:** is "
                f"{i.endpoint or 'missing'!s}); nothing to stub: write `METHOD /path` or a URL"
            )
        host = i.destination_host
        if host is not None and is_placeholder_text(host):
            host = None
        return cls(
            integration_id=i.id,
            doc_path=i.path,
            protocol=i.protocol,
            protocol_raw=i.protocol_raw,
            tls=i.tls or scheme in TLS_SCHEMES,
            host=host,
            port=i.destination_port or url_port,
            endpoint=endpoint,
            scheme=scheme,
            method=method,
            path=path,
            status=_expected_status(settings),
            request_text=(
                request.text
                if request and (request.text or "").strip() and not _NOTHING_SENT.match(request.text)
                else None
            ),
            request_json=request.json_value if request else None,
            response_text=response.text if response else None,
            response_json=response.json_value if response else None,
            response_language=response.language if response else None,
            failure_modes=tuple(f.name for f in i.failure_modes if not is_placeholder_text(f.name)),
            settings=settings,
            not_served=tuple(not_served),
        )


def unlike(value: Any) -> Any:
    """A value not of ``value``'s shape: an object holding none of its documented keys (a client that
    checks a key is there sees it, and so does one that checks its type: "JSON without `id`" made with
    every key kept and given another type passed the first kind, and faults blamed it), any other value
    one of another JSON type."""
    if isinstance(value, dict) and value:
        return {"wiremap_stub": "invalid: none of the documented keys"} if "wiremap_stub" not in value else []
    if isinstance(value, dict):
        return ["wiremap stub: invalid"]
    if isinstance(value, list):
        return {"wiremap_stub": "invalid"}
    if isinstance(value, str):
        return 0
    if isinstance(value, bool | int | float):
        return "wiremap stub: invalid"
    return {"wiremap_stub": "invalid"}  # null or nothing documented: still not what a client expects
