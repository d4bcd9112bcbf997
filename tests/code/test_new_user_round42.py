"""discover and faults on a polyglot service (new user, round 42): each case failed before its fix."""

from __future__ import annotations

from pathlib import Path

from wiremap.code.discover import discover
from wiremap.code.draft import draft_doc
from wiremap.code.index import index_tree
from wiremap.document.retry import read_retry


def test_an_fstring_on_another_modules_setting_is_read_there(tmp_path: Path) -> None:
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "__init__.py").write_text("")
    (tmp_path / "orders" / "settings.py").write_text(
        'import os\nLEDGER_URL = os.environ.get("LEDGER_API_URL", "http://127.0.0.1:21301")\n'
    )
    (tmp_path / "orders" / "ledger.py").write_text(
        "import requests\n\nfrom orders import settings\n\n\nclass LedgerClient:\n"
        "    def __init__(self, base_url=settings.LEDGER_URL):\n        self.base_url = base_url\n\n"
        "    def balance(self, account):\n"
        '        return requests.get(f"{self.base_url}/v1/balances/{account}")\n'
    )
    site = next(s for s in index_tree(tmp_path, use_cache=False).sites() if s.path == "orders/ledger.py")
    assert (site.target, site.env) == ("http://127.0.0.1:21301/v1/balances/{…}", "LEDGER_API_URL")


def test_a_draft_never_points_at_its_own_source(tmp_path: Path) -> None:
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "cache.py").write_text(
        "import os\nimport redis\n\nr = redis.Redis.from_url(os.environ['ORDERS_REDIS_URL'])\n"
    )
    index = index_tree(tmp_path, use_cache=False)
    group = discover(index, []).groups[0]
    _, text = draft_doc(group, index)
    title = text.split("\n", 1)[0]
    assert title == "# Integration: Orders → Orders Redis", title  # was "Orders → Orders": a self-loop


def test_code_pasted_in_a_text_block_is_read_as_code() -> None:
    p = read_retry("Retry(total=2, backoff_factor=0.2, status_forcelist=[502, 503, 504])", "text", 1)
    assert p is not None and p.form == "urllib3" and p.max_attempts == 3
    assert p.backoff.kind == "exponential"  # not "constant ×0.2" read from the words


GO = """package main

import (
\t"net/http"
\t"os"
)

func taxURL() string {
\tif v := os.Getenv("BILLING_TAX_URL"); v != "" {
\t\treturn v
\t}
\treturn "http://127.0.0.1:21302"
}

func tax() error {
\treq, _ := http.NewRequest("GET", taxURL()+"/v1/tax", nil)
\t_, err := http.DefaultClient.Do(req)
\treturn err
}
"""

JAVA = """package com.acme.reports;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Optional;

public class ReportExporter {
    public Connection open() throws Exception {
        String url = System.getenv("REPORTS_JDBC_URL");
        if (url == null) {
            url = "jdbc:postgresql://127.0.0.1:5432/test";
        }
        return DriverManager.getConnection(url, "postgres", "");
    }

    public Connection other() throws Exception {
        String url = Optional.ofNullable(System.getenv("OTHER_JDBC_URL")).orElse("jdbc:mysql://db:3306/x");
        return DriverManager.getConnection(url);
    }
}
"""


def test_go_a_url_a_function_of_the_file_returns() -> None:
    from wiremap.code.golang import index_go

    (site,) = index_go("main.go", GO.encode(), "sha").sites
    assert (site.line, site.target, site.env) == (17, "http://127.0.0.1:21302/v1/tax", "BILLING_TAX_URL")


def test_java_a_jdbc_url_read_from_the_environment_with_its_default() -> None:
    from wiremap.code.java import index_java

    got = [(s.line, s.protocol, s.target, s.env) for s in index_java("R.java", JAVA.encode(), "sha").sites]
    assert got == [
        (13, "postgresql", "jdbc:postgresql://127.0.0.1:5432/test", "REPORTS_JDBC_URL"),
        (18, "mysql", "jdbc:mysql://db:3306/x", "OTHER_JDBC_URL"),
    ]
