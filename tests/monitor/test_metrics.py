"""The Prometheus exposition of the monitor."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import cast

import pytest
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
    assert value("wiremap_documented_latency_seconds", percentile="p99") == 0.9
    assert value("wiremap_documented_latency_seconds", percentile="p50") == 0.18
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


# -- the exposition kept as text equals prometheus_client's --------------------------------------------------


class _Reference:
    """The metrics as prometheus_client keeps and renders them (what wiremap used up to issue 13): the
    exposition of :class:`Metrics` must be the same text for the same calls."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        from wiremap.monitor.metrics import BUCKETS, LABELS, labels

        self._labels = labels
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.success = Gauge(
            "wiremap_probe_success", "1 if the last probe succeeded, else 0", LABELS, registry=r
        )
        self.duration = Histogram(
            "wiremap_probe_duration_seconds", "Probe duration", LABELS, buckets=BUCKETS, registry=r
        )
        self.last_run = Gauge(
            "wiremap_probe_last_run_timestamp_seconds", "Start of the last probe (epoch)", LABELS, registry=r
        )
        self.documented = Gauge(
            "wiremap_documented_latency_seconds",
            "Latency documented in the doc's Performance section",
            (*LABELS, "percentile"),
            registry=r,
        )
        self.status = Gauge(
            "wiremap_integration_status",
            "1 for the integration's current status",
            (*LABELS, "status"),
            registry=r,
        )
        self.lateness = Histogram(
            "wiremap_probe_start_lateness_seconds",
            "How late probes start against their schedule",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=r,
        )
        alerts = Counter("wiremap_alerts_total", "Alerts sent, by outcome", ("outcome",), registry=r)
        for outcome in ("delivered", "dropped"):
            alerts.labels(outcome=outcome)
        self.skipped = Counter(
            "wiremap_probe_skipped",
            "Rounds not probed: the previous probe still running, or no free slot in time (backpressure)",
            LABELS,
            registry=r,
        )

    def register(self, integ: Integration) -> None:
        lab = self._labels(integ)
        lat = integ.latency_ms
        for percentile, ms in (("p50", lat.typical), ("p95", lat.p95), ("p99", lat.p99)):
            if ms is not None:
                self.documented.labels(**lab, percentile=percentile).set(ms / 1000)
        self.set_status(integ, Status.UNKNOWN)

    def forget(self, integ: Integration) -> None:
        lab = tuple(self._labels(integ).values())
        for metric in (self.success, self.duration, self.last_run, self.skipped):
            with contextlib.suppress(KeyError):
                metric.remove(*lab)
        for percentile in ("p50", "p95", "p99"):
            with contextlib.suppress(KeyError):
                self.documented.remove(*lab, percentile)
        for status in Status:
            with contextlib.suppress(KeyError):
                self.status.remove(*lab, status.value)

    def observe(self, integ: Integration, result: CheckResult, lateness_s: float | None = None) -> None:
        lab = self._labels(integ)
        self.success.labels(**lab).set(1 if result.ok else 0)
        self.duration.labels(**lab).observe(result.duration_ms / 1000)
        self.last_run.labels(**lab).set(result.ts)
        if lateness_s is not None:
            self.lateness.observe(lateness_s)

    def skip(self, integ: Integration) -> None:
        self.skipped.labels(**self._labels(integ)).inc()

    def set_status(self, integ: Integration, status: Status) -> None:
        lab = self._labels(integ)
        for s in Status:
            self.status.labels(**lab, status=s.value).set(1 if s is status else 0)

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


def _integrations() -> list[Integration]:
    odd = INTEG.model_copy(
        update={
            "id": "odd-labels",
            "source": 'Say "hi" \\ back\nslash',
            "destination": "Zahlungs-API → Ledger (ünïcode)",
            "protocol": None,
            "critical_path": False,
            "latency_ms": Latency(typical=None, p95=12.5, p99=None),
        }
    )
    secret = INTEG.model_copy(
        update={"id": "with-secret", "destination": "redis://:hunter2pass@cache:6379", "protocol": "redis"}
    )
    bare = INTEG.model_copy(update={"id": "no-latency", "latency_ms": Latency()})
    many = [INTEG.model_copy(update={"id": f"svc-{n:03d}", "source": f"Svc {n}"}) for n in range(20)]
    return [INTEG, odd, secret, bare, *many]


