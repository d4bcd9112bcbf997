"""Docs written the way other teams write them (new user, round 41): each case was misread before."""

from __future__ import annotations

from pathlib import Path

import pytest

from wiremap import parse_text
from wiremap.cli.main import main
from wiremap.document.retry import read_retry
from wiremap.index_page import _cell
from wiremap.secrets import mask_json

HEAD = "# Integration: Worker → Warehouse\n\n**Protocol:** PostgreSQL\n\n## Quick Reference\n\n"


def test_a_destination_naming_two_addresses_is_the_first_and_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEAD + "**Destination:** Warehouse DB (127.0.0.1:5432), Warehouse Replica (127.0.0.1:21299)\n"
    integ = parse_text(text, "d.md").integration
    assert (integ.destination_host, integ.destination_port) == ("127.0.0.1", 5432)  # was the replica's port
    (tmp_path / "d.md").write_text(text)
    main(["lint", str(tmp_path / "d.md"), "--select", "VAL006"])
    assert "names 2 destinations" in capsys.readouterr().out


def test_labels_inside_a_sentence_are_their_fields() -> None:
    text = HEAD + (
        "The source of this is **Source:** `status/poller.py:30`, and it talks to "
        "**Destination:** Health API "
        "(127.0.0.1:21202) using **Client:** `httpx.AsyncClient`.\n"
    )
    integ = parse_text(text, "d.md").integration
    assert integ.source_ref is not None and (integ.source_ref.path, integ.source_ref.line) == (
        "status/poller.py",
        30,
    )
    assert (integ.destination_host, integ.destination_port, integ.client) == (
        "127.0.0.1",
        21202,
        "httpx.AsyncClient",
    )


def test_bold_words_in_a_sentence_that_are_no_label_stay_text() -> None:
    integ = parse_text(HEAD + "We **never:** call it from the **worker:** pool.\n", "d.md").integration
    assert integ.source_ref is None and integ.client is None


def test_latency_as_a_horizontal_table() -> None:
    text = (
        HEAD
        + "## Performance\n\n**Latency:**\n\n| Typical | P95 | P99 |\n|---|---|---|\n"
        + "| 4 ms | 12 ms | 30 ms |\n"
    )
    lat = parse_text(text, "d.md").integration.latency_ms
    assert (lat.typical, lat.p95, lat.p99) == (4.0, 12.0, 30.0)


@pytest.mark.parametrize(
    ("yaml", "initial", "cap"),
    [
        ("retry:\n  max_attempts: 4\n  backoff:\n    initial_ms: 100\n    multiplier: 2\n", 100.0, None),
        ("retries: 2\nbackoff:\n  initial: 250ms\n  max: 2s\n", 250.0, 2000.0),
        ("retries: 2\nbackoff:\n  base_seconds: 1\n  cap_seconds: 8\n", 1000.0, 8000.0),
    ],
)
def test_keys_inside_a_backoff_map(yaml: str, initial: float, cap: float | None) -> None:
    p = read_retry(yaml, "yaml", 1)
    assert p is not None and (p.backoff.initial_ms, p.backoff.max_ms) == (initial, cap)
    assert p.unread == []


def test_a_variable_listed_after_the_env_table() -> None:
    text = HEAD + (
        "## Configuration\n\n**Environment Variables:**\n| Variable | Default | Purpose |\n|---|---|---|\n"
        "| RATES_API_URL | http://127.0.0.1:21202 | base URL |\n\n"
        "- `RATES_SIGNING_TOKEN` — HMAC signing token\n"
    )
    names = [v.name for v in parse_text(text, "d.md").integration.env_vars]
    assert names == ["RATES_API_URL", "RATES_SIGNING_TOKEN"]


def test_the_purpose_of_a_secret_variable_is_words_when_its_value_is_apart() -> None:
    masked = mask_json({"name": "SESSION_REDIS_PASSWORD", "value": "Pa55w0rdQ9zz", "purpose": "password"})
    assert masked == {"name": "SESSION_REDIS_PASSWORD", "value": "***", "purpose": "password"}
    # the list form may hold the value in the purpose: still masked
    listed = mask_json(
        {"name": "MQTT_PASSWORD", "value": None, "purpose": "ingest, currently `Zq9Lk2Pw7Xv4`"}
    )
    assert "Zq9Lk2Pw7Xv4" not in str(listed)


def test_the_index_shows_no_placeholder_as_a_value() -> None:
    assert _cell("[Your name]") == "—" and _cell("@team") == "@team"


def test_src_rules_that_did_not_run_say_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "d.md"
    doc.write_text(HEAD + "**Source:** `app/client.py:3`\n**Destination:** Warehouse (127.0.0.1:5432)\n")
    main(["lint", str(doc), "--select", "SRC"])
    assert "the SRC rules did not run for 1 doc(s): no project root" in capsys.readouterr().err
