"""Go and Spring services' code-linked verdicts (new user, round 61): each was wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiremap
from tests.code._git import repo_of
from tests.code.test_new_user_clients import doc
from wiremap.cli.main import main
from wiremap.code.index import index_tree

GO = """package payments

import (
\t"bytes"
\t"net/http"
\t"os"
)

func getenv(key, fallback string) string {
\tif v := os.Getenv(key); v != "" {
\t\treturn v
\t}
\treturn fallback
}

// PaymentsClient talks to the payments API.
//
// It is safe for concurrent use.
//
type PaymentsClient struct {
\thttp    *http.Client
\tbaseURL string
}

func NewPaymentsClient() *PaymentsClient {
\treturn &PaymentsClient{http: &http.Client{}, baseURL: getenv("PAYMENTS_API_URL", "http://127.0.0.1:24610")}
}

func (c *PaymentsClient) Charge(body []byte) (*http.Response, error) {
\treq, err := http.NewRequest("POST", c.baseURL+"/v1/charges", bytes.NewReader(body))
\tif err != nil {
\t\treturn nil, err
\t}
\treturn c.http.Do(req)
}
"""


@pytest.mark.parametrize(("line", "written"), [(13, 20), (20, 20)])
def test_a_go_type_s_line_stays_its_own(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    line: int,
    written: int,
) -> None:
    """SRC003 said "PaymentsClient is not at :20, it is at line 34" (its method, the one calling where the
    doc says) and sync moved a right Source to the method."""
    repo = repo_of(
        tmp_path / "repo",
        {
            "wiremap.toml": 'docs = "docs"\nroot = "."\n',
            "payments/client.go": GO,
            "docs/payments.md": doc(
                f"payments/client.go:{line}", "PaymentsClient", "Payments (127.0.0.1:24610)"
            ),
        },
    )
    monkeypatch.chdir(repo)
    assert wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC003"]) == []
    capsys.readouterr()
    main(["sync", "--write", "docs"])
    source = next(
        x for x in (repo / "docs/payments.md").read_text().splitlines() if x.startswith("**Source:**")
    )
    assert source == f"**Source:** `payments/client.go:{written}`"


def test_a_profile_s_value_is_not_the_default(tmp_path: Path) -> None:
    """application-prod.yml's ``${TAX_API_URL:https://tax.prod.internal}`` was taken for the call's target
    over application.yml's default (a new "undocumented" integration to the prod host)."""
    (tmp_path / "src/main/java/t").mkdir(parents=True)
    (tmp_path / "src/main/resources").mkdir(parents=True)
    (tmp_path / "src/main/java/t/TaxClient.java").write_text(
        "package t;\nimport org.springframework.beans.factory.annotation.Value;\n"
        "import org.springframework.web.client.RestTemplate;\npublic class TaxClient {\n"
        "  private final RestTemplate rest = new RestTemplate();\n"
        '  @Value("${tax.base-url}")\n  private String base;\n'
        '  public String rates() { return rest.getForObject(base + "/v1/rates", String.class); }\n}\n'
    )
    (tmp_path / "src/main/resources/application.yml").write_text(
        "tax:\n  base-url: ${TAX_API_URL:http://127.0.0.1:24621}\n"
    )
    (tmp_path / "src/main/resources/application-prod.yml").write_text(
        "tax:\n  base-url: ${TAX_API_URL:https://tax.prod.internal}\n"
    )
    (site,) = index_tree(tmp_path, use_cache=False).files["src/main/java/t/TaxClient.java"].sites
    assert (site.target, site.env) == ("http://127.0.0.1:24621/v1/rates", "TAX_API_URL")


def test_a_session_from_a_factory_behind_an_or_is_a_site() -> None:
    """``session = session or make_session()`` then ``session.get(…)``: no call site (with ``session =
    make_session()`` alone it was one); discover said 0/0."""
    from wiremap.code.python import index_python

    code = (
        "import requests\n\n\ndef make_session():\n    s = requests.Session()\n    return s\n\n\n"
        "def get_quote(sku, session=None):\n    session = session or make_session()\n"
        '    return session.get(f"http://127.0.0.1:24510/v2/quote/{sku}")\n'
    )
    sites = index_python("m.py", code.encode(), "s").sites
    assert [(s.line, s.client, s.target) for s in sites] == [
        (11, "requests.Session.get", "http://127.0.0.1:24510/v2/quote/{…}")
    ]
