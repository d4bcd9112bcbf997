"""The ERR rules: each one firing, and not firing, on variants of the clean doc."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import wiremap
from wiremap.document import parse_text
from wiremap.lint import RULES
from wiremap.lint.rule import DocContext

FIXTURES = Path(__file__).parent / "fixtures"
CLEAN = (FIXTURES / "clean.md").read_text(encoding="utf-8")
EXAMPLES = Path(__file__).parents[2] / "examples" / "shop" / "docs" / "integrations"
TODAY = dt.date(2026, 11, 28)
RETRY = 'Retry(total=2, backoff_factor=0.2, allowed_methods=frozenset({"GET", "POST"}))'


def _lines(code: str, text: str) -> list[int]:
    rule = RULES[code]
    assert rule.check_doc is not None
    return [v.line for v in rule.check_doc(DocContext(parse_text(text, "d.md"), today=TODAY))]


def _strategy(language: str, body: str, text: str = CLEAN) -> str:
    pattern = re.compile(r"(\*\*Retry Strategy:\*\*\n```)[^\n]*\n.*?\n```", re.DOTALL)
    out, n = pattern.subn(lambda m: f"{m.group(1)}{language}\n{body}\n```", text, count=1)
    assert n == 1
    return out


def _p99(value: str, text: str) -> str:
    return re.sub(r"- P99: .*", f"- P99: {value}", text, count=1)


@pytest.mark.parametrize("code", ["ERR001", "ERR002", "ERR003", "ERR004", "ERR005"])
def test_clean_doc_examples_and_template_give_no_err_finding(code: str) -> None:
    assert _lines(code, CLEAN) == []
    found = wiremap.lint_catalog(wiremap.load(EXAMPLES), select=["ERR"], today=TODAY)
    assert found == []


def test_err001_unreadable_and_readable() -> None:
    assert _lines("ERR001", _strategy("go", "client := retryablehttp.NewClient()")) == [96]
    assert _lines("ERR001", _strategy("go", "// 3 attempts, 1 s apart\nclient := x.NewClient()")) == []
    assert _lines("ERR001", _strategy("python", "[retry logic if applicable]")) == []  # DOC003's
    assert _lines("ERR001", _strategy("python", "# TODO")) == []  # CRT002's


def test_err001_partly_read_prose_says_what_it_did_not_understand() -> None:
    text = _strategy(
        "text", "Retry 3 times, 500 ms apart.\nEach attempt times out after 2 s and the job after 9 s."
    )
    rule = RULES["ERR001"]
    assert rule.check_doc is not None
    (v,) = rule.check_doc(DocContext(parse_text(text, "d.md"), today=TODAY))
    assert v.line == 98 and "the job after 9 s" in v.message and "timeout 2 s per attempt" in v.message
    assert _lines("ERR001", _strategy("text", "Retry 3 times, 500 ms apart; 2 s timeout per attempt.")) == []


def test_err003_err004_each_attempt_times_out_after() -> None:
    body = "Retry 3 times 500 ms apart; each attempt times out after 2 ms. Overall deadline 1 s."
    text = _p99("5 ms", _strategy("text", body))
    assert (_lines("ERR001", text), _lines("ERR003", text), _lines("ERR004", text)) == ([], [97], [97])


@pytest.mark.parametrize(
    ("timeout", "p99", "err002", "err003"),
    [
        ("timeout=120", "900 ms", [98], []),
        ("timeout=60", "900 ms", [], []),  # 67x: large, not orders of magnitude
        ("timeout=2", "900 ms", [], []),
        ("timeout=0.5", "900 ms", [], [98]),
        ("timeout=0.9", "900 ms", [], []),  # equal to the P99
        ("timeout=(3.05, 27)", "100 ms", [98], []),  # connect + read
    ],
)
def test_err002_err003_timeout_against_p99(
    timeout: str, p99: str, err002: list[int], err003: list[int]
) -> None:
    text = _p99(p99, _strategy("python", f"{RETRY}\nresponse = session.post(url, json=body, {timeout})"))
    assert (_lines("ERR002", text), _lines("ERR003", text)) == (err002, err003)


def _messages(code: str, text: str) -> list[str]:
    rule = RULES[code]
    assert rule.check_doc is not None
    return [v.message for v in rule.check_doc(DocContext(parse_text(text, "d.md"), today=TODAY))]


def test_err002_err003_word_the_message_by_what_the_policy_says() -> None:
    """Found by a new user: "a hung call waits that long before a retry" on a doc that says "No retries"."""
    none = _p99("20 ms", _strategy("text", "No retries. Timeout is 3 seconds."))
    assert _messages("ERR002", none) == [
        "timeout 3 s is 150× the P99 of 20 ms (line 107): a hung call waits that long before it fails"
    ]
    retried = _p99("20 ms", _strategy("text", "Retry twice, 1 s apart. Timeout is 3 seconds per attempt."))
    assert _messages("ERR002", retried)[0].startswith("per-attempt timeout 3 s is 150×")
    assert _messages("ERR002", retried)[0].endswith("before a retry")
    below = _p99("5 s", _strategy("text", "No retries. Timeout is 3 seconds."))
    assert _messages("ERR003", below)[0].endswith("more than 1% of calls would time out and fail")


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("text", "No retries. Connect timeout is 3 seconds."),
        ("text", "Retry twice, 1 s apart; 3 s connect timeout."),
        ("java", "HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();"),
        (
            "python",
            "for i in range(3):\n    try:\n        return psycopg.connect(dsn, connect_timeout=3)\n"
            "    except OSError:\n        time.sleep(1)",
        ),
    ],
)
def test_a_connect_timeout_is_no_timeout_of_the_call(language: str, body: str) -> None:
    """A connect timeout bounds opening the connection, not the call: it is kept as connect_timeout_ms and
    compared with nothing (it was ERR002 "waits that long before a retry" at 150× the query's P99)."""
    for p99 in ("20 ms", "5 s"):  # far below it (ERR002), above it (ERR003)
        text = _p99(p99, _strategy(language, body))
        policy = parse_text(text, "d.md").integration.error_handling.retry
        assert policy is not None and policy.connect_timeout_ms == 3000.0 and policy.timeout_ms is None
        assert (_lines("ERR001", text), _lines("ERR002", text), _lines("ERR003", text)) == ([], [], [])


def test_err002_go_client_timeout_under_a_comment() -> None:
    body = "// retries: 2, backoff 100ms\nclient := &http.Client{Timeout: 30 * time.Second}"
    text = _p99("10 ms", _strategy("go", body))
    assert (_lines("ERR001", text), _lines("ERR002", text)) == ([], [98])


def test_err003_says_most_calls_below_typical() -> None:
    text = _strategy("python", f"{RETRY}\nresponse = session.post(url, json=body, timeout=0.1)")
    rule = RULES["ERR003"]
    assert rule.check_doc is not None
    (v,) = rule.check_doc(DocContext(parse_text(text, "d.md"), today=TODAY))
    assert "most calls" in v.message and "line 108" in v.message


def test_no_p99_or_no_timeout_is_no_timeout_finding() -> None:
    text = _strategy("python", f"{RETRY}\nsession.post(url, timeout=500)")
    assert _lines("ERR002", re.sub(r"- P99: .*\n", "", text)) == []
    assert _lines("ERR002", _strategy("python", RETRY)) == []


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("3 attempts, 2 s timeout per attempt, 1 s apart.\nOverall deadline 5 s.", [98]),
        ("2 attempts, 2 s timeout per attempt, 1 s apart.\nOverall deadline 5 s.", []),
        ("3 attempts, 1 s apart.\nOverall deadline 5 s.", []),  # no timeout: the worst case is unknown
        ("3 attempts, 2 s timeout per attempt.\nOverall deadline 5 s.", [98]),  # pauses unknown: at least 6 s
    ],
)
def test_err004_prose_budget(body: str, found: list[int]) -> None:
    assert _lines("ERR004", _strategy("text", body)) == found


