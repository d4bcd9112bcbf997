"""Error Handling read into data: failure mode kinds, and the Retry Strategy in every form wiremap reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests._fuzz import examples
from wiremap.document import parse_text
from wiremap.document.error_handling import failure_kind
from wiremap.document.retry import read_retry
from wiremap.model import RetryPolicy

EXAMPLES = Path(__file__).parents[2] / "examples" / "shop" / "docs" / "integrations"


def _read(text: str, language: str | None = "python", first_line: int = 1) -> RetryPolicy:
    policy = read_retry(text, language, first_line)
    assert policy is not None, text
    return policy


# -- failure modes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "status"),
    [
        ("Timeout", "timeout", []),
        ("Read timeout", "timeout", []),
        ("DEADLINE_EXCEEDED", "timeout", []),
        ("Connection Refused", "connection_refused", []),
        ("Invalid Response", "invalid_response", []),
        ("HTTP 5xx", "http_status", ["5xx"]),
        ("HTTP 502/503", "http_status", ["502", "503"]),
        ("HTTP 429", "rate_limited", ["429"]),
        ("Rate limited", "rate_limited", []),
        ("401 Unauthorized", "auth", ["401"]),
        ("DNS failure", "dns", []),
        ("TLS handshake timeout", "tls", []),
        ("Card Declined", "other", []),
    ],
)
def test_failure_mode_kinds(name: str, kind: str, status: list[str]) -> None:
    assert failure_kind(name) == (kind, status)


def test_failure_modes_keep_text_and_lines() -> None:
    text = (EXAMPLES / "checkout-service-to-payments-api.md").read_text(encoding="utf-8")
    integ = parse_text(text, "p.md").integration
    modes = integ.error_handling.failure_modes
    kinds = ["timeout", "connection_refused", "http_status", "invalid_response", "other"]
    assert [m.kind for m in modes] == kinds  # Server Error (5xx) and Invalid Response are two modes
    assert [m.name for m in modes] == [m.name for m in integ.failure_modes]
    assert (
        modes[0].line == integ.line_of("failure_modes.0")
        and modes[0].handling == integ.failure_modes[0].handling
    )
    lines = text.split("\n")
    assert all(m.line is not None and f"**{m.name}**" in lines[m.line - 1] for m in modes)


@pytest.mark.parametrize(
    "item",
    [
        "* **Timeout** - statement_timeout 5s -> retry once",
        "- **Timeout** — statement_timeout 5s → retry once",
        "- __Timeout__ = statement_timeout 5s => retry once",
        "- *Timeout* – statement_timeout 5s -> retry once",
        "- `Timeout` - statement_timeout 5s -> retry once",
        "- **Timeout**: statement_timeout 5s → retry once",
    ],
)
def test_failure_mode_with_emphasised_name_and_a_dash(item: str) -> None:
    text = f"# Integration: A → B\n\n## Error Handling\n\n**Failure Modes:**\n{item}\n"
    (mode,) = parse_text(text, "d.md").integration.error_handling.failure_modes
    assert (mode.name, mode.kind, mode.what_happens, mode.handling) == (
        "Timeout",
        "timeout",
        "statement_timeout 5s",
        "retry once",
    )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (  # found by a new user: show gave failure_modes [] and faults said none is documented
            "| Failure | What happens | Handling |\n|---|---|---|\n"
            "| Connection refused | pool empty | page on-call |\n"
            "| **Deadlock** | tx aborted | retried once |",
            [
                ("Connection refused", "connection_refused", "pool empty", "page on-call", 9),
                ("Deadlock", "other", "tx aborted", "retried once", 10),
            ],
        ),
        (  # columns by their header's words, in any order; a Retry column's "no" is "not retried"
            "Action | Error | Retry | Cause\n:-- | --- | :-: | ---\n"
            "serve cached | Timeout | no | slow replica\n",
            [("Timeout", "timeout", "slow replica", "serve cached; not retried", 9)],
        ),
        (  # no header words: first column the name, last the action
            "| A | B | C |\n|---|---|---|\n| Timeout | 5 s | give up |",
            [("Timeout", "timeout", "5 s", "give up", 9)],
        ),
        (  # "What happens" is the action when another column is the cause
            "| Mode | Cause | What happens |\n|---|---|---|\n| HTTP 503 | overload | the order fails |",
            [("HTTP 503", "http_status", "overload", "the order fails", 9)],
        ),
    ],
)
def test_failure_modes_written_as_a_table(table: str, expected: list[tuple[str, str, str, str, int]]) -> None:
    text = f"# Integration: A → B\n\n## Error Handling\n\n**Failure Modes:**\n\n{table}\n"
    integ = parse_text(text, "d.md").integration
    got = [(m.name, m.kind, m.what_happens, m.handling, m.line) for m in integ.error_handling.failure_modes]
    assert got == expected
    assert [m.name for m in integ.failure_modes] == [name for name, *_ in expected]
    # the table right under the label, no blank line between, is read the same
    joined = parse_text(text.replace(":**\n\n|", ":**\n|"), "d.md").integration.error_handling
    if table.startswith("|"):
        assert [(m.name, m.line) for m in joined.failure_modes] == [(e[0], e[4] - 1) for e in expected]


# -- tenacity ---------------------------------------------------------------------------------------------


def test_tenacity_decorator() -> None:
    p = _read(
        "from tenacity import retry, stop_after_attempt, wait_exponential, retry_if_exception_type\n\n"
        "@retry(\n"
        "    stop=stop_after_attempt(3),\n"
        "    wait=wait_exponential(multiplier=0.1, max=2),\n"
        "    retry=retry_if_exception_type((ConnectionError, TimeoutError)),\n"
        ")\n"
        "def call():\n"
        "    return requests.get(URL, timeout=0.5)\n",
        first_line=100,
    )
    assert (p.form, p.max_attempts, p.retries) == ("tenacity", 3, 2)
    b = p.backoff
    assert (b.kind, b.initial_ms, b.multiplier, b.max_ms, b.jitter) == (
        "exponential",
        100.0,
        2.0,
        2000.0,
        "none",
    )
    assert p.retry_on_exceptions == ["ConnectionError", "TimeoutError"]
    assert p.timeout_ms == 500.0
    assert (
        p.lines["max_attempts"] == 103 and p.lines["backoff.max_ms"] == 104 and p.lines["timeout_ms"] == 108
    )
    assert p.sleeps_ms() == [100.0, 200.0] and p.worst_case_ms() == 1800.0


def test_tenacity_fixed_random_exponential_and_delay() -> None:
    p = _read("@retry(stop=stop_after_attempt(5) | stop_after_delay(10), wait=wait_fixed(1.5))\ndef f(): ...")
    assert (p.max_attempts, p.deadline_ms, p.backoff.kind, p.backoff.initial_ms) == (
        5,
        10_000.0,
        "constant",
        1500.0,
    )
    p = _read("r = Retrying(stop=stop_after_delay(30), wait=wait_random_exponential(multiplier=0.5, max=60))")
    assert p.max_attempts is None and p.deadline_ms == 30_000.0
    assert (p.backoff.kind, p.backoff.initial_ms, p.backoff.max_ms, p.backoff.jitter) == (
        "exponential",
        500.0,
        60_000.0,
        "full",
    )
    p = _read(
        "@retry(stop=stop_after_attempt(4), wait=wait_incrementing(start=1, increment=2))\ndef f(): ..."
    )
    assert (p.backoff.kind, p.backoff.initial_ms, p.backoff.increment_ms) == ("linear", 1000.0, 2000.0)
    assert p.sleeps_ms() == [1000.0, 3000.0, 5000.0]


# -- urllib3 ----------------------------------------------------------------------------------------------


def test_urllib3_retry_counts_retries_and_first_retry_is_immediate() -> None:
    p = _read("Retry(total=3, backoff_factor=0.5, status_forcelist=[502, 503], backoff_max=3)")
    assert (p.form, p.retries, p.max_attempts) == ("urllib3", 3, 4)
    b = p.backoff
    assert (b.kind, b.initial_ms, b.multiplier, b.max_ms, b.first_retry_immediate) == (
        "exponential",
        500.0,
        2.0,
        3000.0,
        True,
    )
    assert p.sleeps_ms() == [0.0, 1000.0, 2000.0]  # urllib3: 0, factor * 2 ** (n - 1), capped
    assert p.retry_on_status == ["502", "503"]
    assert "POST" not in p.retry_on_methods and "GET" in p.retry_on_methods  # urllib3's default


def test_urllib3_methods_and_adapter() -> None:
    p = _read('Retry(total=2, backoff_factor=0.2, allowed_methods=frozenset({"GET", "POST"}))')
    assert p.retry_on_methods == ["GET", "POST"]
    assert _read("Retry(3, allowed_methods=None)").retry_on_methods == ["*"]
    p = _read('session.mount("https://", HTTPAdapter(max_retries=4))')
    assert (p.form, p.max_attempts, p.backoff.kind) == ("urllib3", 5, "none")


# -- redis-py, backoff package, breakers ------------------------------------------------------------------


def test_redis_py_retry() -> None:
    text = (EXAMPLES / "cart-service-to-cart-redis.md").read_text(encoding="utf-8")
    p = parse_text(text, "c.md").integration.error_handling.retry
    assert p is not None and (p.form, p.max_attempts, p.timeout_ms) == ("redis", 3, 500.0)
    assert (p.backoff.kind, p.backoff.initial_ms, p.backoff.max_ms) == ("exponential", 100.0, 500.0)
    assert p.retry_on_exceptions == ["exceptions.ConnectionError", "exceptions.TimeoutError"]


def test_backoff_package() -> None:
    p = _read(
        "@backoff.on_exception(backoff.expo, requests.exceptions.RequestException, max_tries=5,\n"
        "                      max_time=30)\n"
        "def f(): ..."
    )
    assert (p.form, p.max_attempts, p.deadline_ms) == ("backoff", 5, 30_000.0)
    assert (p.backoff.kind, p.backoff.initial_ms, p.backoff.multiplier, p.backoff.jitter) == (
        "exponential",
        1000.0,
        2.0,
        "full",
    )
    assert p.retry_on_exceptions == ["requests.exceptions.RequestException"]
    p = _read("@on_exception(constant, X, interval=2, jitter=None, max_tries=3)\ndef f(): ...")
    assert (p.backoff.kind, p.backoff.initial_ms, p.backoff.jitter, p.max_attempts) == (
        "constant",
        2000.0,
        "none",
        3,
    )


def test_circuit_breaker_completes_a_retry() -> None:
    p = _read(
        "breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=60)\n"
        "@retry(stop=stop_after_attempt(2))\ndef f(): ...\n"
    )
    assert p.form == "tenacity" and p.circuit_breaker is not None
    assert (p.circuit_breaker.failure_threshold, p.circuit_breaker.cool_down_ms) == (5, 60_000.0)
    assert p.lines["circuit_breaker.failure_threshold"] == 1


# -- loops ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sleep", "kind", "initial", "extra"),
    [
        ("time.sleep(0.5 * 2 ** attempt)", "exponential", 500.0, ("multiplier", 2.0)),
        ("time.sleep(PAUSE)", "constant", 250.0, ("multiplier", None)),
        ("time.sleep(0.1 * (attempt + 1))", "linear", 100.0, ("increment_ms", 100.0)),
        ("await asyncio.sleep(min(0.2 * 3 ** attempt, 1.5))", "other", 200.0, ("multiplier", None)),
    ],
)
def test_retry_loop(sleep: str, kind: str, initial: float, extra: tuple[str, float | None]) -> None:
    text = (
        "PAUSE = 0.25\n"
        "def call(client, attempts=4):\n"
        "    for attempt in range(attempts):\n"
        "        try:\n"
        "            return client.get()\n"
        "        except (ConnectionError, TimeoutError):\n"
        "            if attempt == attempts - 1:\n"
        "                raise\n"
        f"            {sleep}\n"
    )
    p = _read(text)
    assert (p.form, p.max_attempts, p.backoff.kind, p.backoff.initial_ms) == ("loop", 4, kind, initial)
    assert getattr(p.backoff, extra[0]) == extra[1]
    assert p.retry_on_exceptions == ["ConnectionError", "TimeoutError"] and p.lines["backoff.kind"] == 9


def test_loop_handler_that_returns_is_not_a_retry() -> None:
    assert (
        read_retry(
            "for i in range(3):\n    try:\n        f()\n    except X:\n        return None\n", "python", 1
        )
        is None
    )


@pytest.mark.parametrize(
    ("loop", "kind", "initial", "multiplier", "statuses"),
    [
        (
            "for i in range(4):\n    r = requests.post(url, json=body, timeout=5)\n"
            "    if r.status_code < 500:\n        break\n    time.sleep(2 ** i)\n",
            "exponential",
            1000.0,
            2.0,
            ["5xx"],
        ),
        (
            "for i in range(4):\n    r = requests.post(url, json=body, timeout=5)\n"
            "    if r.status_code < 500:\n        break\n    time.sleep(1)\n",
            "constant",
            1000.0,
            None,
            ["5xx"],
        ),
        (
            "base = 0.5\ndef send(body):\n    for attempt in range(4):\n"
            "        r = session.post(url, json=body)\n        if r.ok:\n            return r\n"
            "        time.sleep(base * 2 ** attempt)\n",
            "exponential",
            500.0,
            2.0,
            ["4xx", "5xx"],
        ),
        (
            "for i in range(4):\n    r = requests.post(url, json=body)\n"
            "    if r.status_code in (502, 503):\n        time.sleep(0.2)\n    else:\n        break\n",
            "constant",
            200.0,
            None,
            ["502", "503"],
        ),
    ],
)
def test_retry_loop_that_breaks_on_success(
    loop: str, kind: str, initial: float, multiplier: float | None, statuses: list[str]
) -> None:
    """Found by a new user: a loop without ``try`` that calls, leaves on success and sleeps was not read
    (ERR001 "could not be read", though it lists "a for loop with sleep"), so ERR005 missed a retried
    POST. The attempts are the range, the pause the sleep, what is retried the status test and the body's
    calls."""
    p = _read(loop)
    assert (p.form, p.max_attempts, p.backoff.kind, p.backoff.initial_ms) == ("loop", 4, kind, initial)
    assert p.backoff.multiplier == multiplier and p.retry_on_status == statuses
    assert p.retried_calls == ["post"]


@pytest.mark.parametrize(
    "loop",
    [
        "for i in range(3):\n    r = requests.post(url)\n    time.sleep(1)\n",  # no way out: a batch
        "for i in range(3):\n    if done(i):\n        break\n",  # no pause
        "for row in rows:\n    if post(row).ok:\n        break\n    time.sleep(1)\n",  # not a range
        # the break is the inner loop's
        "for i in range(3):\n    for j in range(2):\n        if f(j):\n            break\n    sleep(1)\n",
    ],
)
def test_loops_that_are_no_retry(loop: str) -> None:
    assert read_retry(loop, "python", 1) is None


@pytest.mark.parametrize(
    ("name", "attempts", "kind", "initial"),
    [
        ("checkout-service-to-order-events-broker.md", 2, "none", None),
        ("checkout-service-to-orders-database.md", 3, "exponential", 100.0),
        ("storefront-to-cart-service.md", 4, "constant", 100.0),  # the code makes 2: the shop's mismatch
    ],
)
def test_example_loops(name: str, attempts: int, kind: str, initial: float | None) -> None:
    p = parse_text((EXAMPLES / name).read_text(encoding="utf-8"), name).integration.error_handling.retry
    assert p is not None and (p.form, p.max_attempts, p.backoff.kind, p.backoff.initial_ms) == (
        "loop",
        attempts,
        kind,
        initial,
    )


def test_example_tenacity_decorator() -> None:
    name = "notifications-service-to-realtime-gateway.md"
    p = parse_text((EXAMPLES / name).read_text(encoding="utf-8"), name).integration.error_handling.retry
    assert p is not None and (p.form, p.max_attempts, p.sleeps_ms(), p.retry_on_exceptions) == (
        "tenacity",
        3,
        [200.0, 400.0],
        ["ConnectionClosed", "ConnectionError", "InvalidMessage"],  # a cut handshake is retried too
    )


# -- configs ----------------------------------------------------------------------------------------------

GRPC_JSON = """{
  "methodConfig": [{
    "name": [{"service": "inventory.v1.Inventory"}],
    "timeout": "2s",
    "retryPolicy": {
      "maxAttempts": 4,
      "initialBackoff": "0.1s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE", "resource_exhausted"]
    }
  }]
}"""


def test_grpc_service_config_json() -> None:
    p = _read(GRPC_JSON, "json", first_line=50)
    assert (p.form, p.max_attempts, p.deadline_ms) == ("grpc_service_config", 4, 2000.0)
    b = p.backoff
    assert (b.kind, b.initial_ms, b.max_ms, b.multiplier, b.jitter) == (
        "exponential",
        100.0,
        1000.0,
        2.0,
        "full",
    )
    assert p.retry_on_grpc_codes == ["UNAVAILABLE", "RESOURCE_EXHAUSTED"]
    assert p.lines["max_attempts"] == 55 and p.lines["deadline_ms"] == 53
    assert p.sleeps_ms() == [100.0, 200.0, 400.0]


def test_grpc_service_config_in_python_dict() -> None:
    text = (EXAMPLES / "checkout-service-to-inventory-service.md").read_text(encoding="utf-8")
    p = parse_text(text, "i.md").integration.error_handling.retry
    assert p is not None and (p.form, p.max_attempts, p.backoff.initial_ms, p.backoff.max_ms) == (
        "grpc_service_config",
        3,
        100.0,
        1000.0,
    )
    assert (
        p.retry_on_grpc_codes == ["UNAVAILABLE"]
        and '"maxAttempts": 3' in text.split("\n")[p.lines["max_attempts"] - 1]
    )


def test_resilience4j_yaml() -> None:
    text = (
        "resilience4j:\n"
        "  retry:\n"
        "    instances:\n"
        "      payments:\n"
        "        maxAttempts: 3\n"
        "        waitDuration: 500ms\n"
        "        enableExponentialBackoff: true\n"
        "        exponentialBackoffMultiplier: 2\n"
        "        retryExceptions:\n"
        "          - java.io.IOException\n"
        "          - java.util.concurrent.TimeoutException\n"
        "  circuitbreaker:\n"
        "    instances:\n"
        "      payments:\n"
        "        failureRateThreshold: 50\n"
        "        waitDurationInOpenState: 30s\n"
    )
    p = _read(text, "yaml", first_line=10)
    assert (p.form, p.max_attempts, p.backoff.kind, p.backoff.initial_ms, p.backoff.multiplier) == (
        "resilience4j",
        3,
        "exponential",
        500.0,
        2.0,
    )
    assert p.retry_on_exceptions == ["java.io.IOException", "java.util.concurrent.TimeoutException"]
    assert p.circuit_breaker is not None
    assert (p.circuit_breaker.failure_rate_percent, p.circuit_breaker.cool_down_ms) == (50.0, 30_000.0)
    assert p.lines["max_attempts"] == 14 and p.lines["circuit_breaker.cool_down_ms"] == 25


def test_resilience4j_properties() -> None:
    text = (
        "resilience4j.retry.instances.inventory.max-attempts=4\n"
        "resilience4j.retry.instances.inventory.wait-duration=PT0.2S\n"
    )
    p = _read(text, "properties")
    assert (p.form, p.max_attempts, p.backoff.kind, p.backoff.initial_ms) == (
        "resilience4j",
        4,
        "constant",
        200.0,
    )


def test_polly_json() -> None:
    text = (
        '{"Retry": {"MaxRetryAttempts": 3, "BackoffType": "Exponential", "Delay": "00:00:00.200",'
        ' "UseJitter": true, "MaxDelay": "00:00:05"},'
        ' "CircuitBreaker": {"FailureRatio": 0.5, "BreakDuration": "00:00:30"},'
        ' "AttemptTimeout": {"Timeout": "00:00:02"}}'
    )
    p = _read(text, "json")
    assert (p.form, p.retries, p.max_attempts, p.timeout_ms) == ("polly", 3, 4, 2000.0)
    b = p.backoff
    assert (b.kind, b.initial_ms, b.multiplier, b.max_ms, b.jitter) == (
        "exponential",
        200.0,
        2.0,
        5000.0,
        "decorrelated",
    )
    assert p.circuit_breaker is not None and p.circuit_breaker.failure_rate_percent == 50.0


def test_envoy_yaml() -> None:
    text = "retry_policy:\n  retry_on: 5xx,reset\n  num_retries: 2\n  per_try_timeout: 0.5s\n"
    p = _read(text, "yaml")
    assert (p.form, p.max_attempts, p.timeout_ms, p.retry_on_status) == ("envoy", 3, 500.0, ["5xx"])


def test_envoy_and_istio_conditions_that_name_failures_are_read() -> None:
    """Istio's ``retryOn: 5xx,reset,connect-failure`` kept 5xx alone (round 30). Envoy's 5xx also retries
    an upstream that does not answer (reset, read timeout, connect failure); gateway-error is 502-504."""
    istio = (
        "spec:\n  http:\n  - retries:\n      attempts: 3\n      perTryTimeout: 2s\n"
        "      retryOn: 5xx,reset,connect-failure\n"
    )
    p = _read(istio, "yaml")
    assert (p.form, p.max_attempts, p.timeout_ms, p.retry_on_status) == ("envoy", 4, 2000.0, ["5xx"])
    assert set(p.retry_on_failures) == {"timeout", "connection_lost", "connection_refused"}
    gateway = _read("retry_policy:\n  retry_on: gateway-error,reset\n  num_retries: 2\n", "yaml")
    assert (gateway.retry_on_status, gateway.retry_on_failures) == (
        ["502", "503", "504"],
        ["connection_lost"],
    )


def test_a_generic_config_with_retry_on_is_not_envoy_s() -> None:
    """``{max_attempts: 4, backoff: exponential, initial_interval: 200ms, retry_on: [502, 503]}`` was read
    as Envoy's retry_policy (its ``retry_on``), with a full jitter and a ×2 the doc never states; faults
    then widened its window to 0–260 ms (new user, round 26)."""
    text = "retry: {max_attempts: 4, backoff: exponential, initial_interval: 200ms, retry_on: [502, 503]}\n"
    p = _read(text, "yaml")
    assert (p.form, p.max_attempts, p.retry_on_status) == ("config", 4, ["502", "503"])
    assert (p.backoff.kind, p.backoff.initial_ms, p.backoff.jitter) == ("exponential", 200.0, None)


# -- prose ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "attempts", "kind", "initial"),
    [
        ("retry up to 5 times, 1 s apart", 6, "constant", 1000.0),
        ("3 retries with exponential backoff starting at 100 ms", 4, "exponential", 100.0),
        ("no retries: the nightly run is re-triggered", 1, "none", None),
        ("Up to 3 attempts, waiting 2 s between attempts.", 3, "constant", 2000.0),
        ("Retried twice, linearly", 3, "linear", None),
        ("Not retried; the consumer nacks and the broker redelivers.", 1, "none", None),
    ],
)
def test_prose(text: str, attempts: int, kind: str, initial: float | None) -> None:
    p = _read(text, None, first_line=7)
    assert (p.form, p.max_attempts, p.backoff.kind, p.backoff.initial_ms, p.line) == (
        "prose",
        attempts,
        kind,
        initial,
        7,
    )


def test_prose_fallback_and_details() -> None:
    p = _read("no retries: the nightly run is re-triggered", None)  # what happens, no fallback
    assert (p.retries, p.fallback) == (0, None)
    p = _read("no retries: the cached price list is served", None)
    assert (p.retries, p.fallback) == (0, "the cached price list is served")
    p = _read(
        "Retry twice with exponential backoff starting at 200 ms, doubling, capped at 2 s, full jitter.\n"
        "500 ms timeout per attempt; overall deadline 5 s. Retries on 502/503 and UNAVAILABLE.\n"
        "Circuit breaker opens after 5 consecutive failures for 30 s; falls back to the cached price.",
        "text",
        first_line=20,
    )
    assert (p.max_attempts, p.backoff.multiplier, p.backoff.max_ms, p.backoff.jitter) == (
        3,
        2.0,
        2000.0,
        "full",
    )
    assert (p.timeout_ms, p.deadline_ms, p.lines["deadline_ms"]) == (500.0, 5000.0, 21)
    assert (p.retry_on_status, p.retry_on_grpc_codes) == (["502", "503"], ["UNAVAILABLE"])
    assert p.circuit_breaker is not None
    assert (p.circuit_breaker.failure_threshold, p.circuit_breaker.cool_down_ms) == (5, 30_000.0)
    assert p.fallback == "the cached price"


@pytest.mark.parametrize(
    ("text", "timeout", "deadline"),
    [
        ("Retry 3 times 500 ms apart; each attempt times out after 2 ms. Overall deadline 1 s.", 2.0, 1000.0),
        ("Retry twice; timeout of 2 s per call; give up after 10 s.", 2000.0, 10_000.0),
        ("Retry 3 times. Each request gets 300 ms. Total budget of 2 s.", 300.0, 2000.0),
        ("Retry 3 times with a 2 s timeout and 5 s overall.", 2000.0, 5000.0),
        ("Retry up to 4 times within 10 s, each call timing out after 1.5 s.", 1500.0, 10_000.0),
        ("Retries: 2. Timeout: 800ms per request. Deadline: 3 s.", 800.0, 3000.0),
        ("Retry 3 times; per-attempt timeout 250 ms; total timeout 2 s.", 250.0, 2000.0),
        ("Retry 3 times; overall timeout 10 s.", None, 10_000.0),
        ("Retry 3 times; 2 s per attempt.", 2000.0, None),
        ("5 attempts in total with a 2 s timeout.", 2000.0, None),  # "in total" counts the attempts
        ("Retry 3 times, 1 s apart; if no answer within 2 s the call is abandoned.", 2000.0, None),
        ("retry up to 3 times, 1 s between retries; each attempt must answer within 400 ms", 400.0, None),
        ("Retry twice with 500 ms backoff; the whole operation times out after 4 s.", None, 4000.0),
        ("Retry 3 times, backoff from 100 ms, max backoff 2 s; stop retrying after 30 s.", None, 30_000.0),
    ],
)
def test_prose_timeout_and_deadline_forms(text: str, timeout: float | None, deadline: float | None) -> None:
    p = _read(text, "text")
    assert (p.timeout_ms, p.deadline_ms, p.unread) == (timeout, deadline, [])


def test_prose_keeps_the_sentences_it_did_not_understand() -> None:
    p = _read(
        "Retry 3 times, 1 s apart.\nEach attempt times out after 2 s and the job after 10 s.", "text", 5
    )
    assert (p.max_attempts, p.timeout_ms, p.deadline_ms) == (4, 2000.0, None)
    assert (p.unread, p.lines["unread.0"]) == (["Each attempt times out after 2 s and the job after 10 s"], 6)
    assert _read("Retry 3 times, 1 s apart; 2 s timeout per attempt.", "text").unread == []


def test_comments_of_a_code_block_are_read_as_prose() -> None:
    p = _read(
        "// 3 attempts, 100 ms initial backoff, multiplier 2\nclient := retryablehttp.NewClient()", "go"
    )
    assert (p.form, p.max_attempts, p.backoff.kind, p.backoff.initial_ms) == (
        "prose",
        3,
        "exponential",
        100.0,
    )


def test_retried_calls_decorated_function_and_loop_body() -> None:
    p = _read(
        "@backoff.on_exception(backoff.expo, OSError, max_tries=5)\ndef connect(c):\n    c.connect(h)\n"
    )
    assert p.retried_calls == ["connect"]
    p = _read(
        "for attempt in range(3):\n    try:\n        return ch.basic_publish(x, body)\n"
        "    except OSError:\n        log.warning('again')\n        time.sleep(1)\n"
    )
    assert p.retried_calls == ["basic_publish"]
    assert _read("Retry(total=2, backoff_factor=0.2)").retried_calls == []


# -- Go, Java/Kotlin, JavaScript/TypeScript ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "form", "attempts", "timeout"),
    [
        (
            "// retries: 2, backoff 100ms\nclient := &http.Client{Timeout: 30 * time.Second}",
            "go",
            "prose",
            3,
            30e3,
        ),
        ("ctx, cancel := context.WithTimeout(ctx, 2*time.Second)", "go", "go", None, 2000.0),
        (
            "grpc.Dial(addr, grpc.WithTimeout(time.Duration(500) * time.Millisecond))",
            "golang",
            "go",
            None,
            500.0,
        ),
        ("client.Timeout = time.Second * 5 // not 9 s", "go", "go", None, 5000.0),
        (
            "HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();\n"
            "HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(800)).build();",
            "java",
            "jvm",
            None,
            800.0,  # the request's timeout bounds the attempt
        ),
        (
            "OkHttpClient.Builder().connectTimeout(10, TimeUnit.SECONDS).readTimeout(30, TimeUnit.SECONDS)",
            "java",
            "jvm",
            None,
            40e3,  # connect + read: both can run out
        ),
        ("factory.setConnectTimeout(5000);\nfactory.setReadTimeout(15_000);", "java", "jvm", None, 20e3),
        ("withTimeout(5.seconds) { client.get(url) }", "kotlin", "jvm", None, 5000.0),
        ("const res = await axios.post(url, body, { timeout: 5000 });", "js", "javascript", None, 5000.0),
        (
            "const c = new AbortController();\nsetTimeout(() => c.abort(), 3000);",
            "ts",
            "javascript",
            None,
            3000.0,
        ),
        ("got.post(url, { retry: { limit: 2 }, timeout: { request: 10000 } })", "javascript", "got", 3, 10e3),
        (
            "// timeout: 9000\nfetch(url, { signal: AbortSignal.timeout(5000) })",
            "js",
            "javascript",
            None,
            5000.0,
        ),
    ],
)
def test_code_timeouts(text: str, language: str, form: str, attempts: int | None, timeout: float) -> None:
    p = _read(text, language)
    assert (p.form, p.max_attempts, p.timeout_ms) == (form, attempts, timeout)


def test_spring_retry_and_resilience4j_builder() -> None:
    p = _read(
        "@Retryable(maxAttempts = 3, backoff = @Backoff(delay = 100, multiplier = 2))\n"
        "public Order create(Order o) { return rest.postForObject(url, o, Order.class); }",
        "java",
        first_line=4,
    )
    assert (p.form, p.max_attempts, p.backoff.kind, p.backoff.initial_ms, p.backoff.multiplier, p.line) == (
        "spring-retry",
        3,
        "exponential",
        100.0,
        2.0,
        4,
    )
    p = _read(
        "@Retryable(value = [IOException::class],\n"
        "           backoff = Backoff(delay = 200, multiplier = 2.0, maxDelay = 5000))",
        "kotlin",
    )
    assert (p.max_attempts, p.backoff.max_ms, p.retry_on_exceptions) == (3, 5000.0, ["IOException"])
    p = _read("@Retryable(retryFor = {IOException.class}, maxAttempts = 4)\nvoid call() {}", "java")
    assert (p.max_attempts, p.backoff.kind, p.backoff.initial_ms) == (4, "constant", 1000.0)  # @Backoff()
    p = _read(
        "val retry = RetryConfig.custom<Any>().maxAttempts(3).waitDuration(Duration.ofMillis(500)).build()\n"
        "val limit = TimeLimiterConfig.custom().timeoutDuration(Duration.ofSeconds(2)).build()",
        "kotlin",
        first_line=7,
    )
    assert (p.form, p.max_attempts, p.backoff.initial_ms, p.timeout_ms, p.lines["timeout_ms"]) == (
        "resilience4j",
        3,
        500.0,
        2000.0,
        8,
    )


def test_js_retry_libraries() -> None:
    p = _read(
        "axiosRetry(axios, { retries: 3, retryDelay: axiosRetry.exponentialDelay });\n"
        "axios.defaults.timeout = 2_000;",
        "ts",
    )
    assert (p.form, p.max_attempts, p.backoff.kind, p.backoff.initial_ms, p.timeout_ms) == (
        "axios-retry",
        4,
        "exponential",
        200.0,
        2000.0,
    )
    p = _read("await pRetry(run, { retries: 5, minTimeout: 200, factor: 3, maxRetryTime: 30_000 });", "js")
    assert (
        p.form,
        p.max_attempts,
        p.backoff.initial_ms,
        p.backoff.multiplier,
        p.deadline_ms,
        p.timeout_ms,
    ) == (
        "p-retry",
        6,
        200.0,
        3.0,
        30e3,
        None,  # minTimeout is p-retry's pause, not a timeout
    )
    p = _read(
        "fetchRetry(fetch, { retries: 3, retryDelay: (attempt, error, response) => attempt * 1000 })", "js"
    )
    assert (p.max_attempts, p.backoff.kind, p.backoff.initial_ms, p.backoff.increment_ms) == (
        4,
        "linear",
        1000.0,
        1000.0,
    )


# -- what stays text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("bo := backoff.NewExponentialBackOff()\nerr := backoff.Retry(op, bo)", "go"),
        ("see the runbook", None),
        ("[retry logic if applicable]", "python"),
        ("def f():\n    return g()\n", "python"),
        ("x" * 30_000, None),
    ],
)
def test_unknown_forms_stay_text(text: str, language: str | None) -> None:
    assert read_retry(text, language, 1) is None


def test_every_example_doc_is_read() -> None:
    for path in sorted(EXAMPLES.glob("*.md")):
        assert parse_text(path.read_text(encoding="utf-8"), path.name).integration.error_handling.retry, (
            path.name
        )


# -- never raises -----------------------------------------------------------------------------------------

_SNIPPETS = st.sampled_from(
    [
        "@retry(stop=stop_after_attempt(",
        "Retry(total=",
        "for attempt in range(",
        "time.sleep(",
        "backoff.on_exception(backoff.expo, X, max_tries=",
        '{"retryPolicy": {"maxAttempts": ',
        "maxAttempts: ",
        "retry up to ",
        " times, ",
        " s apart",
        "2 ** attempt",
        "Timeout: 30 * time.Second",
        "context.WithTimeout(ctx, ",
        "@Retryable(maxAttempts = 3, backoff = @Backoff(delay = ",
        "Duration.ofSeconds(",
        "{ retries: ",
        "retryDelay: (n) => n * ",
        "timeout: ",
        "// ",
        "/*",
        " * ",
        "9" * 40,
        "1e308",
        "-",
        ")",
        "\n",
        "    ",
        "[",
        "]",
    ]
)


@settings(max_examples=examples(300))
@given(
    st.lists(st.one_of(_SNIPPETS, st.text(max_size=20)), max_size=30).map("".join),
    st.sampled_from(["python", "json", "yaml", "properties", "go", "java", "kotlin", "js", "text", None]),
)
@example("for a in range(10**9):\n  try: f()\n  except X: time.sleep(2 ** a ** a)", "python")
@example("Retry(total=10**10, backoff_factor=1e308)", "python")
@example('{"retryPolicy": {"maxAttempts": 1e400, "initialBackoff": "99999999999999999999s"}}', "json")
@example("[" * 200 + "]" * 200, "python")
def test_read_retry_never_raises(text: str, language: str | None) -> None:
    policy = read_retry(text, language, 1)
    if policy is not None:
        policy.sleeps_ms()
        policy.worst_case_ms()
        assert policy.max_attempts is None or policy.max_attempts >= 1


def _eh(retry: str, modes: str = "- **Timeout**: 1 s") -> object:
    text = (
        "# Integration: A → B\n\n## Error Handling\n\n**Failure Modes:**\n\n"
        f"{modes}\n\n**Retry Strategy:**\n```text\n{retry}\n```\n"
    )
    return parse_text(text, "x.md").integration.error_handling


def test_a_sentence_excluding_some_failures_narrows_the_policy_not_cancels_it() -> None:
    """Found by a new user: '… 3 attempts in total, 200 ms apart, on 5xx … 4xx is not retried.' was read
    as 1 attempt with 4xx retried, so faults called a client doing exactly that a mismatch."""
    r = _eh(
        "We retry up to 3 attempts in total, 200 ms apart, on 5xx, timeouts and connection errors. "
        "4xx is not retried. Per-attempt timeout 1 s."
    ).retry  # type: ignore[attr-defined]
    assert (r.max_attempts, r.backoff.initial_ms, r.retry_on_status, r.timeout_ms) == (
        3,
        200.0,
        ["5xx"],
        1000.0,
    )
    r = _eh("Retry up to 2 times, 200 ms apart. 404 is never retried.").retry  # type: ignore[attr-defined]
    assert r.max_attempts == 3 and "404" not in r.retry_on_status
    assert _eh("No retries.").retry.max_attempts == 1  # type: ignore[attr-defined]


def test_a_reason_for_no_retries_is_not_a_fallback() -> None:
    """Found by a new user: 'None. We don't retry writes.' became fallback "We don't retry writes", and
    faults expected the command to succeed."""
    r = _eh("None. We don't retry writes.").retry  # type: ignore[attr-defined]
    assert r.max_attempts == 1 and r.fallback is None
    r = _eh("None: the nightly run sends the day again").retry  # type: ignore[attr-defined]
    assert r.fallback is None  # what happens later, not an answer the caller gets
    r = _eh("None: we fall back to the last known rate").retry  # type: ignore[attr-defined]
    assert r.fallback == "we fall back to the last known rate"


def test_a_failure_mode_with_only_an_arrow_is_split_at_it() -> None:
    """Found by a new user: '2. Server Error → no retry' kept the handling in its name, and faults said
    the doc does not say whether a 5xx is retried."""
    modes = _eh("No retries.", "1. Timeout: 1 s → retried\n2. Server Error → no retry").failure_modes  # type: ignore[attr-defined]
    assert [(m.name, m.handling) for m in modes] == [("Timeout", "retried"), ("Server Error", "no retry")]


def test_no_jitter_is_none_and_a_list_of_pauses_is_a_backoff() -> None:
    """Found by a new user: 'pauses 0.2s and 0.4s, no jitter' was read as constant 200 ms *with* jitter,
    so faults called a client pausing 200/400 ms a mismatch and passed one pausing 5/10 ms."""
    r = _eh("# only 503 is retried. 3 attempts total, pauses 0.2s and 0.4s, no jitter").retry  # type: ignore[attr-defined]
    assert (r.backoff.kind, r.backoff.jitter, r.sleeps_ms()) == ("exponential", "none", [200.0, 400.0])
    for said in ("without jitter", "jitter: none"):
        r = _eh(f"exponential backoff starting at 200ms, doubling, 3 attempts, {said}").retry  # type: ignore[attr-defined]
        assert r.backoff.jitter == "none", said
    r = _eh("4 attempts, waiting 100ms then 200ms then 300ms").retry  # type: ignore[attr-defined]
    assert (r.backoff.kind, r.sleeps_ms()) == ("linear", [100.0, 200.0, 300.0])
    assert _eh("retry 3 times with full jitter, 100 ms apart").retry.backoff.jitter == "full"  # type: ignore[attr-defined]


# -- found by a new user (nu7) ---------------------------------------------------------------------------


def _modes_of(items: str) -> list[tuple[str, str]]:
    text = f"# Integration: A → B\n\n## Error Handling\n\n**Failure Modes:**\n{items}\n"
    return [(m.name, m.kind) for m in parse_text(text, "x.md").integration.error_handling.failure_modes]


def test_failure_mode_names_lose_their_markdown_emphasis() -> None:
    """'- **Timeout** (no ack in 3 s) → give up' kept the ** in the name."""
    assert _modes_of(
        "- **Timeout** (no ack in 3 s) → give up\n- __DB down__ (connection refused) → job fails\n"
        "- *`ECONNRESET`* from the peer: reconnect\n- DEADLINE_EXCEEDED: retried"
    ) == [
        ("Timeout (no ack in 3 s)", "timeout"),
        ("DB down (connection refused)", "connection_refused"),
        ("ECONNRESET from the peer", "connection_lost"),  # nu9: a reset is a lost connection
        ("DEADLINE_EXCEEDED", "timeout"),
    ]


@pytest.mark.parametrize(
    ("name", "what", "kind"),
    [
        ("Bad JSON back", "ledger answered garbage", "invalid_response"),
        ("Garbage reply", None, "invalid_response"),
        ("Unparseable body", None, "invalid_response"),
        ("Odd answer", "the body cannot be parsed", "invalid_response"),
        ("Upstream 5xx", "ledger is down", "http_status"),  # the name's kind first
        ("Card Declined", "returns 402", "other"),  # a status in the text is no kind: plan reads it there
    ],
)
def test_failure_modes_are_classed_by_meaning(name: str, what: str | None, kind: str) -> None:
    assert failure_kind(name, what)[0] == kind


@pytest.mark.parametrize(
    "text",
    [
        "Retries: none. Timeout per message: 3000 ms.",
        "retries = 0",
        "Retry: disabled.",
        "Retries are disabled; each call times out after 3 s.",
        "max attempts: 1, timeout 3 s",
        "We make a single attempt, 3 s timeout.",
    ],
)
def test_every_way_of_saying_no_retry_is_one_attempt(text: str) -> None:
    policy = _read(text, None)
    assert policy.max_attempts == 1 and policy.retries == 0, policy
    assert policy.timeout_ms in (None, 3000.0) and policy.unread == []


def test_a_config_block_s_comments_complete_its_keys_or_are_listed_unread() -> None:
    """'# retry twice, 5 seconds apart' over 'retries: 2' lost the 5 s, with unread []."""
    p = _read("# retry twice, 5 seconds apart\nretries: 2\ntimeout: 30s", "yaml", 10)
    assert (p.max_attempts, p.backoff.kind, p.backoff.initial_ms, p.timeout_ms) == (
        3,
        "constant",
        5000.0,
        30000.0,
    )
    assert p.lines["backoff.initial_ms"] == 10
    q = _read("# retries spaced by 5 s, as the DBA asked\nretries: 2", "yaml", 10)
    assert q.max_attempts == 3 and q.unread == ["retries spaced by 5 s, as the DBA asked"]


def test_redis_py_retry_says_which_errors_it_retries() -> None:
    """redis-py's Retry retries ConnectionError and TimeoutError only (supported_errors), not an invalid
    reply: the policy says so, so that faults expects no retry for what it does not cover."""
    code = "r = redis.Redis.from_url(URL, retry=Retry(ExponentialBackoff(cap=0.5, base=0.01), 3))"
    assert _read(code).retry_on_exceptions == ["ConnectionError", "TimeoutError"]
    only = _read("r = Redis(retry=Retry(NoBackoff(), 2, supported_errors=(ConnectionError,)))")
    assert only.retry_on_exceptions == ["ConnectionError"]
    more = _read("r = Redis(retry=Retry(NoBackoff(), 2), retry_on_error=[redis.exceptions.ResponseError])")
    assert more.retry_on_exceptions == ["redis.exceptions.ResponseError", "ConnectionError", "TimeoutError"]


@pytest.mark.parametrize(
    "fragment",
    [
        "# 2 retries\nretry=Retry(ExponentialBackoff(cap=1, base=0.05), 2),\nsocket_timeout=0.25,\n",
        'host="h", port=6379,\nretry=Retry(ExponentialBackoff(cap=1, base=0.05), 2),\nsocket_timeout=0.25',
        "    socket_timeout=0.25,\n    retry=Retry(ExponentialBackoff(cap=1, base=0.05), 2),\n",
    ],
)
def test_redis_py_keyword_arguments_alone_are_read_as_the_client_call(fragment: str) -> None:
    """Found by a new user: `socket_timeout=0.25,` on its own line among the Redis(...) arguments gave
    timeout_ms null (so ERR002 did not fire), though inside a full redis.Redis(...) call it is read."""
    p = _read(fragment, first_line=10)
    full = _read(f"r = redis.Redis(\n{fragment}\n)", first_line=9)
    assert (p.form, p.max_attempts, p.timeout_ms, p.backoff.initial_ms) == ("redis", 3, 250.0, 100.0)
    assert (p.line, p.lines["timeout_ms"]) == (full.line, full.lines["timeout_ms"])
    # a block of other assignments is no client's arguments
    assert read_retry("timeout=0.25,\nretries=2,\n", "python", 1) is None


@pytest.mark.parametrize(
    ("text", "timeout", "initial", "unread"),
    [
        # a settings block of no known library: a bare number has no unit (it read timeout: 1500 as 1500 s)
        ("retries: 3\ntimeout: 1500", None, None, ["timeout: 1500"]),
        ("retries: 3\ninitial_delay: 200\ntimeout: 2s", 2000.0, None, ["initial_delay: 200"]),
        ("retries: 3\ninitial_delay: 200ms\ntimeout: 1.5s", 1500.0, 200.0, []),
    ],
)
def test_a_bare_number_in_generic_settings_is_unread_not_seconds(
    text: str, timeout: float | None, initial: float | None, unread: list[str]
) -> None:
    p = _read(text, "yaml")
    assert (p.max_attempts, p.timeout_ms, p.backoff.initial_ms) == (4, timeout, initial)
    assert list(p.unread) == unread


def test_a_retry_strategy_written_as_a_list_is_read() -> None:
    """``**Retry Strategy:**`` then ``- attempts: 4`` / ``- delay: 1000 ms``: it gave no strategy at all."""
    text = (
        "# Integration: A → B\n\n## Error Handling\n\n**Failure Modes:**\n- **Timeout**: 1 s\n\n"
        "**Retry Strategy:**\n- attempts: 4\n- delay: 1000 ms\n"
    )
    integ = parse_text(text, "x.md").integration
    retry = integ.error_handling.retry
    assert retry is not None and retry.max_attempts == 4 and retry.backoff.initial_ms == 1000.0
    assert retry.line == 9 and integ.retry_strategy == "- attempts: 4\n- delay: 1000 ms"


def test_a_failure_modes_table_without_its_label_is_read() -> None:
    """A table right under ``## Error Handling`` with no Failure Modes label was dropped silently and
    faults said no failure mode was documented (new user, round 13); a table whose header names no
    failure (a settings table) is not read as one."""
    table = (
        "| Failure | What happens | Handling |\n|---|---|---|\n"
        "| Timeout | connect takes more than two seconds | never retried, request fails with 503 |\n"
        "| Connection Refused | Postgres down | never retried |\n"
    )
    retry = "**Retry Strategy:**\n```text\nNo retries.\n```\n"
    text = f"# Integration: A → B\n\n## Error Handling\n\n{table}\n{retry}"
    integ = parse_text(text, "d.md").integration
    got = [(m.name, m.kind, m.handling, m.line) for m in integ.error_handling.failure_modes]
    assert got == [
        ("Timeout", "timeout", "never retried, request fails with 503", 7),
        ("Connection Refused", "connection_refused", "never retried", 8),
    ]
    settings = "| Setting | Value |\n|---|---|\n| timeout | 2 s |\n"
    other = parse_text(f"# Integration: A → B\n\n## Error Handling\n\n{settings}", "d.md").integration
    assert other.error_handling.failure_modes == []


def test_a_sentence_then_the_config_it_introduces_are_read_together() -> None:
    """A sentence on the label, then the resilience4j YAML: only the sentence was read (no timeout, no
    failure rate, no exceptions: ERR003 silent on a 1 s timeout under a 1.2 s P99); a sentence then a
    ``@Retryable`` block gave no strategy at all (new user, round 16). The blocks right after the
    sentence are read, their keys first, the sentence's words for the rest."""
    text = (
        "# Integration: Billing → Tax API\n\n## Error Handling\n\n"
        "**Retry Strategy:**\n"
        "Our client uses resilience4j; the breaker stays open for thirty seconds.\n\n"
        "```yaml\nresilience4j:\n  retry:\n    instances:\n      taxApi:\n        maxAttempts: 4\n"
        "        waitDuration: 500ms\n        enableExponentialBackoff: true\n"
        "        exponentialBackoffMultiplier: 2\n        retryExceptions:\n"
        "          - java.net.SocketTimeoutException\n"
        "  timelimiter:\n    instances:\n      taxApi:\n        timeoutDuration: 2s\n```\n"
    )
    p = parse_text(text, "d.md").integration.error_handling.retry
    assert p is not None and p.form == "resilience4j"
    assert (p.max_attempts, p.timeout_ms, p.retry_on_exceptions) == (
        4,
        2000.0,
        ["java.net.SocketTimeoutException"],
    )
    assert (p.backoff.kind, p.backoff.initial_ms, p.backoff.multiplier) == ("exponential", 500.0, 2.0)
    java = (
        "# Integration: Billing → DB\n\n## Error Handling\n\n**Retry Strategy:**\n"
        "We rely on Spring Retry on the repository method:\n\n```java\n"
        "@Retryable(maxAttempts = 3, backoff = @Backoff(delay = 1000, multiplier = 2, maxDelay = 5000))\n"
        "public int insertInvoice(long id) { return 0; }\n```\n"
    )
    q = parse_text(java, "d.md").integration.error_handling.retry
    assert q is not None and (q.form, q.max_attempts, q.backoff.initial_ms, q.backoff.max_ms) == (
        "spring-retry",
        3,
        1000.0,
        5000.0,
    )


