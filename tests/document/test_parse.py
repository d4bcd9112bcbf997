from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests._fuzz import examples
from tests._paths import EXAMPLE_DOCS, FIXTURES, TEMPLATE
from wiremap.document import is_integration_doc, parse_text, render_document
from wiremap.document.nodes import CodeBlock, FieldLine, ListBlock, Paragraph


def test_template_lines_are_source_lines() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    lines = text.split("\n")
    integ = parse_text(text, "t.md").integration
    for field, expected_label in [
        ("purpose", "**Purpose:**"),
        ("protocol", "**Protocol:**"),
        ("critical_path", "**Critical Path:**"),
        ("source_ref", "**Source:**"),
        ("endpoint", "**Endpoint:**"),
        ("last_updated", "**Last Updated:**"),
        ("maintained_by", "**Maintained By:**"),
        ("latency_ms.p99", "- P99:"),
        ("latency_ms.typical", "- Typical:"),
    ]:
        assert lines[integ.lines[field] - 1].startswith(expected_label), field
    assert lines[integ.lines["request"] - 1] == "```json"
    assert lines[integ.lines["env_vars.[VAR_NAME]"] - 1].startswith("export [VAR_NAME]")


def test_label_forms_and_owned_blocks() -> None:
    doc = parse_text(TEMPLATE.read_text(encoding="utf-8"), "t.md")
    hc = doc.fields.get("health check")
    assert hc is not None and isinstance(hc.block, CodeBlock) and hc.block.language == "bash"
    fm = doc.fields.get("failure modes")
    assert fm is not None and isinstance(fm.block, ListBlock)
    first = fm.block.items[0].lines[0]
    assert isinstance(first, FieldLine) and first.label == "Timeout" and not first.colon_inside


def test_crlf_and_bom_give_same_model_as_lf() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    a = parse_text(text, "t.md").integration
    b = parse_text("\ufeff" + text.replace("\n", "\r\n"), "t.md").integration
    assert a == b


def test_messy_doc_is_read() -> None:
    integ = parse_text((FIXTURES / "messy.md").read_text(encoding="utf-8"), "messy.md").integration
    assert (integ.source, integ.destination) == ("Zahlungs-Dienst", "Büro API")
    assert integ.id == "zahlungs-dienst-to-buro-api"
    assert integ.protocol == "postgresql" and integ.critical_path is True
    assert integ.critical_path_note == "during month-end close only"
    assert integ.latency_ms.typical == 0.4 and integ.latency_ms.p95 == 80 and integ.latency_ms.p99 == 1500
    assert integ.throughput_per_s == pytest.approx(1 / 86400)
    assert integ.request is not None and integ.request.language == "sql" and integ.request.json_value is None
    assert integ.response is not None and integ.response.json_value == {"inserted": 1, "ok": True}
    assert (
        integ.failure_modes[0].name == "Timeout" and integ.failure_modes[0].handling == "retried next night"
    )
    assert [s.title for s in integ.extra_sections] == ["Notes from the team"]
    assert "- first note" in integ.extra_sections[0].text
    assert integ.maintained_by == "Ünal Öztürk" and integ.last_updated == "2026-11-02"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Integration: A → B\n", True),
        ("**Protocol:** HTTP\n**Source:** `a.py:1`\n**Destination:** B (b:1)\n", True),
        ("**Protocol:** HTTP\n**Source:** `a.py:1`\n", False),  # two labels are not the template's shape
        ("# README\n\n**Protocol:** HTTP\n", False),
        ("just prose\n", False),
        ("", False),
    ],
)
def test_which_files_are_docs(text: str, expected: bool) -> None:
    assert is_integration_doc(parse_text(text, "x.md").document) is expected


def test_multi_line_field_value_joins_continuation() -> None:
    integ = parse_text(
        "# Integration: A → B\n\n**Purpose:** Charges cards\nand refunds them.\n", "x.md"
    ).integration
    assert integ.purpose == "Charges cards and refunds them."


