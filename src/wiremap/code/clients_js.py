"""The JavaScript/TypeScript client libraries wiremap recognises: one typed table, no if/else chains.

Keys are resolved dotted names: the canonical module (:data:`MODULE_ALIASES` maps ``node:http`` to
``http``, ``mysql2/promise`` to ``mysql2``) followed by the member path, so ``import { Pool } from 'pg'``
then ``new Pool()`` and ``const pg = require('pg')`` then ``new pg.Pool()`` both resolve to ``pg.Pool``.
A default or namespace import resolves to the module itself (``axios(...)`` → ``axios``), and so does
``.default`` of one (compiled ES-module interop). Globals
(``fetch``, ``WebSocket``) resolve to their own name unless the file binds that name.

Adding a library is adding rows here.
"""

from __future__ import annotations

import re

from ._symbols import Api, api_lookup

__all__ = [
    "APIS",
    "GLOBALS",
    "GRPC_GENERATED",
    "MODULE_ALIASES",
    "PREFIXES",
    "TARGET_KEYS",
    "canonical_module",
    "find_api",
    "js_convention",
]

# keys of an options object that name the peer, in order of preference
TARGET_KEYS = (
    "url",
    "baseURL",
    "baseUrl",
    "prefixUrl",
    "uri",
    "connectionString",
    "host",
    "hostname",
    "servers",
    "brokers",
    "node",
    "nodes",
    "endpoint",
    "address",
    "socket.host",
    "socket.path",
    "filename",
)

MODULE_ALIASES = {
    "amqplib/callback_api": "amqplib",
    "mysql2/promise": "mysql2",
    "mysql2/callback": "mysql2",
    "mqtt/dist/mqtt": "mqtt",
    "redis/dist/index": "redis",
    "got/dist/source": "got",
}

# names that resolve without an import, unless the file binds them; "" marks a global object whose
# members are globals themselves (globalThis.fetch)
GLOBALS = {
    "fetch": "fetch",
    "WebSocket": "WebSocket",
    "EventSource": "EventSource",
    "globalThis": "",
    "window": "",
    "self": "",
    "global": "",
}

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")


def _rows(protocol: str, names: str, **kw: object) -> dict[str, Api]:
    return {n: Api(protocol, **kw) for n in names.split()}  # type: ignore[arg-type]


def _verbs(prefix: str, api: Api, verbs: tuple[str, ...] = HTTP_VERBS) -> dict[str, Api]:
    return {f"{prefix}.{v}": api for v in verbs}


_HTTP = Api("http")
# a `new` whose later argument is a grpc.credentials call: a client class generated from a .proto
GRPC_GENERATED = Api("grpc", client="@grpc/grpc-js.Client")

_DNS_MODULES = ("dns", "dns.promises", "dns/promises")
_DNS_LOOKUPS = tuple(
    [
        "resolve",
        "resolve4",
        "resolve6",
        "resolveAny",
        "resolveCname",
        "resolveMx",
        "resolveNs",
        "resolveSrv",
        "resolveTxt",
        "resolveSoa",
        "resolvePtr",
        "resolveCaa",
        "reverse",
    ]
)

