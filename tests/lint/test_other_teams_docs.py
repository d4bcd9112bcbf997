"""Docs written by other teams: what they write in code blocks is content, not an unfilled template.

A value is unfilled when nothing but the template's placeholders (and comment markers) is left in it, and
a placeholder is one of the template's own (src/wiremap/document/template.py), not any bracketed text.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from wiremap.document import parse_text
from wiremap.lint import RULES
from wiremap.lint.rule import DocContext

CLEAN = (Path(__file__).parent / "fixtures" / "clean.md").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 28)


def _findings(code: str, text: str) -> list[tuple[int, str]]:
    rule = RULES[code]
    assert rule.check_doc is not None
    return [(v.line, v.message) for v in rule.check_doc(DocContext(parse_text(text, "d.md"), today=TODAY))]


def _block(label: str, language: str, body: str) -> str:
    """The clean doc with the code block under ``label`` replaced by ``body``."""
    pattern = re.compile(rf"(\*\*{re.escape(label)}:\*\*\n```)[^\n]*\n.*?\n```", re.DOTALL)
    text, n = pattern.subn(lambda m: f"{m.group(1)}{language}\n{body}\n```", CLEAN, count=1)
    assert n == 1
    return text


# -- a strategy (or a check) written as a comment is written ---------------------------------------------


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("bash", "# no retries here: the scheduler starts the whole export again an hour later"),
        ("yaml", "# service config: 3 attempts, 100 ms initial backoff, multiplier 2"),
        ("go", "// none: the consumer nacks and the broker redelivers after 30 s"),
        ("sql", "-- not retried; the transaction is rolled back and the job alerts"),
        ("python", "# Retries: 2, on 502/503/504 only\n# (idempotent: POST carries an Idempotency-Key)"),
    ],
)
def test_crt002_a_strategy_written_as_a_comment_is_a_strategy(language: str, body: str) -> None:
    text = _block("Retry Strategy", language, body)
    integration = parse_text(text, "d.md").integration
    assert integration.critical_path is True and integration.retry_strategy == body  # show reads it
    assert _findings("CRT002", text) == []


@pytest.mark.parametrize(
    "body",
    [
        "[retry logic if applicable]",  # the template's own
        "# [retry logic if applicable]",
        "#\n//\n",
        "# [TODO: fill in]",  # a placeholder of the template's form, commented out
    ],
)
def test_crt002_still_reports_an_unfilled_block(body: str) -> None:
    assert [line for line, _ in _findings("CRT002", _block("Retry Strategy", "python", body))] == [6]


def test_crt001_a_health_check_written_as_a_comment_is_one() -> None:
    text = _block("Health Check", "bash", "# no endpoint of its own: the platform's synthetic probe 'pay-42'")
    assert _findings("CRT001", text) == []


@pytest.mark.parametrize("value", ["none", "N/A", "`none`", "-", "None (we watch the queue depth alarm)"])
def test_crt001_a_health_check_that_says_there_is_none_is_none(value: str, tmp_path: Path) -> None:
    """ "none" is no command: CRT001 reports it, and verify --run-commands runs nothing (it ran ``none``)."""
    pattern = re.compile(r"\*\*Health Check:\*\*\n```[^\n]*\n.*?\n```", re.DOTALL)
    text, n = pattern.subn(lambda _: f"**Health Check:** {value}", CLEAN, count=1)
    assert n == 1
    [(_, message)] = _findings("CRT001", text)
    assert "no Health Check command (it says" in message
    from wiremap.config import Config
    from wiremap.verify.engine import VerifyOptions, prepare

    prepared = prepare(parse_text(text, "d.md").integration, VerifyOptions(run_commands=True), Config(), {})
    assert "health-check" not in [name for name, _, _ in prepared.commands]
    documented = prepare(
        parse_text(CLEAN, "d.md").integration, VerifyOptions(run_commands=True), Config(), {}
    )
    assert "health-check" in [name for name, _, _ in documented.commands]  # the check can see one


def test_crt001_a_command_that_starts_like_none_is_a_command() -> None:
    pattern = re.compile(r"(\*\*Health Check:\*\*\n```[^\n]*\n).*?(\n```)", re.DOTALL)
    text, n = pattern.subn(lambda m: f"{m.group(1)}none.sh --quick{m.group(2)}", CLEAN, count=1)
    assert n == 1 and _findings("CRT001", text) == []


# -- placeholders are the template's own -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "language", "body"),
    [
        ("Retry Strategy", "python", "# retried on [DEADLINE_EXCEEDED] and [ABORTED], 3 attempts\nretry(3)"),
        ("Retry Strategy", "python", "RETRYABLE = [RESOURCE_EXHAUSTED]  # gRPC codes\nretry(RETRYABLE)"),
        ("Connection String", "ini", "[DEFAULT]\nhost = payments.internal\n[Payments Replica]\nport = 8443"),
        ("Health Check", "bash", "[ -f /run/payments.pid ] && curl -fsS http://127.0.0.1:8443/healthz"),
        ("Health Check", "bash", "grpc_health_probe -addr=:50051 # prints [SERVING] when up"),
    ],
)
def test_doc003_bracketed_text_in_code_is_not_a_placeholder(label: str, language: str, body: str) -> None:
    assert _findings("DOC003", _block(label, language, body)) == []


def test_doc003_bracketed_text_inside_prose_is_not_a_placeholder() -> None:
    text = CLEAN.replace(
        "**Purpose:** ", "**Purpose:** Answers [BETA] clients too, and per RFC 9110 [Section 15.5]: "
    )
    assert _findings("DOC003", text) == []


@pytest.mark.parametrize(
    ("label", "language", "body", "placeholders"),
    [
        ("Retry Strategy", "python", "[retry logic if applicable]", ["[retry logic if applicable]"]),
        ("Retry Strategy", "python", "# [Language]\nretry([method])", ["[Language]", "[method]"]),
        ("Connection String", "text", "[format of connection string]", ["[format of connection string]"]),
    ],
)
def test_doc003_still_reports_the_templates_placeholders_in_code(
    label: str, language: str, body: str, placeholders: list[str]
) -> None:
    messages = [m for _, m in _findings("DOC003", _block(label, language, body))]
    assert messages == [f"template placeholder {p} left unfilled" for p in placeholders]


def test_doc003_a_value_that_is_only_a_bracketed_phrase_is_a_placeholder() -> None:
    text = CLEAN.replace("**Client:** `PaymentsClient`", "**Client:** [Client class]")
    assert [m for _, m in _findings("DOC003", text)] == ["template placeholder [Client class] left unfilled"]


def test_a_misspelt_label_is_named_where_it_is() -> None:
    """``**Protcol:** Redis``: DOC002 said only "missing field Protocol" under the title, with no word of
    the label two letters off on line 4 (new user, round 32)."""
    line = CLEAN.split("\n").index(next(x for x in CLEAN.split("\n") if x.startswith("**Protocol:**"))) + 1
    text = CLEAN.replace("**Protocol:**", "**Protcol:**", 1)
    assert _findings("DOC002", text) == [
        (line, "missing field '**Protocol:**'; '**Protcol:**' here looks like it, misspelt")
    ]
    far = CLEAN.replace("**Protocol:**", "**Transport:**", 1)  # not a misspelling: missing, said as before
    assert [m for _, m in _findings("DOC002", far)] == ["missing field '**Protocol:**' (under the title)"]


@pytest.mark.parametrize("code", ["VAL009", "AGE001", "AGE002"])
def test_footer_synonyms_below_recent_changes_are_no_changes(code: str) -> None:
    """ "Last reviewed" and "Owner" under Recent Changes were change dates to VAL009 (and the age rules)
    while the model read them as the footer (new user, round 46: `sync --write` made that layout)."""
    text = (
        "# Integration: A → B\n\n## Recent Changes\n\n**2026-02-15:**\n- something\n\n---\n\n"
        "**Last reviewed:** 2026-03-01\n**Owner:** @team\n"
    )
    assert _findings(code, text) == []
    bad = text.replace("**2026-02-15:**", "**Feb 15:**")
    assert code != "VAL009" or [ln for ln, _ in _findings(code, bad)] == [5]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("- Switched rules: EU, UK, [CH]", []),  # a list of names: content (was DOC003)
        ("Publishes events (e.g. [Fulfilment], [Mailer]) react to", []),
        ("[team], [channel]", ["[team]", "[channel]"]),  # nothing but placeholders
    ],
)
def test_doc003_a_bracketed_name_in_a_comma_list_is_content(text: str, found: list[str]) -> None:
    """(new user, round 50)"""
    from wiremap.lint.rules._common import prose_placeholders

    assert prose_placeholders(text) == found


def test_a_bare_word_placeholder_in_json_is_doc003s_not_blk001s() -> None:
    """``"order_id": [order id],`` was BLK001 "invalid JSON" with no DOC003, while rules.md leaves such
    placeholders to DOC003 (new user, round 50)."""
    doc = (
        "# Integration: A → B\n\n## Request Format\n\n**Request:**\n```json\n"
        '{\n  "order_id": [order id],\n  "ids": [1, 2],\n  "ok": [true]\n}\n```\n'
    )
    assert _findings("BLK001", doc) == []
    assert _findings("DOC003", doc) == [(8, "template placeholder [order id] left unfilled")]


def test_sec001_a_documented_dummy_token_under_a_secret_name() -> None:
    """``GITHUB_TOKEN=ghp_xxxx…  # dummy`` was SEC001 (format.md keeps such dummies: round 50)."""
    from wiremap.secrets import find_secrets

    assert find_secrets("export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx  # dummy") == []
    assert find_secrets("export GITHUB_TOKEN=ghp_a8Kd92jdk3lsP0qweRtyu83kdlsKdk29dk3l")
    assert find_secrets("DB_PASSWORD=aaaaaaaaaaaa")  # a plain value is no token dummy


