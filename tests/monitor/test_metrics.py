"""The Prometheus exposition of the monitor."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from wiremap.model import Integration, Latency
from wiremap.monitor.metrics import Metrics
from wiremap.monitor.model import CheckResult, Status

INTEG = Integration(
    id="checkout-to-payments",
    path="a.md",
    source="Checkout",
    destination="Payments",
    protocol="http",
    critical_path=True,
    latency_ms=Latency(typical=180.0, p95=420.0, p99=900.0),
)


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_exposition_has_every_documented_family_with_its_labels() -> None:
    m = Metrics()
    m.register(INTEG)
    m.observe(INTEG, CheckResult(INTEG.id, 1700000000.0, True, 42.0, 30.0), lateness_s=0.01)
    m.set_status(INTEG, Status.UP)
    body, content_type = m.render()
    assert content_type.startswith("text/plain")
    got = _samples(body.decode())
    labels = {
        ("critical", "true"),
        ("destination", "Payments"),
        ("integration", "checkout-to-payments"),
        ("protocol", "http"),
        ("source", "Checkout"),
    }

    def value(name: str, **extra: str) -> float:
        return got[(name, frozenset(labels | set(extra.items())))]

    assert value("wiremap_probe_success") == 1.0
    assert value("wiremap_probe_duration_seconds_bucket", le="0.025") == 0.0
    assert value("wiremap_probe_duration_seconds_bucket", le="0.05") == 1.0
    assert value("wiremap_probe_duration_seconds_sum") == 0.042
    assert value("wiremap_probe_last_run_timestamp_seconds") == 1700000000.0
    assert value("wiremap_documented_latency_seconds", quantile="0.99") == 0.9
    assert value("wiremap_documented_latency_seconds", quantile="0.5") == 0.18
    assert value("wiremap_integration_status", status="up") == 1.0
    assert value("wiremap_integration_status", status="down") == 0.0
    assert got[("wiremap_probe_start_lateness_seconds_count", frozenset())] == 1.0


def test_forget_removes_an_integrations_series_and_labels_are_masked() -> None:
    m = Metrics()
    secret = INTEG.model_copy(update={"destination": "redis://:hunter2pass@cache:6379"})
    m.register(secret)
    m.observe(secret, CheckResult(secret.id, 1.0, False, 1.0))
    assert "hunter2pass" not in m.render()[0].decode()
    m.forget(secret)
    assert "checkout-to-payments" not in m.render()[0].decode()
