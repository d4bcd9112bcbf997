"""``wiremap export prometheus``: the docs' checks for a Prometheus + blackbox_exporter fleet.

Four files (docs/commands/export.md says what each holds):

- ``blackbox.yml``: one blackbox_exporter module per integration, ``wiremap_<id>``, each with a comment
  saying what it checks and what it does not;
- ``targets/<job>.json``: file_sd targets, one file per scrape job (one job per probe interval), each
  labelled with its integration, source, destination, owner, critical, protocol and module;
- ``prometheus.yml``: the scrape jobs, with the usual blackbox relabelling, and ``rule_files``;
- ``rules.yml``: per integration, down (``probe_success == 0`` for N intervals), slow (the p99 of
  ``probe_duration_seconds`` over an hour above the documented P99) and, for TLS, certificate expiry.

A target is resolved as verify resolves it (:func:`wiremap.verify.targets.resolve_target`) and never
carries a credential: no user info, no secret query parameter. A doc that cannot be exported (no host,
no port, a credential in its Endpoint) is a :class:`Skipped` with the reason, never dropped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from .._errors import ConfigError, UsageError
from ..config import Config
from ..model import Integration
from ..probes._base import ProbeContext, Target
from ..probes.grpc import endpoint_service
from ..probes.http import WRITE_METHODS, PreparedRequest, prepare_request
from ..probes.registry import probe_name
from ..protocols import hostport
from ..protocols import websocket as ws_protocol
from ..secrets import find_secrets, looks_secret_name
from ..trust.resolve import ResolvedSettings, resolve_settings
from ..values import parse_duration_ms
from ..verify.targets import doc_credentials_message, resolve_target

__all__ = ["Export", "Module", "Options", "Skipped", "alert_rules", "duration", "jobs", "plan", "render"]

BLACKBOX, PROMETHEUS, RULES = "blackbox.yml", "prometheus.yml", "rules.yml"
LATENCY_WINDOW = "1h"
# RFC 6455's sample key: any base64 of 16 bytes will do, blackbox cannot make a fresh one per probe
_WS_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
_ANY_AUTH = re.compile(r"\bAuthorization:\s*[A-Za-z][\w-]*\s+\S")  # a scheme and a token, literal or not
_MAX_KEYS = 20
# (plain port, TLS port) of the protocols blackbox probes over TCP, as verify's probes default them
_TCP_PORTS: dict[str, tuple[int | None, int | None]] = {
    "postgresql": (5432, 5432),
    "redis": (6379, 6380),
    "amqp": (5672, 5671),
    "nats": (4222, 4222),
    "mqtt": (1883, 8883),
    "tcp": (None, None),
}
_TLS_SCHEMES = {"redis": "rediss", "amqp": "amqps", "mqtt": "mqtts", "nats": "tls"}
_HEALTH_URL = re.compile(r"https?://[^\s'\"`<>]+")
_SENDS_DATA = re.compile(r"(?:^|\s)(?:-X|--request|-d|--data\S*|-F|--form|-T|--upload-file)(?:\s|=|$)")
_PASSWORD_SUFFIXES = ("_PASSWORD", "_PASSWD", "_PASS", "_PWD", "_AUTH")


@dataclass(frozen=True, slots=True)
class Options:
    exporter: str = "127.0.0.1:9115"
    interval_s: float = 30.0  # the scrape interval of an integration without an ``interval`` setting
    down_after: int = 2  # intervals of failure before the down alert, without a ``down_after`` setting
    timeout_s: float = 5.0
    cert_days: int = 14
    targets: Mapping[str, str] = field(default_factory=dict)  # --target, as verify takes it
    env: Mapping[str, str] = field(default_factory=dict)  # for WIREMAP_TARGET_<ID>


@dataclass(frozen=True, slots=True)
class Module:
    """One integration's blackbox module and the target it probes."""

    integration: Integration
    name: str
    prober: str  # http, grpc or tcp
    target: str  # blackbox's ?target=: a URL for http, host:port otherwise
    body: dict[str, Any]  # the prober's section of the module
    checks: str
    not_checked: str
    tls: bool
    owner: str | None
    interval_s: float
    down_after: int
    timeout_s: float

    @property
    def job(self) -> str:
        return f"wiremap-{duration(self.interval_s)}"

    @property
    def critical(self) -> str:
        return "true" if self.integration.critical_path else "false"  # as serve's metrics say it

    @property
    def labels(self) -> dict[str, str]:
        integ = self.integration
        out = {
            "integration": integ.id,
            "source": integ.source or "",
            "destination": integ.destination or "",
            "owner": self.owner or "",
            "critical": self.critical,
            "protocol": integ.protocol or "",
            "module": self.name,
        }
        return {k: v for k, v in out.items() if v}  # an empty label is no label