def test_err004_tenacity_and_grpc() -> None:
    body = (
        "@retry(stop=stop_after_attempt(4) | stop_after_delay(3),\n"
        "       wait=wait_exponential(multiplier=0.5, max=2))\n"
        "def charge():\n"
        "    return session.post(url, timeout=1)\n"
    )  # 4 x 1 s + 0.5 + 1 + 2 = 7.5 s > 3 s
    assert _lines("ERR004", _strategy("python", body)) == [97]
    grpc = '{"methodConfig": [{"timeout": "10s", "retryPolicy": {"maxAttempts": 3, "initialBackoff": "0.1s",'
    grpc += ' "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}]}'
    assert _lines("ERR004", _strategy("json", grpc)) == []  # no per-attempt timeout: unknown


def test_a_grpc_method_timeout_is_held_to_the_p99_and_to_its_pauses() -> None:
    """Round 54: a service config whose method timeout (0.5 s, bounding every attempt) is below the P99
    (1.5 s) and shorter than its own backoff pauses (0.1 + 0.2 + 0.4 s) raised nothing."""
    grpc = '{"methodConfig": [{"name": [{"service": "inventory.v1.Inventory"}],\n  "timeout": "0.5s",\n'
    grpc += '  "retryPolicy": {"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s",\n'
    grpc += '    "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}]}'
    text = _p99("1.5s", _strategy("json", grpc))
    (deadline,) = _messages("ERR003", text)
    assert deadline.startswith("the overall deadline of 500 ms is below the P99 of 1.5 s")
    (pauses,) = _messages("ERR004", text)
    assert pauses.startswith("the pauses between 4 attempts alone take up to 700 ms")
    assert _lines("ERR003", text) == _lines("ERR004", text)  # at the timeout's line
    assert _messages("ERR003", _p99("400 ms", text)) == []


