"""A first draft of the doc for an undocumented integration found by ``discover --scaffold``."""

from __future__ import annotations

import ipaddress
import re
from posixpath import basename

from ..document.scaffold import scaffold
from ..values import slugify
from .discover import Group
from .index import SourceIndex
from .locate import as_written

__all__ = ["draft_doc"]

_PROTOCOL_NAMES = {
    "http": "HTTP",
    "grpc": "gRPC",
    "websocket": "WebSocket",
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "sqlite": "SQLite",
    "sql": "SQL",
    "mongodb": "MongoDB",
    "elasticsearch": "Elasticsearch",
    "redis": "Redis",
    "amqp": "AMQP",
    "nats": "NATS",
    "mqtt": "MQTT",
    "kafka": "Kafka",
    "aws": "AWS",
    "gcp": "Google Cloud",
    "smtp": "SMTP",
}
_ENV_NOISE = re.compile(
    r"_(URL|URI|DSN|ADDR|ADDRESS|HOST|HOSTS|ENDPOINT|SERVERS?|BROKERS?|"
    r"AMQP|REDIS|GRPC|WS|HTTP|DB|DATABASE|NATS|MQTT|KAFKA)$"
)


_CLASS_NOISE = re.compile(r"(?:Client|Api|API|Service|Gateway|Adapter|Connector|Repository|Session)+$")


# libraries any peer is reached with: they say nothing of which peer it is
_GENERIC = frozenset(
    [
        "requests",
        "httpx",
        "aiohttp",
        "urllib",
        "urllib3",
        "http",
        "socket",
        "smtplib",
        "imaplib",
        "poplib",
        "ftplib",
        "ssl",
        "websockets",
        "websocket",
        "grpc",
        "psycopg",
        "psycopg2",
        "psycopg_pool",
        "asyncpg",
        "pymysql",
        "MySQLdb",
        "mysql",
        "sqlite3",
        "aiosqlite",
        "sqlalchemy",
        "redis",
        "pika",
        "aio_pika",
        "kombu",
        "nats",
        "paho",
        "aiomqtt",
        "kafka",
        "aiokafka",
        "confluent_kafka",
        "pymongo",
        "motor",
        "elasticsearch",
        "boto3",
        "botocore",
        "celery",
        "net",
        "database",
        "axios",
        "fetch",
        "node-fetch",
        "got",
        "undici",
        "ioredis",
        "pg",
        "mysql2",
        "amqplib",
        "mqtt",
        "java",
        "javax",
        "jakarta",
        "okhttp3",
        "browser",
        "django",
        "flask_mail",
        "amazon",
        "springframework",
        "apache",
    ]
)
_VENDOR_NOISE = re.compile(r"[-_ ]?(?:sdk|client|api|python|py|lib|go|js|node)$", re.IGNORECASE)


def _vendor(client: str) -> str | None:
    """The vendor a client's package names (``twilio.rest.Client`` → Twilio, ``slack_sdk`` → Slack,
    ``github.com/slack-go/slack.New`` → Slack), None for the generic libraries."""
    tail = client.split("/")[-1] if "/" in client and not client.startswith("@") else client
    parts = tail.lstrip("@").replace("/", ".").split(".")
    if parts[0] in ("com", "org", "io", "net", "cn", "me", "software") and len(parts) > 2:
        parts = parts[1:]  # a Java package: com.alipay.api → alipay
    head = parts[0]
    if not head or head in _GENERIC or head.startswith(("?", "~")):
        return None
    if head == "google" and len(parts) > 2 and parts[1] == "cloud":
        return _title(f"google cloud {parts[2]}")  # google.cloud.storage → Google Cloud Storage
    name = head
    while (stripped := _VENDOR_NOISE.sub("", name)) != name and stripped:
        name = stripped
    return _title(name) if len(name) > 1 else None


def _split_camel(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)


def _title(words: str) -> str:
    return " ".join(w.capitalize() for w in re.split(r"[\s_\-.]+", words) if w)


# folders that say how code is laid out, not whose it is: ``services/web/src/cache.js`` is Web's ("Src → Web"
# was drafted: new user, round 48)
_LAYOUT_DIRS = frozenset(
    [
        "src",
        "lib",
        "libs",
        "app",
        "apps",
        "source",
        "sources",
        "internal",
        "pkg",
        "cmd",
        "main",
        "java",
        "kotlin",
        "python",
        "py",
        "js",
        "ts",
        "server",
        "client",
        "code",
        "core",
        "dist",
        "build",
    ]
)