@dataclass(frozen=True, slots=True)
class Skipped:
    integration: Integration
    why: str


@dataclass(frozen=True, slots=True)
class Export:
    modules: tuple[Module, ...]
    skipped: tuple[Skipped, ...]


def duration(seconds: float) -> str:
    """Prometheus's form: ``30s``, ``2m``, ``1h``, ``1500ms``."""
    ms = max(1, round(seconds * 1000))
    if ms % 1000:
        return f"{ms}ms"
    s = ms // 1000
    if s % 3600 == 0:
        return f"{s // 3600}h"
    if s % 60 == 0:
        return f"{s // 60}m"
    return f"{s}s"


# ---------------------------------------------------------------------------------------------
# What to probe


def _secret_params(path: str | None) -> list[str]:
    """The query parameters of ``path`` that carry a credential (a secret name or a secret's shape)."""
    query = urlsplit(path or "").query
    out: list[str] = []
    for part in filter(None, query.split("&")):
        name, _, value = part.partition("=")
        plain = unquote_plus(name)
        if value and (looks_secret_name(plain) or find_secrets(unquote_plus(value))):
            out.append(plain)
    return out


def _tls_config(values: Mapping[str, Any]) -> dict[str, Any]:
    """blackbox's ``tls_config`` from the settings the runner granted (a doc cannot grant them)."""
    out: dict[str, Any] = {}
    for key, name in (("ca_bundle", "ca_file"), ("client_cert", "cert_file"), ("client_key", "key_file")):
        if values.get(key):
            out[name] = str(values[key])
    if values.get("insecure"):
        out["insecure_skip_verify"] = True
    return out


def _refused_note(resolved: ResolvedSettings) -> str:
    asked = sorted({r.key for r in resolved.refused})
    if not asked:
        return ""
    return f"; the doc asks for {', '.join(asked)}, which only the runner may grant: not in this module"


def _json_keys(documented: Any) -> list[str]:
    """The documented JSON object's top-level keys that a regexp can find in any valid answer: printable
    ASCII without a quote, backslash or slash (an encoder may escape those, or non-ASCII, as ``\\uXXXX``)."""
    if not isinstance(documented, dict):
        return []
    keys = [k for k in documented if k and all(" " <= c <= "~" and c not in '"\\/' for c in k)]
    return keys[:_MAX_KEYS]


def _key_patterns(req: PreparedRequest) -> list[str]:
    """``fail_if_body_not_matches_regexp``: each documented top-level key present, where every accepted
    answer has the documented body (a GET whose accepted statuses are all 2xx). An empty body passes
    too only when the doc's own ``expect_status`` accepts a 204 or 205 (no body): the default 2xx does
    not make an empty answer a documented one (verify's contract check fails it too)."""
    accepted = req.accepted if req.accepted is not None else frozenset(range(200, 300))
    if req.method != "GET" or not all(200 <= s < 300 for s in accepted):
        return []
    empty = "(?s)^\\s*$|" if req.accepted is not None and accepted & {204, 205} else ""
    return [f'{empty}"{re.escape(k)}"\\s*:' for k in _json_keys(req.documented)]


def _health_url(integ: Integration, host: str, port: int, https: bool, moved: bool) -> str | None:
    """The doc's Health Check (or Monitoring → Check Health) when it is a plain GET of a URL on the
    integration's own host and port (``curl -fsS http://host:port/healthz``): as the doc writes it, or
    moved to the target's host and port when ``--target`` names another instance (``moved``). It was
    always moved to the Endpoint's port: a health check on :9200 was exported on the Endpoint's :9201
    (round 57)."""
    own = {(host, port)}
    if integ.destination_host and integ.destination_port:
        own.add((integ.destination_host, integ.destination_port))
    for command in (integ.health_check, integ.monitoring.health_check):
        if not command or _SENDS_DATA.search(command):
            continue
        for url in _HEALTH_URL.findall(command):
            parts = urlsplit(url.rstrip(".,;)"))
            try:
                url_port = parts.port or (443 if parts.scheme == "https" else 80)
            except ValueError:
                continue
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            if (parts.hostname, url_port) in own and "@" not in parts.netloc and not _secret_params(path):
                if not moved:
                    return f"{parts.scheme or 'http'}://{hostport(parts.hostname, url_port)}{path}"
                return f"{'https' if https else 'http'}://{hostport(host, port)}{path}"
    return None