def test_go_retryablehttp_and_reactor_retry_specs() -> None:
    """``client.RetryMax = 3`` and ``Retry.backoff(3, Duration.ofMillis(100))`` were read as no retry,
    with nothing listed unread (new user, round 16)."""
    from wiremap.document.retry import read_retry

    go = (
        "client := retryablehttp.NewClient()\nclient.RetryMax = 3\n"
        "client.RetryWaitMin = 100 * time.Millisecond\nclient.RetryWaitMax = 2 * time.Second\n"
    )
    p = read_retry(go, "go", 1)
    assert p is not None and (p.form, p.max_attempts, p.sleeps_ms()) == (
        "go-retryablehttp",
        4,
        [100.0, 200.0, 400.0],
    )
    assert p.backoff.max_ms == 2000.0
    java = "mono.retryWhen(Retry.backoff(3, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(1)))"
    q = read_retry(java, "java", 1)
    assert q is not None and (q.form, q.max_attempts, q.backoff.initial_ms, q.backoff.max_ms) == (
        "reactor",
        4,
        100.0,
        1000.0,
    )
    fixed = read_retry("flux.retryWhen(Retry.fixedDelay(2, Duration.ofSeconds(1)))", "java", 1)
    assert fixed is not None and fixed.sleeps_ms() == [1000.0, 1000.0]


