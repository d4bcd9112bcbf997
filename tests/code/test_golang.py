"""The Go indexer on realistic fixture files (every site and env read written down) and on small pointed
snippets: what is a site, what is not, what it reaches, and that no input breaks it."""

from __future__ import annotations

import os
import textwrap

import pytest

from tests._paths import FIXTURES
from wiremap.code.clients_go import canonical_path, package_name
from wiremap.code.golang import index_go
from wiremap.code.model import Definition, EnvRead, FileIndex, ImportRef

GO = FIXTURES / "code" / "go"

Site = tuple[int, str, str, str | None, str | None, str]  # line, client, protocol, target, env, scope


def _fixture(name: str) -> FileIndex:
    return index_go(name, (GO / name).read_bytes(), "sha1")


def _sites(index: FileIndex) -> list[Site]:
    assert all(s.path == index.path for s in index.sites)
    return [(s.line, s.client, s.protocol, s.target, s.env, s.scope) for s in index.sites]


def _envs(index: FileIndex) -> list[tuple[int, str, str | None]]:
    assert all(e.path == index.path for e in index.env_reads)
    return [(e.line, e.name, e.default) for e in index.env_reads]


def _snippet(src: str) -> FileIndex:
    return index_go("m.go", textwrap.dedent(src).encode(), "sha")


# -- fixtures ---------------------------------------------------------------------------------------------


def test_service_with_http_sql_redis_nats() -> None:
    index = _fixture("orders.go")
    assert (index.path, index.language, index.sha, index.lines, index.error) == (
        "orders.go",
        "go",
        "sha1",
        87,
        None,
    )
    assert index.imports == (
        ImportRef("context", None, "context", 5),
        ImportRef("database/sql", None, "sql", 6),
        ImportRef("encoding/json", None, "json", 7),
        ImportRef("fmt", None, "fmt", 8),
        ImportRef("net/http", None, "http", 9),
        ImportRef("os", None, "os", 10),
        ImportRef("time", None, "time", 11),
        ImportRef("github.com/jackc/pgx/v5/stdlib", None, "_", 13),
        ImportRef("github.com/nats-io/nats.go", None, "nats", 14),
        ImportRef("github.com/redis/go-redis/v9", None, "redis", 15),
    )
    assert index.definitions == (
        Definition("Server", "Server", "class", 23, 28),
        Definition("Store", "Store", "class", 31, 33),
        Definition("Order", "Order", "class", 35, 38),
        Definition("getenv", "getenv", "function", 40, 45),
        Definition("New", "New", "function", 48, 59),
        Definition("Stock", "Server.Stock", "method", 62, 74),
        Definition("notify", "Server.notify", "method", 76, 79),
        Definition("healthcheck", "healthcheck", "function", 81, 87),
    )
    assert _sites(index) == [
        # the driver name decides the protocol
        (49, "database/sql.Open", "postgresql", None, "DATABASE_URL", "New"),
        (53, "github.com/redis/go-redis.NewClient", "redis", "localhost:6379", None, "New"),
        # getenv(key, fallback) is the file's own helper over os.LookupEnv
        (54, "github.com/nats-io/nats.go.Connect", "nats", None, "NATS_URL", "New"),
        # s.http is a struct field declared *http.Client; the Do sends the request built at line 63, so it
        # is the site, with that request's URL (joined as the Python indexer joins an f-string: the
        # variable by name, the unknown part as {…}); building the request is not sending it
        (67, "net/http.Client.Do", "http", "${INVENTORY_URL}/stock/{…}", "INVENTORY_URL", "Server.Stock"),
        (82, "net/http.Get", "http", "http://localhost:8080/healthz", None, "healthcheck"),
    ]
    assert _envs(index) == [(20, "INVENTORY_URL", None), (49, "DATABASE_URL", None), (54, "NATS_URL", None)]


