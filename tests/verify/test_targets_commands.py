"""Where verify probes, and the opt-in commands."""

from __future__ import annotations

import asyncio
import time

import pytest

from wiremap import parse_text
from wiremap._errors import UsageError
from wiremap.probes._base import ErrorKind
from wiremap.verify.commands import run_command
from wiremap.verify.report._common import message
from wiremap.verify.targets import parse_target_options, resolve_target

DOC = """# Integration: Checkout Service → Payments API

**Protocol:** HTTPS

## Quick Reference

**Destination:** Payments API (payments.internal:8443)

## Request Format

**Endpoint:** `POST /v1/charges`
"""


def test_target_precedence_cli_then_env_then_doc() -> None:
    integ = parse_text(DOC, "x.md").integration
    doc = resolve_target(integ, {}, {})
    assert doc is not None and (doc.host, doc.port, doc.explicit) == ("payments.internal", 8443, False)
    env = {"WIREMAP_TARGET_CHECKOUT_SERVICE_TO_PAYMENTS_API": "http://127.0.0.1:9000"}
    from_env = resolve_target(integ, {}, env)
    assert from_env is not None and (from_env.host, from_env.port, from_env.explicit) == (
        "127.0.0.1",
        9000,
        True,
    )
    cli = resolve_target(integ, {integ.id: "https://staging.example.com/v2"}, env)
    assert cli is not None and (cli.host, cli.port, cli.scheme, cli.path) == (
        "staging.example.com",
        443,
        "https",
        "/v2",
    )


def test_full_url_endpoint_and_no_host() -> None:
    ws = parse_text(
        "# Integration: A → B\n\n**Protocol:** WebSocket\n\n## Request Format\n\n**Endpoint:** `wss://rt.example:9443/v1/stream`\n",
        "x.md",
    ).integration
    t = resolve_target(ws, {}, {})
    assert t is not None and (t.scheme, t.host, t.port, t.path) == ("wss", "rt.example", 9443, "/v1/stream")
    assert resolve_target(parse_text("# Integration: A → B\n", "x.md").integration, {}, {}) is None


def test_one_target_syntax_names_an_integration_every_way() -> None:
    """``--target NAME=URL`` of verify, measure and serve: NAME is the id, ``Source → Destination``,
    the doc's path, or its file name with or without ``.md`` (measure took only the id, serve only
    the id and left a NAME it did not know unused)."""
    from wiremap.verify.targets import target_ids

    pay = parse_text(DOC, "docs/payments.md").integration
    cart = parse_text("# Integration: Checkout Service → Cart\n", "docs/cart.md").integration
    url = "http://127.0.0.1:9000"
    names = [pay.id, "Checkout Service → Payments API", "checkout service -> payments api"]
    names += ["docs/payments.md", "./docs/payments.md", "payments", "payments.md"]
    for name in names:
        assert target_ids([f"{name}={url}"], [cart, pay]) == {pay.id: url}, name
    with pytest.raises(UsageError, match="names no integration: nope"):
        target_ids([f"nope={url}"], [cart, pay])
    twin = parse_text("# Integration: X → Y\n", "other/payments.md").integration
    with pytest.raises(UsageError, match="names 2 docs"):
        target_ids([f"payments={url}"], [pay, twin])
    assert target_ids([f"docs/payments.md={url}"], [pay, twin]) == {pay.id: url}
    with pytest.raises(UsageError, match="twice"):
        target_ids([f"payments={url}", f"{pay.id}=http://127.0.0.1:1"], [pay])
    # serve keeps a NAME no doc has yet; the doc that appears with it is probed there
    assert target_ids([f"later.md={url}"], [pay], keep_unknown=True) == {"later.md": url}
    later = parse_text(DOC, "docs/later.md").integration
    found = resolve_target(later, {"later.md": url}, {})
    assert found is not None and (found.host, found.port, found.explicit) == ("127.0.0.1", 9000, True)
    assert resolve_target(later, {"payments": url}, {}).host == "payments.internal"  # type: ignore[union-attr]


