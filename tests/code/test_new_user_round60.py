"""Go and Java services' code-linked verdicts (new user, round 60): each was wrong."""

from __future__ import annotations

from pathlib import Path

from wiremap.code.discover import destination_of
from wiremap.code.golang import index_go
from wiremap.code.java import index_java

GO = """package payments

import (
\t"bytes"
\t"net/http"
\t"os"

\t"github.com/spf13/viper"
\t"google.golang.org/grpc"
)

type PaymentsClient struct {
\thttp    *http.Client
\tbaseURL string
}

func getenv(key, fallback string) string {
\tif v := os.Getenv(key); v != "" {
\t\treturn v
\t}
\treturn fallback
}

func NewPaymentsClient() *PaymentsClient {
\treturn &PaymentsClient{http: &http.Client{}, baseURL: getenv("PAYMENTS_API_URL", "http://127.0.0.1:8081")}
}

func (c *PaymentsClient) Charge(body []byte) (*http.Response, error) {
\treq, err := http.NewRequest("POST", c.baseURL+"/v1/charges", bytes.NewReader(body))
\tif err != nil {
\t\treturn nil, err
\t}
\treturn c.http.Do(req)
}

func Dial() (*grpc.ClientConn, error) {
\tviper.SetDefault("inventory.addr", "127.0.0.1:50051")
\tviper.BindEnv("inventory.addr", "INVENTORY_GRPC_ADDR")
\treturn grpc.Dial(viper.GetString("inventory.addr"), grpc.WithInsecure())
}
"""


def test_a_go_method_s_field_and_a_viper_key_have_their_targets() -> None:
    """``c.baseURL`` set by the constructor's literal, and viper's ``GetString("inventory.addr")`` after
    ``SetDefault`` and ``BindEnv``, were no target and no env (a doc's wrong port unseen)."""
    sites = index_go("client.go", GO.encode(), "s").sites
    assert [(s.line, s.target, s.env) for s in sites] == [
        (33, "http://127.0.0.1:8081/v1/charges", "PAYMENTS_API_URL"),
        (39, "127.0.0.1:50051", "INVENTORY_GRPC_ADDR"),
    ]


JAVA = """package s;
import okhttp3.OkHttpClient;
import okhttp3.Request;
public class TaxClient {
  private final OkHttpClient http = new OkHttpClient();
  private final String base = System.getenv().getOrDefault("TAX_API_URL", "http://127.0.0.1:8097");
  public String quote() throws Exception {
    Request req = new Request.Builder().url(base + "/v1/quote").build();
    return http.newCall(req).execute().body().string();
  }
}
"""


def test_an_okhttp_request_built_with_its_url_and_a_jdbc_url_have_destinations() -> None:
    (site,) = index_java("TaxClient.java", JAVA.encode(), "s").sites
    assert (site.target, site.env) == ("http://127.0.0.1:8097/v1/quote", "TAX_API_URL")
    assert destination_of("jdbc:postgresql://127.0.0.1:5433/billing") == "127.0.0.1:5433"