def test_err005_post_without_key() -> None:
    text = (FIXTURES / "ERR005.md").read_text(encoding="utf-8")
    assert _lines("ERR005", text) == [96]
    assert _lines("ERR005", text.replace("retry;", "retry with the same Idempotency-Key;")) == []
    assert _lines("ERR005", text.replace("retry;", "retry; the API deduplicates on the order id;")) == []
    # urllib3's default methods leave POST out
    assert _lines("ERR005", _strategy("python", "Retry(total=2, backoff_factor=0.2)", text)) == []
    # a single attempt is no retry
    assert _lines("ERR005", _strategy("text", "no retries: the customer tries again", text)) == []
    # GET is idempotent
    assert _lines("ERR005", text.replace("`POST https://", "`GET https://")) == []
    assert _lines("ERR005", text.replace("`POST https://", "`PATCH https://")) == [96]


def test_err005_a_post_retried_in_a_loop_that_breaks_on_success() -> None:
    """Found by a new user: the loop was not read at all (only ERR001), so ERR005 said nothing."""
    text = (FIXTURES / "ERR005.md").read_text(encoding="utf-8")
    for sleep in ("time.sleep(2 ** i)", "time.sleep(1)"):
        loop = (
            "for i in range(4):\n    r = requests.post(url, json=body, timeout=5)\n"
            f"    if r.status_code < 500:\n        break\n    {sleep}\n"
        )
        doc = _strategy("python", loop, text)
        assert _lines("ERR001", doc) == []
        assert _lines("ERR005", doc) == [96]


def test_err005_published_message() -> None:
    doc = (EXAMPLES / "checkout-service-to-order-events-broker.md").read_text(encoding="utf-8")
    assert _lines("ERR005", doc) == []  # the message carries an event_id
    without_id = doc.replace('"event_id"', '"order_ref"')
    line = parse_text(without_id, "d.md").integration.line_of("retry_strategy")
    assert _lines("ERR005", without_id) == [line]


_MQTT_CONNECT = (
    "@backoff.on_exception(backoff.expo, OSError, max_tries=5)\n"
    "def connect(client):\n"
    '    client.connect("broker.internal", 1883)\n'
    "    client.loop_start()"
)


