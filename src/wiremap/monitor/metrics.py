"""Prometheus metrics of the monitor.

Per integration, labelled ``integration``, ``source``, ``destination``, ``protocol`` and ``critical``:
``wiremap_probe_success``, ``wiremap_probe_duration_seconds`` (histogram),
``wiremap_probe_last_run_timestamp_seconds``, ``wiremap_documented_latency_seconds{percentile}`` (so a
Grafana panel can plot measured against documented), ``wiremap_integration_status{status}`` and
``wiremap_probe_skipped_total``. Label values are names from the docs, masked like every other output:
never a secret in a label.

**At scale.** 5,000 integrations are 26 series each, 130,000 lines and 20 MB of text; prometheus_client's
exposition renders them anew on every scrape, 4-5 s of CPU holding the GIL (bench/monitor_scale.py), so
those families are kept here as exposition text instead: one block of lines per integration and family,
rewritten when that integration's data changes (a status, a skipped round: a few µs) or, for a result,
at the next scrape: a result only counts (bucket, count, sum, success, time) and marks the integration, and
the scrape renders the marked ones before it joins the blocks (an integration probed twice between two
scrapes is rendered once; with no scraper, never: bench/monitor_scale.py, CPU per probe). The numbers are
changed and read under one lock, taken by the scrape for a few hundred integrations at a time, so a scrape
never shows half a result and never holds the event loop up for long. The text is what
prometheus_client renders for the same data, byte for byte, ``_created`` series included
(tests/monitor/test_metrics.py compares the two). The families without an integration label (probe start
lateness, alerts) and whatever other parts register in :attr:`Metrics.registry` stay prometheus_client's.
"""

from __future__ import annotations

import bisect
import math
import threading
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..model import Integration
from ..secrets import mask_text
from .model import CheckResult, Status

__all__ = ["ALERT_OUTCOMES", "BUCKETS", "LABELS", "Metrics", "labels"]

ALERT_OUTCOMES = ("delivered", "dropped")  # wiremap_alerts_total{outcome}

LABELS = ("integration", "source", "destination", "protocol", "critical")
BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_BOUNDS = (*BUCKETS, float("inf"))
# the documented percentile, in a label of its own name: a ``quantile`` label is a summary's, and
# ``promtool check metrics`` failed the gauge on it (round 55)
_PERCENTILES = ("p50", "p95", "p99")
_STATUSES = tuple(Status)

SUCCESS = "wiremap_probe_success"
DURATION = "wiremap_probe_duration_seconds"
LAST_RUN = "wiremap_probe_last_run_timestamp_seconds"
DOCUMENTED = "wiremap_documented_latency_seconds"
STATUS = "wiremap_integration_status"
SKIPPED = "wiremap_probe_skipped"  # a counter: exposed as wiremap_probe_skipped_total


def labels(integration: Integration) -> dict[str, str]:
    """The label values of an integration's series: the metrics' door, every value masked (they are the
    only text of the exposition that comes from the docs; computed once per version of the doc)."""
    values = {
        "integration": integration.id,
        "source": integration.source or "",
        "destination": integration.destination or "",
        "protocol": integration.protocol or "",
        "critical": "true" if integration.critical_path else "false",
    }
    return {name: mask_text(value) for name, value in values.items()}


def _num(value: float) -> str:
    """A sample value as prometheus_client writes it (its ``floatToGoString``: Go's exponents)."""
    d = float(value)
    if math.isinf(d):
        return "+Inf" if d > 0 else "-Inf"
    if math.isnan(d):
        return "NaN"
    s = repr(d)
    dot = s.find(".")
    if d > 0 and dot > 6:
        mantissa = f"{s[0]}.{s[1:dot]}{s[dot + 1 :]}".rstrip("0.")
        return f"{mantissa}e+{dot - 1:02d}"
    return s


_LE = tuple(_num(b) for b in _BOUNDS)  # the le="..." of each bucket


def _escape(value: str) -> str:
    """A label value as the text format writes it (prometheus_client's escaping)."""
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _count(n: int) -> str:
    """A count as :func:`_num` writes it, without the float round trip below a million."""
    return f"{n}.0" if 0 <= n < 1_000_000 else _num(n)


def _braces(pairs: list[tuple[str, str]], extra: str = "", value: str = "") -> str:
    """``{name="value",...}`` of ``pairs`` (sorted, escaped) and one more label, names sorted as
    prometheus_client sorts them."""
    if extra:
        pairs = sorted([*pairs, (extra, _escape(value))])
    return "{" + ",".join(f'{k}="{v}"' for k, v in pairs) + "}"


def _header(name: str, help_text: str, kind: str) -> bytes:
    doc = help_text.replace("\\", r"\\").replace("\n", r"\n")
    return f"# HELP {name} {doc}\n# TYPE {name} {kind}\n".encode()


