"""discover on TypeScript, Go and Java written the way real services are (new user, round 44)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from wiremap.code.discover import discover
from wiremap.code.golang import index_go
from wiremap.code.index import index_tree
from wiremap.code.java import index_java
from wiremap.code.javascript import index_javascript
from wiremap.model import EnvVar, Integration


def test_go_an_env_helper_of_another_file_of_the_package() -> None:
    src = textwrap.dedent(
        """\
        package main

        import "database/sql"

        func openDB() (*sql.DB, error) {
        \tdsn := getenv("INVENTORY_DB_DSN", "postgres://inv@inventory-db:5432/inventory")
        \treturn sql.Open("postgres", dsn)
        }
        """
    )
    f = index_go("db.go", src.encode(), "sha")
    assert [(e.name, e.default) for e in f.env_reads] == [
        ("INVENTORY_DB_DSN", "postgres://inv@inventory-db:5432/inventory")
    ]
    (site,) = f.sites
    assert (site.target, site.env) == ("postgres://inv@inventory-db:5432/inventory", "INVENTORY_DB_DSN")


def test_go_the_modules_own_packages_are_no_clients(tmp_path: Path) -> None:
    svc = tmp_path / "services" / "inventory"
    (svc / "internal" / "audit").mkdir(parents=True)
    (svc / "internal" / "audit" / "audit.go").write_text(
        "package audit\n\nfunc NewClient(n string) int { return 0 }\n"
    )
    (svc / "main.go").write_text(
        'package main\n\nimport "example.com/svc/inventory/internal/audit"\n\n'
        'func main() { audit.NewClient("x") }\n'
    )
    assert not list(index_tree(tmp_path, use_cache=False).sites())


def test_a_call_configured_by_a_variable_no_doc_of_its_file_lists_is_not_theirs(tmp_path: Path) -> None:
    (tmp_path / "http.ts").write_text(
        "export async function rates() {\n  return fetch(`${process.env.FX_API_URL}/v2/rates`);\n}\n"
    )
    index = index_tree(tmp_path, use_cache=False)
    payments = Integration(
        id="p", path="docs/p.md", source="Orders", destination="Payments", protocol="http",
        env_vars=[EnvVar(name="PAYMENTS_API_URL")],
    )  # fmt: skip
    (site,) = discover(index, [(payments, "http.ts")]).sites
    assert not site.documented


def test_js_brokers_split_from_an_env_var_with_a_fallback() -> None:
    src = (
        'import { Kafka } from "kafkajs";\n'
        "export const kafka = new Kafka({ brokers: "
        '(process.env.KAFKA_BROKERS ?? "localhost:9092").split(",") });\n'
        'import nodemailer from "nodemailer";\n'
        'const t = nodemailer.createTransport({ host: "smtp.internal", port: 587 });\n'
        "export const send = (m: object) => t.sendMail(m);\n"
    )
    sites = index_javascript("k.ts", src.encode(), "sha").sites
    assert (sites[0].line, sites[0].target, sites[0].env) == (2, "localhost:9092", "KAFKA_BROKERS")
    assert [s.line for s in sites] == [2, 4]  # the transport once: its sendMail is no second integration


def test_java_spring_values_and_webclient() -> None:
    src = textwrap.dedent(
        """\
        package com.acme.billing;

        import org.springframework.beans.factory.annotation.Value;
        import org.springframework.web.client.RestTemplate;
        import org.springframework.web.reactive.function.client.WebClient;

        public class Gateways {
            @Value("${LEDGER_API_URL:http://ledger.internal:8080}")
            private String ledgerUrl;
            private final RestTemplate rest = new RestTemplate();
            private final WebClient tax = WebClient.builder()
                .baseUrl(System.getenv().getOrDefault("TAX_API_URL", "https://tax.example.com"))
                .build();

            public Object post(Object e) {
                return rest.postForObject(ledgerUrl + "/v1/entries", e, Object.class);
            }

            public Object rate(String c) {
                return tax.get().uri("/v3/rates/{c}", c).retrieve().bodyToMono(Object.class);
            }
        }
        """
    )
    f = index_java("G.java", src.encode(), "sha")
    got = {s.line: (s.target, s.env) for s in f.sites}
    assert got[16] == ("http://ledger.internal:8080/v1/entries", "LEDGER_API_URL")
    assert got[20] == ("https://tax.example.com/v3/rates/{c}", "TAX_API_URL")  # base URL + .uri()
    assert ("TAX_API_URL", "https://tax.example.com") in [(e.name, e.default) for e in f.env_reads]
