"""``/graph``: services and integrations as an SVG coloured by live status; ``?down=<service>`` shows
what breaks if that service is down (:meth:`Catalog.impact`)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ...catalog import Catalog
from ...monitor.model import Status
from .. import system
from ..graph_svg import COLOURS, layout
from ..pages import Pages

__all__ = ["router"]


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/graph", response_class=HTMLResponse)
    async def graph(request: Request, down: str | None = None) -> HTMLResponse:
        view = pages.view
        catalog = view.catalog
        statuses = {s.id: s.status for s in view.states()}
        return await run_in_threadpool(_page, request, catalog, statuses, down)

    def _page(
        request: Request, catalog: Catalog, statuses: dict[str, Status], down: str | None
    ) -> HTMLResponse:
        sysgraph = system.build(catalog, statuses)
        impact = system.impact(catalog, down) if down else None
        status_code = 404 if down and impact is None else 200
        drawing = layout(
            sysgraph,
            impact.service if impact else None,
            impact.affected if impact else (),
            [i.id for i in impact.broken] if impact else (),
        )
        return pages.render(
            request,
            "graph.html",
            status_code,
            system=sysgraph,
            drawing=drawing,
            impact=impact,
            down=down or "",
            statuses=statuses,
            colours={(k.value if k is not None else "none"): v for k, v in COLOURS.items()},
        )

    return r