def _mqtt(endpoint: str, retry: str = _MQTT_CONNECT, flow: str | None = None) -> str:
    text = re.sub(r"\*\*Protocol:\*\* .*", "**Protocol:** MQTT", CLEAN, count=1)
    text = re.sub(r"\*\*Endpoint:\*\* .*", f"**Endpoint:** `{endpoint}`", text, count=1)
    text = text.replace("Idempotency-Key", "header")  # the clean doc's key would hide every finding
    if flow is not None:
        pattern = re.compile(r"(## Integration Flow\n\n```)[^\n]*\n.*?\n```", re.DOTALL)
        text, n = pattern.subn(lambda m: f"{m.group(1)}text\n{flow}\n```", text, count=1)
        assert n == 1
    return _strategy("python", retry, text)


def test_err005_a_retried_connect_or_subscribe_is_no_retried_publish() -> None:
    publish = _MQTT_CONNECT.replace("def connect", "def send_reading").replace(
        'client.connect("broker.internal", 1883)', 'client.publish("devices/42/telemetry", payload, qos=1)'
    )
    assert _lines("ERR005", _mqtt("devices/42/telemetry", publish)) == [96]
    assert _lines("ERR005", _mqtt("devices/42/telemetry")) == []  # the retried code connects
    subscribe = _MQTT_CONNECT.replace("client.connect(", "client.subscribe(")
    assert _lines("ERR005", _mqtt("devices/42/telemetry", subscribe)) == []
    # what is retried is not known (a plain Retry object): the Endpoint says whether it publishes
    unknown = "Retry(total=2, backoff_factor=0.2)"
    assert _lines("ERR005", _mqtt("devices/+/telemetry", unknown)) == []  # a wildcard: it subscribes
    assert _lines("ERR005", _mqtt("alerts/#", unknown)) == []
    assert _lines("ERR005", _mqtt("devices/42/telemetry", unknown)) == [96]
    consumes = "gateway -> broker: SUBSCRIBE devices/42/telemetry\nbroker -> gateway: each reading, consumed"
    assert _lines("ERR005", _mqtt("devices/42/telemetry", unknown, consumes)) == []


def test_err004_counts_a_listed_schedule_and_err001_a_setting_without_unit() -> None:
    """Found by a new user: "exponential 100ms/200ms/400ms" was not read, so the worst case had 0 ms of
    backoff; "backoff=100" (no unit) must be said unread, not guessed or dropped."""
    body = "3 retries max, exponential 100ms/200ms/400ms, per-try timeout 300 ms, total deadline 1s."
    (message,) = _messages("ERR004", _strategy("text", body))
    assert "worst case 1.9 s (4 attempts × 300 ms + 700 ms of backoff)" in message
    assert _lines("ERR001", _strategy("text", body)) == []
    (message,) = _messages("ERR001", _strategy("text", "retries=2 backoff=100"))
    assert '"retries=2 backoff=100" holds something not understood' in message and "3 attempts" in message


def test_err005_a_nats_reconnect_policy_republishes_nothing() -> None:
    """ "retries a published message" on ``nats.Connect(url, nats.MaxReconnects(10))``: a reconnect policy
    runs the connection again, not a publish (new user, round 22)."""
    text = (FIXTURES / "ERR005.md").read_text(encoding="utf-8")
    nats = text.replace("**Protocol:** HTTPS", "**Protocol:** NATS").replace(
        "`POST https://payments.internal:8443/v1/charges`", "`PUBLISH orders.created`"
    )
    reconnect = "// retries: 10\nnats.Connect(url, nats.MaxReconnects(10), nats.ReconnectWait(2*time.Second))"
    doc = _strategy("go", reconnect, nats)
    policy = parse_text(doc, "d.md").integration.error_handling.retry
    assert policy is not None and policy.form == "nats-go" and policy.retried_calls == ["connect"]
    assert (policy.max_attempts, policy.backoff.initial_ms) == (11, 2000.0)
    assert _lines("ERR005", doc) == []
    assert _lines("ERR005", _strategy("text", "a failed publish is retried up to 3 times", nats)) != []


