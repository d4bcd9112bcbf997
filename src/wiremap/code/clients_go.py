"""The Go client libraries wiremap recognises: one typed table, no if/else chains.

Keys are the canonical import path (major-version elements dropped: ``github.com/redis/go-redis/v9`` is
``github.com/redis/go-redis``, see :func:`canonical_path`) followed by the member path, whatever the file
names the package: ``redis.NewClient`` → ``github.com/redis/go-redis.NewClient``. A value of a struct
type resolves to that type (``&http.Client{}`` → ``net/http.Client``), so its methods are rows too
(``net/http.Client.Do``); a composite literal of a row's type is itself a site (``&kafka.Writer{…}``).

Adding a library is adding rows here.
"""

from __future__ import annotations

import re

from ._symbols import Api, api_lookup

__all__ = [
    "ALIASES",
    "APIS",
    "DRIVERS",
    "ENV_FUNCS",
    "GO_PACKAGES",
    "NEW_REQUEST",
    "PASSTHROUGH",
    "PREFIXES",
    "TARGET_KEYS",
    "canonical_path",
    "find_api",
    "go_convention",
    "package_name",
]

# fields of an options struct (or keys of a config map) that name the peer, in order of preference
TARGET_KEYS = (
    "Addr",
    "Addrs",
    "URL",
    "Url",
    "DSN",
    "Dsn",
    "Host",
    "Endpoint",
    "BaseEndpoint",
    "Brokers",
    "Servers",
    "Server",
    "Address",
    "Addresses",
    "SentinelAddrs",
    "bootstrap.servers",
    "metadata.broker.list",
)

# database/sql driver names → protocol
DRIVERS = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgx": "postgresql",
    "pgx/v5": "postgresql",
    "cloudsqlpostgres": "postgresql",
    "mysql": "mysql",
    "sqlite3": "sqlite",
    "sqlite": "sqlite",
    "sqlserver": "mssql",
    "mssql": "mssql",
}

ENV_FUNCS = frozenset({"os.Getenv", "os.LookupEnv"})

# package-level values that stand for an instance of a type
ALIASES = {
    "net/http.DefaultClient": "net/http.Client",
    "github.com/gorilla/websocket.DefaultDialer": "github.com/gorilla/websocket.Dialer",
}

# calls whose value is their first argument's, for tracing a target (``redis.ParseURL(os.Getenv(...))``)
PASSTHROUGH = (
    ".ParseURL",
    ".ParseConfig",
    ".ParseDSN",
    "net/url.Parse",
    "strings.TrimSpace",
    "github.com/segmentio/kafka-go.TCP",
)


def _rows(protocol: str, paths: str, members: str, **kw: object) -> dict[str, Api]:
    api = Api(protocol, **kw)  # type: ignore[arg-type]
    return {f"{p}.{m}": api for p in paths.split() for m in members.split()}


_REDIS = "github.com/redis/go-redis github.com/go-redis/redis"
_AMQP = "github.com/streadway/amqp github.com/rabbitmq/amqp091-go"
_SARAMA = "github.com/IBM/sarama github.com/Shopify/sarama"
_SEGMENTIO = "github.com/segmentio/kafka-go"
_GORILLA = "github.com/gorilla/websocket"
_GOMAIL = "gopkg.in/mail gopkg.in/gomail github.com/go-gomail/gomail"