def _drive(m: Metrics | _Reference, check: Callable[[], None] = lambda: None) -> None:
    """The same calls the monitor makes: load, results, transitions, skips, a reload that changes one
    doc's labels, one that removes a doc, and a doc that comes back."""
    integs = _integrations()
    for integ in integs:
        m.register(integ)
    check()
    durations = [0.0, 0.4, 1.0, 5.0, 7.3, 42.0, 100.0, 250.0, 999.9, 1000.0, 2500.0, 5000.0, 5000.1, 73_000.0]
    ts = 1_796_000_000.0
    for round_ in range(6):
        for n, integ in enumerate(integs):
            ms = durations[(n + round_) % len(durations)]
            ok = (n + round_) % 5 != 0
            m.observe(integ, CheckResult(integ.id, ts + round_ * 30 + n * 0.123, ok, ms), lateness_s=ms / 997)
            if round_ == 1:
                m.set_status(integ, Status.UP if ok else Status.DOWN)
            if n % 7 == round_:
                m.skip(integ)
        check()
    m.set_status(integs[1], Status.DEGRADED)
    m.set_status(integs[2], Status.SKIPPED)
    changed = integs[4].model_copy(update={"destination": "Payments v2", "critical_path": False})
    m.forget(integs[4])
    m.register(changed)
    m.set_status(changed, Status.UP)
    m.forget(integs[5])
    m.observe(changed, CheckResult(changed.id, ts + 999, True, 3.0))
    check()
    m.register(integs[5])  # the doc is back: its series start anew, after the others
    m.observe(integs[5], CheckResult(integs[5].id, ts + 1000, False, 5000.0))
    m.skip(integs[5])
    check()


def test_exposition_is_prometheus_clients_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_796_000_000.25)  # the _created samples: one clock reading
    ours, reference = Metrics(), _Reference()
    compared = 0

    def check() -> None:
        nonlocal compared
        body, _ = ours.render()
        assert body.decode() == reference.render().decode()
        compared += 1

    class Both:
        """Each call on both."""

        def __getattr__(self, name: str) -> Callable[..., None]:
            def call(*args: object, **kwargs: object) -> None:
                getattr(ours, name)(*args, **kwargs)
                getattr(reference, name)(*args, **kwargs)

            return call

    _drive(cast(Metrics, Both()), check)
    assert compared == 9
    text = ours.render()[0].decode()
    assert "hunter2pass" not in text  # masked before it is a label value
    assert 'source="Say \\"hi\\" \\\\ back\\nslash"' in text
    assert "wiremap_probe_skipped_created{" in text and "wiremap_probe_duration_seconds_created{" in text


def test_an_empty_exposition_is_prometheus_clients_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_796_000_000.25)
    assert Metrics().render()[0] == _Reference().render()


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian's prometheus) not installed")
def test_promtool_check_metrics_passes() -> None:
    m = Metrics()
    _drive(m)
    body, _ = m.render()
    proc = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, timeout=60)
    # exit 1 is a parse error, 3 lint findings: none (the documented latency's "quantile" label on a gauge
    # was one, and a user's promtool check failed: round 55)
    findings = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0, (proc.returncode, findings)


def test_metrics_follow_each_result_and_other_registered_collectors_are_served() -> None:
    from prometheus_client import Gauge

    m = Metrics()
    Gauge("wiremap_store_up", "1 while the history store is reachable", registry=m.registry).set(1)
    m.register(INTEG)
    labels = {
        ("critical", "true"),
        ("destination", "Payments"),
        ("integration", "checkout-to-payments"),
        ("protocol", "http"),
        ("source", "Checkout"),
    }

    def value(name: str, **extra: str) -> float:
        return _samples(m.render()[0].decode())[(name, frozenset(labels | set(extra.items())))]

    assert value("wiremap_integration_status", status="unknown") == 1.0
    m.observe(INTEG, CheckResult(INTEG.id, 100.0, True, 3.0))
    assert value("wiremap_probe_success") == 1.0
    assert value("wiremap_probe_duration_seconds_count") == 1.0
    m.observe(INTEG, CheckResult(INTEG.id, 130.0, False, 6000.0))
    assert value("wiremap_probe_success") == 0.0
    assert value("wiremap_probe_last_run_timestamp_seconds") == 130.0
    assert value("wiremap_probe_duration_seconds_bucket", le="5.0") == 1.0
    assert value("wiremap_probe_duration_seconds_bucket", le="+Inf") == 2.0
    m.set_status(INTEG, Status.DOWN)
    assert value("wiremap_integration_status", status="down") == 1.0
    assert value("wiremap_integration_status", status="unknown") == 0.0
    m.skip(INTEG)
    m.skip(INTEG)
    assert value("wiremap_probe_skipped_total") == 2.0
    assert _samples(m.render()[0].decode())[("wiremap_store_up", frozenset())] == 1.0


