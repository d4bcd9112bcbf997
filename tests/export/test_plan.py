"""What ``wiremap export prometheus`` decides per doc: never a credential, never a write, never a body
pattern that fails on a valid answer, and every doc it cannot export said with the reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wiremap.catalog import load
from wiremap.cli.main import main
from wiremap.config import Config
from wiremap.export.prometheus import Export, Options, plan, render

DOC = """\
# Integration: Billing → {dest}

**Protocol:** {protocol}

## Quick Reference

**Destination:** {dest} ({host})

## Request Format

**Endpoint:** `{endpoint}`
{extra}
"""


def _plan(tmp_path: Path, options: Options | None = None, **fields: str) -> Export:
    values = {"dest": "Ledger", "protocol": "HTTP", "host": "ledger.internal:8080", "extra": "", **fields}
    path = tmp_path / "doc.md"
    path.write_text(DOC.format(**values), encoding="utf-8")
    return plan(load([path]).integrations, Config(), options or Options())


def test_a_credential_in_the_endpoint_is_skipped_and_never_written(tmp_path: Path) -> None:
    export = _plan(
        tmp_path, endpoint="GET https://ledger.internal:8080/v1/x?api_key=sk_live_0123456789abcdef"
    )
    assert not export.modules and "carries a credential in its query (api_key)" in export.skipped[0].why
    assert "sk_live" not in "".join(render(export, Options()).values())


def test_a_runners_target_loses_its_user_info_and_a_secret_query_is_refused(tmp_path: Path) -> None:
    with_user = Options(targets={"billing-to-ledger": "https://bob:hunter2@ledger.internal:8443/v1/x"})
    export = _plan(tmp_path, with_user, endpoint="GET /v1/x")
    assert export.modules[0].target == "https://ledger.internal:8443/v1/x"
    assert "hunter2" not in "".join(render(export, with_user).values())
    with_token = Options(targets={"billing-to-ledger": "https://ledger.internal/v1/x?token=abcdef0123456789"})
    export = _plan(tmp_path, with_token, endpoint="GET /v1/x")
    assert not export.modules and "(token)" in export.skipped[0].why


def test_a_write_is_never_exported_the_health_check_is_probed_instead(tmp_path: Path) -> None:
    health = "\n**Health Check:**\n```bash\ncurl -fsS http://ledger.internal:8080/healthz\n```\n"
    export = _plan(tmp_path, endpoint="POST /v1/charges", extra=health)
    m = export.modules[0]
    assert (m.prober, m.target, m.body["method"]) == ("http", "http://ledger.internal:8080/healthz", "GET")
    assert "POST /v1/charges is not sent" in m.not_checked
    export = _plan(tmp_path, endpoint="DELETE /v1/carts/1")  # no Health Check: connect only
    m = export.modules[0]
    assert (m.prober, m.target, m.body) == ("tcp", "ledger.internal:8080", {})
    assert m.checks.startswith("connect only")


def test_a_health_check_on_its_own_port_is_probed_there(tmp_path: Path) -> None:
    """Round 57: a Health Check on :9200 beside an Endpoint on :9201 was exported on :9201, "(the doc's
    Health Check)"; a runner's --target moves it to the other instance, as before."""
    health = "\n**Health Check:**\n```bash\ncurl -fsS http://es.internal:9200/_cluster/health\n```\n"
    fields = {"dest": "Search", "host": "es.internal:9200", "extra": health}
    export = _plan(tmp_path, endpoint="POST http://es.internal:9201/_bulk", **fields)
    assert export.modules[0].target == "http://es.internal:9200/_cluster/health"
    moved = Options(targets={"billing-to-search": "http://127.0.0.1:19201"})
    export = _plan(tmp_path, moved, endpoint="POST http://es.internal:9201/_bulk", **fields)
    assert export.modules[0].target == "http://127.0.0.1:19201/_cluster/health"


def test_redis_ping_only_without_auth(tmp_path: Path) -> None:
    plain = _plan(tmp_path, protocol="Redis", host="cache:6379", endpoint="GET cart:1")
    assert plain.modules[0].body["query_response"][0] == {"send": "PING"}
    env = "\n**Environment Variables:**\n```bash\nexport CART_REDIS_PASSWORD=${CART_REDIS_PASSWORD}\n```\n"
    auth = _plan(tmp_path, protocol="Redis", host="cache:6379", endpoint="GET cart:1", extra=env)
    m = auth.modules[0]
    assert "query_response" not in m.body and "wants AUTH ($CART_REDIS_PASSWORD)" in m.not_checked