APIS: dict[str, Api] = {
    # -- HTTP
    **_rows("http", "net/http", "Get Post PostForm Head"),
    "net/http.NewRequest": Api("http", target_arg=1),
    "net/http.NewRequestWithContext": Api("http", target_arg=2),
    **_rows("http", "net/http", "Client.Get Client.Post Client.PostForm Client.Head"),
    "net/http.Client.Do": Api("http", target_arg=None),
    # -- gRPC
    **_rows("grpc", "google.golang.org/grpc", "Dial NewClient"),
    "google.golang.org/grpc.DialContext": Api("grpc", target_arg=1),
    # -- WebSocket
    **_rows("websocket", _GORILLA, "Dialer.Dial"),
    **_rows("websocket", _GORILLA, "Dialer.DialContext", target_arg=1),
    **_rows("websocket", "nhooyr.io/websocket github.com/coder/websocket", "Dial", target_arg=1),
    **_rows("websocket", "golang.org/x/net/websocket", "Dial"),
    # -- SQL
    **_rows("sql", "database/sql github.com/jmoiron/sqlx", "Open", driver_arg=0, target_arg=1),
    **_rows("sql", "github.com/jmoiron/sqlx", "Connect MustConnect MustOpen", driver_arg=0, target_arg=1),
    **_rows("postgresql", "github.com/jackc/pgx", "Connect ConnectConfig", target_arg=1),
    **_rows(
        "postgresql", "github.com/jackc/pgx/pgxpool", "New NewWithConfig Connect ConnectConfig", target_arg=1
    ),
    **_rows("postgresql", "github.com/lib/pq", "NewConnector"),
    **_rows("postgresql", "gorm.io/driver/postgres", "Open New"),
    **_rows("mysql", "gorm.io/driver/mysql", "Open New"),
    **_rows("sqlite", "gorm.io/driver/sqlite github.com/glebarez/sqlite", "Open"),
    **_rows(
        "mongodb",
        "go.mongodb.org/mongo-driver/mongo",
        "Connect NewClient",
        target_arg=None,
        via=("ApplyURI",),
    ),
    **_rows("elasticsearch", "github.com/elastic/go-elasticsearch", "NewClient NewTypedClient"),
    # -- Redis
    **_rows("redis", _REDIS, "NewClient", target_keys=("Addr",)),
    **_rows("redis", _REDIS, "NewClusterClient NewUniversalClient", target_keys=("Addrs",)),
    **_rows("redis", _REDIS, "NewFailoverClient", target_keys=("SentinelAddrs",)),
    # -- brokers
    **_rows("amqp", _AMQP, "Dial DialTLS DialConfig"),
    **_rows("nats", "github.com/nats-io/nats.go", "Connect"),
    **_rows("mqtt", "github.com/eclipse/paho.mqtt.golang", "NewClient", target_arg=None, via=("AddBroker",)),
    **_rows(
        "kafka", _SEGMENTIO, "NewWriter NewReader NewConsumerGroup Writer", target_keys=("Brokers", "Addr")
    ),
    **_rows("kafka", _SEGMENTIO, "Dial", target_arg=1),
    **_rows("kafka", _SEGMENTIO, "DialContext DialLeader", target_arg=2),
    **_rows(
        "kafka",
        _SARAMA,
        "NewSyncProducer NewAsyncProducer NewConsumer NewClient NewConsumerGroup NewClusterAdmin",
    ),
    **_rows(
        "kafka",
        "github.com/confluentinc/confluent-kafka-go/kafka",
        "NewProducer NewConsumer NewAdminClient",
        target_keys=("bootstrap.servers", "metadata.broker.list"),
    ),
    # -- mail
    **_rows("smtp", "net/smtp", "SendMail Dial"),
    "net/smtp.NewClient": Api("smtp", target_arg=1),
    # -- plain TCP/UDP/TLS, DNS and SSH from the standard library and x/crypto
    **_rows("tcp", "net", "Dial DialTimeout", target_arg=1),
    **_rows("tcp", "net", "Dialer.Dial", target_arg=1),
    **_rows("tcp", "net", "Dialer.DialContext", target_arg=2),
    **_rows("tcp", "crypto/tls", "Dial", target_arg=1),
    **_rows("tcp", "crypto/tls", "DialWithDialer", target_arg=2),
    **_rows("tcp", "crypto/tls", "Dialer.DialContext", target_arg=2),
    **_rows(
        "dns",
        "net",
        "LookupIP LookupHost LookupAddr LookupCNAME LookupMX LookupTXT LookupNS LookupIPAddr",
        target_arg=0,
    ),
    **_rows("dns", "net", "Resolver.LookupIP", target_arg=2),
    **_rows("dns", "net", "Resolver.LookupHost Resolver.LookupIPAddr Resolver.LookupAddr", target_arg=1),
    **_rows("dns", "github.com/miekg/dns", "Exchange Client.Exchange Client.ExchangeContext", target_arg=1),
    **_rows("ssh", "golang.org/x/crypto/ssh", "Dial", target_arg=1),
    **_rows("tcp", "golang.org/x/crypto/ssh", "Client.Dial", target_arg=1),
    **_rows("icmp", "github.com/prometheus-community/pro-bing github.com/go-ping/ping", "New NewPinger"),
    **{
        f"{path}.{ctor}": Api("smtp", site=False, returns=f"{path}.Dialer")
        for path in _GOMAIL.split()
        for ctor in ("NewDialer", "NewPlainDialer")
    },
    **_rows("smtp", _GOMAIL, "Dialer.DialAndSend Dialer.Dial", target_arg=None),
}

# building a request is not sending it: the ``Do`` that sends the request this call built is the site
# (with this call's URL); a request never sent in its function stays a site of its own
NEW_REQUEST = frozenset({"net/http.NewRequest", "net/http.NewRequestWithContext"})