def test_worker_with_brokers_grpc_websocket_mail_and_cloud() -> None:
    index = _fixture("worker.go")
    assert (index.language, index.lines, index.error) == ("go", 83, None)
    assert ImportRef("github.com/eclipse/paho.mqtt.golang", None, "mqtt", 11) in index.imports
    assert ImportRef("github.com/rabbitmq/amqp091-go", None, "amqp", 13) in index.imports
    assert [(d.qualname, d.kind) for d in index.definitions] == [
        ("Worker", "class"),
        ("Run", "function"),
        ("mailReport", "function"),
    ]
    assert _sites(index) == [
        (29, "github.com/rabbitmq/amqp091-go.Dial", "amqp", "amqp://guest:guest@rabbitmq:5672/", None, "Run"),
        # a composite literal of kafka.Writer is the constructor; kafka.TCP(addr) passes its address on
        (35, "github.com/segmentio/kafka-go.Writer", "kafka", "kafka:9092", None, "Run"),
        (36, "github.com/segmentio/kafka-go.NewReader", "kafka", "kafka:9092", None, "Run"),
        (39, "github.com/IBM/sarama.NewSyncProducer", "kafka", "kafka-legacy:9092", None, "Run"),
        # the broker comes from opts.AddBroker on the options passed in
        (47, "github.com/eclipse/paho.mqtt.golang.NewClient", "mqtt", "tcp://mosquitto:1883", None, "Run"),
        (50, "go.mongodb.org/mongo-driver/mongo.Connect", "mongodb", "mongodb://mongo:27017", None, "Run"),
        (57, "google.golang.org/grpc.NewClient", "grpc", "billing:50051", None, "Run"),
        (
            63,
            "github.com/gorilla/websocket.Dialer.Dial",
            "websocket",
            "wss://stream.example.com/ws",
            None,
            "Run",
        ),
        (73, "github.com/aws/aws-sdk-go-v2/service/s3.NewFromConfig", "aws", None, None, "Run"),
        (80, "net/smtp.SendMail", "smtp", "smtp.example.com:587", None, "mailReport"),
    ]
    assert index.env_reads == ()


def test_negatives_find_nothing() -> None:
    """Imports alone, typed declarations, struct fields, a local function named like an API, calls in
    comments and strings, a client's own methods and server-side http calls are not sites."""
    index = _fixture("negatives.go")
    assert index.error is None
    assert index.sites == ()
    assert index.env_reads == ()
    assert [i.module for i in index.imports] == [
        "context",
        "net/http",
        "strings",
        "github.com/redis/go-redis/v9",
    ]


# -- snippets ---------------------------------------------------------------------------------------------


def test_import_names() -> None:
    index = _snippet(
        """
        package x

        import "os"
        import (
            r "github.com/redis/go-redis/v9"
            . "net/http"
            "github.com/nats-io/nats.go"
            "gopkg.in/yaml.v3"
        )

        func main() {
            r.NewClient(&r.Options{Addr: os.Getenv("REDIS_ADDR")})
            Get("https://dot-import.example.com")
            nats.Connect(nats.DefaultURL)
        }
        """
    )
    assert [(i.module, i.bound) for i in index.imports] == [
        ("os", "os"),
        ("github.com/redis/go-redis/v9", "r"),
        ("net/http", "."),
        ("github.com/nats-io/nats.go", "nats"),
        ("gopkg.in/yaml.v3", "yaml"),
    ]
    assert all(i.name is None for i in index.imports)
    assert [(s.line, s.client, s.target, s.env) for s in index.sites] == [
        (13, "github.com/redis/go-redis.NewClient", None, "REDIS_ADDR"),
        (14, "net/http.Get", "https://dot-import.example.com", None),
        (15, "github.com/nats-io/nats.go.Connect", None, None),
    ]


@pytest.mark.parametrize(
    ("path", "name", "canonical"),
    [
        ("net/http", "http", "net/http"),
        ("github.com/redis/go-redis/v9", "redis", "github.com/redis/go-redis"),
        ("github.com/go-redis/redis/v8", "redis", "github.com/go-redis/redis"),
        ("github.com/nats-io/nats.go", "nats", "github.com/nats-io/nats.go"),
        ("github.com/eclipse/paho.mqtt.golang", "mqtt", "github.com/eclipse/paho.mqtt.golang"),
        ("github.com/jackc/pgx/v5/pgxpool", "pgxpool", "github.com/jackc/pgx/pgxpool"),
        ("github.com/segmentio/kafka-go", "kafka", "github.com/segmentio/kafka-go"),
        ("github.com/rabbitmq/amqp091-go", "amqp091", "github.com/rabbitmq/amqp091-go"),
        ("github.com/mattn/go-sqlite3", "sqlite3", "github.com/mattn/go-sqlite3"),
        ("gopkg.in/yaml.v3", "yaml", "gopkg.in/yaml"),
        ("go.mongodb.org/mongo-driver/v2/mongo", "mongo", "go.mongodb.org/mongo-driver/mongo"),
    ],
)
def test_package_names_and_canonical_paths(path: str, name: str, canonical: str) -> None:
    assert package_name(path) == name
    assert canonical_path(path) == canonical