def test_directives() -> None:
    text = (
        "# Integration: A → B\n\n<!-- wiremap: disable=DOC003,VAL001 interval=10s expect_status=200,201 -->\n"
    )
    integ = parse_text(text, "x.md").integration
    assert integ.directives.disable == ["DOC003", "VAL001"]
    assert integ.directives.settings == {"interval": "10s", "expect_status": "200,201"}


def test_paragraph_lines_keep_raw_value() -> None:
    doc = parse_text("**Source:** `a/b.py:41` (moved)\n", "x.md").document
    para = doc.preamble[0]
    assert isinstance(para, Paragraph)
    f = para.lines[0]
    assert (
        isinstance(f, FieldLine) and f.raw_value == "`a/b.py:41` (moved)" and f.value == "a/b.py:41 (moved)"
    )


@pytest.mark.parametrize(
    ("item", "name", "value", "purpose"),
    [
        ("MQTT_HOST=127.0.0.1", "MQTT_HOST", "127.0.0.1", None),
        (
            "`PARTNER_HOOK_URL=http://127.0.0.1:9000/hook`",
            "PARTNER_HOOK_URL",
            "http://127.0.0.1:9000/hook",
            None,
        ),
        ("MQTT_HOST=127.0.0.1  # the broker", "MQTT_HOST", "127.0.0.1", "the broker"),
        ("`MQTT_HOST=127.0.0.1` # the broker", "MQTT_HOST", "127.0.0.1", "the broker"),
        ("MQTT_HOST=127.0.0.1 — the broker", "MQTT_HOST", "127.0.0.1", "the broker"),
        ("`MQTT_HOST=127.0.0.1` — the broker", "MQTT_HOST", "127.0.0.1", "the broker"),
        ("MQTT_HOST=127.0.0.1: the broker", "MQTT_HOST", "127.0.0.1", "the broker"),
        ("`MQTT_HOST=127.0.0.1`: the broker", "MQTT_HOST", "127.0.0.1", "the broker"),
        ("`URL=http://h:9000/x`: the hook", "URL", "http://h:9000/x", "the hook"),
        ('export MQTT_HOST="127.0.0.1"  # the broker', "MQTT_HOST", "127.0.0.1", "the broker"),
        ("`MQTT_HOST` = `127.0.0.1`", "MQTT_HOST", "127.0.0.1", None),
        ("MQTT_HOST: the broker", "MQTT_HOST", None, "the broker"),
        ("`MQTT_HOST`: the broker", "MQTT_HOST", None, "the broker"),
        ("**MQTT_HOST**: the broker", "MQTT_HOST", None, "the broker"),
        ("**MQTT\\_HOST**: the broker", "MQTT_HOST", None, "the broker"),
        ("MQTT_HOST - the broker", "MQTT_HOST", None, "the broker"),
        ("`MQTT_HOST` — the broker", "MQTT_HOST", None, "the broker"),
        ("MQTT_HOST", "MQTT_HOST", None, None),
        # a value after the colon, then its purpose: the URL was read as the purpose (new user, round 26)
        (
            "CACHE_REDIS_URL: redis://127.0.0.1:6379/0 (the cache)",
            "CACHE_REDIS_URL",
            "redis://127.0.0.1:6379/0",
            "the cache",
        ),
        ("DB_HOST: 127.0.0.1:5432 - the primary", "DB_HOST", "127.0.0.1:5432", "the primary"),
        ("MQTT_PORT: 1883", "MQTT_PORT", "1883", None),
        # a shell line in a code span: its comment is the purpose (the value held it; new user, round 16)
        ("`MQTT_HOST=127.0.0.1  # the broker`", "MQTT_HOST", "127.0.0.1", "the broker"),
    ],
)
def test_env_var_list_items(item: str, name: str, value: str | None, purpose: str | None) -> None:
    """Every list form of an environment variable (format.md), with its value and purpose: ``NAME=value``
    items were dropped, and in a mixed list only the ``NAME: purpose`` items were read."""
    text = f"# Integration: A → B\n\n## Configuration\n\n**Environment Variables:**\n- OTHER: x\n- {item}\n"
    integ = parse_text(text).integration
    assert [(e.name, e.value, e.purpose) for e in integ.env_vars] == [
        ("OTHER", None, "x"),
        (name, value, purpose),
    ]
    assert integ.lines[f"env_vars.{name}"] == 7


