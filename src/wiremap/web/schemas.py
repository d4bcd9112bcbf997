"""The JSON API's response models (its OpenAPI schema) and the conversions into them.

Names are stable snake_case; times are seconds since the epoch (UTC), latencies milliseconds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..model import Integration
from ..monitor.model import CheckResult, IntegrationState, Percentiles, Status
from ..monitor.outage import StoreOutage
from .live import Detail, Live, Point
from .system import Impact, System

__all__ = [
    "CheckOut",
    "DocBrokenOut",
    "DocumentedLatencyOut",
    "EdgeOut",
    "ErrorOut",
    "GraphOut",
    "HealthOut",
    "HistoryUnavailableOut",
    "ImpactIntegrationOut",
    "ImpactOut",
    "IntegrationDetailOut",
    "IntegrationListOut",
    "IntegrationOut",
    "LatencyPointOut",
    "LatencySeriesOut",
    "LocationOut",
    "PercentilesOut",
    "ServiceOut",
    "TransitionOut",
    "Window",
    "check_out",
    "detail_out",
    "graph_out",
    "history_out",
    "impact_out",
    "integration_out",
    "point_out",
]

Window = Literal["1h", "24h", "7d"]


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


class ErrorOut(BaseModel):
    detail: str


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"


class HistoryUnavailableOut(BaseModel):
    """Set while the history store is unavailable: the answer comes from serve's memory (status, last
    check, the last hour); what needs the store is null or empty (``missing``) until it is back."""

    since: float = Field(description="when a write or read of the store first failed")
    error: str = Field(description="the store's last error, one line, secrets masked")
    reason: str
    missing: list[str] = Field(description="fields that are null or empty until the store is back")
    waiting_results: int = Field(description="probe results in memory, written when the store is back")
    waiting_status_changes: int
    dropped_results: int = Field(
        description="oldest raw results dropped since the store went away (the buffer was full)"
    )
    dropped_status_changes: int
    buffer_size: int = Field(description="results kept in memory at most (--store-buffer)")


class PercentilesOut(BaseModel):
    """Over a window: checks, failed ones, the share that succeeded, latency of the successful ones."""

    count: int
    failures: int
    uptime: float | None = Field(description="successful checks / checks, 0..1; null without checks")
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


class DocumentedLatencyOut(BaseModel):
    """Performance → Latency as the doc states it."""

    typical_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


class CheckOut(BaseModel):
    ts: float
    ok: bool
    duration_ms: float
    ttfb_ms: float | None
    error_kind: str | None
    message: str = Field(description="secrets masked")


class DocBrokenOut(BaseModel):
    """The integration's doc broke while serve ran; its last good version is what is monitored."""

    since: float
    finding: str = Field(description="what is wrong with the doc on disk now")
    path: str


class LocationOut(BaseModel):
    """The status seen from one ``--location`` (several instances on one PostgreSQL store)."""

    location: str
    status: Status
    status_since: float | None
    reason: str
    consecutive_failures: int
    consecutive_successes: int
    last_check: CheckOut | None
    updated_at: float = Field(description="when its instance last wrote it")
    live: bool = Field(description="an instance of the location is running (only live ones count for quorum)")


class TransitionOut(BaseModel):
    ts: float
    old: Status
    new: Status
    reason: str


class IntegrationOut(BaseModel):
    id: str
    name: str
    source: str | None
    destination: str | None
    protocol: str | None
    critical_path: bool
    maintained_by: str | None
    doc_path: str
    status: Status
    status_since: float | None
    note: str = Field(description="why it is not probed, else empty")
    last_check: CheckOut | None
    next_check: float | None
    consecutive_failures: int
    consecutive_successes: int
    late_s: float | None = Field(None, description="how late the last probe started against its schedule")
    skipped_rounds: int = Field(
        0, description="rounds not probed since serve started (previous probe still running, or no free slot)"
    )
    doc_broken: DocBrokenOut | None = Field(None, description="set while the doc on disk is broken")
    locations: list[LocationOut] = Field(
        [], description="instances on one PostgreSQL store: each location's status (status: the global one)"
    )
    quorum: str = Field("", description="how the global status follows from the locations' (else empty)")
    latency_hour: PercentilesOut
    latency_day: PercentilesOut | None = Field(
        description="null while the history store is unavailable (history_unavailable says since when)"
    )
    documented_latency: DocumentedLatencyOut


