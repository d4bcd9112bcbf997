"""The HTTP probe: send the documented request, check the status, then the documented JSON shape.

Checks: ``http`` (status and timing) and, when the doc has a JSON Response example and the status
is expected, ``contract`` (:func:`~wiremap.verify.shape.shape_mismatches` of the live body).

Safety: POST, PUT, PATCH and DELETE change things. They are sent only to a loopback host, to a
target the user chose (``--target`` / ``WIREMAP_TARGET_<ID>``) or under ``--allow-writes``;
otherwise the check is skipped before any DNS lookup or connection.

Settings (``[tool.wiremap.integrations.<id>]`` or ``<!-- wiremap: key=value -->``):

- ``expect_status``: ``[200, 201]``, ``"200,201"`` or ``"2xx"`` (default: any 2xx)
- ``headers_from_env`` (or ``header_env``): ``{Authorization = "PAYMENTS_API_TOKEN"}`` or
  ``"Authorization=PAYMENTS_API_TOKEN,X-Key=KEY_VAR"``; the env value is sent verbatim
- ``ca_bundle``, ``client_cert``, ``client_key``: paths; ``insecure``: skip certificate checks

A bad setting is one failed ``http`` check that names it (``invalid setting: ...``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
import ssl
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit

from .. import http1
from .._errors import ConfigError
from ..model import Integration
from ..protocols import DestinationError, InvalidResponseError
from ..protocols import http as http_protocol
from ..secrets import looks_secret_name, mask_text
from ..trust.settings import parse_flag
from ..values import parse_json
from ..verify.shape import shape_mismatches
from ._base import (
    ErrorKind,
    ProbeContext,
    ProbeResult,
    Timer,
    failed,
    failure,
    skipped,
    success,
    writes_allowed,
)

__all__ = ["PreparedRequest", "method_and_path", "prepare_request", "probe", "write_refusal"]

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# ``GET /x``; methods listed (``GET, POST /x``, ``GET|HEAD /x``, ``GET/POST /x``): the first that
# changes nothing is probed, else the first
_ENDPOINT = re.compile(r"^([A-Za-z]+(?:\s*(?:,|\||/|\bor\b|\band\b)\s*[A-Za-z]+)*)\s+(\S+)")
_SAFE = ("GET", "HEAD", "OPTIONS")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_TEMPLATE_VAR = re.compile(r"\{[^{}/]*\}")
_HEADER_ENV_ITEM = re.compile(r"([^=:\s]+)\s*[=:]\s*(\S+)")
_MAX_MISMATCHES_SHOWN = 3


# ---------------------------------------------------------------------------------------------
# What to send


def method_and_path(integ: Integration, target_path: str | None) -> tuple[str, str]:
    """``POST /v1/charges`` -> (POST, /v1/charges); a full URL -> its path; anything else GET /."""
    ep = (integ.endpoint or "").strip().strip("`").strip()
    method, rest = "GET", ep
    m = _ENDPOINT.match(ep)
    listed = (
        [w.upper() for w in re.findall(r"[A-Za-z]+", m.group(1)) if w.lower() not in ("or", "and")]
        if m
        else []
    )
    if listed and all(w in METHODS for w in listed):
        method = next((w for w in listed if w in _SAFE), listed[0])
        rest = m.group(2) if m else rest
    if _URL.match(rest):
        parts = urlsplit(rest)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    elif rest.startswith("/"):
        path = rest
    else:  # not an HTTP endpoint (a gRPC method, a queue name): ask for the root
        method, path = "GET", "/"
    if target_path and target_path.startswith("?"):
        # the runner's URL gives a query and no path (``--target id=http://h:1?apikey=…``): its query on the
        # doc's path ("GET ?apikey=…" was sent, which no server takes: round 69)
        base, _, query = path.partition("?")
        path = f"{base}?{'&'.join(q for q in (query, target_path[1:]) if q)}"
    elif target_path:
        path = target_path
    return method, _fill_template(path, _request_description(integ))


def _request_description(integ: Integration) -> dict[str, Any] | None:
    """A Request example that describes the request (``{"method": "GET", "path": ...}``) rather
    than being its body."""
    value = integ.request.json_value if integ.request else None
    if (
        isinstance(value, dict)
        and isinstance(value.get("method"), str)
        and isinstance(value.get("path"), str)
    ):
        return value
    return None


def _fill_template(path: str, description: dict[str, Any] | None) -> str:
    """``/v1/carts/{user_id}`` -> the documented example's ``/v1/carts/u_1042`` when it fits;
    unfilled braces are percent-encoded so the request line stays valid."""
    if "{" in path and description is not None:
        example = description["path"]
        pattern = "".join(
            "[^/?]+" if _TEMPLATE_VAR.fullmatch(part) else re.escape(part)
            for part in re.split(r"(\{[^{}/]*\})", path)
        )
        if re.fullmatch(pattern, example):
            path = example
    return quote(path, safe="/:@!$&'()*+,;=?%-._~")


# headers a doc's example may not set: the connection's own, and credentials (those come from the runner's
# headers_from_env, bound to their host, never from a doc)
_NOT_FROM_DOC = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "transfer-encoding",
        "upgrade",
        "te",
        "trailer",
        "keep-alive",
        "authorization",
        "proxy-authorization",
        "cookie",
    }
)
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")


def _documented_headers(integ: Integration) -> dict[str, str]:
    """The headers of a Request example that describes the request (``"headers": {"Idempotency-Key":
    "order-1042"}``), sent with it: without the documented Idempotency-Key a true doc failed with 400
    (new user, round 36). Never a credential (by name, or a value that holds a secret or a ``$``
    reference), nor a header of the connection's own."""
    description = _request_description(integ)
    raw = description.get("headers") if description is not None else None
    if not isinstance(raw, dict):
        return {}
    out: dict[str, str] = {}
    for name, value in list(raw.items())[:50]:
        if not isinstance(name, str) or not isinstance(value, str | int | float) or isinstance(value, bool):
            continue
        text = str(value)
        if (
            not _HEADER_NAME.match(name)
            or name.lower() in _NOT_FROM_DOC
            or looks_secret_name(name)
            or "$" in text
            or any(c in text for c in "\r\n\x00")
            or len(text) > 1000
            or mask_text(text) != text
        ):
            continue
        out[name] = text
    return out