APIS: dict[str, Api] = {
    # -- HTTP
    "fetch": _HTTP,
    "EventSource": _HTTP,
    "axios": _HTTP,
    **_verbs("axios", _HTTP),
    "axios.create": Api("http", returns="axios.Axios"),
    "axios.Axios": _HTTP,  # an instance is callable: api(config)
    **_verbs("axios.Axios", _HTTP),
    # an instance typed by annotation: `client: AxiosInstance`, Angular's and NestJS's injected clients
    **{f"axios.AxiosInstance.{v}": Api("http", client=f"axios.Axios.{v}") for v in HTTP_VERBS},
    **_verbs("@angular/common/http.HttpClient", _HTTP, (*HTTP_VERBS, "jsonp")),
    **_verbs("@nestjs/axios.HttpService", _HTTP),
    "node-fetch": Api("http", client="node-fetch"),
    "cross-fetch": Api("http", client="cross-fetch"),
    "cross-fetch.fetch": Api("http", client="cross-fetch"),
    "isomorphic-fetch": Api("http", client="isomorphic-fetch"),
    "got": _HTTP,
    **_verbs("got", _HTTP, (*HTTP_VERBS, "stream", "paginate")),
    "got.extend": Api("http", returns="got"),
    "ky": _HTTP,
    **_verbs("ky", _HTTP),
    "ky.create": Api("http", returns="ky"),
    "ky.extend": Api("http", returns="ky"),
    **_verbs("superagent", _HTTP, (*HTTP_VERBS, "del")),
    **_rows("http", "http.request http.get https.request https.get"),
    **_rows("http", "undici.request undici.fetch undici.stream undici.Client undici.Pool"),
    # -- gRPC (generated clients are recognised by their grpc.credentials argument, see javascript.py)
    "@grpc/grpc-js.Client": GRPC_GENERATED,
    "grpc.Client": Api("grpc"),
    "@connectrpc/connect-node.createGrpcTransport": Api("grpc"),
    # -- WebSocket
    "WebSocket": Api("websocket"),
    "ws": Api("websocket", client="ws.WebSocket"),
    "ws.WebSocket": Api("websocket"),
    "isomorphic-ws": Api("websocket", client="isomorphic-ws"),
    "undici.WebSocket": Api("websocket"),
    "socket.io-client": Api("websocket", client="socket.io-client.io"),
    "socket.io-client.io": Api("websocket"),
    "socket.io-client.connect": Api("websocket"),
    # -- SQL and document databases
    **_rows("postgresql", "pg.Pool pg.Client"),
    "postgres": Api("postgresql", client="postgres"),
    **_rows("mysql", "mysql.createConnection mysql.createPool mysql2.createConnection mysql2.createPool"),
    "better-sqlite3": Api("sqlite", client="better-sqlite3.Database"),
    "better-sqlite3.Database": Api("sqlite"),
    "sqlite3.Database": Api("sqlite"),
    "sequelize.Sequelize": Api("sql"),
    "sequelize": Api("sql", client="sequelize.Sequelize"),
    **_rows(
        "mongodb",
        "mongodb.MongoClient mongodb.MongoClient.connect mongoose.connect mongoose.createConnection",
    ),
    "@elastic/elasticsearch.Client": Api("elasticsearch"),
    # -- Redis
    **_rows("redis", "redis.createClient redis.createCluster ioredis.Redis ioredis.Cluster"),
    "ioredis": Api("redis", client="ioredis.Redis"),
    # -- brokers
    **_rows("amqp", "amqplib.connect amqp-connection-manager.connect"),
    **_rows("nats", "nats.connect"),
    **_rows("mqtt", "mqtt.connect mqtt.connectAsync"),
    **_rows("kafka", "kafkajs.Kafka"),
    # -- cloud and mail
    **_rows(
        "aws",
        "aws-sdk.S3 aws-sdk.DynamoDB aws-sdk.DynamoDB.DocumentClient aws-sdk.SQS aws-sdk.SNS aws-sdk.Lambda "
        "aws-sdk.Kinesis aws-sdk.SecretsManager aws-sdk.SES aws-sdk.STS",
    ),
    # the transport is the connection; its sendMail is the same integration, not a second site (round 44)
    "nodemailer.createTransport": Api("smtp"),
    # -- the platform's own sockets and name lookups
    **_rows("tcp", "net.connect net.createConnection tls.connect"),
    **_rows("dns", " ".join(f"{m}.{f}" for m in _DNS_MODULES for f in ("lookup", *_DNS_LOOKUPS))),
    **{f"{m}.Resolver": Api("dns", site=False, returns="dns.Resolver") for m in _DNS_MODULES},
    **_rows("dns", " ".join(f"dns.Resolver.{f}" for f in _DNS_LOOKUPS)),
    "dgram.createSocket": Api("udp", site=False, returns="dgram.Socket"),
    "dgram.Socket.send": Api("udp", target_arg=2),
    "dgram.Socket.connect": Api("udp", target_arg=1),
    # -- query builders and SaaS one-shots
    "knex": Api("sql", client="knex"),
    "knex.knex": Api("sql", client="knex"),
    "web-push.sendNotification": Api("http", target_arg=None),
    "gamedig.GameDig.query": Api("udp", target_arg=None),
}

