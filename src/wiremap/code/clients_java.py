"""The Java client libraries wiremap recognises: one typed table, no if/else chains.

Keys are a class's fully qualified name and a member: ``java.sql.DriverManager.getConnection`` (a static
or instance method), ``redis.clients.jedis.Jedis.<init>`` (a constructor). A row whose ``returns`` is set
types what the call gives back, so its methods are rows too (``com.jcraft.jsch.JSch.getSession`` returns a
``com.jcraft.jsch.Session``, whose ``connect`` is the site). Beyond the table, a third-party client is
recognised by convention (:func:`java_convention`).

Adding a library is adding rows here.
"""

from __future__ import annotations

import re

from ._symbols import Api

__all__ = ["APIS", "ENV_READS", "JAVA_PACKAGES", "is_standard", "java_convention"]


def _rows(protocol: str, owners: str, members: str, **kw: object) -> dict[str, Api]:
    api = Api(protocol, **kw)  # type: ignore[arg-type]
    return {f"{o}.{m}": api for o in owners.split() for m in members.split()}


_REST_TEMPLATE = "org.springframework.web.client.RestTemplate"
_REST_METHODS = (
    "getForObject getForEntity postForObject postForEntity postForLocation put delete patchForObject "
    "headForHeaders optionsForAllow exchange execute"
)
_HUTOOL_HTTP = "cn.hutool.http.HttpUtil"
_JSCH = "com.jcraft.jsch"
_GANYMED = "ch.ethz.ssh2.Connection"

APIS: dict[str, Api] = {
    # -- JDBC and pools (the database is the URL's: ``jdbc:postgresql://…``)
    "java.sql.DriverManager.getConnection": Api("sql"),
    **_rows(
        "sql",
        "javax.sql.DataSource com.alibaba.druid.pool.DruidDataSource com.zaxxer.hikari.HikariDataSource "
        "org.apache.commons.dbcp2.BasicDataSource org.apache.tomcat.jdbc.pool.DataSource",
        "getConnection",
        target_arg=None,
    ),
    # -- HTTP
    **_rows("http", _REST_TEMPLATE, _REST_METHODS),
    "java.net.URL.openConnection": Api("http", target_arg=None),
    "java.net.URL.openStream": Api("http", target_arg=None),
    # the request they are given, built with its address (``.url(…)``, ``.uri(URI.create(…))``: round 60)
    **_rows("http", "java.net.http.HttpClient", "send sendAsync", target_arg=0),
    "okhttp3.OkHttpClient.newCall": Api("http", target_arg=0),
    **_rows(
        "http",
        "org.apache.http.impl.client.CloseableHttpClient org.apache.http.client.HttpClient "
        "org.apache.hc.client5.http.impl.classic.CloseableHttpClient",
        "execute",
        target_arg=None,
    ),
    **_rows("http", _HUTOOL_HTTP, "get post downloadString downloadFile downloadBytes"),
    **_rows("http", "cn.hutool.http.HttpRequest", "get post put delete patch head"),
    **_rows(
        "http",
        "org.springframework.web.reactive.function.client.WebClient.RequestHeadersSpec",
        "retrieve exchangeToMono exchangeToFlux",
        target_arg=None,
    ),
    # a Spring HTTP client built with its base URL opens nothing: its requests' ``retrieve`` are the sites
    # (``WebClient.create(url)`` and its ``retrieve()`` were two integrations: round 60)
    "org.springframework.web.reactive.function.client.WebClient.create": Api("http", site=False),
    "org.springframework.web.client.RestClient.create": Api("http", site=False),
    # -- sockets
    "java.net.Socket.<init>": Api("tcp"),
    "javax.net.ssl.SSLSocketFactory.createSocket": Api("tcp"),
    # -- Redis
    **_rows(
        "redis",
        "redis.clients.jedis.Jedis redis.clients.jedis.JedisPool redis.clients.jedis.JedisCluster "
        "redis.clients.jedis.JedisPooled",
        "<init>",
    ),
    "io.lettuce.core.RedisClient.create": Api("redis"),
    "io.lettuce.core.cluster.RedisClusterClient.create": Api("redis"),
    "org.redisson.Redisson.create": Api("redis", target_arg=None),
    # -- brokers
    **_rows(
        "kafka",
        "org.apache.kafka.clients.producer.KafkaProducer org.apache.kafka.clients.consumer.KafkaConsumer",
        "<init>",
        target_arg=None,
    ),
    "org.springframework.kafka.core.KafkaTemplate.send": Api("kafka", target_arg=None),
    "com.rabbitmq.client.ConnectionFactory.newConnection": Api("amqp", target_arg=None),
    **_rows(
        "amqp", "org.springframework.amqp.rabbit.core.RabbitTemplate", "convertAndSend send", target_arg=None
    ),
    **_rows(
        "jms",
        "javax.jms.ConnectionFactory jakarta.jms.ConnectionFactory",
        "createConnection createContext",
        target_arg=None,
    ),
    # -- gRPC, search, documents
    **_rows(
        "grpc", "io.grpc.ManagedChannelBuilder io.grpc.netty.NettyChannelBuilder", "forAddress forTarget"
    ),
    "com.mongodb.client.MongoClients.create": Api("mongodb"),
    "org.elasticsearch.client.RestClient.builder": Api("elasticsearch"),
    # -- mail
    **_rows("smtp", "javax.mail.Transport jakarta.mail.Transport", "send", target_arg=None),
    **_rows(
        "smtp",
        "org.springframework.mail.javamail.JavaMailSender org.springframework.mail.MailSender "
        "org.springframework.mail.javamail.JavaMailSenderImpl",
        "send",
        target_arg=None,
    ),
    "cn.hutool.extra.mail.MailUtil.send": Api("smtp", target_arg=None),
    "cn.hutool.extra.mail.Mail.create": Api("smtp", target_arg=None),
    # -- SSH: the session (connection) is made empty, its connect is the site
    f"{_JSCH}.JSch.getSession": Api("ssh", site=False, returns=f"{_JSCH}.Session"),
    f"{_JSCH}.Session.connect": Api("ssh", target_arg=None),
    f"{_GANYMED}.<init>": Api("ssh", site=False, returns=_GANYMED),
    f"{_GANYMED}.connect": Api("ssh", target_arg=None),
    # -- AWS SDK v2: S3Client.builder()…build() / S3Client.create()
}