@pytest.mark.parametrize(
    "body",
    [
        {"id": "ch_1", "status": "ok", "a-b.c": 1, "nested": {"x": [1, 2]}},
        {"id": None, "status": "", "a-b.c": 0, "nested": {}},
    ],
)
def test_the_body_patterns_match_every_valid_encoding(tmp_path: Path, body: dict[str, object]) -> None:
    documented = {"id": "ch_3", "status": "succeeded", "a-b.c": 2, "nested": {"x": [3]}, "ü": 1, "a/b": 2}
    response = f"\n**Response:**\n```json\n{json.dumps(documented)}\n```\n"
    export = _plan(tmp_path, endpoint="GET /v1/charges/ch_3", extra=response)
    patterns = export.modules[0].body["fail_if_body_not_matches_regexp"]
    assert len(patterns) == 4  # "ü" and "a/b" may come escaped (\u00fc, \/): no pattern for them
    answers = [
        json.dumps(body),
        json.dumps(body, indent=4, sort_keys=True),
        json.dumps(body, separators=(",", ":")),
    ]
    for answer in answers:
        for pattern in patterns:  # Go's RE2 reads these as Python does: no look-around, no backreference
            assert re.search(pattern, answer), (pattern, answer)
    assert not re.search(patterns[0], json.dumps({"status": "ok"}))  # and a missing key fails
    # found by a new user: an empty 2xx passed the check of a documented body; only a doc that expects a
    # 204 (expect_status) makes an empty answer a documented one, as verify's contract check reads it
    assert not any(re.search(pattern, "") for pattern in patterns)


def test_the_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        DOC.format(dest="Ledger", protocol="TCP", host="ledger:7000", endpoint="ledger:7000", extra="")
    )
    assert main(["export", "prometheus", str(doc), "-o", str(tmp_path / "no" / "such")]) == 2
    assert main(["export", "prometheus", str(doc), "-o", str(doc)]) == 2  # a file, not a folder
    assert main(["export", "prometheus", str(doc), "-o", str(tmp_path / "o"), "--exporter", "nohost"]) == 2
    assert main(["export", "grafana", str(doc), "-o", str(tmp_path / "o")]) == 2
    assert "--exporter wants HOST:PORT" in capsys.readouterr().err


def test_a_websocket_token_written_in_the_doc_is_not_sent_either(tmp_path: Path) -> None:
    """A literal ``Authorization: Bearer …`` in the Connection String: the probe wanted 101 only and failed
    on a healthy server answering 401 (new user, round 52); a ``$VAR`` token already gave 101|401|403."""
    cs = (
        "\n**Connection String:**\n```\n"
        "wss://push.internal:8443/ws (Authorization: Bearer wsTok3n-abcdef123456)\n```\n"
    )
    export = _plan(tmp_path, protocol="WebSocket", host="push.internal:8443", endpoint="/ws", extra=cs)
    m = export.modules[0]
    assert m.body["query_response"][1] == {"expect": "^HTTP/1\\.[01] (101|401|403) "}
    assert "wsTok3n" not in "".join(render(export, Options()).values())


def test_export_skips_an_untitled_doc_and_a_second_doc_of_one_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An untitled doc was exported as "? → ?"; "C++ Engine → Ledger" and "C Engine → Ledger" shared one id
    and each alert matched both (round 52): distinct ids now, and a true duplicate is said, not exported."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, title in (("a", "C++ Engine"), ("b", "C Engine"), ("c", "C Engine")):
        (docs / f"{name}.md").write_text(
            DOC.replace("Billing", title).format(
                dest="Ledger",
                protocol="TCP",
                host="ledger.internal:7000",
                endpoint="ledger.internal:7000",
                extra="",
            ),
            encoding="utf-8",
        )
    untitled = DOC.format(dest="Ledger", protocol="TCP", host="ledger.internal:7000", endpoint="x", extra="")
    (docs / "d.md").write_text(untitled.split("\n", 1)[1], encoding="utf-8")
    main(["export", "prometheus", str(docs), "-o", str(tmp_path / "out")])
    out = capsys.readouterr()
    exported = sorted(re.findall(r"^exported: ([\w-]+):", out.out, re.M))
    assert exported == ["c-engine-to-ledger", "c-plus-plus-engine-to-ledger"], out.out
    assert "c.md: its id c-engine-to-ledger is" in out.err
    assert "2 integrations exported, 1 skipped" in out.err  # the duplicate counted (0 skipped: round 57)