class IntegrationListOut(BaseModel):
    generated_at: float
    total: int = Field(description="integrations in the catalog, before any filter")
    counts: dict[Status, int] = Field(description="of the integrations returned (after the filter)")
    history_unavailable: HistoryUnavailableOut | None = Field(
        None, description="set while the history store is unavailable: the answer is from memory"
    )
    integrations: list[IntegrationOut]


class IntegrationDetailOut(IntegrationOut):
    history_unavailable: HistoryUnavailableOut | None = Field(
        None, description="set while the history store is unavailable: the answer is from memory"
    )
    latency_week: PercentilesOut | None = Field(description="null while the history store is unavailable")
    recent_failures: list[CheckOut] = Field(description="the last 7 days, newest first")
    transitions: list[TransitionOut] = Field(description="the last 7 days, newest first")


class LatencyPointOut(BaseModel):
    ts: float = Field(description="start of the bucket")
    count: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    complete: bool = Field(description="false for the bucket still filling")


class LatencySeriesOut(BaseModel):
    integration_id: str
    window: Window
    bucket_s: int
    since: float
    until: float
    documented_p99_ms: float | None
    history_unavailable: HistoryUnavailableOut | None = Field(
        None, description="set while the history store is unavailable: no points until it is back"
    )
    points: list[LatencyPointOut]


class ServiceOut(BaseModel):
    name: str
    status: Status | None = Field(description="worst status of the integrations into it; null if none")
    calls: list[str]
    called_by: list[str]


class EdgeOut(BaseModel):
    integration_id: str
    source: str
    destination: str
    protocol: str | None
    critical_path: bool
    bidirectional: bool
    status: Status


class GraphOut(BaseModel):
    services: list[ServiceOut]
    edges: list[EdgeOut]


class ImpactIntegrationOut(BaseModel):
    id: str
    name: str
    status: Status
    critical_path: bool


class ImpactOut(BaseModel):
    service: str
    broken_integrations: list[ImpactIntegrationOut]
    affected_services: list[str]


def _percentiles(p: Percentiles) -> PercentilesOut:
    return PercentilesOut(
        count=p.count,
        failures=p.failures,
        uptime=p.uptime,
        p50_ms=_ms(p.p50),
        p95_ms=_ms(p.p95),
        p99_ms=_ms(p.p99),
    )


def check_out(r: CheckResult) -> CheckOut:
    """``r`` must be masked already (``live`` does it)."""
    return CheckOut(
        ts=r.ts,
        ok=r.ok,
        duration_ms=round(r.duration_ms, 3),
        ttfb_ms=_ms(r.ttfb_ms),
        error_kind=r.error_kind,
        message=r.message,
    )


def _documented(i: Integration) -> DocumentedLatencyOut:
    lat = i.latency_ms
    return DocumentedLatencyOut(typical_ms=lat.typical, p95_ms=lat.p95, p99_ms=lat.p99)


LIST_MISSING = ["latency_day"]
DETAIL_MISSING = ["latency_day", "latency_week", "recent_failures", "transitions"]
SERIES_MISSING = ["points"]


def history_out(outage: StoreOutage | None, missing: list[str]) -> HistoryUnavailableOut | None:
    if outage is None:
        return None
    return HistoryUnavailableOut(
        since=outage.since,
        error=outage.error,
        reason=(
            "the history store is unavailable: statuses, the last check and the last hour are from serve's "
            "memory; results wait in memory and are written when it is back"
        ),
        missing=missing,
        waiting_results=outage.waiting,
        waiting_status_changes=outage.waiting_transitions,
        dropped_results=outage.dropped,
        dropped_status_changes=outage.dropped_transitions,
        buffer_size=outage.limit,
    )