@pytest.mark.parametrize("item", ["none", "n/a", "-", "None needed for TLS", "Set MQTT_HOST to the broker"])
def test_env_list_items_that_name_no_variable_are_no_variable(item: str) -> None:
    text = f"# Integration: A → B\n\n## Configuration\n\n**Environment Variables:**\n- {item}\n"
    assert parse_text(text).integration.env_vars == []


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (  # the header names the columns: variable, value, purpose; cells in code spans or bare
            "| Variable | Value | Purpose |\n|---|---|---|\n"
            "| `CART_REDIS_URL` | `redis://127.0.0.1:6379/0` | Redis URL |\n| CART_TTL | 604800 | expiry |",
            [
                ("CART_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL", 9),
                ("CART_TTL", "604800", "expiry", 10),
            ],
        ),
        (  # columns in any order, the value headed "Default", any other column a purpose
            "Description | Default | Name | Required\n--- | --- | --- | ---\n"
            "the broker | 127.0.0.1 | **MQTT\\_HOST** | yes",
            [("MQTT_HOST", "127.0.0.1", "the broker; yes", 9)],
        ),
        (  # no header words: the first column is the variable, the others its purpose
            "| | |\n|:--|:--|\n| `API_KEY` | the key |",
            [("API_KEY", None, "the key", 9)],
        ),
        (  # NAME=value in the variable's cell
            "| Env | Notes |\n|---|---|\n| `API_URL=http://127.0.0.1:9000` | the API |",
            [("API_URL", "http://127.0.0.1:9000", "the API", 9)],
        ),
    ],
)
def test_env_vars_written_as_a_table(
    table: str, expected: list[tuple[str, str | None, str | None, int]]
) -> None:
    """A table under Environment Variables was not read at all: env_vars was [], SRC006 called the code's
    reads undocumented and nothing warned (found by a new user, round 12)."""
    text = f"# Integration: A → B\n\n## Configuration\n\n**Environment Variables:**\n\n{table}\n"
    integ = parse_text(text, "d.md").integration
    got = [(e.name, e.value, e.purpose, integ.lines[f"env_vars.{e.name}"]) for e in integ.env_vars]
    assert got == expected
    # the table right under the label, no blank line between, is read the same
    joined = parse_text(text.replace(":**\n\n", ":**\n"), "d.md").integration
    assert [e.name for e in joined.env_vars] == [e[0] for e in expected]


@pytest.mark.parametrize(
    ("title", "section"),
    [
        ("Errors and retries", "Error Handling"),  # was an extra section: DOC001 said it was missing
        ("Performance & SLOs", "Performance"),
        ("Config / env", "Configuration"),
        ("Observability", "Monitoring"),
        ("Tests", "Testing"),
        ("Known errors", None),
        ("Notes from the team", None),
    ],
)
def test_section_titles_by_their_words(title: str, section: str | None) -> None:
    from wiremap.document.template import canonical_section

    assert canonical_section(title) == section


_SHOP_DOC = (EXAMPLE_DOCS / "checkout-service-to-payments-api.md").read_text(encoding="utf-8")


def _with(label: str, value: str) -> str:
    """The shop's payments doc with one field's line replaced (the label kept)."""
    import re

    return re.sub(
        rf"\*\*{label}:\*\*[^\n]*(\n```[^`]*```)?", lambda m: f"**{label}:**{value}", _SHOP_DOC, count=1
    )


