"""The dashboard and JSON API of ``wiremap serve``: read-only, through :class:`MonitorView` only."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.staticfiles import StaticFiles

from .._version import __version__
from ..monitor.model import MonitorView
from ..secrets import mask_json
from . import api
from .auth import TokenAuth, wants_html
from .guard import ReadOnly, SecurityHeaders
from .hosts import HostAllowList, HostGuard
from .pages import STATIC, Pages
from .views import catalog, graph, integration

__all__ = ["MaskedJSONResponse", "create_app"]


class MaskedJSONResponse(JSONResponse):
    """Every JSON answer of the app, every string masked (:func:`~wiremap.secrets.mask_json`): the JSON
    API's door (see :mod:`wiremap.output`). HTML pages have theirs in :class:`~.pages.Pages`."""

    def render(self, content: Any) -> bytes:
        return super().render(mask_json(content))


def create_app(
    view: MonitorView,
    *,
    token: str | None = None,
    metrics: Callable[[], tuple[bytes, str]] | None = None,
    clock: Callable[[], float] = time.time,
    allowed_hosts: HostAllowList | None = None,
) -> FastAPI:
    """The ASGI app. ``token``: required on every request but ``/healthz`` (see :mod:`.auth`);
    ``metrics``: the Prometheus exposition (body, content type), served at ``/metrics``;
    ``clock``: the current time (tests pin it); ``allowed_hosts``: the ``Host`` names answered, 421 for
    any other (see :mod:`.hosts`; ``wiremap serve`` always gives one, None checks nothing)."""
    app = FastAPI(
        title="wiremap",
        version=__version__,
        description="Live status of documented integrations (read-only).",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN; /openapi.json is the document
        redoc_url=None,
        openapi_url="/openapi.json",
        default_response_class=MaskedJSONResponse,
    )
    pages = Pages(view, clock)
    app.include_router(api.router(view, clock))
    for page in (catalog, integration, graph):
        app.include_router(page.router(pages))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    if metrics is not None:
        render_metrics = metrics

        @app.get("/metrics", include_in_schema=False)
        async def prometheus() -> Response:
            # rendering thousands of series is CPU work: off the event loop the probes are timed on
            body, content_type = await run_in_threadpool(render_metrics)
            return Response(body, media_type=content_type)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_html(request):
            return pages.error(request, exc.status_code, str(exc.detail))
        return MaskedJSONResponse({"detail": exc.detail}, exc.status_code, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_html(request):
            return pages.error(request, 422, "Invalid query parameters.")
        return MaskedJSONResponse({"detail": jsonable_encoder(exc.errors())}, 422)

    # outermost last: headers on everything, then read-only, then the token
    if token:
        app.add_middleware(TokenAuth, token=token, unauthorized_page=lambda r: pages.text(r, "401.html"))
    app.add_middleware(ReadOnly)
    app.add_middleware(SecurityHeaders)
    if allowed_hosts is not None:  # outermost: a rebound name gets nothing, not even headers or a 401
        app.add_middleware(HostGuard, allow=allowed_hosts)
    return app