# third-party packages by import-path prefix → protocol, for clients recognised by convention (a
# ``NewClient``/``New…Client``/``Dial…``/``Connect…`` of a package that is not the standard library)
GO_PACKAGES: tuple[tuple[str, str], ...] = (
    ("github.com/google/go-github", "http"),
    ("code.gitea.io/sdk", "http"),
    ("gitlab.com/gitlab-org/api/client-go", "http"),
    ("github.com/xanzy/go-gitlab", "http"),
    ("github.com/slack-go/slack", "http"),
    ("github.com/bwmarrin/discordgo", "http"),
    ("github.com/go-telegram-bot-api", "http"),
    ("github.com/twilio/twilio-go", "http"),
    ("github.com/sendgrid", "http"),
    ("github.com/stripe/stripe-go", "http"),
    ("github.com/hashicorp/vault/api", "http"),
    ("github.com/hashicorp/consul/api", "http"),
    ("k8s.io/client-go", "http"),
    ("github.com/docker/docker/client", "http"),
    ("github.com/coreos/go-oidc", "http"),
    ("golang.org/x/oauth2", "http"),
    ("github.com/go-resty/resty", "http"),
    ("gopkg.in/mail", "smtp"),
    ("gopkg.in/gomail", "smtp"),
    ("github.com/go-mail/mail", "smtp"),
    ("github.com/wneessen/go-mail", "smtp"),
    ("github.com/miekg/dns", "dns"),
    ("golang.org/x/crypto/ssh", "ssh"),
    ("github.com/pkg/sftp", "ssh"),
    ("github.com/prometheus-community/pro-bing", "icmp"),
    ("github.com/go-ping/ping", "icmp"),
    ("github.com/ishidawataru/sctp", "sctp"),
    ("github.com/likexian/whois", "whois"),
    ("github.com/openrdap/rdap", "http"),
    ("cloud.google.com/go", "gcp"),
    ("google.golang.org/api", "gcp"),
    ("github.com/aws/aws-sdk-go", "aws"),
    ("github.com/Azure/azure-sdk-for-go", "azure"),
    ("github.com/gocql/gocql", "cassandra"),
    ("github.com/bradfitz/gomemcache", "memcached"),
    ("github.com/olivere/elastic", "elasticsearch"),
    ("github.com/influxdata/influxdb-client-go", "influxdb"),
    ("github.com/ClickHouse/clickhouse-go", "clickhouse"),
    ("github.com/nats-io", "nats"),
    ("github.com/gomodule/redigo", "redis"),
    ("github.com/minio/minio-go", "aws"),
    ("github.com/getsentry/sentry-go", "http"),
    ("github.com/DataDog/datadog-go", "statsd"),
    ("github.com/cactus/go-statsd-client", "statsd"),
    ("github.com/gorilla/websocket", "websocket"),
    ("google.golang.org/grpc", "grpc"),
)
_NOT_CONNECTIONS = frozenset({"golang.org/x/oauth2", "golang.org/x/oauth2/clientcredentials"})
_GO_CONVENTION = re.compile(r"^(?:NewClient|New\w*Client|Dial\w*|Connect\w*)$")


def go_convention(symbol: str | None) -> Api | None:
    """A function of a third-party package named as a client constructor or a dial (``github.NewClient``,
    ``gitea.NewClient``, ``sctp.DialSCTP``): a site, with the package's protocol when known. The
    project's own packages are dropped at link time (see link.py)."""
    if not symbol or "." not in symbol:
        return None
    path, _, name = symbol.rpartition(".")
    first = path.split("/", 1)[0]
    if "." not in first or "." in path.rpartition("/")[2] or not _GO_CONVENTION.match(name):
        return None  # the standard library, or a method (``pkg.Type.Method``)
    if path in _NOT_CONNECTIONS or (name.startswith("New") and "grpc" in path):
        return None  # an HTTP client wrapping a token source; a generated gRPC stub on a connection
    protocol = next((proto for prefix, proto in GO_PACKAGES if path.startswith(prefix)), "unknown")
    return Api(protocol, target_arg=0)


# (symbol prefix, symbol suffix, api): every AWS SDK service client constructor
_AWS = Api("aws", target_arg=None)
PREFIXES: tuple[tuple[str, str, Api], ...] = (
    ("github.com/aws/aws-sdk-go-v2/service/", ".NewFromConfig", _AWS),
    ("github.com/aws/aws-sdk-go-v2/service/", ".New", _AWS),
    ("github.com/aws/aws-sdk-go/service/", ".New", _AWS),
)

find_api = api_lookup(APIS, PREFIXES)

_MAJOR = re.compile(r"v\d+")
_GOPKG_MAJOR = re.compile(r"\.v\d+$")


def canonical_path(path: str) -> str:
    """An import path without its major-version element: ``github.com/jackc/pgx/v5/pgxpool`` →
    ``github.com/jackc/pgx/pgxpool``, ``gopkg.in/yaml.v3`` → ``gopkg.in/yaml``."""
    parts = path.split("/")
    kept = [p for i, p in enumerate(parts) if i == 0 or not _MAJOR.fullmatch(p)]
    if kept[0] == "gopkg.in":
        kept[-1] = _GOPKG_MAJOR.sub("", kept[-1])
    return "/".join(kept)


def package_name(path: str) -> str:
    """The name an import binds when it has no alias, by Go's conventions: the last element, before a
    major version, without ``go-``/``-go``/``.go`` decorations, the last dotted part
    (``github.com/redis/go-redis/v9`` → ``redis``, ``github.com/nats-io/nats.go`` → ``nats``,
    ``github.com/eclipse/paho.mqtt.golang`` → ``mqtt``)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return ""
    name = parts[-1]
    if _MAJOR.fullmatch(name) and len(parts) > 1:
        name = parts[-2]
    name = _GOPKG_MAJOR.sub("", name).removeprefix("go-")
    for suffix in ("-golang", ".golang", "-go", ".go"):
        name = name.removesuffix(suffix)
    return name.rsplit(".", 1)[-1].replace("-", "_")