def test_a_label_alone_then_a_blank_line_then_its_sentences_is_read() -> None:
    """ "**Retry Strategy:**", a blank line, then the sentences and a code block: retry_strategy was None
    and lint said "All checks passed" (new user, round 22)."""
    text = _with(
        "Retry Strategy",
        "\n\nWe retry at most 2 times, 500 ms apart, on 5xx and connection errors only. "
        "We don't retry on timeouts.\n\n```php\n'timeout' => 5.0,\n```",
    )
    integ = parse_text(text, "a.md").integration
    policy = integ.error_handling.retry
    assert integ.retry_strategy is not None and integ.retry_strategy.startswith("We retry at most 2 times")
    assert policy is not None and policy.max_attempts == 3 and policy.retry_on_status == ["5xx"]
    assert policy.not_retried_failures == ["timeout"]


@pytest.mark.parametrize(
    ("protocol", "tls"),
    [
        ("HTTP (plain HTTP inside the mesh, not HTTPS)", False),
        ("HTTP, no TLS", False),
        ("HTTP/1.1 (non-TLS)", False),
        ("HTTPS", True),
        ("HTTPS (mTLS)", True),
        ("gRPC over TLS", True),
    ],
)
def test_a_protocol_that_says_it_is_not_tls_is_not(protocol: str, tls: bool) -> None:
    """ "HTTP (plain HTTP inside the mesh, not HTTPS)" read as TLS: verify failed on a TLS handshake to a
    plain server and never checked the contract drift behind it (new user, round 22)."""
    assert parse_text(_with("Protocol", f" {protocol}"), "a.md").integration.tls is tls


def test_a_github_actions_expression_is_one_env_value() -> None:
    """``export FEED_WS_TOKEN=${{ secrets.FEED_WS_TOKEN }}  # …`` was dropped from env_vars (the spaces in
    the expression), and SRC006 said the doc did not list a variable it lists (round 24)."""
    from wiremap.document.extract import parse_env_lines

    [(_, var)] = parse_env_lines("export FEED_WS_TOKEN=${{ secrets.FEED_WS_TOKEN }}  # from GitHub Actions")
    assert (var.name, var.value, var.purpose) == (
        "FEED_WS_TOKEN",
        "${{ secrets.FEED_WS_TOKEN }}",
        "from GitHub Actions",
    )


@pytest.mark.parametrize("colon", [":**", "**:"])
def test_template_labels_written_as_list_items_are_fields(colon: str) -> None:
    """Quick Reference written as bullets (``- **Source:** `a.ts:5```): Source, Destination and Client were
    not read, so lint said DOC002 "missing field", verify skipped with "no destination host" and never saw
    the contract drift, discover called the call site undocumented (new user, round 26)."""
    label = (lambda name: f"**{name}{colon}") if colon == ":**" else (lambda name: f"**{name}**:")
    text = (
        "# Integration: Storefront → Cart\n\n## Quick Reference\n\n"
        f"- {label('Source')} `services/cart_client.ts:5`\n"
        f"- {label('Destination')} Cart Service (127.0.0.1:18702)\n"
        f"- {label('Client')} `CartClient`\n"
        f"- {label('Health Check')}\n\n```bash\ncurl -s http://127.0.0.1:18702/healthz\n```\n\n"
        "## Error Handling\n\n**Failure Modes:**\n"
        f"- {label('Timeout')} cart shown empty → retried\n"
        f"- {label('Response')} not a field: this list belongs to Failure Modes\n"
    )
    integ = parse_text(text, "a.md").integration
    assert integ.source_ref is not None and (integ.source_ref.path, integ.source_ref.line) == (
        "services/cart_client.ts",
        5,
    )
    assert (integ.destination_host, integ.destination_port, integ.client) == (
        "127.0.0.1",
        18702,
        "CartClient",
    )
    assert integ.health_check == "curl -s http://127.0.0.1:18702/healthz"
    assert integ.lines["destination_host"] == 6
    assert integ.response is None
    assert [m.name for m in integ.error_handling.failure_modes] == ["Timeout", "Response"]


