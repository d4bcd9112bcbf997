"""Go services (new user, round 54): each was wrong before."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiremap
from tests.code._git import repo_of
from tests.code.test_new_user_clients import doc
from wiremap.cli.main import main
from wiremap.code.index import index_tree

PAYMENTS = """package payments

import (
\t"net/http"
\t"os"
)

type PaymentsClient struct {
\thttp *http.Client
\tbase string
\ttoken string
}

func NewPaymentsClient() *PaymentsClient {
\treturn &PaymentsClient{
\t\thttp:  &http.Client{},
\t\tbase:  os.Getenv("PAYMENTS_URL"),
\t\ttoken: os.Getenv("PAYMENTS_TOKEN"),
\t}
}

func (c *PaymentsClient) GetCharge(id string) (*http.Response, error) {
\treq, err := http.NewRequest("GET", c.base+"/v1/charges/"+id, nil)
\tif err != nil {
\t\treturn nil, err
\t}
\treturn c.http.Do(req)
}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {
        "wiremap.toml": 'docs = "docs"\nroot = "."\n',
        "internal/payments/client.go": PAYMENTS,
        # the Source names the call inside a method of the Client: the Client is there
        "docs/payments.md": doc("internal/payments/client.go:27", "PaymentsClient"),
    }
    repo = repo_of(tmp_path / "repo", files)
    monkeypatch.chdir(repo)
    return repo


