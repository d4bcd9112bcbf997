"""The Java source index: sites, env reads and definitions of Java files written the usual ways."""

from __future__ import annotations

import textwrap
from pathlib import Path

from wiremap.code.index import index_tree
from wiremap.code.java import index_java
from wiremap.code.model import FileIndex

SERVICE = """\
package com.acme.orders;

import java.sql.Connection;
import java.sql.DriverManager;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.Session;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.client.RestTemplate;
import redis.clients.jedis.Jedis;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import com.alipay.api.DefaultAlipayClient;
import com.acme.orders.util.PaymentsClient;

public class OrdersService {
    @Value("${payments.url:http://127.0.0.1:9090}")
    private String paymentsUrl;

    private final RestTemplate rest = new RestTemplate();

    public Connection open() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/orders", "u", "p");
    }

    public String charge() {
        return rest.postForObject("http://127.0.0.1:9090/v1/charges", null, String.class);
    }

    public void deploy(String host) throws Exception {
        Session session = new JSch().getSession("deploy", host, 22);
        session.connect(3000);
    }

    public void cache() {
        Jedis jedis = new Jedis("127.0.0.1", 6379);
        String home = System.getenv("ORDERS_HOME");
        var s3 = S3Client.builder()
            .credentialsProvider(null)
            .build();
        AwsBasicCredentials creds = AwsBasicCredentials.create("a", "b");
        DefaultAlipayClient alipay = new DefaultAlipayClient("https://openapi.alipay.com/gw", "id", "k");
        PaymentsClient own = new PaymentsClient("http://x");
        if (jedis instanceof Object) { own.toString(); }
    }
}
"""


def _index(src: str, path: str = "src/main/java/com/acme/orders/OrdersService.java") -> FileIndex:
    return index_java(path, textwrap.dedent(src).encode(), "sha")


def test_sites_of_the_usual_java_clients() -> None:
    by_line = {s.line: (s.client, s.protocol, s.target) for s in _index(SERVICE).sites}
    assert by_line[22] == (
        "java.sql.DriverManager.getConnection",
        "postgresql",
        "jdbc:postgresql://127.0.0.1:5432/orders",
    )
    assert by_line[26] == (
        "org.springframework.web.client.RestTemplate.postForObject",
        "http",
        "http://127.0.0.1:9090/v1/charges",
    )
    assert by_line[31] == (
        "com.jcraft.jsch.Session.connect",
        "ssh",
        None,
    )  # the session's connect, not getSession
    assert by_line[35][:2] == ("redis.clients.jedis.Jedis", "redis")
    assert by_line[37][:2] == ("software.amazon.awssdk.services.s3.S3Client.builder", "aws")
    assert by_line[41][:2] == ("com.alipay.api.DefaultAlipayClient", "http")  # a *Client by convention
    assert (
        19 not in by_line and 30 not in by_line and 40 not in by_line
    )  # RestTemplate(), getSession, credentials


def test_env_reads_and_spring_values() -> None:
    reads = [(e.line, e.name, e.default) for e in _index(SERVICE).env_reads]
    assert reads == [(16, "payments.url", "http://127.0.0.1:9090"), (36, "ORDERS_HOME", None)]


def test_definitions() -> None:
    defs = [(d.qualname, d.kind, d.line) for d in _index(SERVICE).definitions]
    assert ("OrdersService", "class", 15) in defs and ("OrdersService.deploy", "method", 29) in defs


def test_the_projects_own_clients_are_not_sites(tmp_path: Path) -> None:
    base = tmp_path / "src" / "main" / "java" / "com" / "acme" / "orders"
    (base / "util").mkdir(parents=True)
    (base / "OrdersService.java").write_text(SERVICE)
    (base / "util" / "PaymentsClient.java").write_text(
        "package com.acme.orders.util;\n\npublic class PaymentsClient {\n"
        "    public PaymentsClient(String url) {}\n}\n"
    )
    clients = {s.client for s in index_tree(tmp_path, use_cache=False).sites()}
    assert "com.acme.orders.util.PaymentsClient" not in clients
    assert "com.alipay.api.DefaultAlipayClient" in clients


def test_a_broken_file_is_indexed_as_far_as_it_parses() -> None:
    f = _index(
        'package x;\nclass A { void f() { java.sql.DriverManager.getConnection("jdbc:mysql://h/db"); \n'
    )
    assert f.error is None