def test_http_clients_only_when_declared_as_such() -> None:
    index = _snippet(
        """
        package x

        import "net/http"

        func a(req *http.Request, c *http.Client, other Doer) {
            client := &http.Client{}
            client.Do(req)
            (&http.Client{}).Do(req)
            http.DefaultClient.Do(req)
            c.Get("https://param.example.com")
            other.Do(req)
            var plain http.Client
            plain.Head("https://var.example.com")
            resp, _ := http.Post("https://post.example.com", "application/json", nil)
            resp.Body.Close()
        }
        """
    )
    assert [(s.line, s.client, s.target) for s in index.sites] == [
        (8, "net/http.Client.Do", None),
        (9, "net/http.Client.Do", None),
        (10, "net/http.Client.Do", None),
        (11, "net/http.Client.Get", "https://param.example.com"),
        (14, "net/http.Client.Head", "https://var.example.com"),
        (15, "net/http.Post", "https://post.example.com"),
    ]


def test_sql_protocol_from_driver_and_targets_through_config() -> None:
    index = _snippet(
        """
        package x

        import (
            "context"
            "database/sql"
            "fmt"
            "os"

            "github.com/jackc/pgx/v5"
            "github.com/jackc/pgx/v5/pgxpool"
            "github.com/redis/go-redis/v9"
        )

        const mysqlDSN = "app:secret@tcp(mysql:3306)/app"

        func open(ctx context.Context) {
            sql.Open("mysql", mysqlDSN)
            sql.Open("sqlite3", "file:app.db")
            sql.Open("postgres", fmt.Sprintf("host=%s dbname=app", os.Getenv("PGHOST")))
            sql.Open(driverName(), "x")
            cfg, _ := pgxpool.ParseConfig(os.Getenv("POOL_URL"))
            pgxpool.NewWithConfig(ctx, cfg)
            pgx.Connect(ctx, "postgres://pg:5432/app")
            opt, _ := redis.ParseURL("redis://cache:6379/0")
            redis.NewClient(opt)
            redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"node-1:7000", "node-2:7000"}})
        }
        """
    )
    assert [(s.line, s.client, s.protocol, s.target, s.env) for s in index.sites] == [
        (18, "database/sql.Open", "mysql", "app:secret@tcp(mysql:3306)/app", None),
        (19, "database/sql.Open", "sqlite", "file:app.db", None),
        (20, "database/sql.Open", "postgresql", None, "PGHOST"),
        (21, "database/sql.Open", "sql", "x", None),
        (23, "github.com/jackc/pgx/pgxpool.NewWithConfig", "postgresql", None, "POOL_URL"),
        (24, "github.com/jackc/pgx.Connect", "postgresql", "postgres://pg:5432/app", None),
        (26, "github.com/redis/go-redis.NewClient", "redis", "redis://cache:6379/0", None),
        (27, "github.com/redis/go-redis.NewClusterClient", "redis", "node-1:7000", None),
    ]
    assert _envs(index) == [(20, "PGHOST", None), (22, "POOL_URL", None)]


def test_env_reads_and_scoped_bindings() -> None:
    index = _snippet(
        """
        package x

        import (
            "os"

            "google.golang.org/grpc"
        )

        const keyName = "API_KEY"

        var region, _ = os.LookupEnv("AWS_REGION")

        func one() {
            addr := os.Getenv("ONE_ADDR")
            grpc.Dial(addr)
        }

        func two() {
            addr := "two:50051"
            grpc.Dial(addr)
            _ = os.Getenv(keyName)
            _ = os.Getenv(dynamicName())
        }
        """
    )
    assert [(s.line, s.target, s.env, s.scope) for s in index.sites] == [
        (16, None, "ONE_ADDR", "one"),
        (21, "two:50051", None, "two"),
    ]
    assert _envs(index) == [(12, "AWS_REGION", None), (15, "ONE_ADDR", None), (22, "API_KEY", None)]


def test_methods_strip_receiver_pointers_and_generics() -> None:
    index = _snippet(
        """
        package x

        type Cache[K comparable, V any] struct{ m map[K]V }

        type ID string

        func (c *Cache[K, V]) Get(k K) V { return c.m[k] }

        func (id ID) String() string { return string(id) }

        func helper() {
            func() {}()
        }
        """
    )
    assert index.definitions == (
        Definition("Cache", "Cache", "class", 4, 4),
        Definition("Get", "Cache.Get", "method", 8, 8),
        Definition("String", "ID.String", "method", 10, 10),
        Definition("helper", "helper", "function", 12, 14),
    )


