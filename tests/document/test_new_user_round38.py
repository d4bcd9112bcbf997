"""What a new user found in round 38, each fixed at its mechanism (tests failed before the fix)."""

from __future__ import annotations

import pytest

from wiremap.document import parse_text, render_document
from wiremap.document.retry import read_retry

_HEAD = """# Integration: Checkout → Pricing

## Quick Reference

**Source:** checkout
**Destination:** pricing (http://127.0.0.1:8080)
**Protocol:** HTTP

## Integration Details

**Endpoint:** `GET /v1/prices/abc`
"""


@pytest.mark.parametrize("note", ["(HTTP 200)", "(always 200)", "the body, as of 2026-11:", "200 OK:"])
def test_a_note_beside_the_response_label_keeps_the_block_below_as_the_example(note: str) -> None:
    doc = parse_text(
        _HEAD + f"**Response:** {note}\n```json\n" + '{"sku": "abc", "tags": [42]}\n```\n', "p.md"
    )
    response = doc.integration.response
    assert response is not None
    assert response.json_value == {"sku": "abc", "tags": [42]}  # the contract verify checks
    assert doc.integration.lines["response"] == 13  # the block's line, where a finding points


def test_an_inline_example_is_still_the_example_over_a_later_block() -> None:
    doc = parse_text(_HEAD + '**Response:** `{"ok": true}`\n```text\nnotes\n```\n', "p.md")
    assert doc.integration.response is not None
    assert doc.integration.response.json_value == {"ok": True}


@pytest.mark.parametrize(
    "footer",
    ["**Owner:** team-pay\n**Last reviewed:** 2026-11-01\n", "**Maintained by:** team-pay\n"],
)
def test_fmt_settles_in_one_pass_when_the_footer_uses_a_synonym(footer: str) -> None:
    text = _HEAD + "\n" + footer
    once = render_document(parse_text(text, "p.md").document)
    assert render_document(parse_text(once, "p.md").document) == once  # fmt then fmt --check: nothing to do


@pytest.mark.parametrize(
    ("said", "retried", "retries", "pause"),
    [
        ("a couple of times, a few seconds apart", True, None, None),
        ("3 times, 2s apart", None, 3, 2000.0),
        ("twice, 500 ms apart", None, 2, 500.0),
    ],
)
def test_a_count_under_the_retry_strategy_label_needs_no_retry_word(
    said: str, retried: bool | None, retries: int | None, pause: float | None
) -> None:
    p = read_retry(said, None, 1)
    assert p is not None
    assert (p.retried, p.retries, p.backoff.initial_ms) == (retried, retries, pause)


def test_a_comment_in_code_still_needs_a_retry_word() -> None:
    p = read_retry("// timeout: 9000\nfetch(url, { signal: AbortSignal.timeout(5000) })", "js", 1)
    assert p is not None
    assert p.form == "javascript"
