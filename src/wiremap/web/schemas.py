"""The JSON API's response models (its OpenAPI schema) and the conversions into them.

Names are stable snake_case; times are seconds since the epoch (UTC), latencies milliseconds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..model import Integration
from ..monitor.model import CheckResult, IntegrationState, Percentiles, Status
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
    "ImpactIntegrationOut",
    "ImpactOut",
    "IntegrationDetailOut",
    "IntegrationListOut",
    "IntegrationOut",
    "LatencyPointOut",
    "LatencySeriesOut",
    "PercentilesOut",
    "ServiceOut",
    "TransitionOut",
    "Window",
    "check_out",
    "detail_out",
    "graph_out",
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
    latency_hour: PercentilesOut
    latency_day: PercentilesOut
    documented_latency: DocumentedLatencyOut


class IntegrationListOut(BaseModel):
    generated_at: float
    total: int = Field(description="integrations in the catalog, before any filter")
    counts: dict[Status, int] = Field(description="of the integrations returned (after the filter)")
    integrations: list[IntegrationOut]


class IntegrationDetailOut(IntegrationOut):
    latency_week: PercentilesOut
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


def _fields(live: Live) -> dict[str, object]:
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
        "latency_hour": _percentiles(live.hour),
        "latency_day": _percentiles(live.day),
        "documented_latency": _documented(i),
    }


def integration_out(live: Live) -> IntegrationOut:
    return IntegrationOut.model_validate(_fields(live))


def detail_out(d: Detail) -> IntegrationDetailOut:
    return IntegrationDetailOut.model_validate(
        {
            **_fields(d.live),
            "latency_week": _percentiles(d.week),
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
