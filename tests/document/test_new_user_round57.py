"""Retry strategies written in JavaScript (new user, rounds 55 and 57): each was misread."""

from __future__ import annotations

from wiremap import parse_text


def _retry(code: str) -> object:
    text = f"# Integration: A → B\n\n## Error Handling\n\n**Retry Strategy:**\n```typescript\n{code}\n```\n"
    retry = parse_text(text, "d.md").integration.error_handling.retry
    assert retry is not None
    return retry


def test_got_methods_are_read() -> None:
    """``retry: { limit: 2, methods: ['GET'] }`` was read with ``retry_on_methods: []`` and nothing unread."""
    retry = _retry(
        "const c = got.extend({ retry: { limit: 2, methods: ['GET', 'head'] }, timeout: { request: 1500 } });"
    )
    assert retry.retry_on_methods == ["GET", "HEAD"] and retry.retries == 2 and retry.timeout_ms == 1500  # type: ignore[attr-defined]
    default = _retry("const c = got.extend({ retry: { limit: 2 } });")
    assert default.retry_on_methods == ["GET", "PUT", "HEAD", "DELETE", "OPTIONS", "TRACE"]  # type: ignore[attr-defined]


def test_axios_retry_default_condition_retries_network_errors_and_429() -> None:
    """axios-retry 4's default retries a refused or reset connection and a 429, never a timeout; faults
    said the refusals and the 429 were "documented no retry"."""
    retry = _retry("axiosRetry(client, { retries: 2, retryDelay: () => 250 });")
    assert retry.retry_on_status == ["429", "5xx"]  # type: ignore[attr-defined]
    assert {"connection_refused", "connection_lost"} <= set(retry.retry_on_failures)  # type: ignore[attr-defined]
    assert retry.not_retried_failures == ["timeout"]  # type: ignore[attr-defined]


def test_a_hand_written_javascript_retry_loop_is_read() -> None:
    """Round 55: ``for (let attempt = 0; attempt < 3; attempt++) { try … catch … sleep(250 * (attempt +
    1)) }`` was "could not be read into a retry policy" (ERR001); rules.md lists a loop with a pause."""
    loop = """const MAX_TRIES = 4;
for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(2000) });
  } catch (err) {
    await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
  }
}"""
    retry = _retry(loop)
    assert (retry.form, retry.max_attempts, retry.timeout_ms) == ("loop", 4, 2000)  # type: ignore[attr-defined]
    backoff = retry.backoff  # type: ignore[attr-defined]
    assert (backoff.kind, backoff.initial_ms, backoff.multiplier) == ("exponential", 100, 2)
    assert "connection_refused" in retry.retry_on_failures  # type: ignore[attr-defined]
    linear = _retry(
        "for (let i = 0; i < 3; i++) {\n  try { return await get(); }\n"
        "  catch { await sleep(250 * (i + 1)); }\n}"
    )
    assert (linear.max_attempts, linear.backoff.kind, linear.backoff.increment_ms) == (3, "linear", 250)  # type: ignore[attr-defined]
    constant = _retry(
        "for (let i = 0; i < 5; i++) {\n  try { await ping(); break; } catch (e) { await delay(500) }\n}"
    )
    assert (constant.max_attempts, constant.backoff.kind, constant.backoff.initial_ms) == (5, "constant", 500)  # type: ignore[attr-defined]


def test_code_quoted_inline_in_prose_is_read_as_code() -> None:
    """Round 54: "No retry; `http.Client{Timeout: 1 * time.Second}`" gave ERR001 quoting '"Second}`" holds
    something not understood' (the Go expression split as a sentence); its timeout was unread."""
    text = (
        "# Integration: A → B\n\n## Error Handling\n\n"
        "**Retry Strategy:** No retry; `http.Client{Timeout: 1 * time.Second}`\n"
    )
    retry = parse_text(text, "d.md").integration.error_handling.retry
    assert retry is not None and retry.max_attempts == 1 and retry.timeout_ms == 1000 and retry.unread == []
    text = (
        "# Integration: A → B\n\n## Error Handling\n\n"
        "**Retry Strategy:** We use `Retry(total=3, backoff_factor=0.5)`.\n"
    )
    retry = parse_text(text, "d.md").integration.error_handling.retry
    assert retry is not None and retry.max_attempts == 4 and retry.backoff.initial_ms == 500