@dataclass(frozen=True, slots=True)
class _Probe:
    prober: str
    target: str
    body: dict[str, Any]
    checks: str
    not_checked: str
    tls: bool = False


def _connect_only(
    host: str, port: int, tls: bool, tls_config: dict[str, Any], not_checked: str, *, only: bool = True
) -> _Probe:
    """A ``tcp`` module that connects (and shakes hands for TLS); ``only``: and nothing more."""
    body: dict[str, Any] = {"tls": True} if tls else {}
    if tls and tls_config:
        body["tls_config"] = tls_config
    shake = " and a TLS handshake (certificate verified)" if tls else ""
    checks = f"{'connect only: ' if only else ''}a TCP connection to {hostport(host, port)}{shake}"
    return _Probe("tcp", hostport(host, port), body, checks, not_checked, tls)


def _http(integ: Integration, target: Target, resolved: ResolvedSettings, interval: str) -> _Probe:
    values = resolved.values
    settings = {"expect_status": values["expect_status"]} if "expect_status" in values else {}
    req = prepare_request(ProbeContext(integ, target, 5.0, settings))
    scheme = "https" if req.https else "http"
    base = f"{scheme}://{hostport(req.host, req.port)}"
    tls_config = _tls_config(values) if req.https else {}
    refused = _refused_note(resolved)
    headers = ""
    if values.get("headers_from_env"):
        names = ", ".join(sorted(values["headers_from_env"]))
        headers = f"; the {names} header(s) of headers_from_env are not sent (blackbox reads no environment)"
    if req.method in WRITE_METHODS:
        write = f"{req.label} is not sent: it is not idempotent, and blackbox would send it every {interval}"
        health = _health_url(integ, req.host, req.port, req.https, target.explicit)
        if health is None:
            return _connect_only(
                req.host,
                req.port,
                req.https,
                tls_config,
                f"{write}; the doc has no Health Check URL on this host{refused}",
            )
        body: dict[str, Any] = {"method": "GET", "follow_redirects": False}
        secure = health.startswith("https://")
        if secure:
            body["fail_if_not_ssl"] = True
        if tls_config and secure:
            body["tls_config"] = tls_config
        checks = f"GET {health} (the doc's Health Check) answers 2xx"
        return _Probe(
            "http", health, body, checks, f"{write}; nor its documented response{headers}{refused}", secure
        )
    body = {"method": req.method, "follow_redirects": False}
    if req.accepted is not None:
        body["valid_status_codes"] = sorted(req.accepted)
    if req.documented is not None:
        body["headers"] = {"Accept": "application/json"}
    if req.https:
        body["fail_if_not_ssl"] = True
    if tls_config:
        body["tls_config"] = tls_config
    patterns = _key_patterns(req)
    if patterns:
        body["fail_if_body_not_matches_regexp"] = patterns
    url = f"{base}{req.path}"
    checks = f"{req.label} at {base} answers {req.expected_text}"
    if req.https:
        checks += " over TLS (certificate verified)"
    keys = _json_keys(req.documented) if patterns else []
    if keys:
        checks += f", its body naming the documented top-level keys ({', '.join(keys)})"
    not_checked = "the JSON types and nested keys of the response (verify's contract check)"
    if req.documented is not None and not patterns:
        not_checked = "the documented response (no body pattern holds for every accepted answer)"
    return _Probe("http", url, body, checks, f"{not_checked}{headers}{refused}", req.https)