def test_bad_target_options() -> None:
    assert parse_target_options(["a=http://x:1"]) == {"a": "http://x:1"}
    with pytest.raises(UsageError):
        parse_target_options(["no-equals-sign"])


def test_command_success_failure_and_masking() -> None:
    ok = asyncio.run(run_command("health-check", "echo hello; echo world", 5, {"PATH": "/usr/bin:/bin"}))
    assert ok.ok is True and ok.message == "hello\nworld"
    bad = asyncio.run(
        run_command(
            "health-check", "echo postgresql://app:hunter2@db/x; exit 3", 5, {"PATH": "/usr/bin:/bin"}
        )
    )
    assert bad.ok is False and bad.message.startswith("exit 3")
    # kept as the command wrote it; every report shows it masked (wiremap.output, verify.report._common)
    assert "hunter2" in bad.message and "hunter2" not in message(bad)


@pytest.mark.parametrize(
    ("command", "ok"),
    [
        # the doc's own comment says what the command prints: a health check answering "degraded" passed
        # on its exit code alone (new user, round 26)
        ("""echo '{"status":"degraded"}'   # returns {"status":"ok"}""", False),
        ("""echo '{"status":"ok","version":"1.4"}'   # returns {"status":"ok"}""", True),
        ("echo PONG  # → PONG", True),
        # a word, not a piece of one: NOT_SERVING does not say SERVING (new user, round 29)
        ("echo NOT_SERVING  # → SERVING", False),
        ("echo 'status: SERVING'  # → SERVING", True),
        # nor "ok" in "not ok" (new user, round 44)
        ("echo 'status: not ok'  # prints ok", False),
        ("echo 'status: ok'  # prints ok", True),
        ("echo 'AUTH failed: WRONGPASS'; echo NOAUTH  # expect: PONG", False),
        ("echo 'db:5432 - accepting connections'  # should print \"accepting connections\"", True),
        # prose, a status code or a format describes the output: not compared
        ("echo '[]'  # returns the order list", True),
        ("echo '{}'  # returns 200 OK", True),
        # a command that prints the status itself is held to the documented one (round 31: 503 passed)
        ("echo 503; : '%{http_code}'  # prints 200", False),
        ("echo 200; : '%{http_code}'  # prints 200", True),
        ("echo '{}'  # returns JSON", True),
        ("echo x  # 3 retries, see #42", True),
    ],
)
def test_a_command_is_held_to_the_output_its_comment_documents(command: str, ok: bool) -> None:
    res = asyncio.run(run_command("health-check", command, 5, {"PATH": "/usr/bin:/bin"}))
    assert res.ok is ok, res.message
    if not ok:
        assert res.error_kind is ErrorKind.CONTRACT and "but the doc says it returns" in res.message


def test_command_timeout_kills_the_process_group() -> None:
    started = time.monotonic()
    res = asyncio.run(run_command("integration-test", "sleep 30 & sleep 30", 0.5, {"PATH": "/usr/bin:/bin"}))
    assert res.ok is False and res.error_kind is ErrorKind.TIMEOUT
    assert time.monotonic() - started < 5


def test_a_doc_endpoint_loses_the_query_parameters_that_carry_a_credential() -> None:
    doc = parse_text(
        "# Integration: A → B\n\n## Request Format\n\n"
        "**Endpoint:** `GET http://127.0.0.1:9101/v1/users?page=2&api_key=abcd1234efgh5678&signature=x1&q=a`\n",
        "x.md",
    ).integration
    t = resolve_target(doc, {}, {})
    assert (
        t is not None and t.path == "/v1/users?page=2&q=a" and t.doc_credentials == ("api_key", "signature")
    )
    assert t.url is not None and "abcd" not in t.url
    given = resolve_target(doc, {doc.id: "http://127.0.0.1:1/x?token=mine"}, {})
    assert given is not None and given.path == "/x?token=mine" and given.doc_credentials == ()