def test_latency_and_labels_written_as_table_rows_are_read() -> None:
    """Performance as a two-column table (``| P99 | 150 ms |``): lint said CRT003 "no P99" and ``measure
    --check`` failed with "the doc states no value" against a P99 the doc states (new user, round 26);
    Quick Reference as a table of labels is read the same way."""
    text = (
        "# Integration: A → B\n\n## Quick Reference\n\n| Field | Value |\n|---|---|\n"
        "| **Source** | `svc/pay.go:12` |\n| Destination | Payments (127.0.0.1:18701) |\n\n"
        "## Performance\n\n| Metric | Value |\n|---|---|\n| Typical | 25 ms |\n| P95 | 80 ms |\n"
        "| **P99** | 0.15s (from the SLO) |\n"
    )
    integ = parse_text(text, "a.md").integration
    assert (integ.latency_ms.typical, integ.latency_ms.p95, integ.latency_ms.p99) == (25.0, 80.0, 150.0)
    assert integ.lines["latency_ms.p99"] == 16
    assert integ.source_ref is not None and integ.source_ref.line == 12
    assert (integ.destination_host, integ.destination_port) == ("127.0.0.1", 18701)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # the key written again in its value: "P99: p99 < 250ms" was no P99, so --check skipped it and serve
        # never went degraded on it (new user, round 27)
        ("- Typical: 50 ms\n- P95: 120 ms\n- P99: p99 < 250ms", (50.0, 120.0, 250.0)),
        # percentiles in words: "95th percentile: 0.1 s" was dropped without a finding
        ("- Typical: 20 ms\n- 95th percentile: 0.1 s\n- 99th percentile: 250 ms", (20.0, 100.0, 250.0)),
        ("- median: 3ms\n- p95 latency: 9 ms\n- P99 (ms): 12 ms", (3.0, 9.0, 12.0)),
        ("- Average: 30 ms\n- 99%: 40 ms", (30.0, None, 40.0)),
        # the value first: "- 150ms p99" was no P99 (CRT003 "no P99 latency": new user, round 32)
        ("- 0.05s typical\n- 120 ms (p95)\n- 150ms p99", (50.0, 120.0, 150.0)),
        ("- 2 ms median\n- 40 ms at p95\n- 3 retries p99", (2.0, 40.0, None)),
        # several on one line: the P99 after the P50 was dropped (CRT003 "no P99": round 34)
        ("- p50 ~ 3ms / p99 under 40ms", (3.0, None, 40.0)),
        ("- P50 ~ 3ms, P99 ~ 40ms\n- P95: 20 ms", (3.0, 20.0, 40.0)),
        ("- p95 9ms; p99 30ms", (None, 9.0, 30.0)),
    ],
)
def test_latency_keys_however_written(items: str, expected: tuple[float | None, ...]) -> None:
    integ = parse_text(
        f"# Integration: A → B\n\n## Performance\n\n**Latency:**\n{items}\n", "a.md"
    ).integration
    assert (integ.latency_ms.typical, integ.latency_ms.p95, integ.latency_ms.p99) == expected


def test_two_labels_on_one_line_are_two_fields() -> None:
    """``**Source:** orders/tax_client.py:12 · **Client:** requests.post``: source_ref and client were null,
    DOC002 said "missing field Client" and discover called the call site undocumented (round 27)."""
    text = (
        "# Integration: Order API → Tax Service\n\n**Purpose:** quote tax · **Protocol:** HTTP\n\n"
        "## Quick Reference\n\n**Source:** orders/tax_client.py:12 · **Client:** requests.post\n"
        "**Destination:** Tax (127.0.0.1:18902) | **Health Check:** `curl -s x`\n"
        "**Endpoint:** `POST /v1/quote` — **not** idempotent\n"
    )
    integ = parse_text(text, "a.md").integration
    assert (integ.purpose, integ.protocol, integ.client) == ("quote tax", "http", "requests.post")
    assert integ.source_ref is not None and (integ.source_ref.path, integ.source_ref.line) == (
        "orders/tax_client.py",
        12,
    )
    assert (integ.destination_host, integ.destination_port, integ.health_check) == (
        "127.0.0.1",
        18902,
        "curl -s x",
    )
    assert integ.lines["client"] == 7 and integ.lines["destination_port"] == 8
    assert integ.endpoint == "POST /v1/quote — not idempotent"  # bold words that are no label stay