def _grpc(integ: Integration, target: Target, resolved: ResolvedSettings) -> _Probe | str:
    values = resolved.values
    forced = values.get("tls")
    secure = (
        bool(forced)
        if forced is not None
        else ((target.scheme or "").lower() in ("https", "grpcs") or integ.tls)
    )
    port = target.port or (443 if secure else None)
    if port is None:
        return "no port to connect to (Destination: name (host:port))"
    service = str(values.get("grpc_service") or "")
    body: dict[str, Any] = {"service": service, "tls": secure}
    if secure and (tls_config := _tls_config(values)):
        body["tls_config"] = tls_config
    what = f"service {service!r}" if service else "the whole server"
    checks = f"grpc.health.v1.Health/Check of {what} at {hostport(target.host, port)} answers SERVING"
    if secure:
        checks += " over TLS (certificate verified)"
    call = f" ({integ.endpoint})" if integ.endpoint else ""
    not_checked = f"the documented call{call} and its response{_refused_note(resolved)}"
    if not service and (named := endpoint_service(integ)):
        # verify and serve ask the Endpoint's service first (the whole server only when it is not
        # registered): a NOT_SERVING service behind a SERVING server is red there and green here
        not_checked += (
            f"; the health of {named} itself, which verify and serve ask first (blackbox cannot fall back "
            f'as they do): set grpc_service = "{named}" to probe it'
        )
    return _Probe("grpc", hostport(target.host, port), body, checks, not_checked, secure)


def _redis_auth(integ: Integration) -> str | None:
    """What says the doc's Redis wants AUTH: a URL with user info, a password variable, or the words."""
    for var in integ.env_vars:
        value = (var.value or "").strip().strip("\"'")
        if value.lower().startswith(("redis://", "rediss://")) and "@" in value.partition("://")[2]:
            return f"${var.name} has user info"
        if var.name.upper().endswith(_PASSWORD_SUFFIXES):
            return f"${var.name}"
    if re.search(r"\bAUTH\b|requirepass|password", integ.connection_string or "", re.IGNORECASE):
        return "its Connection String"
    return None


def _websocket(integ: Integration, target: Target, resolved: ResolvedSettings) -> _Probe:
    ctx = ProbeContext(integ, target, 5.0, {})
    url = urlsplit(ws_protocol.url(ctx))
    tls = url.scheme == "wss"
    port = url.port or (443 if tls else 80)
    host = url.hostname or target.host
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {hostport(host, port)}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {_WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r"
    )  # blackbox ends each send with "\n": the request ends with the blank line HTTP wants
    _, token = ws_protocol.auth_header(ctx)  # the environment is not read: only whether the doc names one
    # a token written in the doc itself is not sent either (the probe failed on a healthy server: round 52)
    literal = token is None and _ANY_AUTH.search(integ.connection_string or "") is not None
    statuses = "101|401|403" if token or literal else "101"
    body: dict[str, Any] = {"tls": True} if tls else {}
    if tls and (tls_config := _tls_config(resolved.values)):
        body["tls_config"] = tls_config
    body["query_response"] = [{"send": request}, {"expect": f"^HTTP/1\\.[01] ({statuses}) "}]
    where = hostport(host, port)
    checks = f"the WebSocket opening handshake for {path} at {where} answers 101 Switching Protocols"
    if tls:
        checks += " over TLS (certificate verified)"
    not_checked = "the documented exchange (no message is sent)"
    if token:
        checks += f" (or 401/403: the doc's Authorization header, ${token}, is not sent)"
        not_checked += f" and the ${token} token"
    elif literal:
        checks += " (or 401/403: the doc's Authorization header is not sent)"
        not_checked += " and the token"
    return _Probe("tcp", hostport(host, port), body, checks, f"{not_checked}{_refused_note(resolved)}", tls)


