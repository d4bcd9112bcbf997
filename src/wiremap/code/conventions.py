"""Integrations recognised by convention, not by a list of clients: what a third-party callee's name says.

A closed table of clients cannot keep up with PyPI, but client libraries follow a few conventions that a
reader recognises on sight. A call whose callee resolves to a third-party package (not the standard
library, not the project: the project's own modules are dropped at link time, when the tree is known)
opens a connection or builds a client when

* it is DB-API 2.0's ``connect`` (or ``connect_*``) on the package or a submodule
  (``somedb.connect(...)``, ``vendor.connector.connect(...)``);
* it constructs a class whose name says what it is: ``*Client``, ``*Connection``, ``*Session``,
  ``*Cluster``, ``*Engine``, ``*Producer``, ``*Consumer``, ``*Channel``, ``*Forwarder`` — and, for a
  package of the client table (:mod:`wiremap.code.packages`), ``*Pool`` and the package's namesake class
  (``minio.Minio``, ``simple_salesforce.Salesforce``);
* it is a factory: ``create_engine``, ``create_client``, ``from_url``/``from_dsn``, ``open_tunnel``… and,
  for a listed package, ``build``/``client``/``resource`` (``discovery.build``, ``boto3.client``).

Names that say the opposite are never sites: errors, configuration, credentials, adapters, test doubles.
The protocol comes from the package table, else ``unknown``: the site is reported all the same.
A constructor given nothing (``SSHClient()``, ``Client()``) holds no destination yet: the object's
``connect``/``open``/``perform``/``notify`` call is the site.
"""

from __future__ import annotations

import re
import sys
from functools import cache

from .clients import FUNCTIONS, METHOD_NAMES, Api
from .packages import package_of

__all__ = [
    "OAUTH_CLASS",
    "OAUTH_METHODS",
    "OPEN_METHODS",
    "PENDING_NAMES",
    "STDLIB",
    "URL_KEYWORDS",
    "convention_api",
    "is_convention_type",
    "is_third_party",
    "not_a_client",
    "opened",
    "scheme_protocol",
    "unbound_type",
]

STDLIB = frozenset(sys.stdlib_module_names)

_SUFFIXES = (
    "Client",
    "Connection",
    "Session",
    "Cluster",
    "Engine",
    "Producer",
    "Consumer",
    "Channel",
    "Forwarder",
)
_LISTED_SUFFIXES = (*_SUFFIXES, "Pool", "Stub")
_CONNECTS = frozenset({"connect", "connect_async", "connect_robust", "connect_url", "connect_to_server"})
_NOT_A_CLIENT = re.compile(
    r"(?:Error|Exception|Warning|Config|Configuration|Options|Settings|Parameters|Params|Credentials|Auth"
    r"|Adapter|Retry|Timeout|Policy|Request|Response|Message|Builder|Factory|Handler|Protocol|Mixin|Base"
    r"|Type|Info|Result|Results|Status|Wrapper)$"
    r"|^(?:Test|Mock|Fake|Dummy|Base|Abstract)"
)
_FACTORIES = frozenset(
    {
        "create_engine",
        "create_async_engine",
        "create_client",
        "create_pool",
        "create_connection",
        "create_async_pool",
        "from_url",
        "from_dsn",
        "from_uri",
        "from_connection_string",
        "open_tunnel",
    }
)
_LISTED_FACTORIES = frozenset({*_FACTORIES, "build", "client", "resource", "from_env"})
# packages whose *Session / *Engine / connect are not a network peer (an ORM unit of work, a tensor
# runtime, a Qt signal), and web frameworks whose test clients and signals look like clients
_NOT_NETWORK = (
    "sqlalchemy.orm",
    "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlmodel",
    "tensorflow",
    "onnxruntime",
    "torch",
    "keras",
    "django",
    "flask",
    "werkzeug",
    "starlette",
    "fastapi",
    "blinker",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "PySide6",
    "gi",
    "unittest",
    "pytest",
    "mock",
    "responses",
    "respx",
    "aioresponses",
    "moto",
    "fakeredis",
    "mongomock",
)
# a keyword that hands a third-party class a connection URL (``Limiter(storage_uri=…)``)
URL_KEYWORDS = frozenset(
    {
        "storage_uri",
        "broker",
        "broker_url",
        "dsn",
        "connection_string",
        "redis_url",
        "database_url",
        "db_url",
        # the address of an API a client class is given (``Ollama(base_url=…)``, ``OpenAILike(api_base=…)``)
        "base_url",
        "api_base",
        "api_url",
        "api_base_url",
        "base_uri",
        "endpoint_url",
        "server_url",
        "service_url",
        "host_url",
    }
)
# OAuth 2 clients (``GoogleOAuth2(id, secret)``, ``OAuth2Session``): their token calls reach the token
# endpoint
OAUTH_CLASS = re.compile(r"OAuth2?(?:Client|Session)?$|OAuth2\w*$")
# a class named after its provider (``GoogleOAuth2``, ``MicrosoftGraphOAuth2``) is bound to that provider's
# token endpoint: built with its credentials, it is a site of its own (two labellers of paperless-ngx both
# counted it). A generic one (``OAuth2Session(client_id)``, ``AsyncOAuth2Client``) goes where its token
# call says: that call is the site.
_GENERIC_OAUTH = frozenset(
    {"", "Async", "Base", "Backend", "Legacy", "Web", "Mobile", "Application", "Requests"}
)
OAUTH_METHODS = frozenset(
    {
        "get_access_token",
        "refresh_token",
        "fetch_token",
        "refresh_access_token",
        "fetch_access_token",
        "revoke_token",
    }
)
# names whose call on an object of another project module may be a client call, decided by the linker:
# a client type's method (``http.get``) or a re-exported client module's function (``httplib.HTTPConnection``)
PENDING_NAMES = METHOD_NAMES | frozenset(name.rsplit(".", 1)[-1] for name in FUNCTIONS)
# classes of client packages that are not a connection of their own
_NOT_CLIENTS = frozenset({"rq.Connection", "rq.connections.Connection"})
OPEN_METHODS = frozenset({"connect", "connect_async", "open", "login", "perform", "notify", "start"})