def test_a_command_printing_the_environment_s_secrets_is_redacted() -> None:
    """``echo "$DB_PASSWORD"`` in a Health Check put the runner's password in verify's JSON report: the
    masker knows shapes, not this environment's values (new user, round 15). The values of secret-named
    variables, a ``Bearer`` value's credential and a URL's password are redacted from the output."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DB_PASSWORD": "Hunter2Hunter2",
        "MY_AUTH_HEADER": "Bearer BearerTok5555abcd",
        "CACHE_URL": "redis://:Rp4ss-777@127.0.0.1:6379/0",
        "GREETING": "hello-world-1",
    }
    cmd = 'echo "$DB_PASSWORD"; echo "$MY_AUTH_HEADER" | cut -c8-; echo "${CACHE_URL#*:*:}"; echo "$GREETING"'
    res = asyncio.run(run_command("health-check", cmd, 5, env))
    assert res.ok is True
    for secret in ("Hunter2Hunter2", "BearerTok5555abcd", "Rp4ss-777"):
        assert secret not in res.message, res.message
    assert "hello-world-1" in res.message  # not a secret: kept


def test_a_program_this_runner_lacks_skips_the_command() -> None:
    """``nc: not found`` (exit 127) failed a healthy integration as ``protocol`` ("the destination answered,
    but not as documented"): the runner lacks a tool, which says nothing of the destination (round 27)."""
    res = asyncio.run(
        run_command("health-check", "wiremap-no-such-tool -z 127.0.0.1 1", 5, {"PATH": "/usr/bin:/bin"})
    )
    assert res.skipped and "not found on this runner" in res.message and "wiremap-no-such-tool" in res.message
    failed = asyncio.run(run_command("health-check", "exit 3", 5, {"PATH": "/usr/bin:/bin"}))
    assert failed.ok is False and failed.error_kind is ErrorKind.PROTOCOL


def test_a_note_after_an_endpoint_url_is_no_part_of_it_and_a_bad_port_skips_only_that_doc() -> None:
    """``tcp://127.0.0.1:19299 (line protocol PING → PONG)`` stopped every verify and serve with "bad port
    in target" naming no doc (new user, round 29): a URL holds no space, and a doc's bad port is that doc's
    problem (skipped, said), never the run's."""
    from wiremap.verify.targets import DocTargetError

    def integ(endpoint: str) -> object:
        text = (
            f"# Integration: A → B\n\n**Protocol:** TCP\n\n## Request Format\n\n**Endpoint:** `{endpoint}`\n"
        )
        return parse_text(text, "x.md").integration

    t = resolve_target(integ("tcp://127.0.0.1:19299 (line protocol PING → PONG)"), {}, {})  # type: ignore[arg-type]
    assert t is not None and (t.host, t.port) == ("127.0.0.1", 19299)
    with pytest.raises(DocTargetError, match="bad port"):
        resolve_target(integ("tcp://127.0.0.1:99999"), {}, {})  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="bad port"):  # the runner's own target: the run stops
        resolve_target(integ("tcp://127.0.0.1:1"), {"a-to-b": "tcp://127.0.0.1:99999"}, {})  # type: ignore[arg-type]
    # ":0" read as no port and probed the scheme's default (a real Redis on 6379 said ok: round 56)
    for url in ("redis://127.0.0.1:0", "http://127.0.0.1:0/health"):
        with pytest.raises(UsageError, match="bad port"):
            resolve_target(integ("tcp://127.0.0.1:1"), {"a-to-b": url}, {})  # type: ignore[arg-type]
    with pytest.raises(DocTargetError, match="bad port"):
        resolve_target(integ("redis://127.0.0.1:0"), {}, {})  # type: ignore[arg-type]


def test_a_documented_json_boolean_is_not_a_number() -> None:
    """``# returns {"count": 1, "ok": true}`` held against ``{"count": true, "ok": 1}``: Python's True == 1
    passed the health check (new user, round 49)."""
    from wiremap.verify.commands import output_differs

    assert output_differs('{"count": 1, "ok": true}', '{"count": true, "ok": 1}')
    assert output_differs('{"status": {"db": false}}', '{"status": {"db": 0}}')
    assert not output_differs('{"count": 1, "ok": true}', '{"count": 1, "ok": true, "extra": 0}')
    assert not output_differs('{"ratio": 1}', '{"ratio": 1.0}')  # a number is a number