# -- robustness -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n\n",
        b"\x00\x01\x02\xff\xfe\xfd" * 50,
        bytes(range(256)) * 20,
        b'package x\nimport "net/http"\nfunc f() { \xc3\x28 http.Get("https://bad-utf8.example") }\n',
        b"{" * 3000,
        b"a." * 3000 + b"b()",
        b'package x\nimport "net/http"\nfunc f() { http.Get("https://unterminated.example.com"',
        b"func (",
    ],
    ids=["empty", "newlines", "binary", "all-bytes", "bad-utf8", "deep", "long-chain", "truncated", "broken"],
)
def test_garbage_never_raises(data: bytes) -> None:
    index = index_go("junk.go", data, "sha")
    assert isinstance(index, FileIndex)
    assert index.error is None
    assert (index.path, index.language) == ("junk.go", "go")
    assert index.lines == data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def test_random_bytes_never_raise() -> None:
    for seed in range(20):
        assert isinstance(index_go("r.go", os.urandom(64 + seed * 97), "s"), FileIndex)


def test_syntax_errors_keep_what_parses() -> None:
    index = _snippet(
        """
        package x

        import (
            "net/http"
            "os"
        )

        var base = os.Getenv("BASE_URL")

        func broken( {

        func ok() {
            http.Get("https://still-found.example.com")
        }
        """
    )
    assert EnvRead("m.go", 9, "BASE_URL", None) in index.env_reads
    assert [(s.client, s.target) for s in index.sites] == [
        ("net/http.Get", "https://still-found.example.com")
    ]


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    data = b'package x\nimport "net/http"\nfunc f() {\n\tx := "\xff\xfe"\n'
    data += b'\thttp.Get("https://after.example.com/\xc3\x28")\n}\n'
    index = index_go("bad.go", data, "s")
    assert [(s.line, s.target) for s in index.sites] == [(5, "https://after.example.com/\ufffd(")]


def test_an_env_var_with_a_fallback_assigned_when_empty_gives_the_fallback() -> None:
    """``base := os.Getenv("GEO_URL"); if base == "" { base = "http://…" }``: the target was ``?`` (new
    user, round 32); the fallback is the address, joined with what the call adds."""
    data = (
        'package gateway\n\nimport (\n\t"net/http"\n\t"os"\n)\n\n'
        "var geoClient = &http.Client{}\n\n"
        "func LookupGeo(ip string) (*http.Response, error) {\n"
        '\tbase := os.Getenv("GEO_URL")\n\tif base == "" {\n\t\tbase = "http://127.0.0.1:19814"\n\t}\n'
        '\treturn geoClient.Get(base + "/geo?ip=" + ip)\n}\n'
    )
    (site,) = index_go("geo.go", data.encode(), "sha").sites
    assert (site.line, site.target, site.env) == (15, "http://127.0.0.1:19814/geo?ip={…}", "GEO_URL")


def test_env_vars_loaded_by_struct_tags_and_viper_are_reads() -> None:
    """Round 54: SRC005 said SHIPPING_URL was never read where envconfig loads it into a tagged field
    (caarlos0/env's ``env:"X"`` the same), and REALTIME_WS_URL where viper reads it
    (``viper.GetString("REALTIME_WS_URL")`` after ``AutomaticEnv``); the call through the field was no
    target."""
    index = _snippet(
        """
        package cfg

        import (
        \t"net/http"

        \t"github.com/kelseyhightower/envconfig"
        \t"github.com/spf13/viper"
        )

        type Config struct {
        \tShippingURL string `envconfig:"SHIPPING_URL" default:"http://127.0.0.1:23201"`
        \tNatsURL     string `env:"NATS_URL,required"`
        \tToken       string `env:"API_TOKEN, default=dev"`
        \tPort        int    `json:"port" yaml:"port"`
        }

        func Ship() error {
        \tvar c Config
        \tif err := envconfig.Process("", &c); err != nil {
        \t\treturn err
        \t}
        \t_, err := http.Get(c.ShippingURL + "/v1/ship")
        \treturn err
        }

        func WS() string {
        \tviper.AutomaticEnv()
        \tviper.BindEnv("search.url", "SEARCH_URL")
        \t_ = viper.GetString("search.url")
        \treturn viper.GetString("REALTIME_WS_URL")
        }
        """
    )
    assert _envs(index) == [
        (12, "SHIPPING_URL", "http://127.0.0.1:23201"),
        (13, "NATS_URL", None),
        (14, "API_TOKEN", "dev"),
        (29, "SEARCH_URL", None),
        (30, "SEARCH_URL", None),  # the key BindEnv bound, read (round 60)
        (31, "REALTIME_WS_URL", None),
    ]
    (site,) = [s for s in _sites(index) if s[0] == 23]
    assert site[3:5] == ("http://127.0.0.1:23201/v1/ship", "SHIPPING_URL")