class _Family:
    """One per-integration family as text: its header and each integration's lines, in the order
    prometheus_client lists its children (the order they were first created). A scrape joins them; a
    ``created`` family (``_created`` samples, prometheus_client's gauge after the family) is left out
    while it has no lines, as prometheus_client does."""

    __slots__ = ("header", "optional", "rows")

    def __init__(self, name: str, help_text: str, kind: str, *, optional: bool = False) -> None:
        self.header = _header(name, help_text, kind)
        self.optional = optional
        self.rows: dict[str, bytes] = {}  # integration id -> its lines

    def render(self) -> list[bytes]:
        rows = list(self.rows.values())  # one C call: atomic against the event loop's updates
        if self.optional and not rows:
            return []
        return [self.header, *rows]


class _Series:
    """One integration's numbers and the fixed parts of its lines (label sets rendered once)."""

    __slots__ = (
        "buckets",
        "count",
        "integration",
        "key",
        "labels",
        "last_ok",
        "last_ts",
        "pairs",
        "plain",
        "skips",
        "status",
        "sum",
        "template",
    )

    def __init__(self, integration: Integration, values: dict[str, str]) -> None:
        self.integration = integration
        self.key = integration.id
        self.labels = values
        self.pairs = sorted((k, _escape(v)) for k, v in values.items())
        self.plain = _braces(self.pairs)
        self.buckets = [0] * len(_BOUNDS)  # non-cumulative, as prometheus_client keeps them
        self.template: str | None = None  # its result lines, values left as %s (made at its first result)
        self.count = 0
        self.sum = 0.0
        self.last_ok = False
        self.last_ts = 0.0
        self.skips = 0.0
        self.status: Status | None = None