def _tcp(integ: Integration, target: Target, proto: str, resolved: ResolvedSettings) -> _Probe | str:
    scheme = (target.scheme or "").lower()
    tls = proto in _TLS_SCHEMES and (scheme == _TLS_SCHEMES[proto] or integ.tls)
    plain, secure = _TCP_PORTS[proto]
    port = target.port or (secure if tls else plain)
    if port is None:
        return "no port to connect to (Destination: name (host:port))"
    tls_config = _tls_config(resolved.values) if tls else {}
    refused = _refused_note(resolved)
    name = integ.protocol_raw or proto
    if proto == "redis":
        auth = _redis_auth(integ)
        if auth is not None:
            why = f"PING: the doc's Redis wants AUTH ({auth}), which blackbox cannot send"
            return _connect_only(target.host, port, tls, tls_config, why + refused)
        probe = _connect_only(target.host, port, tls, tls_config, "", only=False)
        probe.body["query_response"] = [{"send": "PING"}, {"expect": "^\\+PONG"}, {"send": "QUIT"}]
        checks = f"{probe.checks}, then PING answered +PONG (a Redis without AUTH)"
        return _Probe(
            "tcp",
            probe.target,
            probe.body,
            checks,
            f"credentials, the database number and the documented commands{refused}",
            tls,
        )
    if proto == "nats":
        probe = _connect_only(target.host, port, False, {}, "", only=False)
        step: dict[str, Any] = {"expect": "^INFO "}
        if tls:  # NATS sends INFO in plaintext, then the client starts TLS
            step["starttls"] = True
            if tls_config:
                probe.body["tls_config"] = tls_config
        probe.body["query_response"] = [step]
        checks = f"{probe.checks}, then the server's INFO banner" + (
            ", then a TLS handshake (certificate verified)" if tls else ""
        )
        return _Probe(
            "tcp",
            probe.target,
            probe.body,
            checks,
            f"CONNECT, credentials and the documented subjects{refused}",
            tls,
        )
    if proto == "postgresql":
        note = "; TLS is not checked (PostgreSQL negotiates it inside its own protocol)" if integ.tls else ""
        return _connect_only(
            target.host, port, False, {}, f"the PostgreSQL handshake, login and query{note}{refused}"
        )
    if proto in ("amqp", "mqtt"):
        return _connect_only(
            target.host,
            port,
            tls,
            tls_config,
            f"the {name} handshake, login and the documented exchange{refused}",
        )
    return _connect_only(target.host, port, False, {}, f"what answers (nothing is sent){refused}")


def _probe(integ: Integration, target: Target, resolved: ResolvedSettings, interval: str) -> _Probe | str:
    proto = probe_name(integ.protocol)
    if proto == "http":
        return _http(integ, target, resolved, interval)
    if proto == "grpc":
        return _grpc(integ, target, resolved)
    if proto == "websocket":
        return _websocket(integ, target, resolved)
    return _tcp(integ, target, proto if proto in _TCP_PORTS else "tcp", resolved)


def _module_name(integ: Integration, taken: set[str]) -> str:
    base = "wiremap_" + re.sub(r"[^A-Za-z0-9_-]", "_", integ.id)
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def plan(
    integrations: Iterable[Integration],
    config: Config,
    options: Options,
    owner_of: Callable[[Integration], str | None] = lambda i: i.maintained_by,
) -> Export:
    """Each integration's module, or why it is skipped."""
    modules: list[Module] = []
    skipped: list[Skipped] = []
    taken: set[str] = set()
    for integ in integrations:
        try:
            target = resolve_target(integ, options.targets, options.env)
        except UsageError as exc:  # the doc's Endpoint has a bad port
            skipped.append(Skipped(integ, str(exc)))
            continue
        if target is None:
            skipped.append(Skipped(integ, "no destination host in the doc (Destination: name (host:port))"))
            continue
        if target.port is not None and not 1 <= target.port <= 65535:
            skipped.append(Skipped(integ, f"port {target.port} of {target.host} is not in 1-65535 (VAL007)"))
            continue
        carried = doc_credentials_message(integ, target)
        if carried is None and (params := _secret_params(target.path)):
            names = ", ".join(params)
            carried = f"the URL carries a credential in its query ({names}): exported files hold none"
        if carried is not None:
            skipped.append(Skipped(integ, carried))
            continue
        resolved = resolve_settings(integ, config)
        interval_s = options.interval_s
        if "interval" in resolved.values:
            text = str(resolved.values["interval"])
            ms = float(text) * 1000 if text.replace(".", "", 1).isdigit() else parse_duration_ms(text)
            interval_s = (ms or options.interval_s * 1000) / 1000
        try:
            probe = _probe(integ, target, resolved, duration(interval_s))
        except ConfigError as exc:
            skipped.append(Skipped(integ, str(exc)))
            continue
        if isinstance(probe, str):
            skipped.append(Skipped(integ, probe))
            continue
        modules.append(
            Module(
                integ,
                _module_name(integ, taken),
                probe.prober,
                probe.target,
                probe.body,
                probe.checks,
                probe.not_checked,
                probe.tls,
                owner_of(integ),
                interval_s,
                int(resolved.values.get("down_after") or options.down_after),
                min(options.timeout_s, interval_s),
            )
        )
    return Export(tuple(modules), tuple(skipped))