def test_an_html_comment_between_a_label_and_its_block_is_skipped() -> None:
    """``<!-- retries: 10 -->`` between **Retry Strategy:** and its YAML dropped the strategy (CRT002 said a
    critical doc had none), and one between **Failure Modes:** and its list dropped the modes (new user,
    round 18): a comment is a note to editors, not what the label owns."""
    text = (
        "# Integration: A → B\n\n**Critical Path:** Yes\n\n## Error Handling\n\n**Failure Modes:**\n"
        "<!-- - **Old Failure**: gone -->\n- **Timeout**: slow → retried\n- **Connection Refused**: down\n\n"
        "**Retry Strategy:**\n<!-- retries: 10 -->\n```yaml\nretries: 1\n```\n"
    )
    integ = parse_text(text, "d.md").integration
    assert [m.name for m in integ.error_handling.failure_modes] == ["Timeout", "Connection Refused"]
    assert integ.retry_strategy == "retries: 1"
    assert integ.error_handling.retry is not None and integ.error_handling.retry.max_attempts == 2


def test_code_quoted_in_comments_is_read_as_that_code() -> None:
    """``// nats.MaxReconnects(10), nats.ReconnectWait(2*time.Second)`` in a ```go block of comments
    was read as prose: no policy, and ERR001 quoted a piece of it ("Second) nats.Timeout(…)") as not
    understood (new user, round 26). Prose comments stay prose."""
    go = "// nats.MaxReconnects(10), nats.ReconnectWait(2*time.Second)\n// nats.Timeout(2*time.Second)\n"
    p = _read(go, "go")
    assert (p.form, p.max_attempts, p.backoff.initial_ms, p.timeout_ms, p.unread) == (
        "nats-go",
        11,
        2000.0,
        2000.0,
        [],
    )
    words = _read("// got: retry 3 times on 503, 100ms apart\n// timeout: 1.5s per request\n", "ts")
    assert (words.form, words.max_attempts, words.timeout_ms) == ("prose", 4, 1500.0)


