"""Jinja2 (autoescape on) over the package's templates, and what every page shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .._version import __version__
from ..monitor.model import MonitorView, Status
from ..secrets import mask_text
from . import checks, fmt
from .filters import STATUS_ORDER

__all__ = ["STATIC", "TEMPLATES", "Pages", "masked", "refresh_seconds"]

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def masked(value: Any) -> Any:
    """Jinja's ``finalize``: each ``{{ … }}`` value, masked before autoescape (the pages' door, see
    :mod:`wiremap.output`). Markup (the rendered doc, drawings) is masked as it is and stays Markup."""
    if isinstance(value, Markup):
        return Markup(mask_text(str(value)))
    if isinstance(value, str):
        return mask_text(value)
    return value


def refresh_seconds(interval_s: float) -> int:
    """Pages refresh about once per probe interval, between every 5 s and every minute."""
    return int(min(60.0, max(5.0, interval_s)))


class Pages:
    def __init__(self, view: MonitorView, clock: Callable[[], float]) -> None:
        self.view = view
        self.clock = clock
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=masked,
        )
        self.env.filters.update(ms=fmt.ms, bare_ms=fmt.bare_ms, pct=fmt.pct, utc=fmt.utc, iso=fmt.iso)
        self.env.globals.update(
            ago=fmt.ago,
            version=__version__,
            Status=Status,
            STATUS_ORDER=STATUS_ORDER,
            strip=checks.strip,
            measured=checks.measured,
            timed=checks.timed,
            probe_of=checks.probe_of,
            cells=checks.CATALOG_CELLS,
        )

    def text(self, request: Request, name: str, **context: Any) -> str:
        root = request.scope.get("root_path", "").rstrip("/")
        defaults = {
            "request": request,
            "root": root,
            "now": self.clock(),
            "refresh_s": refresh_seconds(self.view.interval_s),
            # the history store is unavailable (the monitor's :class:`~..monitor.outage.StoreOutage`):
            # a banner on every page; a page that read the store gives the outage it ran into instead
            "outage": getattr(self.view, "store_outage", None),
        }
        return self.env.get_template(name).render({**defaults, **context})

    def render(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.text(request, name, **context), status_code=status_code)

    def error(self, request: Request, status_code: int, message: str) -> HTMLResponse:
        return self.render(request, "error.html", status_code, code=status_code, message=message)