def test_src006_asks_for_a_tagged_field_the_integration_reads(tmp_path: Path) -> None:
    """``MaxConns int `envconfig:"ORDERS_DB_MAX_CONNS"``` read by ``Open`` (``cfg.MaxConns``): the doc
    leaving it out got no SRC006 (a Go field is written name, then type)."""
    import wiremap
    from tests.code._git import repo_of
    from tests.code.test_new_user_clients import doc

    pg = (
        'package orders\n\nimport (\n\t"context"\n\n\t"github.com/jackc/pgx/v5/pgxpool"\n'
        '\t"github.com/kelseyhightower/envconfig"\n)\n\ntype Config struct {\n'
        '\tDSN      string `envconfig:"ORDERS_DB_DSN" default:"postgres://app@127.0.0.1:5432/orders"`\n'
        '\tMaxConns int32  `envconfig:"ORDERS_DB_MAX_CONNS" default:"10"`\n}\n\n'
        "func Open(ctx context.Context) (*pgxpool.Pool, error) {\n\tvar cfg Config\n"
        '\tif err := envconfig.Process("", &cfg); err != nil {\n\t\treturn nil, err\n\t}\n'
        "\tpc, err := pgxpool.ParseConfig(cfg.DSN)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n"
        "\tpc.MaxConns = cfg.MaxConns\n\treturn pgxpool.NewWithConfig(ctx, pc)\n}\n"
    )
    text = doc("orders/pg.go:16", "pgxpool.NewWithConfig", "Orders DB (127.0.0.1:5432)").replace(
        "## Recent Changes",
        "## Configuration\n\n**Environment Variables:**\n```bash\n"
        "export ORDERS_DB_DSN=postgres://app@127.0.0.1:5432/orders  # the database\n```\n\n---\n\n"
        "## Recent Changes",
    )
    repo = repo_of(
        tmp_path / "repo",
        {"wiremap.toml": 'docs = "docs"\nroot = "."\n', "orders/pg.go": pg, "docs/orders-db.md": text},
    )
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC006"])
    assert [f.message for f in found] == [
        "orders/pg.go:12 reads environment variable ORDERS_DB_MAX_CONNS, which the doc does not list"
    ]


def test_configuration_properties_fields_are_read_from_the_environment(tmp_path: Path) -> None:
    """``@ConfigurationProperties(prefix = "billing.ledger")``: each field is a property Spring sets, and
    from its application.yml placeholder's variable."""
    from wiremap.code.index import index_tree

    (tmp_path / "src").mkdir()
    (tmp_path / "src/LedgerProperties.java").write_text(
        "package b;\nimport org.springframework.boot.context.properties.ConfigurationProperties;\n"
        '@ConfigurationProperties(prefix = "billing.ledger")\npublic class LedgerProperties {\n'
        "  private String baseUrl;\n  private int timeoutMs;\n  private static final int LIMIT = 3;\n}\n"
    )
    (tmp_path / "src/application.yml").write_text(
        "billing:\n  ledger:\n    base-url: ${LEDGER_BASE_URL:http://127.0.0.1:8096}\n"
    )
    reads = index_tree(tmp_path, use_cache=False).files["src/LedgerProperties.java"].env_reads
    assert [(e.line, e.name, e.default) for e in reads] == [
        (5, "LEDGER_BASE_URL", "http://127.0.0.1:8096"),
        (6, "BILLING_LEDGER_TIMEOUTMS", None),
    ]


def test_configuration_properties_read_at_the_field_and_through_nested_classes(tmp_path: Path) -> None:
    """A field under an annotation is read at its own line (eladmin's ``@Getter`` above ``codeType``); a
    field whose type is a class nested in the properties class binds that class's fields, as Spring does
    (``file.mac.path`` is set by FILE_MAC_PATH; no variable sets ``file.mac``). Labelled blind in eladmin."""
    from wiremap.code.index import index_tree

    (tmp_path / "src").mkdir()
    (tmp_path / "src/FileProperties.java").write_text(
        "package b;\nimport org.springframework.boot.context.properties.ConfigurationProperties;\n"
        '@ConfigurationProperties(prefix = "file")\npublic class FileProperties {\n'
        "  @Getter\n  private Long maxSize;\n"  # 5, 6
        "  private ElPath mac, linux;\n"  # 7
        "  private Kind kind;\n"  # 8: an enum holds no fields: the field itself
        "  public static class ElPath {\n    private String path;\n\n    private String avatar;\n  }\n"
        "  public enum Kind { A, B }\n}\n"
    )
    reads = index_tree(tmp_path, use_cache=False).files["src/FileProperties.java"].env_reads
    assert sorted((e.line, e.name) for e in reads) == [
        (6, "FILE_MAXSIZE"),
        (8, "FILE_KIND"),
        (10, "FILE_LINUX_PATH"),
        (10, "FILE_MAC_PATH"),
        (12, "FILE_LINUX_AVATAR"),
        (12, "FILE_MAC_AVATAR"),
    ]
