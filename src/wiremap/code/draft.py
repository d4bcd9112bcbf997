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


def _split_camel(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)


def _title(words: str) -> str:
    return " ".join(w.capitalize() for w in re.split(r"[\s_\-.]+", words) if w)


def _source_name(group: Group, root_name: str) -> str:
    folder = basename(group.source_dir) or root_name
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


def draft_doc(group: Group, index: SourceIndex) -> tuple[str, str]:
    """``(file name, Markdown)`` of a scaffolded doc with what the code says filled in."""
    first = group.first
    source = _source_name(group, index.root.name)
    destination = _destination_name(group, source)
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
    )
    return f"{slugify(f'{source} to {destination}')}.md", text
