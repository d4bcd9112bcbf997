"""The Python client libraries wiremap recognises: one typed table, no if/else chains.

``FUNCTIONS`` maps the canonical dotted name of a callable (as imported: ``requests.post``,
``redis.Redis.from_url``) to what calling it means; ``METHODS`` maps an object type created by one of
those callables (``requests.Session``) to its methods that are themselves integration calls. A call
is a *site* when it opens a connection, constructs a client that holds a target, or sends a request;
objects that hold no target yet (``nats.aio.client.Client()``, paho's ``Client()``, ``boto3.Session()``)
are tracked (``site=False``) so that their ``connect()`` / ``client()`` calls are found.

Adding a library is adding rows here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FUNCTIONS", "METHODS", "METHOD_NAMES", "MODULE_ROOTS", "Api", "is_grpc_stub"]

# keyword arguments that name the peer, in order of preference
TARGET_KEYWORDS = (
    "url",
    "base_url",
    "dsn",
    "conninfo",
    "uri",
    "host",
    "hostname",
    "hosts",
    "address",
    "target",
    "servers",
    "bootstrap_servers",
    "endpoint_url",
    "server",
    "broker",
    "storage_uri",
    "connection_string",
    "endpoint",
)


@dataclass(frozen=True, slots=True)
class Api:
    """One callable: its protocol, whether calling it is a site, what object it returns."""

    protocol: str
    site: bool = True
    returns: str | None = None
    target_arg: int | None = 0
    target_keywords: tuple[str, ...] = TARGET_KEYWORDS
    # the positional argument that is the port of a bare host target (``connect(host, 1883)``); a
    # ``port=`` keyword counts for every call whose target is a bare host
    port_arg: int | None = None


def _rows(protocol: str, names: str, **kw: object) -> dict[str, Api]:
    return {n: Api(protocol, **kw) for n in names.split()}  # type: ignore[arg-type]


HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
_HTTP_REQUEST = Api("http")
_HTTP_SEND = Api("http", target_arg=None)  # send(prepared_request): the URL is in the request object

FUNCTIONS: dict[str, Api] = {
    # -- HTTP
    **{f"requests.{v}": _HTTP_REQUEST for v in HTTP_VERBS},
    **{f"requests.api.{v}": _HTTP_REQUEST for v in HTTP_VERBS},
    "requests.Session": Api("http", returns="requests.Session", target_arg=None),
    # a request built with its URL and sent by ``Session.send``, which names none (round 35)
    "requests.Request": Api("http", target_arg=1),
    "requests.models.Request": Api("http", target_arg=1),
    "requests.session": Api("http", returns="requests.Session", target_arg=None),
    "requests.sessions.Session": Api("http", returns="requests.Session", target_arg=None),
    **{f"httpx.{v}": _HTTP_REQUEST for v in (*HTTP_VERBS, "stream")},
    "httpx.Client": Api("http", returns="httpx.Client", target_arg=None),
    "httpx.AsyncClient": Api("http", returns="httpx.Client", target_arg=None),
    "aiohttp.ClientSession": Api("http", returns="aiohttp.ClientSession", target_arg=None),
    "aiohttp.client.ClientSession": Api("http", returns="aiohttp.ClientSession", target_arg=None),
    "aiohttp.request": Api("http", target_arg=1),
    "urllib.request.urlopen": _HTTP_REQUEST,
    "urllib.request.urlretrieve": _HTTP_REQUEST,
    "urllib3.request": Api("http", target_arg=1),
    "urllib3.PoolManager": Api("http", returns="urllib3.PoolManager", target_arg=None),
    "urllib3.poolmanager.PoolManager": Api("http", returns="urllib3.PoolManager", target_arg=None),
    "urllib3.HTTPConnectionPool": Api("http", returns="urllib3.PoolManager"),
    "urllib3.HTTPSConnectionPool": Api("http", returns="urllib3.PoolManager"),
    "urllib3.connection_from_url": Api("http", returns="urllib3.PoolManager"),
    "http.client.HTTPConnection": Api("http", returns="http.client.HTTPConnection", port_arg=1),
    "http.client.HTTPSConnection": Api("http", returns="http.client.HTTPConnection", port_arg=1),
    # -- gRPC
    **_rows(
        "grpc",
        "grpc.insecure_channel grpc.secure_channel grpc.aio.insecure_channel grpc.aio.secure_channel",
    ),
    # -- WebSocket
    **_rows(
        "websocket",
        "websockets.connect websockets.client.connect websockets.asyncio.client.connect "
        "websockets.sync.client.connect websockets.legacy.client.connect "
        "websocket.create_connection websocket.WebSocketApp",
    ),
    # -- SQL and document databases
    **_rows(
        "postgresql",
        "psycopg.connect psycopg.Connection.connect psycopg.AsyncConnection.connect "
        "psycopg_pool.ConnectionPool psycopg_pool.AsyncConnectionPool "
        "psycopg_pool.NullConnectionPool psycopg_pool.AsyncNullConnectionPool "
        "psycopg2.connect psycopg2.pool.SimpleConnectionPool psycopg2.pool.ThreadedConnectionPool "
        "asyncpg.connect asyncpg.create_pool",
    ),
    **_rows("mysql", "pymysql.connect MySQLdb.connect mysql.connector.connect aiomysql.connect"),
    "sqlite3.connect": Api("sqlite", target_keywords=("database",)),
    "aiosqlite.connect": Api("sqlite", target_keywords=("database",)),
    **_rows(
        "sql",
        "sqlalchemy.create_engine sqlalchemy.ext.asyncio.create_async_engine",
    ),
    **_rows("mongodb", "pymongo.MongoClient motor.motor_asyncio.AsyncIOMotorClient", port_arg=1),
    **_rows("elasticsearch", "elasticsearch.Elasticsearch elasticsearch.AsyncElasticsearch"),
    # -- Redis
    **_rows(
        "redis",
        "redis.Redis redis.StrictRedis redis.from_url redis.Redis.from_url redis.StrictRedis.from_url "
        "redis.client.Redis redis.asyncio.Redis redis.asyncio.from_url redis.asyncio.Redis.from_url "
        "redis.asyncio.client.Redis redis.ConnectionPool redis.ConnectionPool.from_url "
        "redis.asyncio.ConnectionPool redis.asyncio.ConnectionPool.from_url "
        "redis.cluster.RedisCluster redis.RedisCluster",
    ),
    # -- brokers
    **_rows(
        "amqp",
        "pika.BlockingConnection pika.SelectConnection aio_pika.connect aio_pika.connect_robust "
        "kombu.Connection aiormq.connect",
    ),
    "nats.connect": Api("nats", target_keywords=("servers",)),
    "nats.aio.client.Client": Api("nats", site=False, returns="nats.Client"),
    "nats.NATS": Api("nats", site=False, returns="nats.Client"),
    "paho.mqtt.client.Client": Api("mqtt", site=False, returns="paho.Client"),
    **_rows("mqtt", "aiomqtt.Client asyncio_mqtt.Client", port_arg=1),
    **_rows(
        "kafka",
        "kafka.KafkaProducer kafka.KafkaConsumer aiokafka.AIOKafkaProducer aiokafka.AIOKafkaConsumer "
        "confluent_kafka.Producer confluent_kafka.Consumer",
        target_arg=None,
    ),
    # -- cloud and mail
    "boto3.client": Api("aws", target_arg=0),
    "boto3.resource": Api("aws", target_arg=0),
    "boto3.Session": Api("aws", site=False, returns="boto3.Session"),
    "boto3.session.Session": Api("aws", site=False, returns="boto3.Session"),
    "aioboto3.Session": Api("aws", site=False, returns="boto3.Session"),
    **_rows(
        "gcp",
        "google.cloud.storage.Client google.cloud.pubsub_v1.PublisherClient "
        "google.cloud.pubsub_v1.SubscriberClient google.cloud.bigquery.Client",
        target_arg=None,
    ),
    **_rows("smtp", "smtplib.SMTP smtplib.SMTP_SSL smtplib.LMTP", port_arg=1),
    # -- mail through a framework: the send is the site (the server is the framework's setting)
    **_rows(
        "smtp",
        "django.core.mail.send_mail django.core.mail.send_mass_mail django.core.mail.mail_admins "
        "django.core.mail.mail_managers",
        target_arg=None,
    ),
    **_rows(
        "smtp",
        "django.core.mail.EmailMessage django.core.mail.EmailMultiAlternatives "
        "django.core.mail.message.EmailMessage django.core.mail.message.EmailMultiAlternatives",
        site=False,
        returns="django.EmailMessage",
    ),
    "flask_mail.Mail": Api("smtp", site=False, returns="flask_mail.Mail"),
    "flask_mailman.Mail": Api("smtp", site=False, returns="flask_mail.Mail"),
    # -- the standard library's other network clients
    **_rows("imap", "imaplib.IMAP4 imaplib.IMAP4_SSL", port_arg=1),
    **_rows("pop3", "poplib.POP3 poplib.POP3_SSL", port_arg=1),
    **_rows("ftp", "ftplib.FTP ftplib.FTP_TLS"),
    "telnetlib.Telnet": Api("tcp", port_arg=1),
    **_rows(
        "http",
        "xmlrpc.client.ServerProxy xmlrpclib.ServerProxy six.moves.xmlrpc_client.ServerProxy "
        "defusedxml.xmlrpc.xmlrpc_client.ServerProxy",  # (defusedxml re-exports the stdlib's client)
    ),
    # SNMP: pysnmp's one-shot commands (the agent is a ``UdpTransportTarget`` argument), old and new API
    "pysnmp.entity.rfc3413.oneliner.cmdgen.CommandGenerator": Api(
        "snmp", site=False, returns="pysnmp.CommandGenerator"
    ),
    **_rows(
        "snmp",
        " ".join(
            f"pysnmp.hlapi.{api}{cmd}"
            for api in ("", "asyncio.", "v3arch.", "v3arch.asyncio.", "v1arch.", "v1arch.asyncio.")
            for cmd in (
                "getCmd",
                "nextCmd",
                "bulkCmd",
                "setCmd",
                "get_cmd",
                "next_cmd",
                "bulk_cmd",
                "set_cmd",
            )
        ),
        target_arg=None,
    ),
    # multicast DNS: a Zeroconf instance opens its sockets when it is made
    **_rows("mdns", "zeroconf.Zeroconf zeroconf.asyncio.AsyncZeroconf", target_arg=None),
    **_rows("clickhouse", "clickhouse_connect.get_client clickhouse_connect.get_async_client"),
    **_rows("couchdb", "pycouchdb.Server couchdb.Server couchdb.client.Server"),
    "socket.create_connection": Api("tcp"),
    "socket.socket": Api("tcp", site=False, returns="socket.socket"),
    **_rows("dns", "socket.getaddrinfo socket.gethostbyname socket.gethostbyname_ex"),
    # -- clients built empty whose later call is the one that reaches the peer
    "pycurl.Curl": Api("http", site=False, returns="pycurl.Curl"),
    "apprise.Apprise": Api("unknown", site=False, returns="apprise.Apprise"),
    "paramiko.SSHClient": Api("ssh", site=False, returns="paramiko.SSHClient"),
    "paramiko.client.SSHClient": Api("ssh", site=False, returns="paramiko.SSHClient"),
    "sentry_sdk.init": Api("http", target_keywords=("dsn",)),
    **_rows(
        "imap",
        "imap_tools.MailBox imap_tools.MailBoxUnencrypted imap_tools.MailBoxStartTls "
        "imap_tools.mailbox.MailBox imap_tools.mailbox.MailBoxUnencrypted imap_tools.mailbox.MailBoxStartTls",
        port_arg=1,
    ),
    # browsers driven remotely: the connection to the browser, and each page the browser fetches
    **_rows(
        "http",
        "selenium.webdriver.Remote selenium.webdriver.remote.webdriver.WebDriver",
        returns="selenium.WebDriver",
        target_keywords=("command_executor",),
    ),
    "litellm.completion": Api("http", target_keywords=("api_base", "base_url")),
    "litellm.acompletion": Api("http", target_keywords=("api_base", "base_url")),
    "litellm.embedding": Api("http", target_keywords=("api_base", "base_url")),
    "litellm.aembedding": Api("http", target_keywords=("api_base", "base_url")),
    "litellm.image_generation": Api("http", target_keywords=("api_base", "base_url")),
    # a Celery app reaches its broker only when it is given one (else the settings give it: no site here)
    "celery.Celery": Api(
        "amqp", returns="celery.Celery", target_arg=None, target_keywords=("broker", "broker_url")
    ),
    # -- settings libraries: never sites, tracked for their env reads (see _py_names.ENV_OBJECT)
    **_rows("env", "environs.Env environ.Env environ.FileAwareEnv", site=False, returns="env.Env"),
}

METHODS: dict[str, dict[str, Api]] = {
    "requests.Session": {**{v: _HTTP_REQUEST for v in HTTP_VERBS}, "send": _HTTP_SEND},
    "httpx.Client": {**{v: _HTTP_REQUEST for v in (*HTTP_VERBS, "stream")}, "send": _HTTP_SEND},
    "aiohttp.ClientSession": {
        **{v: _HTTP_REQUEST for v in HTTP_VERBS},
        "ws_connect": Api("websocket"),
    },
    "urllib3.PoolManager": {"request": Api("http", target_arg=1), "urlopen": Api("http", target_arg=1)},
    "http.client.HTTPConnection": {
        "request": Api("http", target_arg=1),
        "putrequest": Api("http", target_arg=1),
        "connect": Api("http", target_arg=None),
    },
    "django.EmailMessage": {"send": Api("smtp", target_arg=None)},
    "flask_mail.Mail": {"send": Api("smtp", target_arg=None), "send_message": Api("smtp", target_arg=None)},
    "socket.socket": {"connect": Api("tcp"), "connect_ex": Api("tcp")},
    "pycurl.Curl": {"perform": Api("http", target_arg=None)},
    "apprise.Apprise": {"notify": Api("unknown", target_arg=None)},
    "paramiko.SSHClient": {"connect": Api("ssh", port_arg=1)},
    "selenium.WebDriver": {"get": Api("http")},
    "nats.Client": {"connect": Api("nats", target_keywords=("servers",))},
    "paho.Client": {
        "connect": Api("mqtt", port_arg=1),
        "connect_async": Api("mqtt", port_arg=1),
    },
    "boto3.Session": {"client": Api("aws"), "resource": Api("aws")},
    "pysnmp.CommandGenerator": {
        cmd: Api("snmp", target_arg=None) for cmd in ("getCmd", "nextCmd", "bulkCmd", "setCmd")
    },
}

METHOD_NAMES = frozenset(m for methods in METHODS.values() for m in methods)

# top-level modules that make a file worth the full analysis (see python.py's fast path)
MODULE_ROOTS = frozenset(name.split(".")[0] for name in (*FUNCTIONS, "grpc", "websocket"))


def is_grpc_stub(dotted: str) -> bool:
    """``inventory_pb2_grpc.InventoryStub``: a generated gRPC stub class."""
    module, _, name = dotted.rpartition(".")
    return name.endswith("Stub") and module.rsplit(".", 1)[-1].endswith("_pb2_grpc")
