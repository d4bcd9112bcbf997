"""``/``: every integration with its live status, its recent checks, recent latency beside the documented
one, and owner; filtered by the query string (:mod:`..filters`), no script needed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ...monitor.model import Status
from ...monitor.outage import StoreOutage, StoreUnavailable
from .. import live
from ..filters import Filters, owners, query_filters
from ..pages import Pages

__all__ = ["router"]


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/", response_class=HTMLResponse)
    async def catalog(request: Request, filters: Annotated[Filters, Depends(query_filters)]) -> HTMLResponse:
        view, now = pages.view, pages.clock()
        states = view.states()  # on the event loop, like the monitor's own updates
        shown = filters.apply(states)  # before the store is read: a filter also saves its queries
        outage: StoreOutage | None = None
        try:
            rows = await run_in_threadpool(live.summaries, view.store, shown, now)
        except StoreUnavailable as exc:  # from memory, with the banner
            rows, outage = live.memory_summaries(shown), exc.outage
        counts = {s: sum(1 for state in states if state.status is s) for s in Status}
        return await run_in_threadpool(  # rendering is CPU work: keep it off the loop the probes time on
            pages.render,
            request,
            "catalog.html",
            rows=rows,
            counts=counts,
            total=len(states),
            filters=filters,
            owners=owners(states),
            now=now,
            findings=len(view.catalog.findings),
            outage=outage,
        )

    return r