def _body(integ: Integration, method: str) -> tuple[bytes | None, bool]:
    """The documented request body for a method that has one, and whether it is JSON."""
    if method not in WRITE_METHODS or integ.request is None:
        return None, False
    description = _request_description(integ)
    if description is not None:
        if "body" not in description:
            return None, False
        inner = description["body"]
        if isinstance(inner, str):
            return inner.encode(), False
        return json.dumps(inner).encode(), True
    is_json = integ.request.json_value is not None or (integ.request.language or "").lower() == "json"
    return integ.request.text.encode(), is_json


# ---------------------------------------------------------------------------------------------
# Settings


def _truthy(value: Any) -> bool:
    """The one truth table (:func:`wiremap.trust.parse_flag`); anything else is a bad setting."""
    try:
        return parse_flag(value)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _expect_status(value: Any) -> tuple[frozenset[int] | None, str]:
    """The accepted statuses (None: any 2xx) and how to say them (``200 or 201``)."""
    if value is None or value == "":
        return None, "2xx"
    items: list[Any]
    if isinstance(value, str):
        items = [v for v in re.split(r"[,\s]+", value) if v]
    elif isinstance(value, int):
        items = [value]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ConfigError(f"expect_status: want a status or a list of statuses, got {value!r}")
    codes: set[int] = set()
    for item in items:
        text = str(item).strip().lower()
        if re.fullmatch(r"[1-5]xx", text):
            base = int(text[0]) * 100
            codes.update(range(base, base + 100))
        elif text.isascii() and text.isdigit() and 100 <= int(text) <= 599:
            codes.add(int(text))
        else:
            raise ConfigError(f"expect_status: {item!r} is not an HTTP status")
    words = [str(i).strip().lower() for i in items]
    said = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    return frozenset(codes), said