def _fields(live: Live, history: bool = True) -> dict[str, object]:
    s: IntegrationState = live.state
    i = s.integration
    return {
        "id": i.id,
        "name": i.name,
        "source": i.source,
        "destination": i.destination,
        "protocol": i.protocol or i.protocol_raw,
        "critical_path": bool(i.critical_path),
        "maintained_by": i.maintained_by,
        "doc_path": i.path,
        "status": s.status,
        "status_since": s.since,
        "note": s.note,
        "last_check": check_out(s.last) if s.last is not None else None,
        "next_check": s.next_run,
        "consecutive_failures": s.consecutive_failures,
        "consecutive_successes": s.consecutive_successes,
        "late_s": None if s.late_s is None else round(s.late_s, 3),
        "skipped_rounds": s.skipped_rounds,
        "doc_broken": (
            None
            if s.doc_broken is None
            else DocBrokenOut(since=s.doc_broken.since, finding=s.doc_broken.finding, path=s.doc_broken.path)
        ),
        "locations": [
            LocationOut(
                location=loc.location,
                status=loc.status,
                status_since=loc.since,
                reason=loc.reason,
                consecutive_failures=loc.consecutive_failures,
                consecutive_successes=loc.consecutive_successes,
                last_check=check_out(loc.last) if loc.last is not None else None,
                updated_at=loc.updated_at,
                live=loc.live,
            )
            for loc in s.locations
        ],
        "quorum": s.quorum,
        "latency_hour": _percentiles(live.hour),
        "latency_day": _percentiles(live.day) if history else None,
        "documented_latency": _documented(i),
    }


def integration_out(live: Live, history: bool = True) -> IntegrationOut:
    """``history`` false: the store is unavailable (``latency_day`` null)."""
    return IntegrationOut.model_validate(_fields(live, history))


def detail_out(d: Detail, outage: StoreOutage | None = None) -> IntegrationDetailOut:
    """``outage``: the store is unavailable, ``d`` is from memory (:func:`.live.memory_detail`)."""
    return IntegrationDetailOut.model_validate(
        {
            **_fields(d.live, outage is None),
            "history_unavailable": history_out(outage, DETAIL_MISSING),
            "latency_week": _percentiles(d.week) if outage is None else None,
            "recent_failures": [check_out(r) for r in d.failures],
            "transitions": [
                TransitionOut(ts=t.ts, old=t.old, new=t.new, reason=t.reason) for t in d.transitions
            ],
        }
    )


def point_out(p: Point) -> LatencyPointOut:
    return LatencyPointOut(
        ts=p.ts,
        count=p.count,
        failures=p.failures,
        p50_ms=_ms(p.p50),
        p95_ms=_ms(p.p95),
        p99_ms=_ms(p.p99),
        complete=p.complete,
    )


def graph_out(system: System) -> GraphOut:
    return GraphOut(
        services=[
            ServiceOut(name=s.name, status=s.status, calls=s.calls, called_by=s.called_by)
            for s in system.services
        ],
        edges=[
            EdgeOut(
                integration_id=link.integration.id,
                source=link.source,
                destination=link.destination,
                protocol=link.integration.protocol or link.integration.protocol_raw,
                critical_path=bool(link.integration.critical_path),
                bidirectional=link.bidirectional,
                status=link.status,
            )
            for link in system.links
        ],
    )


def impact_out(impact: Impact, statuses: dict[str, Status]) -> ImpactOut:
    return ImpactOut(
        service=impact.service,
        broken_integrations=[
            ImpactIntegrationOut(
                id=i.id,
                name=i.name,
                status=statuses.get(i.id, Status.UNKNOWN),
                critical_path=bool(i.critical_path),
            )
            for i in impact.broken
        ],
        affected_services=impact.affected,
    )