# (prefix, suffix, api): the AWS SDK v2 service clients' builder()/create()
_AWS_V2 = re.compile(r"^software\.amazon\.awssdk\.services\.[\w.]+\.\w+(?:Async)?Client\.(?:builder|create)$")

# reads of the environment (or of Spring properties, which the environment may set)
ENV_READS = frozenset(
    {
        "java.lang.System.getenv",
        "org.springframework.core.env.Environment.getProperty",
        "org.springframework.core.env.Environment.getRequiredProperty",
        "org.springframework.core.env.ConfigurableEnvironment.getProperty",
    }
)

# third-party packages by prefix → protocol, for clients recognised by convention
JAVA_PACKAGES: tuple[tuple[str, str], ...] = (
    ("com.alipay.api", "http"),
    ("com.qiniu", "http"),
    ("com.aliyun.oss", "http"),
    ("com.amazonaws", "aws"),
    ("software.amazon.awssdk", "aws"),
    ("com.google.cloud", "gcp"),
    ("com.azure", "azure"),
    ("io.minio", "aws"),
    ("org.elasticsearch", "elasticsearch"),
    ("co.elastic.clients", "elasticsearch"),
    ("com.mongodb", "mongodb"),
    ("org.apache.kafka", "kafka"),
    ("com.rabbitmq", "amqp"),
    ("redis.clients", "redis"),
    ("io.lettuce", "redis"),
    ("org.redisson", "redis"),
    ("io.grpc", "grpc"),
    ("com.datastax", "cassandra"),
    ("org.apache.zookeeper", "zookeeper"),
    ("org.apache.curator", "zookeeper"),
    ("io.nats", "nats"),
    ("org.eclipse.paho", "mqtt"),
    ("com.twilio", "http"),
    ("com.stripe", "http"),
    ("com.slack", "http"),
    ("okhttp3", "http"),
    ("org.apache.http", "http"),
    ("feign", "http"),
    ("retrofit2", "http"),
)
_SUFFIXES = ("Client", "Connection", "Session", "Cluster", "Producer", "Consumer", "Channel")
_FACTORIES = frozenset({"create", "connect", "newClient", "getConnection", "newConnection"})
_NOT_A_CLIENT = re.compile(
    r"(?:Credentials|Provider|Token|Key|Keys|Exception|Error|Config|Configuration|Options|"
    r"Properties|Builder|Factory|Request|Response|Test|Mock)$|^(?:Test|Mock|Fake)"
)
_STANDARD = ("java.", "javax.", "jakarta.", "sun.", "com.sun.", "jdk.")


def is_standard(fqn: str) -> bool:
    return fqn.startswith(_STANDARD)


def find_api(symbol: str | None) -> Api | None:
    if not symbol:
        return None
    api = APIS.get(symbol)
    if api is None and _AWS_V2.match(symbol):
        api = Api("aws", target_arg=None)
    return api


def java_convention(symbol: str | None, given: bool, wraps: bool = False) -> Api | None:
    """A third-party client by its name: ``new DefaultAlipayClient(url, …)`` (a ``*Client`` constructor
    given something), ``SomeClients.create(…)``. ``wraps``: every argument is a client of the table (a
    client over a connection is no peer of its own). The project's own packages are dropped at link time."""
    if not symbol or is_standard(symbol) or "." not in symbol:
        return None
    owner, _, member = symbol.rpartition(".")
    cls = owner.rpartition(".")[2]
    if not cls[:1].isupper() or _NOT_A_CLIENT.search(cls):
        return None
    protocol = next((p for prefix, p in JAVA_PACKAGES if owner.startswith(prefix)), "unknown")
    if member == "<init>":  # ``new SCPClient(conn)`` over a connection made above is that connection's
        return Api(protocol) if given and not wraps and cls.endswith(_SUFFIXES) else None
    if member in _FACTORIES and (cls.endswith(_SUFFIXES) or cls.endswith("s")) and given:
        return Api(protocol)
    return None