def test_failure_mode_columns_that_say_nothing_of_the_failure_are_not_its_cause() -> None:
    """| Failure | Cause | Retry | Action | Alert | Owner |: the Alert and Owner cells were folded into
    what_happens ("export service busy > 10 s; PagerDuty low; reports": round 27)."""
    text = (
        "# Integration: A → B\n\n## Error Handling\n\n**Failure Modes:**\n\n"
        "| Failure | Cause | Retry | Action | Alert | Owner |\n|---|---|---|---|---|---|\n"
        '| Timeout | export service busy > 10 s | 4x | user sees "try again later" '
        "| PagerDuty low | reports |\n"
    )
    (mode,) = parse_text(text, "a.md").integration.error_handling.failure_modes
    assert (mode.what_happens, mode.handling) == (
        "export service busy > 10 s",
        'retried 4x; user sees "try again later"',
    )
    # without a column that says it is the cause, the others still are (the fallback)
    plain = "| Failure | Detail x | Handling |\n|---|---|---|\n| Timeout | slow disk | retry |\n"
    bare = text.split("| Failure |")[0] + plain
    (mode,) = parse_text(bare, "a.md").integration.error_handling.failure_modes
    assert mode.what_happens == "slow disk"


@settings(max_examples=examples(100))
@given(
    number=st.integers(min_value=0, max_value=200_000),
    unit=st.sampled_from([("ms", 1.0), ("us", 0.001), ("s", 1000.0)]),
    key=st.sampled_from(
        ["Typical", "P95", "P99", "p99 latency", "95th percentile", "99th percentile", "median"]
    ),
)
def test_a_latency_figure_reads_as_itself_under_every_key(
    number: int, unit: tuple[str, float], key: str
) -> None:
    """ "P99: 503 ms" read as 3 ms, "500 us" as 0 (the key written again was stripped from "50…": a
    regression of round 27 caught by a new user in round 28). Every figure under every key reads as
    itself."""
    text = f"# Integration: A → B\n\n## Performance\n\n**Latency:**\n- {key}: {number} {unit[0]}\n"
    latency = parse_text(text, "a.md").integration.latency_ms
    field = {
        "typical": "typical",
        "median": "typical",
        "95th percentile": "p95",
        "99th percentile": "p99",
    }.get(key.lower(), key.lower().split()[0])
    assert getattr(latency, field) == pytest.approx(number * unit[1])


def test_a_label_swallowed_by_the_list_above_it_is_its_own_field() -> None:
    """``**Retry Strategy:**`` on the line after the last Failure Modes item, no blank line between, is a
    lazy continuation of that item in Markdown: the doc had no Retry Strategy (CRT002 "no Retry
    Strategy", ``show`` null) and the failure mode's text ended in it (new user, round 32)."""
    text = (
        "# Integration: A → B\n\n## Error Handling\n\n**Failure Modes:**\n"
        "- **Timeout**: no answer in 2 s → retried\n- **Connection Refused**: redis down → cache miss\n"
        "**Retry Strategy:**\n```python\nRetry(ExponentialBackoff(cap=0.5, base=0.05), retries=2)\n```\n"
    )
    integ = parse_text(text, "a.md").integration
    assert integ.retry_strategy == "Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2)"
    assert integ.error_handling.retry is not None and integ.error_handling.retry.max_attempts == 3
    assert [m.what_happens for m in integ.failure_modes] == ["no answer in 2 s", "redis down"]
    # a label's own words inside an item stay the item's: only the template's labels are taken out
    kept = text.replace("**Retry Strategy:**", "**Note:** see the runbook")
    assert parse_text(kept, "a.md").integration.retry_strategy is None