def test_fmt_keeps_a_directive_right_under_a_field() -> None:
    """A directive on the line after a field was refused: "fields directives would differ" (its line moved
    by the blank line fmt puts before it: round 50)."""
    from wiremap import parse_text
    from wiremap.document.guard import layout_only
    from wiremap.document.render import render_document

    text = (
        "# Integration: A → B\n\n**Purpose:** x\n**Critical Path:** Yes\n"
        "<!-- wiremap: expect_status=200 -->\n\n## Quick Reference\n\n**Destination:** B (127.0.0.1:80)\n"
    )
    before = parse_text(text, "d.md")
    assert layout_only(before, render_document(before.document)) is None


def test_err005_code_that_sets_only_timeouts_retries_nothing_known() -> None:
    """``nats.connect(connect_timeout=0.5, max_reconnect_attempts=2, …)`` as the Retry Strategy of a publish:
    "retries a published message" though nothing read retries it (new user, round 50)."""
    doc = (
        "# Integration: Quotes → NATS\n\n**Protocol:** NATS\n\n## Request Format\n\n"
        "**Endpoint:** `publish quotes.eur`\n\n## Error Handling\n\n**Retry Strategy:**\n```python\n"
        'nc = await nats.connect(os.environ["URL"], connect_timeout=0.5, max_reconnect_attempts=2)\n```\n'
    )
    assert _findings("ERR005", doc) == []
    retried = doc.replace("```python\n", "```python\n# we retry the publish 3 times\n")
    assert [m for _, m in _findings("ERR005", retried)]