def _header_env(settings: Mapping[str, Any]) -> dict[str, str]:
    """Header name -> env var name, from ``headers_from_env`` or ``header_env``."""
    raw = settings.get("headers_from_env", settings.get("header_env"))
    if raw is None or raw == "":
        return {}
    if isinstance(raw, Mapping):
        return {str(k): str(v) for k, v in raw.items()}
    if isinstance(raw, str):
        out: dict[str, str] = {}
        for item in filter(None, (p.strip() for p in raw.split(","))):
            m = _HEADER_ENV_ITEM.fullmatch(item)
            if m is None:
                raise ConfigError(f"headers_from_env: want Header=ENV_VAR, got {item!r}")
            out[m.group(1)] = m.group(2)
        return out
    raise ConfigError(f"headers_from_env: want a table or Header=ENV_VAR pairs, got {raw!r}")


@functools.lru_cache(maxsize=32)
def _ssl_context(
    ca_bundle: str | None, client_cert: str | None, client_key: str | None, insecure: bool
) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=ca_bundle)
        if client_cert:
            context.load_cert_chain(client_cert, client_key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load TLS files (ca_bundle, client_cert, client_key): {exc}") from exc
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _opt_str(settings: Mapping[str, Any], key: str) -> str | None:
    value = settings.get(key)
    return str(value) if value not in (None, "") else None


# ---------------------------------------------------------------------------------------------
# The request a doc describes (shared with ``wiremap measure``)


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    method: str
    path: str
    host: str
    port: int
    https: bool
    ssl: ssl.SSLContext | None
    headers: dict[str, str]
    body: bytes | None
    accepted: frozenset[int] | None  # None: any 2xx
    expected_text: str  # how to say the accepted statuses ("2xx", "200 or 201")
    unset: tuple[str, ...]  # ``$VAR``s named by headers_from_env that are not set
    documented: Any  # the documented JSON response, if any

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def accepts(self, status: int) -> bool:
        return status in self.accepted if self.accepted is not None else 200 <= status < 300


def write_refusal(ctx: ProbeContext, method: str) -> str | None:
    """Why a non-idempotent ``method`` must not be sent to ``ctx.target`` (None: it may be)."""
    host = ctx.target.host
    if method not in WRITE_METHODS or writes_allowed(ctx):
        return None
    if ctx.repeated:
        return f"{method} not sent to {host}: non-idempotent and repeated; needs the runner's --allow-writes"
    return f"{method} not sent to {host}: non-idempotent; needs the runner's --allow-writes or --target"


def prepare_request(ctx: ProbeContext) -> PreparedRequest:
    """What to send, where, and what to accept, from the doc and its settings. Raises ConfigError
    for a bad setting. Does not check :func:`write_refusal`."""
    integ, target, settings = ctx.integration, ctx.target, ctx.settings
    method, path = method_and_path(integ, target.path)
    scheme = (target.scheme or "").lower()
    https = scheme in ("https", "wss") or (scheme not in ("http", "ws") and integ.tls)
    port = target.port or (443 if https else 80)
    context = None
    accepted, expected_text = _expect_status(settings.get("expect_status"))
    header_env = _header_env(settings)
    if https:
        context = _ssl_context(
            _opt_str(settings, "ca_bundle"),
            _opt_str(settings, "client_cert"),
            _opt_str(settings, "client_key"),
            _truthy(settings.get("insecure", False)),
        )

    body, body_is_json = _body(integ, method)
    documented = integ.response.json_value if integ.response is not None else None
    headers: dict[str, str] = {"Accept": "application/json" if documented is not None else "*/*"}
    if body is not None and body_is_json:
        headers["Content-Type"] = "application/json"
    headers.update(_documented_headers(integ))
    unset: list[str] = []
    for name, var in header_env.items():
        value = ctx.secret(var)  # raises when the runner's value does not belong to this target
        if value:
            headers[name] = value
        else:
            unset.append(f"${var}")
    return PreparedRequest(
        method,
        path,
        target.host,
        port,
        https,
        context,
        headers,
        body,
        accepted,
        expected_text,
        tuple(unset),
        documented,
    )


# ---------------------------------------------------------------------------------------------
# The probe


def _status_text(response: http1.Response) -> str:
    reason = response.reason
    if not reason:
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
    return f"{response.status} {reason}".rstrip()


def _stage(timer: Timer, tls: bool) -> str:
    phases = timer.phases
    if "dns" not in phases:
        return "resolving the name"
    if "connect" not in phases:
        return "connecting"
    if tls and "tls" not in phases:
        return "in the TLS handshake"
    if "first_byte" not in phases:
        return "waiting for the response"
    return "reading the response"


async def probe(ctx: ProbeContext) -> list[ProbeResult]:
    method, _ = method_and_path(ctx.integration, ctx.target.path)
    refusal = write_refusal(ctx, method)
    if refusal is not None:
        return [skipped("http", refusal)]
    try:  # a bad setting is the user's to fix: one failed check naming it, not an internal error
        req = prepare_request(ctx)
    except ConfigError as exc:
        return [failure("http", None, ErrorKind.PROTOCOL, f"invalid setting: {exc}")]

    method, path, https = req.method, req.path, req.https
    label = req.label
    timer = Timer()
    try:
        async with asyncio.timeout(ctx.timeout_s):
            response = await http_protocol.request(
                method, req.host, req.port, path, headers=req.headers, body=req.body, ssl=req.ssl, timer=timer
            )
    except InvalidResponseError as err:
        return [failure("http", timer, err.kind, f"{label}: {err.detail}", connected=True)]
    except TimeoutError:
        message = f"no answer before the deadline ({ctx.timeout_s:g} s, {_stage(timer, https)})"
        return [failure("http", timer, ErrorKind.TIMEOUT, message, connected="connect" in timer.phases)]
    except DestinationError as err:  # refused, unreachable, DNS, TLS (certificate errors included), reset
        return [failed("http", timer, err, connected="connect" in timer.phases)]
    except ValueError as exc:  # a request we cannot write (a header value with a newline or non-Latin-1)
        return [failure("http", timer, ErrorKind.PROTOCOL, f"cannot build the request: {exc}")]

    status = _status_text(response)
    if not req.accepts(response.status):
        if response.status in (401, 403):
            hint = f" ({', '.join(req.unset)} not set)" if req.unset else ""
            return [
                failure(
                    "http",
                    timer,
                    ErrorKind.AUTH,
                    f"{label} -> {status}: credentials refused{hint}",
                    connected=True,
                )
            ]
        return [
            failure(
                "http",
                timer,
                ErrorKind.PROTOCOL,
                f"expected {req.expected_text}, got {status}",
                connected=True,
            )
        ]

    results = [success("http", timer, f"{label} -> {status} in {timer.elapsed_ms:.1f} ms")]
    if req.documented is not None and method != "HEAD" and 300 <= response.status < 400:
        # a documented redirect: the Response example is the page it leads to, not the redirect's body
        # (verify failed a doc that said expect_status=301 on "not JSON": new user, round 44)
        results.append(
            skipped("contract", f"not checked: a {response.status} redirect has no documented body")
        )
    elif req.documented is not None and method != "HEAD" and response.status not in (204, 304):
        results.append(_contract(req.documented, response, Timer()))
    return results


def _contract(documented: Any, response: http1.Response, timer: Timer) -> ProbeResult:
    if not response.body.strip():  # "not JSON (Content-Type: application/json)" read as a contradiction
        kind = response.headers.get("content-type")
        detail = f" (Content-Type: {kind})" if kind else ""
        message = f"response body is empty{detail}; the doc documents a JSON body"
        return failure("contract", timer, ErrorKind.CONTRACT, message, connected=True)
    body = response.body
    encoding = (response.headers.get("content-encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):  # sent though not asked for (round 44): read as sent
        with contextlib.suppress(zlib.error):
            body = zlib.decompress(body, 47 if encoding != "deflate" else 15)
    try:
        live = parse_json(body)
    except ValueError as exc:
        kind = response.headers.get("content-type")
        detail = f" (Content-Type: {kind})" if kind else ""
        why = f": {exc}" if "allowed in JSON" in str(exc) else ""
        message = f"response is not JSON{detail}{why}"
        return failure("contract", timer, ErrorKind.CONTRACT, message, connected=True)
    mismatches = shape_mismatches(documented, live)
    if not mismatches:
        return success("contract", timer, "response has the documented shape")
    shown = "; ".join(mismatches[:_MAX_MISMATCHES_SHOWN])
    more = len(mismatches) - _MAX_MISMATCHES_SHOWN
    if more > 0:
        shown += f" (and {more} more)"
    return failure("contract", timer, ErrorKind.CONTRACT, shown, connected=True)