# folders that hold one service each (``services/web``) and folders named for a role inside one
# (``src/clients``): drafts of services/web were "Clients → Catalog" and "Routes → Search" beside
# "Web → …" (new user, round 63)
_CONTAINERS = frozenset(
    ["services", "apps", "packages", "modules", "microservices", "projects", "components"]
)
_ROLE_DIRS = frozenset(
    [
        "clients",
        "client",
        "routes",
        "handlers",
        "controllers",
        "api",
        "apis",
        "adapters",
        "integrations",
        "repositories",
        "repository",
        "db",
        "models",
        "utils",
        "util",
        "helpers",
        "config",
        "infra",
        "infrastructure",
        "gateways",
        "external",
        "providers",
        "services",
        "service",
        "workers",
        "jobs",
        "tasks",
        "store",
        "storage",
    ]
)


def _source_name(group: Group, root_name: str) -> str:
    parts = [p for p in group.source_dir.split("/") if p]
    held = next((i for i, p in enumerate(parts[:-1]) if p.lower() in _CONTAINERS), None)
    if held is not None and parts[held + 1].lower() not in _LAYOUT_DIRS:
        return _title(parts[held + 1]) or "Source"
    while parts and (parts[-1].lower() in _LAYOUT_DIRS or parts[-1].lower() in _ROLE_DIRS):
        parts.pop()
    folder = parts[-1] if parts else root_name
    return _title(folder) or "Source"


def _destination_name(group: Group, source: str = "") -> str:
    proto = _PROTOCOL_NAMES.get(group.protocol, group.protocol)
    if group.env:
        name = group.env
        while (stripped := _ENV_NOISE.sub("", name)) != name:
            name = stripped
        if name and _title(name) != source:
            return _title(name)
        if name:  # ORDERS_REDIS_URL in orders/: not "Orders → Orders" (a self-loop in graph: round 42)
            return f"{_title(name)} {proto}"
    if group.destination:
        host = group.destination.rsplit(":", 1)[0]
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return host
    if (vendor := _vendor(group.first.client)) is not None and vendor != source:
        return vendor  # ``twilio.rest.Client`` → Twilio, ``slack_sdk.WebClient`` → Slack (round 43)
    if group.destination:
        return f"{proto} server {group.destination}"
    # nothing names the peer: the class that calls it (``GeoClient`` → Geo), else the file (``stock.go``
    # → Stock); two undocumented groups were both "HTTP server", one node in graph and a CAT001 duplicate
    # between the drafts (new user, round 39)
    first = group.first
    top = first.scope.split(".")[0] if first.scope else ""
    named = _CLASS_NOISE.sub("", top) if top[:1].isupper() else ""
    stem = basename(first.path).rsplit(".", 1)[0]
    name = _title(_split_camel(named or stem))
    return f"{name} ({proto})" if name != source else f"{name} {proto}"


def _draft_env(group: Group, index: SourceIndex, client: str, source: str) -> list[str]:
    """The variables the draft lists: those its sites are configured by, then every other one SRC006 would
    ask of it (its Client's code reads them: SMTP_PORT, SMTP_USER beside SMTP_HOST; fresh drafts were
    flagged by SRC006: new user, round 63)."""
    from ..model import Integration, SourceRef
    from .scope import integration_env_reads

    names = [
        sc.site.env for sc in sorted(group.sites, key=lambda sc: (sc.site.path, sc.site.line)) if sc.site.env
    ]
    f = index.files.get(group.first.path)
    if f is not None and not f.error:
        try:
            lines = (index.root / f.path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        path, _, at = source.rpartition(":")
        integ = Integration(
            id="draft", path="draft.md", client=client, source_ref=SourceRef(path=path, line=int(at))
        )
        names += [r.name for r in integration_env_reads(integ, f, lines) if lines]
    return list(dict.fromkeys(n for n in names if n))


def draft_doc(group: Group, index: SourceIndex, taken: set[tuple[str, str]] | None = None) -> tuple[str, str]:
    """``(file name, Markdown)`` of a scaffolded doc with what the code says filled in. ``taken``: the
    titles of the run's drafts so far; a title taken gets a number (two drafts titled "Billing → Vendors
    (HTTP)" were one integration to lint, CAT001: new user, round 43)."""
    first = group.first
    source = _source_name(group, index.root.name)
    destination = _destination_name(group, source)
    if taken is not None:
        base, n = destination, 2
        while (source, destination) in taken:
            destination, n = f"{base} {n}", n + 1
        taken.add((source, destination))
    top = first.scope.split(".")[0] if first.scope else ""
    line = first.line
    f = index.files.get(first.path)
    # as the code writes it (``http.Get``, not ``net/http.Get``): the Client lint and sync then find
    client = as_written(f, first.client) if f is not None else first.client
    if top[:1].isupper() and f is not None:
        cls = next((d for d in f.definitions if d.qualname == top and d.kind == "class"), None)
        if cls is not None:
            client, line = cls.name, cls.line
    text = scaffold(
        source,
        destination,
        protocol=_PROTOCOL_NAMES.get(group.protocol, group.protocol),
        dest=group.destination,
        client=client,
        source_ref=f"{first.path}:{line}",
        env=_draft_env(group, index, client, f"{first.path}:{line}"),
    )
    return f"{slugify(f'{source} to {destination}')}.md", text