# ---------------------------------------------------------------------------------------------
# The files

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    # a JSON string is a YAML double-quoted scalar (the escapes alike); what YAML reads as a line break or
    # does not allow (U+2028, U+0085, …) is escaped
    text = json.dumps(str(value), ensure_ascii=False)
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(c: str) -> str:
    return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"


def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else _scalar(key)


def _inline(value: Any) -> str | None:
    """A value written on its key's line: scalars, empty collections, lists of scalars."""
    if isinstance(value, Mapping):
        return "{}" if not value else None
    if isinstance(value, list):
        if all(not isinstance(v, Mapping | list) for v in value):
            return "[" + ", ".join(_scalar(v) for v in value) + "]"
        return None
    return _scalar(value)


def _yaml(value: Any, indent: int = 0) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, Mapping):
        for k, v in value.items():
            shown = _inline(v)
            if shown is not None:
                out.append(f"{pad}{_key(k)}: {shown}")
            else:
                out.append(f"{pad}{_key(k)}:")
                out.extend(_yaml(v, indent + 2))
    else:
        for item in value:
            shown = _inline(item)
            if shown is not None:
                out.append(f"{pad}- {shown}")
            else:
                lines = _yaml(item, indent + 2)
                out.append(f"{pad}- {lines[0].lstrip()}")
                out.extend(lines[1:])
    return out


def _comment(text: str, indent: int = 0) -> str:
    flat = re.sub(r"[\r\n\x85\u2028\u2029]+", " ", text)
    return f"{' ' * indent}# {flat}".rstrip()


def _header(what: str) -> list[str]:
    return [
        f"# {what}",
        "# Written by `wiremap export prometheus` from the integration docs: edit the docs, not this file,",
        "# and export again (docs/commands/export.md).",
    ]


def _blackbox(export: Export) -> str:
    lines = _header("blackbox_exporter modules, one per integration.")
    lines.append("modules:" if export.modules else "modules: {}")
    for m in export.modules:
        integ = m.integration
        lines.append("")
        lines.append(_comment(f"{integ.id}: {integ.name}, {integ.protocol or 'tcp'} ({integ.path})", 2))
        lines.append(_comment(f"checks: {m.checks}", 2))
        lines.append(_comment(f"does not check: {m.not_checked}", 2))
        module: dict[str, Any] = {"prober": m.prober, "timeout": duration(m.timeout_s)}
        if m.body:
            module[m.prober] = m.body
        lines.extend(_yaml({m.name: module}, 2))
    if export.skipped:
        lines.append("")
        lines.append("# Not exported:")
        lines.extend(_comment(f"{s.integration.id}: {s.why}", 0) for s in export.skipped)
    return "\n".join(lines) + "\n"


def jobs(export: Export) -> dict[str, list[Module]]:
    out: dict[str, list[Module]] = {}
    for m in sorted(export.modules, key=lambda m: (m.interval_s, m.integration.id)):
        out.setdefault(m.job, []).append(m)
    return out


def _targets(modules: list[Module]) -> str:
    groups = [{"targets": [m.target], "labels": m.labels} for m in modules]
    return json.dumps(groups, indent=2) + "\n"


def _prometheus(export: Export, options: Options) -> str:
    lines = _header("Scrape jobs of the blackbox_exporter that runs the modules of blackbox.yml.")
    lines += [
        "# Merge scrape_configs and rule_files into your prometheus.yml. For `for:` in rules.yml to count",
        "# probes, keep the global evaluation_interval no longer than the shortest scrape_interval here.",
    ]
    scrape: list[dict[str, Any]] = []
    for job, modules in jobs(export).items():
        interval = modules[0].interval_s
        scrape.append(
            {
                "job_name": job,
                "metrics_path": "/probe",
                "scrape_interval": duration(interval),
                "scrape_timeout": duration(min(interval, max(m.timeout_s for m in modules) + 1)),
                "file_sd_configs": [{"files": [f"targets/{job}.json"]}],
                "relabel_configs": [
                    {"source_labels": ["__address__"], "target_label": "__param_target"},
                    {"source_labels": ["module"], "target_label": "__param_module"},
                    {"source_labels": ["__param_target"], "target_label": "instance"},
                    {"target_label": "__address__", "replacement": options.exporter},
                ],
            }
        )
    lines.extend(_yaml({"rule_files": [RULES], "scrape_configs": scrape}))
    return "\n".join(lines) + "\n"