class Metrics:
    def __init__(self) -> None:
        # other parts of the monitor register their collectors here (rendered after these families)
        self.registry = CollectorRegistry(auto_describe=True)
        self._own = CollectorRegistry(auto_describe=True)  # the families without an integration label
        self._series: dict[str, _Series] = {}
        self._dirty: dict[str, _Series] = {}  # results not rendered yet (at the next scrape)
        self._lock = threading.Lock()  # the event loop's updates against a scrape's rendering (a thread)
        self.success = _Family(SUCCESS, "1 if the last probe succeeded, else 0", "gauge")
        self.duration = _Family(DURATION, "Probe duration", "histogram")
        self.duration_created = _Family(f"{DURATION}_created", "Probe duration", "gauge", optional=True)
        self.last_run = _Family(LAST_RUN, "Start of the last probe (epoch)", "gauge")
        self.documented = _Family(DOCUMENTED, "Latency documented in the doc's Performance section", "gauge")
        self.status = _Family(STATUS, "1 for the integration's current status", "gauge")
        self.lateness = Histogram(
            "wiremap_probe_start_lateness_seconds",
            "How late probes start against their schedule",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self._own,
        )
        self.alerts = Counter(
            "wiremap_alerts_total", "Alerts sent, by outcome", ("outcome",), registry=self._own
        )
        for outcome in ALERT_OUTCOMES:  # each outcome exported from the start, at 0 (a rule needs a series)
            self.alerts.labels(outcome=outcome)
        skipped_help = (
            "Rounds not probed: the previous probe still running, or no free slot in time (backpressure)"
        )
        self.skipped = _Family(f"{SKIPPED}_total", skipped_help, "counter")
        self.skipped_created = _Family(f"{SKIPPED}_created", skipped_help, "gauge", optional=True)
        self._families = (
            self.success,
            self.duration,
            self.duration_created,
            self.last_run,
            self.documented,
            self.status,
            self.skipped,
            self.skipped_created,
        )

    def _of(self, integration: Integration) -> _Series:
        """The integration's series; its label values masked once per version of its doc (the masking is
        regex work, not for every probe). A version whose labels differ starts its series anew."""
        series = self._series.get(integration.id)
        if series is not None and series.integration is integration:
            return series
        values = labels(integration)
        if series is not None and series.labels == values:
            series.integration = integration
            return series
        if series is not None:
            self.forget(series.integration)
        series = self._series[integration.id] = _Series(integration, values)
        return series

    def alert_outcome(self, outcome: str) -> None:
        """One alert delivered to a webhook, or dropped after its attempts."""
        with self._lock:
            self.alerts.labels(outcome=outcome).inc()

    def register(self, integration: Integration) -> None:
        """Export the documented latency of an integration (and its status as unknown)."""
        s = self._of(integration)
        lat = integration.latency_ms
        lines = [
            f"{DOCUMENTED}{_braces(s.pairs, 'percentile', q)} {_num(ms / 1000)}\n"
            for q, ms in zip(_PERCENTILES, (lat.typical, lat.p95, lat.p99), strict=True)
            if ms is not None
        ]
        if lines:
            self.documented.rows[s.key] = "".join(lines).encode()
        self.set_status(integration, Status.UNKNOWN)

    def forget(self, integration: Integration) -> None:
        """Remove every series of the integration (it left the catalog, or its labels changed)."""
        with self._lock:
            s = self._series.pop(integration.id, None)
            if s is None:
                return
            self._dirty.pop(s.key, None)
            for family in self._families:
                family.rows.pop(s.key, None)

    def release(self, integration: Integration) -> None:
        """This instance no longer probes the integration (another holds its lease): its probe results are
        not exported, the catalog's series (documented latency, status) are. Another instance exported a
        success of 1.0 twenty seconds after the destination went down (round 69)."""
        with self._lock:
            s = self._series.get(integration.id)
            if s is None:
                return
            self._dirty.pop(s.key, None)
            for family in (self.success, self.duration, self.duration_created, self.last_run):
                family.rows.pop(s.key, None)
            s.buckets = [0] * len(_BOUNDS)
            s.template, s.count, s.sum, s.last_ok, s.last_ts = None, 0, 0.0, False, 0.0

    def observe(self, integration: Integration, result: CheckResult, lateness_s: float | None = None) -> None:
        s = self._of(integration)
        seconds = result.duration_ms / 1000
        with self._lock:
            s.buckets[bisect.bisect_left(_BOUNDS, seconds)] += 1
            s.count += 1
            s.sum += seconds
            s.last_ok = result.ok
            s.last_ts = result.ts
            if s.template is None:  # its first result: its rows now, in the order prometheus_client has them
                self._first(s)
            else:
                self._dirty[s.key] = s
        if lateness_s is not None:
            self.lateness.observe(lateness_s)

    def _first(self, s: _Series) -> None:
        plain = s.plain
        bucket_lines = (f"{DURATION}_bucket{_braces(s.pairs, 'le', le)} " for le in _LE)
        template = "".join(f"{line}%s\n" for line in bucket_lines)
        template += f"{DURATION}_count{plain} %s\n{DURATION}_sum{plain} %s\n"
        s.template = template.replace("%", "%%").replace("%%s\n", "%s\n")
        if s.key not in self.duration.rows:
            created = f"{DURATION}_created{plain} {_num(time.time())}\n"
            self.duration_created.rows[s.key] = created.encode()
        self._render(s)

    def _render(self, s: _Series) -> None:
        """Write the result lines of ``s`` (under the lock)."""
        assert s.template is not None
        values: list[str] = []
        cumulative = 0
        for n in s.buckets:
            cumulative += n
            values.append(_count(cumulative))
        values += (_count(s.count), _num(s.sum))
        key, plain = s.key, s.plain
        self.success.rows[key] = f"{SUCCESS}{plain} {'1.0' if s.last_ok else '0.0'}\n".encode()
        self.duration.rows[key] = (s.template % tuple(values)).encode()
        self.last_run.rows[key] = f"{LAST_RUN}{plain} {_num(s.last_ts)}\n".encode()

    def refresh(self, batch: int = 256) -> None:
        """Render the results not rendered yet, ``batch`` integrations per hold of the lock."""
        while self._dirty:
            with self._lock:
                for _ in range(min(batch, len(self._dirty))):
                    self._render(self._dirty.popitem()[1])

    def skip(self, integration: Integration) -> None:
        """A round of the integration was skipped (monitor.scheduler: single-flight, fair slots)."""
        s = self._of(integration)
        with self._lock:
            self._skip(s)

    def _skip(self, s: _Series) -> None:
        if s.key not in self.skipped.rows:
            created = f"{SKIPPED}_created{s.plain} {_num(time.time())}\n"
            self.skipped_created.rows[s.key] = created.encode()
        s.skips += 1
        self.skipped.rows[s.key] = f"{SKIPPED}_total{s.plain} {_num(s.skips)}\n".encode()

    def set_status(self, integration: Integration, status: Status) -> None:
        s = self._of(integration)
        if s.status is status and s.key in self.status.rows:
            return
        s.status = status
        rows = "".join(
            f"{STATUS}{_braces(s.pairs, 'status', other.value)} {'1.0' if other is status else '0.0'}\n"
            for other in _STATUSES
        ).encode()
        with self._lock:
            self.status.rows[s.key] = rows

    def render(self) -> tuple[bytes, str]:
        """The exposition: these families as text (joined), then prometheus_client's. Safe in another
        thread than the one the results come from (the web app renders in its thread pool)."""
        self.refresh()
        parts: list[bytes] = []
        for family in self._families[:6]:
            parts += family.render()
        parts.append(generate_latest(self._own))
        for family in self._families[6:]:
            parts += family.render()
        parts.append(generate_latest(self.registry))
        return b"".join(parts), CONTENT_TYPE_LATEST