@pytest.mark.parametrize(
    ("sleep", "kind", "sleeps"),
    [
        ("time.Duration(i+1) * 100 * time.Millisecond", "linear", [100.0, 200.0]),
        ("200 * time.Millisecond", "constant", [200.0, 200.0]),
        ("time.Duration(1<<i) * 100 * time.Millisecond", "exponential", [100.0, 200.0]),
    ],
)
def test_a_go_retry_loop_is_read(sleep: str, kind: str, sleeps: list[float]) -> None:
    """``for i := 0; i < 3; i++ { … time.Sleep(time.Duration(i+1) * 100 * time.Millisecond) }`` was read as
    nothing, and lint said nothing either (new user, round 30)."""
    loop = (
        "for i := 0; i < 3; i++ {\n    resp, err := client.Do(req)\n"
        "    if err == nil && resp.StatusCode < 500 {\n        return resp, nil\n    }\n"
        f"    time.Sleep({sleep})\n}}\n"
    )
    p = _read(loop, "go")
    assert (p.max_attempts, p.backoff.kind, p.sleeps_ms()) == (3, kind, sleeps)


@pytest.mark.parametrize("check", ["", "client.CheckRetry = retryablehttp.DefaultRetryPolicy\n"])
def test_retryablehttp_s_default_policy_set_by_name_is_the_default(check: str) -> None:
    """``client.CheckRetry = retryablehttp.DefaultRetryPolicy`` read as no status retried (round 30); the
    default retries 5xx but 501, and 429."""
    p = _read(f"client := retryablehttp.NewClient()\nclient.RetryMax = 3\n{check}", "go")
    assert "5xx" in p.retry_on_status and "429" in p.retry_on_status and p.not_retried_status == ["501"]
    custom = _read(
        "client := retryablehttp.NewClient()\nclient.RetryMax = 3\nclient.CheckRetry = mine\n", "go"
    )
    assert custom.retry_on_status == [] and custom.not_retried_status == []


def test_a_python_loop_with_a_handler_and_a_status_test_retries_both() -> None:
    """A ``try`` around ``if r.status_code < 500: break`` with ``except requests.Timeout`` kept the Timeout
    alone: faults said the doc's retried 503 contradicted a Retry Strategy that does retry it (round 31)."""
    loop = (
        "for attempt in range(3):\n    try:\n        r = requests.get(url, timeout=1.0)\n"
        "        if r.status_code < 500:\n            break\n    except requests.Timeout:\n        pass\n"
        "    time.sleep(0.2)\n"
    )
    p = _read(loop, "python")
    assert (p.form, p.max_attempts, p.retry_on_status, p.retry_on_exceptions) == (
        "loop",
        3,
        ["5xx"],
        ["requests.Timeout"],
    )