def test_a_go_method_of_the_client_is_the_client(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SRC003 said "Client PaymentsClient is not at …:27: it is at line 7 now" for a Source inside
    ``func (c *PaymentsClient) GetCharge``, and sync moved the Source to the struct."""
    assert wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003", "SRC004"]) == []
    before = (repo / "docs" / "payments.md").read_text()
    capsys.readouterr()
    assert main(["sync", "--write", "docs"]) == 0
    after = (repo / "docs" / "payments.md").read_text()
    source = next(x for x in after.splitlines() if x.startswith("**Source:**"))
    assert source == "**Source:** `internal/payments/client.go:27`", (source, before == after)


def test_the_constructor_of_a_go_client_is_its_code(repo: Path) -> None:
    """SRC006 said nothing of PAYMENTS_TOKEN, read by ``func NewPaymentsClient() *PaymentsClient``: a
    function returning the Client builds it."""
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC006"])
    assert sorted(f.message.split(" reads environment variable ")[1].split(",")[0] for f in found) == [
        "PAYMENTS_TOKEN",
        "PAYMENTS_URL",
    ], found


CATALOG_JAVA = """package shop;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.client.RestTemplate;

public class CatalogClient {
    private final RestTemplate rest = new RestTemplate();

    @Value("${catalog.base-url}")
    private String baseUrl;

    @Value("${cart.redis.url}")
    private String redisUrl;

    @Value("${cart.redis.host}")
    private String redisHost;

    public String item(String id) {
        return rest.getForObject(baseUrl + "/v1/items/" + id, String.class);
    }
}
"""
APPLICATION_YML = """server:
  port: 8080
catalog:
  base-url: ${CATALOG_API_URL:http://127.0.0.1:23106}
  timeout: 2s
cart:
  redis:
    host: localhost
"""
CATALOG_DOC = doc("src/main/java/shop/CatalogClient.java:19", "CatalogClient").replace(
    "## Recent Changes",
    "## Configuration\n\n**Environment Variables:**\n```bash\n"
    "export CATALOG_API_URL=http://127.0.0.1:23106  # base URL\n"
    "export CART_REDIS_URL=redis://127.0.0.1:6379  # cart\n```\n\n---\n\n## Recent Changes",
)


def test_spring_properties_are_read_from_the_variables_that_set_them(tmp_path: Path) -> None:
    """SRC005 said CATALOG_API_URL was never read (application.yml's ``${CATALOG_API_URL:…}`` sets the
    property the code reads) and CART_REDIS_URL (Spring's relaxed binding sets ``cart.redis.url`` from
    it); SRC006 called the properties environment variables (``catalog.base-url``), and
    ``cart.redis.host``, set in application.yml as written, too."""
    repo = repo_of(
        tmp_path / "repo",
        {
            "wiremap.toml": 'docs = "docs"\nroot = "."\n',
            "src/main/java/shop/CatalogClient.java": CATALOG_JAVA,
            "src/main/resources/application.yml": APPLICATION_YML,
            "docs/catalog.md": CATALOG_DOC,
        },
    )
    assert wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC005", "SRC006"]) == []
    index = index_tree(repo, use_cache=False)
    java = index.files["src/main/java/shop/CatalogClient.java"]
    assert [(e.line, e.name, e.default) for e in java.env_reads] == [
        (9, "CATALOG_API_URL", "http://127.0.0.1:23106"),
        (12, "CART_REDIS_URL", None),
    ]
    (site,) = java.sites
    assert (site.target, site.env) == ("http://127.0.0.1:23106/v1/items/", "CATALOG_API_URL")
    yml = index.files["src/main/resources/application.yml"]
    # the placeholder's variable, and every property's relaxed name (Spring reads SERVER_PORT: round 60)
    assert [(e.line, e.name) for e in yml.env_reads] == [
        (2, "SERVER_PORT"),
        (4, "CATALOG_BASEURL"),
        (4, "CATALOG_API_URL"),
        (5, "CATALOG_TIMEOUT"),
        (8, "CART_REDIS_HOST"),
    ]


def test_a_spring_placeholder_in_a_properties_file_and_a_profile() -> None:
    from wiremap.code.languages import language_of
    from wiremap.code.spring import env_of_property, index_spring

    assert language_of("src/main/resources/application-prod.properties") is not None
    assert language_of("config/bootstrap.yaml") is not None
    assert language_of("deploy/values.yml") is None and language_of("ci/application.json") is None
    props = index_spring(
        "application-prod.properties",
        b"# comment\nfraud.api.url=${FRAUD_API_URL:http://127.0.0.1:9000}\nfraud.retries: 3\n"
        b"db.url=jdbc:postgresql://${DB_HOST:localhost}:5432/${db.name}\n",
        "s",
    )
    assert [(e.line, e.name, e.default) for e in props.env_reads] == [
        (2, "FRAUD_API_URL", "http://127.0.0.1:9000"),
        (3, "FRAUD_RETRIES", "3"),  # the property's relaxed name: Spring reads it
        (4, "DB_URL", None),
        (4, "DB_HOST", "localhost"),
    ]
    assert env_of_property("catalog.base-url") == "CATALOG_BASEURL"
    assert env_of_property("my.servers[0].host") == "MY_SERVERS_0_HOST"


def test_a_port_beside_the_host_in_a_java_constructor_is_kept() -> None:
    """``new Jedis("127.0.0.1", 6379)`` was target ``127.0.0.1``: a doc saying :6380 was not a mismatch."""
    from wiremap.code.java import index_java

    src = (
        "package s;\nimport redis.clients.jedis.Jedis;\nimport java.net.Socket;\npublic class S {\n"
        '  static final int PORT = 7000;\n  Jedis j = new Jedis("127.0.0.1", 6379);\n'
        '  Socket s = new Socket("ledger.internal", PORT);\n'
        '  Jedis u = new Jedis("redis://a:1/0", 5000);\n}\n'
    )
    index = index_java("S.java", src.encode(), "s")
    assert [s.target for s in index.sites] == ["127.0.0.1:6379", "ledger.internal:7000", "redis://a:1/0"]


def test_a_client_absent_from_a_source_in_a_language_not_indexed_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Kotlin doc naming ``TaxKlient`` (in no file) passed lint and sync said "already in sync": the
    words of a file wiremap does not index are still read."""
    kotlin = (
        "package tax\n\nimport io.ktor.client.HttpClient\n\nclass TaxClient(private val http: HttpClient) {\n"
        '    suspend fun quote() = http.get(System.getenv("TAX_URL") + "/v1/quote")\n}\n'
    )
    repo = repo_of(
        tmp_path / "repo",
        {
            "wiremap.toml": 'docs = "docs"\nroot = "."\n',
            "src/tax/TaxClient.kt": kotlin,
            "docs/wrong.md": doc("src/tax/TaxClient.kt:6", "TaxKlient"),
            "docs/right.md": doc("src/tax/TaxClient.kt:6", "TaxClient").replace("Sensors →", "Shop →"),
        },
    )
    monkeypatch.chdir(repo)
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC004"])
    assert [(Path(f.path).name, f.code) for f in found] == [("wrong.md", "SRC004")]
    capsys.readouterr()
    main(["sync", "docs"])
    err = capsys.readouterr().err
    assert "skipped docs/wrong.md: Client TaxKlient is not in src/tax/TaxClient.kt" in err, err
    # the right one's line was never compared: not "already in sync"
    assert "skipped docs/right.md: src/tax/TaxClient.kt is in a language wiremap does not index" in err, err
    assert "0 already in sync" in err, err
