from __future__ import annotations

import pytest

from wiremap import values as v


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("120ms", 120),
        ("~15ms", 15),
        ("0.4 ms", 0.4),
        ("0.08 s", 80),
        ("8 s per file", 8000),
        ("1.5s", 1500),
        ("4.2 ms (measured 2026-11-28, 200 req/s)", 4.2),
        ("250 µs", 0.25),
        ("2 min", 120_000),
        ("12 millis", 12),  # VAL003 said unreadable (new user, round 14)
        ("10-20 ms", 20),
        # a range with a unit on each end is its upper bound too, in its own unit (it read the lower one)
        ("20ms-50ms", 50),
        ("20 ms - 50 ms", 50),
        ("20 ms to 50 ms", 50),
        ("0.5s-2s", 2000),
        ("200ms–1s", 1000),
        ("20 ms - 50", 50),
        ("20 - 50", None),
        ("[ms]", None),
        ("45", None),
        ("fast", None),
        # a bound and a figure in words: "P99: under half a second" had "no value" (new user, round 21)
        ("under half a second", 500),
        ("less than 200 ms", 200),
        ("a second and a half", 1500),
        ("two seconds", 2000),
        ("a quarter of a second", 250),
        ("a few seconds", None),
        ("a 5 ms budget", None),
        ("well under 100ms", 100),  # (new user, round 22)
        ("usually below 40 ms", 40),
        # a decimal comma and the units' words of a team writing German or Spanish (round 54: "0,5 s" and
        # "7 Millisekunden" were unread); "1.200 ms" reads two ways and is not guessed
        ("0,5 s", 500),
        ("12,75 ms", 12.75),
        ("7 Millisekunden", 7),
        ("5 Sekunden", 5000),
        ("3 segundos", 3000),
        ("2,500 ms", 2500),
        ("1.200 ms", None),
        ("0.250 s", 250),
    ],
)
def test_duration(text: str, ms: float | None) -> None:
    got = v.parse_duration_ms(text)
    assert got == (pytest.approx(ms) if ms is not None else None)


@pytest.mark.parametrize(
    ("text", "per_s"),
    [
        ("40 requests/sec", 40),
        ("~2,500 RPC/s", 2500),
        ("1.2k msgs/sec", 1200),
        ("12,000 ops/sec", 12000),
        ("1 file/day", 1 / 86400),
        ("300 messages per minute", 5),
        ("500 rps", 500),
        ("2.5K rpm", 2500 / 60),  # requests per minute: VAL005 said unreadable (new user, round 15)
        ("86,400 rpd", 1),
        ("2 million requests/day", 2e6 / 86400),  # read as 2 a day (new user, round 18)
        # hedged in words, as in the symbols (~, ≈): "about 40 rps" was unread (new user, round 32)
        ("about 40 rps at lunch peak", 40),
        ("around 1.2k msgs/min", 20),
        ("roughly 40 requests per second", 40),
        ("up to 3 qps", 3),
        # German thousands: "1.200 Nachrichten/s" was read as 1.2/s with nothing said (round 54)
        ("1.200 Nachrichten/s", None),
        ("1.200.000 msgs/day", 1.2e6 / 86400),
        ("1.200,5 req/s", 1200.5),
        ("1,5k rps", 1500),
        ("[requests/sec or similar metric]", None),
        ("lots", None),
    ],
)
def test_rate(text: str, per_s: float | None) -> None:
    got = v.parse_rate_per_s(text)
    assert got == (pytest.approx(per_s) if per_s is not None else None)


@pytest.mark.parametrize(
    ("text", "proto"),
    [
        ("WebSocket (wss)", "websocket"),
        ("PostgreSQL wire protocol", "postgresql"),
        ("AMQP 0-9-1", "amqp"),
        # a TLS form is its protocol (probed over TLS), not an unknown one checked by a TCP connect (round 56)
        ("AMQPS", "amqp"),
        ("MQTTS", "mqtt"),
        ("rediss", "redis"),
        ("Redis (RESP3)", "redis"),
        ("HTTPS", "http"),
        ("REST", "http"),
        ("gRPC", "grpc"),
        ("NATS", "nats"),
        ("MQTT 5", "mqtt"),
        ("Kafka", "kafka"),
        ("TCP", "tcp"),
        ("SFTP", "sftp"),
        ("[HTTP/gRPC/WebSocket/etc]", None),
    ],
)
def test_protocol(text: str, proto: str | None) -> None:
    assert v.parse_protocol(text) == proto


def test_a_number_that_reads_two_ways_is_named() -> None:
    assert v.ambiguous_number("1.200 Nachrichten/s") == "1.200"
    assert v.ambiguous_number("12.500 req/s") == "12.500"
    for text in ("0.200 s", "1.2 s", "1,200 req/s", "1.200.000 msgs/day", "1.2345 s"):
        assert v.ambiguous_number(text) is None, text


def test_bool_with_note() -> None:
    assert v.parse_bool("Yes (during month-end close only)") == (True, "during month-end close only")
    assert v.parse_bool("No") == (False, None)
    assert v.parse_bool("Maybe") == (None, None)


def test_destination_forms() -> None:
    assert v.parse_destination("Payments API (payments.internal:443)") == (
        "Payments API",
        "payments.internal",
        443,
        True,
    )
    assert v.parse_destination("PG ([::1]:5432)") == ("PG", "::1", 5432, True)
    assert v.parse_destination("Payments API") == ("Payments API", None, None, False)
    assert v.parse_destination("X (host)")[3] is False


def test_source_ref_and_slug() -> None:
    assert v.parse_source_ref("`services/a.py:41`") == ("services/a.py", 41)
    assert v.parse_source_ref("services/a.py#L41") == ("services/a.py", 41)
    assert v.parse_source_ref("services/a.py#L41-L60") == ("services/a.py", 41)
    assert v.parse_source_ref("a.py") == ("a.py", None)
    assert v.slugify("Checkout Service to Payments API") == "checkout-service-to-payments-api"
    assert v.slugify("Zahlungs-Dienst to Büro") == "zahlungs-dienst-to-buro"
    assert v.slugify("支付 to 订单") == "支付-to-订单"
    # a mark of another script is part of its letter: バス and ハス were one id, one graph node (round 57)
    assert v.slugify("バス → Depot") == "バス-depot" != v.slugify("ハス → Depot")
    assert v.slugify("決済サービス") == "決済サービス"
    assert v.slugify("हिंदी → API") == "हिंदी-api"
    assert v.slugify("Café → Zürich") == "cafe-zurich"


def test_dates() -> None:
    assert str(v.parse_date("2026-11-02")) == "2026-11-02"
    assert str(v.parse_date("Nov 2, 2026")) == "2026-11-02"
    assert v.parse_date("[Date]") is None


def test_a_destination_url_without_a_port_has_its_scheme_s() -> None:
    """ "Ledger API (https://ledger.example.com)": port null and VAL006 "no port after the host", while
    docs/format.md says the Destination may be a URL (new user, round 30)."""
    assert v.parse_destination("Ledger API (https://ledger.example.com)") == (
        "Ledger API",
        "ledger.example.com",
        443,
        True,
    )
    assert v.parse_destination("Feed (wss://feed.example/v1)")[2] == 443
    assert v.parse_destination("Odd (foo://a.b)")[2] is None  # an unknown scheme: no port is guessed