def is_third_party(dotted: str) -> bool:
    """Not the standard library, not a relative (project) import. Absolute imports of the project's own
    packages look the same here: the linker drops their sites (see link.py)."""
    root = dotted.split(".", 1)[0]
    return bool(root) and root not in STDLIB and "." in dotted


def _excluded(dotted: str) -> bool:
    return (
        dotted in _NOT_CLIENTS
        or any(dotted == p or dotted.startswith(p + ".") for p in _NOT_NETWORK)
        or any("signal" in part for part in dotted.split(".")[:-1])
    )


def not_a_client(name: str) -> bool:
    """A class name that says it is no client (an error, a config, a response, a test double…)."""
    return _NOT_A_CLIENT.search(name) is not None or name.endswith(
        ("Button", "Image", "Link", "Field", "Model")
    )


def _is_class(name: str) -> bool:
    return name[:1].isupper() and not name.isupper()


@cache
def _classify(dotted: str) -> tuple[str, bool] | None:
    """``(protocol, constructor)`` when ``dotted`` opens or builds something by convention."""
    if not is_third_party(dotted) or _excluded(dotted):
        return None
    _owner, _, last = dotted.rpartition(".")
    package = package_of(dotted)
    protocol = package.protocol if package is not None else "unknown"
    if last in _CONNECTS:
        return protocol, False
    if last in (_LISTED_FACTORIES if package is not None else _FACTORIES):
        return protocol, False
    if not _is_class(last) or _NOT_A_CLIENT.search(last):
        return None
    if OAUTH_CLASS.search(last):
        return "oauth", False
    if last.endswith(_LISTED_SUFFIXES if package is not None else _SUFFIXES):
        return protocol, True
    if package is not None and _namesake(last, package.module, package.distribution):
        return protocol, True
    return None


def _namesake(cls: str, module: str, distribution: str) -> bool:
    """``minio.Minio``, ``simple_salesforce.Salesforce``: the class named after its package."""
    name = cls.lower()
    return len(name) >= 4 and (
        name in module.lower().replace("_", "") or name in distribution.lower().replace("-", "")
    )


def convention_api(dotted: str, given: int) -> Api | None:
    """The site a call of ``dotted`` is by convention. ``given``: 2 the call says where to go, 1 it gives
    options only (a site, and its object's ``connect``/``open``… is one too), 0 nothing (tracked: the
    object's ``connect``/``open``… is the site)."""
    found = _classify(dotted)
    if found is None:
        return None
    protocol, constructor = found
    if protocol == "oauth":  # tracked: its token calls are sites (see :func:`opened`)
        provider = dotted.rpartition(".")[2].partition("OAuth")[0] not in _GENERIC_OAUTH
        return Api("http", site=provider and given >= 1, returns=f"~oauth~{dotted}")
    if not constructor:
        return Api(protocol)
    if given == 2:
        return Api(protocol, returns=f"~{protocol}~{dotted}")
    return Api(protocol, site=given == 1, returns=unbound_type(dotted, protocol))


def unbound_type(dotted: str, protocol: str) -> str:
    return f"~?{protocol}~{dotted}"


def is_convention_type(owner: str) -> tuple[str, bool] | None:
    """``(protocol, unbound)`` for a type made by :func:`convention_api`."""
    if not owner.startswith("~"):
        return None
    unbound = owner.startswith("~?")
    protocol = owner[2 if unbound else 1 :].split("~", 1)[0]
    return protocol, unbound


_SCHEMES = {
    "redis": "redis",
    "rediss": "redis",
    "unix": None,
    "amqp": "amqp",
    "amqps": "amqp",
    "pyamqp": "amqp",
    "librabbitmq": "amqp",
    "mongodb": "mongodb",
    "mongodb+srv": "mongodb",
    "kafka": "kafka",
    "nats": "nats",
    "tls": None,
    "mqtt": "mqtt",
    "mqtts": "mqtt",
    "memcached": "memcached",
    "memcache": "memcached",
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "http": "http",
    "https": "http",
    "ws": "websocket",
    "wss": "websocket",
    "sqs": "aws",
}


def scheme_protocol(target: str) -> str | None:
    """``redis://cache:6379/0`` → ``redis``: the protocol a connection URL names, when it names one."""
    scheme, sep, _ = target.partition("://")
    if not sep:
        return None
    return _SCHEMES.get(scheme.split("+", 1)[0].lower())


def opened(owner: str, method: str) -> Api | None:
    """``client.connect(...)`` on a client built by convention with nothing (``SSHClient()``): the site;
    an OAuth 2 client's token call (``gmail.get_access_token(code=…)``). The indexer and the linker ask it."""
    if owner.startswith("~oauth~"):
        return Api("http", target_arg=None) if method in OAUTH_METHODS else None
    conv = is_convention_type(owner)
    if conv is None or not conv[1] or method not in OPEN_METHODS:
        return None
    return Api(conv[0])