def test_a_variables_table_in_configuration_without_its_label_is_read() -> None:
    """A table headed "Variable" under ``## Config / env`` with no ``**Environment Variables:**`` label:
    env_vars was empty, lint said nothing and faults found no variable for the address (round 32). A
    table headed "Setting" without the label is not taken for variables."""
    text = (
        "# Integration: A → B\n\n## Config / env\n\n| Variable | Default | Purpose |\n|---|---|---|\n"
        "| `LEDGER_URL` | http://127.0.0.1:19905 | the ledger |\n| LEDGER_TIMEOUT_S | 2 | per call |\n"
    )
    integ = parse_text(text, "a.md").integration
    assert [(e.name, e.value) for e in integ.env_vars] == [
        ("LEDGER_URL", "http://127.0.0.1:19905"),
        ("LEDGER_TIMEOUT_S", "2"),
    ]
    assert integ.lines["env_vars.LEDGER_URL"] == 7
    flags = text.replace("| Variable | Default | Purpose |", "| Setting | Default | Purpose |")
    assert parse_text(flags, "a.md").integration.env_vars == []


def test_a_retry_strategy_written_as_a_settings_table_is_read() -> None:
    """``| retries | 2 |``, ``| backoff | 100 ms constant |``, ``| timeout | 500 ms |`` under the label:
    no strategy was read (CRT002 "no Retry Strategy"; faults took the count from Failure Modes and
    compared no pause: new user, round 34)."""
    text = (
        "# Integration: A → B\n\n## Error Handling\n\n**Retry Strategy:**\n\n| Setting | Value |\n|---|---|\n"
        "| retries | 2 |\n| backoff | 100 ms constant |\n| timeout | 500 ms |\n\n## Performance\n"
    )
    integ = parse_text(text, "a.md").integration
    policy = integ.error_handling.retry
    assert policy is not None and integ.lines["retry_strategy"] == 9
    assert (policy.max_attempts, policy.backoff.initial_ms, policy.timeout_ms) == (3, 100.0, 500.0)
    assert integ.retry_strategy == "retries: 2\nbackoff: 100 ms constant\ntimeout: 500 ms"


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Retry policy", "retry_strategy"),
        ("Retries", "retry_strategy"),
        ("Behaviour on failure", "failure_modes"),
        ("Owner", "maintained_by"),
    ],
)
def test_labels_other_teams_write_are_the_template_s(label: str, field: str) -> None:
    """``**Retry policy:**`` over a YAML block was no Retry Strategy: CRT002 said there was none and faults
    compared no pause (new user, round 35). A synonym of a template label is that label."""
    body = {
        "retry_strategy": "```yaml\nretries: 3\nbackoff_ms: 500\n```",
        "failure_modes": "- **Timeout**: no answer in 2 s → retried",
        "maintained_by": "@team",
    }[field]
    text = f"# Integration: A → B\n\n## Error Handling\n\n**{label}:**\n{body}\n"
    if field == "maintained_by":
        text = f"# Integration: A → B\n\n---\n\n**{label}:** {body}\n"
    integ = parse_text(text, "a.md").integration
    value = getattr(integ, field)
    assert value, (label, field)
    if field == "retry_strategy":
        assert integ.error_handling.retry is not None and integ.error_handling.retry.max_attempts == 4


def test_a_yaml_front_matter_block_is_kept_and_read_as_no_field() -> None:
    """A doc opening with ``---`` / ``title: …`` / ``---`` had a "missing title" (DOC004) on line 1 and was
    not probed (new user, round 35): the front matter is a block of its own, kept as written by fmt."""
    text = (
        "---\ntitle: Orders API\nowner: team-orders\n---\n\n# Integration: Checkout → Orders API\n\n"
        "**Purpose:** create orders\n**Protocol:** HTTP\n"
    )
    doc = parse_text(text, "a.md")
    assert (doc.integration.source, doc.integration.destination) == ("Checkout", "Orders API")
    assert doc.integration.lines["title"] == 6 and doc.integration.extra_sections == []
    assert doc.document.front_matter == "---\ntitle: Orders API\nowner: team-orders\n---"
    rendered = render_document(doc.document)
    assert rendered.startswith("---\ntitle: Orders API\nowner: team-orders\n---\n\n# Integration: Checkout")
    assert render_document(parse_text(rendered, "a.md").document) == rendered
