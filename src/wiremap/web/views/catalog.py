"""``/``: every integration with its live status, recent latency beside the documented one, and owner."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ...monitor.model import Status
from .. import live
from ..pages import Pages

__all__ = ["router"]


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/", response_class=HTMLResponse)
    async def catalog(request: Request) -> HTMLResponse:
        view, now = pages.view, pages.clock()
        states = view.states()  # on the event loop, like the monitor's own updates
        rows = await run_in_threadpool(live.summaries, view.store, states, now)
        counts = {s: sum(1 for row in rows if row.state.status is s) for s in Status}
        return await run_in_threadpool(  # rendering is CPU work: keep it off the loop the probes time on
            pages.render,
            request,
            "catalog.html",
            rows=rows,
            counts=counts,
            now=now,
            findings=len(view.catalog.findings),
        )

    return r
