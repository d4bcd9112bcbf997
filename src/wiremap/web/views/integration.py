"""``/integrations/{id}``: the doc rendered beside its live data, latency chart, failures, transitions."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ...model import Integration
from ...monitor.outage import StoreOutage, StoreUnavailable
from .. import live
from ..chart import latency_chart
from ..markdown import render_doc
from ..pages import Pages

__all__ = ["doc_address", "router"]


def doc_address(i: Integration) -> str | None:
    """``host:port`` as the doc's Destination states it."""
    if not i.destination_host:
        return None
    return f"{i.destination_host}:{i.destination_port}" if i.destination_port else i.destination_host


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/integrations/{integration_id}", response_class=HTMLResponse)
    async def integration(request: Request, integration_id: str) -> HTMLResponse:
        view, now = pages.view, pages.clock()
        state = view.state(integration_id)
        if state is None:
            return pages.error(request, 404, f"No integration with the id {integration_id!r}.")
        doc = next((d for d in view.catalog.docs if d.integration.id == integration_id), None)

        def page() -> HTMLResponse:  # store reads and rendering: CPU and I/O, kept off the probes' loop
            outage: StoreOutage | None = None
            try:
                detail = live.detail(view.store, state, now)
            except StoreUnavailable as exc:  # from memory, with the banner
                detail, outage = live.memory_detail(state), exc.outage
            until = (now // 60 + 1) * 60  # the end of the current minute
            chart = latency_chart(detail.points, until - live.HOUR, until, state.integration.latency_ms.p99)
            return pages.render(
                request,
                "integration.html",
                d=detail,
                s=detail.live.state,
                i=state.integration,
                doc_html=render_doc(doc.text) if doc is not None else None,
                chart=chart,
                now=now,
                doc_address=doc_address(state.integration),
                outage=outage,
            )

        return await run_in_threadpool(page)

    return r