def test_blk002_decorators_alone_are_a_fragment_not_a_syntax_error() -> None:
    """``@retry(stop=stop_after_attempt(3))`` alone in a python block was BLK002 "Python syntax error"
    (new user, round 25); a decorator that does not parse still is."""
    fine = _strategy("python", "@retry(stop=stop_after_attempt(3), wait=wait_fixed(1))")
    assert _lines("BLK002", fine) == []
    broken = _strategy("python", "@retry(stop=stop_after_attempt(3)")
    assert _lines("BLK002", broken) != []


def test_err005_a_connection_built_in_a_retry_loop_publishes_nothing() -> None:
    """``pika.BlockingConnection(pika.URLParameters(url))`` in a ``for attempt in range(5)`` loop was
    "retries a published message" (new user, round 26): building a connection writes nothing."""
    loop = (
        "for attempt in range(5):\n    try:\n"
        "        return pika.BlockingConnection(pika.URLParameters(AMQP_URL))\n"
        "    except pika.exceptions.AMQPConnectionError:\n        time.sleep(1)"
    )
    assert _lines("ERR005", _mqtt("devices/42/telemetry", loop)) == []
    publish = loop.replace(
        "return pika.BlockingConnection(pika.URLParameters(AMQP_URL))", "ch.basic_publish(ex, key, body)"
    )
    assert _lines("ERR005", _mqtt("devices/42/telemetry", publish)) == [96]


@pytest.mark.parametrize(
    "words",
    [
        "If the broker is down we retry the connect up to 5 times, 1 s apart, then crash and let k8s "
        "restart us.",
        "We reconnect up to 5 times, 1 s apart.",
        "The connection is retried 4 times, 2 s apart.",
    ],
)
def test_err005_prose_that_retries_the_connect_publishes_nothing(words: str) -> None:
    """Prose naming the connect as what is retried was "retries a published message" (new user, round 32),
    and "k8s" was read as a duration of 8 s that nothing understood (ERR001)."""
    text = (FIXTURES / "ERR005.md").read_text(encoding="utf-8")
    nats = text.replace("**Protocol:** HTTPS", "**Protocol:** NATS").replace(
        "`POST https://payments.internal:8443/v1/charges`", "`PUBLISH orders.created`"
    )
    doc = _strategy("text", words, nats)
    policy = parse_text(doc, "d.md").integration.error_handling.retry
    assert policy is not None and policy.retried_calls == ["connect"] and policy.unread == []
    assert _lines("ERR005", doc) == []
    # connection errors name what fails, not what is run again: a publish retried on them is a publish
    assert _lines("ERR005", _strategy("text", "We retry connection errors 3 times, 1 s apart.", nats)) != []


def test_err003_says_what_the_doc_retries_and_how_many_calls_time_out() -> None:
    """Round 67: axios-retry retries no timeout (show said so: not_retried_failures), yet ERR003 said the
    calls "would time out and be retried"; and a timeout equal to the typical latency (the median) was
    "more than 1% of calls", where half of them are."""
    body = (
        "axiosRetry(client, { retries: 2, retryDelay: axiosRetry.exponentialDelay });\n"
        "const client = axios.create({ timeout: 2000 });"
    )
    text = re.sub(r"- Typical: .*", "- Typical: 2s", _p99("4 s", _strategy("javascript", body)), count=1)
    # (the fixture's Timeout mode says "→ retry": then the doc says so, whatever its library does)
    text = re.sub(
        r"- \*\*Timeout\*\*: .*", "- **Timeout**: no answer within 2 s → checkout answers 503", text
    )
    policy = parse_text(text, "d.md").integration.error_handling.retry
    assert policy is not None and policy.retries == 2 and "timeout" in policy.not_retried_failures
    (message,) = _messages("ERR003", text)
    assert message.endswith("about half of the calls would time out and fail"), message
    # a strategy that retries every failure: retried; between the P95 and the P99: more than 1%
    retried = _p99("5 s", _strategy("text", "Retry twice, 1 s apart. Timeout is 3 seconds per attempt."))
    assert _messages("ERR003", retried)[0].endswith("more than 1% of calls would time out and be retried")
    above_p95 = re.sub(r"- P95: .*", "- P95: 4 s", retried, count=1)
    assert _messages("ERR003", above_p95)[0].endswith("more than 5% of calls would time out and be retried")