def test_a_removed_integration_leaves_no_series_and_the_others_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_796_000_000.25)
    m = Metrics()
    other = INTEG.model_copy(update={"id": "other"})
    for integ in (INTEG, other):
        m.register(integ)
        m.observe(integ, CheckResult(integ.id, 1.0, True, 1.0))
        m.skip(integ)
    m.forget(INTEG)
    text = m.render()[0].decode()
    assert 'integration="checkout-to-payments"' not in text
    assert text.count('integration="other"') == 27  # 26 series, and a skipped counter's _created
    m.forget(other)
    assert 'integration="' not in m.render()[0].decode()
    assert m.render()[0] == _Reference().render()  # as if there had never been any


def test_results_between_scrapes_are_rendered_at_the_scrape(monkeypatch: pytest.MonkeyPatch) -> None:
    # a result only counts; the scrape renders what changed, a few hundred integrations per hold of the lock
    monkeypatch.setattr(time, "time", lambda: 1_796_000_000.25)
    ours, reference = Metrics(), _Reference()
    integs = [INTEG.model_copy(update={"id": f"i{n:04d}"}) for n in range(700)]
    for m in (ours, reference):
        for integ in integs:
            m.register(integ)
            m.observe(integ, CheckResult(integ.id, 1.0, True, 2.0))
        for k, integ in enumerate(integs):  # more than one batch changed, some twice, some not at all
            for ms in (30.0, 700.0)[: k % 3]:
                m.observe(integ, CheckResult(integ.id, 2.0 + k, k % 2 == 0, ms))
    assert ours.render()[0] == reference.render()


def test_a_scrape_in_another_thread_never_shows_half_a_result() -> None:
    import threading

    m = Metrics()
    m.register(INTEG)
    stop = threading.Event()
    torn: list[str] = []

    def scrape() -> None:
        while not stop.is_set():
            got = _samples(m.render()[0].decode())
            counts = {k: v for k, v in got.items() if k[0] == "wiremap_probe_duration_seconds_count"}
            infs = {
                k: v for k, v in got.items() if k[0].endswith("seconds_bucket") and ("le", "+Inf") in k[1]
            }
            infs = {k: v for k, v in infs.items() if "duration" in k[0]}
            if counts and sorted(counts.values()) != sorted(infs.values()):
                torn.append(f"{counts} {infs}")

    thread = threading.Thread(target=scrape)
    thread.start()
    try:
        for n in range(20_000):
            m.observe(INTEG, CheckResult(INTEG.id, float(n), True, float(n % 50)))
    finally:
        stop.set()
        thread.join()
    assert not torn, torn[:3]
    text = m.render()[0].decode()
    counts = [v for k, v in _samples(text).items() if k[0].endswith("_duration_seconds_count")]
    assert counts == [20_000.0]


def test_an_integration_handed_over_to_another_instance_exports_no_probe_results() -> None:
    """Round 69: an instance of two on one store kept exporting ``wiremap_probe_success 1.0`` for an
    integration the other one probed (down for 20 s by then). Its results go with the lease; the catalog's
    series stay, and the results come back with the next probe after a lease is taken again."""
    m = Metrics()
    m.register(INTEG)
    m.observe(INTEG, CheckResult(INTEG.id, 1.0, True, 1.0))
    m.set_status(INTEG, Status.UP)
    m.release(INTEG)
    text = m.render()[0].decode()
    for gone in (
        "wiremap_probe_success{",
        "wiremap_probe_duration_seconds_count{",
        "last_run_timestamp_seconds{",
    ):
        assert gone not in text, gone
    assert "wiremap_integration_status{" in text and "wiremap_documented_latency_seconds{" in text
    m.observe(INTEG, CheckResult(INTEG.id, 9.0, False, 2.0))
    samples = _samples(m.render()[0].decode())
    success = next(v for (name, _), v in samples.items() if name == "wiremap_probe_success")
    count = next(v for (name, _), v in samples.items() if name == "wiremap_probe_duration_seconds_count")
    assert (success, count) == (0.0, 1.0)