def _promql(value: str) -> str:
    return json.dumps(value)  # a PromQL string literal takes Go's escapes, JSON's among them


def alert_rules(m: Module, options: Options) -> list[dict[str, Any]]:
    integ = m.integration
    selector = f"job={_promql(m.job)}, integration={_promql(integ.id)}"
    labels = {"integration": integ.id, "critical": m.critical}
    if m.owner:
        labels["owner"] = m.owner
    owner = f" Owner: {m.owner}." if m.owner else ""
    doc = f" Doc: {integ.path}.{owner}"
    wait = duration(m.down_after * m.interval_s)
    rules: list[dict[str, Any]] = [
        {
            "alert": "WiremapIntegrationDown",
            "expr": f"probe_success{{{selector}}} == 0",
            "for": wait,
            "labels": {"severity": "critical" if integ.critical_path else "warning", **labels},
            "annotations": {
                "summary": f"{integ.name} is down",
                "description": (
                    f"Every probe of {{{{ $labels.instance }}}} has failed for {wait} ({m.down_after} "
                    f"intervals of {duration(m.interval_s)}). The probe: {m.checks}.{doc}"
                ),
            },
        }
    ]
    p99 = integ.latency_ms.p99
    if p99 is not None and p99 > 0:
        rules.append(
            {
                "alert": "WiremapIntegrationSlow",
                "expr": (
                    f"quantile_over_time(0.99, probe_duration_seconds{{{selector}}}[{LATENCY_WINDOW}])"
                    f" > {p99 / 1000:g}"
                ),
                "labels": {"severity": "warning", **labels},
                "annotations": {
                    "summary": f"{integ.name} is slower than its documented P99 of {p99:g} ms",
                    "description": (
                        f"The p99 of the probes' durations over the last {LATENCY_WINDOW} is "
                        "{{ $value | humanizeDuration }}, above the documented P99 of "
                        f"{p99:g} ms. A probe is one whole fresh exchange (DNS, connect, TLS, the request); "
                        f"failed probes count with their duration.{doc}"
                    ),
                },
            }
        )
    if m.tls:
        rules.append(
            {
                "alert": "WiremapCertificateExpiring",
                "expr": (
                    f"probe_ssl_earliest_cert_expiry{{{selector}}} - time() < {options.cert_days} * 86400"
                ),
                "labels": {"severity": "warning", **labels},
                "annotations": {
                    "summary": f"The TLS certificate of {integ.name} expires within {options.cert_days} days",
                    "description": (
                        "The earliest certificate of the chain {{ $labels.instance }} presents expires in "
                        f"{{{{ $value | humanizeDuration }}}}.{doc}"
                    ),
                },
            }
        )
    return rules


def _rules(export: Export, options: Options) -> str:
    lines = _header("Alerting rules on the blackbox probes of prometheus.yml's wiremap jobs.")
    lines += [
        "# WiremapIntegrationDown: probe_success == 0 for N scrape intervals (the doc's down_after,",
        "#   else --for).",
        f"# WiremapIntegrationSlow: the p99 of probe_duration_seconds over {LATENCY_WINDOW} above the doc's",
        "#   P99. blackbox measures one duration per probe, a fresh connection each time, not the client's",
        "#   calls: this compares the doc's promise with the probes' durations, failed ones included.",
        f"# WiremapCertificateExpiring: TLS targets whose certificate expires within {options.cert_days}",
        "#   days.",
    ]
    rules = [r for m in export.modules for r in alert_rules(m, options)]
    lines.extend(_yaml({"groups": [{"name": "wiremap", "rules": rules}]}))
    return "\n".join(lines) + "\n"


def render(export: Export, options: Options) -> dict[str, str]:
    """File name (relative to the output folder) -> text."""
    out = {
        BLACKBOX: _blackbox(export),
        PROMETHEUS: _prometheus(export, options),
        RULES: _rules(export, options),
    }
    for job, modules in jobs(export).items():
        out[f"targets/{job}.json"] = _targets(modules)
    return out
