"""Prometheus metrics of the monitor (prometheus-client, a registry of its own).

Per integration, labelled ``integration``, ``source``, ``destination``, ``protocol`` and ``critical``:
``wiremap_probe_success``, ``wiremap_probe_duration_seconds`` (histogram),
``wiremap_probe_last_run_timestamp_seconds`` and ``wiremap_documented_latency_seconds{quantile}``, so a
Grafana panel can plot measured against documented. Label values are names from the docs, masked like
every other output: never a secret in a label.
"""

from __future__ import annotations

import contextlib

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..model import Integration
from ..secrets import mask_text
from .model import CheckResult, Status

__all__ = ["Metrics"]

LABELS = ("integration", "source", "destination", "protocol", "critical")
BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def labels(integration: Integration) -> dict[str, str]:
    """The label values of an integration's series: the metrics' door, every value masked (they are the
    only text of the exposition that comes from the docs; :meth:`Metrics._labels` caches them)."""
    values = {
        "integration": integration.id,
        "source": integration.source or "",
        "destination": integration.destination or "",
        "protocol": integration.protocol or "",
        "critical": "true" if integration.critical_path else "false",
    }
    return {name: mask_text(value) for name, value in values.items()}


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._label_cache: dict[str, tuple[Integration, dict[str, str]]] = {}
        r = self.registry
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
            (*LABELS, "quantile"),
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
        self.alerts = Counter("wiremap_alerts_total", "Alerts sent, by outcome", ("outcome",), registry=r)
        self.skipped = Counter(
            "wiremap_probe_skipped",  # exposed as wiremap_probe_skipped_total
            "Rounds not probed: the previous probe still running, or no free slot in time (backpressure)",
            LABELS,
            registry=r,
        )

    def _labels(self, integration: Integration) -> dict[str, str]:
        """The integration's label values, masked once (not on every probe: the masking is regex work)."""
        cached = self._label_cache.get(integration.id)
        if cached is None or cached[0] is not integration:
            cached = (integration, labels(integration))
            self._label_cache[integration.id] = cached
        return cached[1]

    def register(self, integration: Integration) -> None:
        """Export the documented latency of an integration (and its status as unknown)."""
        lab = self._labels(integration)
        lat = integration.latency_ms
        for quantile, ms in (("0.5", lat.typical), ("0.95", lat.p95), ("0.99", lat.p99)):
            if ms is not None:
                self.documented.labels(**lab, quantile=quantile).set(ms / 1000)
        self.set_status(integration, Status.UNKNOWN)

    def forget(self, integration: Integration) -> None:
        lab = tuple(self._labels(integration).values())
        self._label_cache.pop(integration.id, None)
        for metric in (self.success, self.duration, self.last_run, self.skipped):
            with contextlib.suppress(KeyError):
                metric.remove(*lab)
        for quantile in ("0.5", "0.95", "0.99"):
            with contextlib.suppress(KeyError):
                self.documented.remove(*lab, quantile)
        for status in Status:
            with contextlib.suppress(KeyError):
                self.status.remove(*lab, status.value)

    def observe(self, integration: Integration, result: CheckResult, lateness_s: float | None = None) -> None:
        lab = self._labels(integration)
        self.success.labels(**lab).set(1 if result.ok else 0)
        self.duration.labels(**lab).observe(result.duration_ms / 1000)
        self.last_run.labels(**lab).set(result.ts)
        if lateness_s is not None:
            self.lateness.observe(lateness_s)

    def skip(self, integration: Integration) -> None:
        """A round of the integration was skipped (monitor.scheduler: single-flight, fair slots)."""
        self.skipped.labels(**self._labels(integration)).inc()

    def set_status(self, integration: Integration, status: Status) -> None:
        lab = self._labels(integration)
        for s in Status:
            self.status.labels(**lab, status=s.value).set(1 if s is status else 0)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
