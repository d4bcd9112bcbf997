"""The JSON API (read-only; its models are in :mod:`.schemas`, so ``/openapi.json`` describes it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from ..monitor.model import IntegrationState, MonitorView, Status
from ..monitor.outage import StoreOutage, StoreUnavailable
from . import live, system
from .filters import Filters, query_filters
from .schemas import (
    LIST_MISSING,
    SERIES_MISSING,
    ErrorOut,
    GraphOut,
    HealthOut,
    ImpactOut,
    IntegrationDetailOut,
    IntegrationListOut,
    LatencySeriesOut,
    Window,
    detail_out,
    graph_out,
    history_out,
    impact_out,
    integration_out,
    point_out,
)

__all__ = ["router"]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "Unknown id"}}


def router(view: MonitorView, clock: Callable[[], float]) -> APIRouter:
    r = APIRouter()

    def state_of(integration_id: str) -> IntegrationState:
        state = view.state(integration_id)
        if state is None:
            raise HTTPException(404, f"no integration with the id {integration_id!r}")
        return state

    @r.get("/healthz", tags=["health"])
    async def healthz() -> HealthOut:
        """Liveness; open even when a token is configured (it tells nothing about the integrations)."""
        return HealthOut()

    @r.get("/api", tags=["health"])
    async def api_index() -> dict[str, str]:
        """What the API answers, by path (``/api`` alone was a 404 "Not Found": new user, round 29)."""
        return {
            "integrations": "/api/integrations",
            "integration": "/api/integrations/{id}",
            "latency": "/api/integrations/{id}/latency?window=1h",
            "graph": "/api/graph",
            "impact": "/api/impact/{service}",
            "openapi": "/openapi.json",
            "metrics": "/metrics",
        }

    @r.get("/api/integrations", tags=["integrations"])
    async def integrations(filters: Annotated[Filters, Depends(query_filters)]) -> IntegrationListOut:
        """Every integration, critical path first: status, last check, latency over the last hour and
        day, documented latency. The same filters as the dashboard's: ``status``, ``owner``,
        ``critical``, ``q``; ``counts`` counts what is returned, ``total`` the whole catalog."""
        now = clock()
        states = view.states()
        shown = filters.apply(states)
        outage: StoreOutage | None = None
        try:
            rows = await run_in_threadpool(live.summaries, view.store, shown, now)
        except StoreUnavailable as exc:  # answered from memory, saying so
            rows, outage = live.memory_summaries(shown), exc.outage
        counts = {s: sum(1 for row in rows if row.state.status is s) for s in Status}
        return IntegrationListOut(
            generated_at=now,
            total=len(states),
            counts=counts,
            history_unavailable=history_out(outage, LIST_MISSING),
            integrations=[integration_out(row, outage is None) for row in rows],
        )

    @r.get("/api/integrations/{integration_id}", tags=["integrations"], responses=_NOT_FOUND)
    async def integration(integration_id: str) -> IntegrationDetailOut:
        """One integration: its state, latency over the last hour, day and 7 days, the documented
        latency, recent failures and status transitions."""
        state = state_of(integration_id)
        try:
            return detail_out(await run_in_threadpool(live.detail, view.store, state, clock()))
        except StoreUnavailable as exc:
            return detail_out(live.memory_detail(state), exc.outage)

    @r.get("/api/integrations/{integration_id}/latency", tags=["integrations"], responses=_NOT_FOUND)
    async def latency(integration_id: str, window: Annotated[Window, Query()] = "1h") -> LatencySeriesOut:
        """Latency percentiles per bucket: per minute over 1h and 24h, per hour over 7d. The bucket
        still filling is included with ``complete`` false."""
        state = state_of(integration_id)
        now = clock()
        window_s, bucket_s = live.WINDOWS[window]
        outage: StoreOutage | None = None
        try:
            points = await run_in_threadpool(live.series, view.store, state.id, window_s, bucket_s, now)
        except StoreUnavailable as exc:
            points, outage = [], exc.outage
        return LatencySeriesOut(
            integration_id=state.id,
            window=window,
            bucket_s=bucket_s,
            since=now - window_s,
            until=now,
            documented_p99_ms=state.integration.latency_ms.p99,
            history_unavailable=history_out(outage, SERIES_MISSING),
            points=[point_out(p) for p in points],
        )

    @r.get("/api/graph", tags=["graph"])
    async def graph() -> GraphOut:
        """Services and the integrations between them (one edge per integration) with live status. A
        service's status is the worst of the integrations into it, null when nothing calls it."""
        statuses = {s.id: s.status for s in view.states()}
        return graph_out(system.build(view.catalog, statuses))

    @r.get("/api/impact/{service}", tags=["graph"], responses=_NOT_FOUND)
    async def impact(service: str) -> ImpactOut:
        """What breaks if ``service`` is down: the integrations into it and, transitively, every
        service upstream of it."""
        found = system.impact(view.catalog, service)
        if found is None:
            raise HTTPException(404, f"no service named {service!r}")
        return impact_out(found, {s.id: s.status for s in view.states()})

    return r