NODE_BUILTINS = frozenset(
    [
        "assert",
        "async_hooks",
        "buffer",
        "child_process",
        "cluster",
        "console",
        "constants",
        "crypto",
        "dgram",
        "diagnostics_channel",
        "dns",
        "domain",
        "events",
        "fs",
        "http",
        "http2",
        "https",
        "inspector",
        "module",
        "net",
        "os",
        "path",
        "perf_hooks",
        "process",
        "punycode",
        "querystring",
        "readline",
        "repl",
        "stream",
        "string_decoder",
        "sys",
        "timers",
        "tls",
        "trace_events",
        "tty",
        "url",
        "util",
        "v8",
        "vm",
        "wasi",
        "worker_threads",
        "zlib",
    ]
)
# third-party modules by name → protocol, for clients recognised by convention
JS_PACKAGES = {
    "mssql": "mssql",
    "tedious": "mssql",
    "oracledb": "oracle",
    "net-snmp": "snmp",
    "playwright": "websocket",
    "playwright-core": "websocket",
    "puppeteer": "websocket",
    "puppeteer-core": "websocket",
    "nostr-tools": "websocket",
    "@grpc/grpc-js": "grpc",
    "cassandra-driver": "cassandra",
    "mysql": "mysql",
    "mysql2": "mysql",
    "pg": "postgresql",
    "mongodb": "mongodb",
    "redis": "redis",
    "ioredis": "redis",
    "memjs": "memcached",
    "ldapjs": "ldap",
    "ssh2": "ssh",
    "ftp": "ftp",
    "basic-ftp": "ftp",
    "stompit": "stomp",
    "@azure/service-bus": "azure",
    "@google-cloud/pubsub": "gcp",
    "@google-cloud/storage": "gcp",
    "firebase-admin": "gcp",
    "@slack/web-api": "http",
    "twilio": "http",
    "stripe": "http",
}
_JS_CLASS_SUFFIXES = (
    "Client",
    "Connection",
    "ConnectionPool",
    "Pool",
    "Session",
    "Cluster",
    "Producer",
    "Consumer",
)
_JS_FACTORIES = re.compile(
    r"^(?:connect|connectAsync|createConnection|createPool|createClient|getConnection|create\w*Session"
    r"|createTransport)$"
)


def js_convention(symbol: str | None, constructed: bool) -> Api | None:
    """A client of a third-party module recognised by its name: ``new mssql.ConnectionPool(…)``,
    ``oracledb.getConnection(…)``, ``snmp.createSession(…)``, ``chromium.connect(…)``."""
    if not symbol or "." not in symbol or symbol.startswith((".", "/", "@/", "~", "#")):
        return None
    module = _module_of(symbol)
    if module is None or module in NODE_BUILTINS:
        return None
    last = symbol.rpartition(".")[2]
    if constructed and not last.endswith(_JS_CLASS_SUFFIXES):
        return None
    if not constructed and not _JS_FACTORIES.match(last):
        return None
    return Api(JS_PACKAGES.get(module, "unknown"))


def _module_of(symbol: str) -> str | None:
    """The module of a resolved name: ``@scope/pkg.X.y`` → ``@scope/pkg``, ``pkg.X`` → ``pkg``."""
    head, _, _rest = symbol.partition(".")
    if head.startswith("@"):
        scope_pkg = symbol.split(".", 1)[0]
        return scope_pkg if "/" in scope_pkg else None
    return head or None


# (symbol prefix, symbol suffix, api): every `@aws-sdk/client-*` module's `…Client` class
PREFIXES: tuple[tuple[str, str, Api], ...] = (("@aws-sdk/client-", "Client", Api("aws")),)

find_api = api_lookup(APIS, PREFIXES)


def canonical_module(spec: str) -> str:
    """``node:http`` → ``http``, ``mysql2/promise`` → ``mysql2``; other specifiers are kept as written."""
    spec = spec.removeprefix("node:")
    return MODULE_ALIASES.get(spec, spec)
