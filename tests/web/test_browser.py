"""The dashboard of ``wiremap serve`` in a real headless Chromium (Debian's ``chromium``, via Playwright).

Two local HTTP destinations answer the documented responses of two example-shop docs; the catalog loads
with both up, one destination stopped mid-test turns down within N+1 intervals, and the integration page
of the other shows the latency chart. Skipped where Chromium or Playwright is missing, unless
``WIREMAP_REQUIRE_SERVICES=1``. The README's screenshots come from ``test_browser_layout.py`` (a known
history shows more than two fresh integrations do).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tests._paths import EXAMPLE_DOCS
from tests.web._live import CHROMIUM_FALLBACK, Destination, Serve, skip_or_fail
from wiremap.catalog import load
from wiremap.monitor.model import CheckResult
from wiremap.store import open_store

HEALTHY = "checkout-service-to-payments-api"  # documented P99 900 ms: a slow probe on a busy host stays under
STOPPED = "storefront-to-cart-service"
DOCS = [f"{HEALTHY}.md", f"{STOPPED}.md"]

INTERVAL_S = 1.0
DOWN_AFTER = 2
# down within N+1 intervals of the stop, plus a margin for scheduling jitter on a loaded machine and the
# page reload that observes it
DOWN_BUDGET_S = (DOWN_AFTER + 1) * INTERVAL_S + 2.0

T = TypeVar("T")


def _chromium() -> str:
    path = shutil.which("chromium") or CHROMIUM_FALLBACK
    if not Path(path).is_file():
        skip_or_fail(f"no Chromium: neither `chromium` on PATH nor {CHROMIUM_FALLBACK} (.ci/run installs it)")
    return path


def _poll(page: Any, what: str, check: Callable[[], T | None], timeout: float, pause: float = 0.2) -> T:
    """Reload ``page`` until ``check()`` gives something truthy (checked once more at the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        page.reload(wait_until="domcontentloaded")
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not seen within {timeout:g} s on {page.url}")
        time.sleep(pause)


def _row_status(page: Any, integration_id: str) -> str | None:
    row = page.locator(f'tr[data-integration="{integration_id}"]')
    return row.get_attribute("data-status") if row.count() == 1 else None


def _statuses(page: Any) -> dict[str, str | None]:
    return {i: _row_status(page, i) for i in (HEALTHY, STOPPED)}


def _seed_previous_minute(db: Path) -> None:
    """One successful check of the healthy integration in the minute before serve's first probes.

    The chart is per minute and joins adjacent minutes into a polyline; the minute still filling is a
    single dot. With this one stored check beside it, the live minute draws a line at once instead of
    after the next minute boundary (up to 60 s). One seeded minute cannot draw a line on its own, so any
    polyline holds live probes. ``now - 55``: the minute before the one serve's first probes (a few
    seconds from now) land in."""
    store = open_store(f"sqlite:///{db}", default_path=db)
    try:
        store.add_results([CheckResult(HEALTHY, time.time() - 55, True, 5.0, 5.0)])
    finally:
        store.close()


def test_dashboard_in_chromium(tmp_path: Path) -> None:
    chromium = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        skip_or_fail(f"Playwright for Python is not installed ({exc})")

    started = time.monotonic()
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in DOCS:
        shutil.copy(EXAMPLE_DOCS / name, docs / name)
    documented = {i.id: i.response.json_value if i.response else None for i in load([docs])}
    assert sorted(documented) == sorted([HEALTHY, STOPPED]), documented
    db = tmp_path / "h.db"
    destinations = {i: Destination(body) for i, body in documented.items()}
    args = [
        str(docs),
        "--interval",
        f"{INTERVAL_S:g}s",
        "--down-after",
        str(DOWN_AFTER),
        "--up-after",
        "2",
        "--port",
        "0",
        "--store",
        f"sqlite:///{db}",
        "--no-watch",
        "--allow-writes",
        "*",  # these destinations are the test's own: their documented POSTs may be repeated
    ]
    for i, d in destinations.items():
        args += ["--target", f"{i}={d.url}"]
    try:
        # the browser first: its start-up loads the machine, and would slow serve's first probes
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                _seed_previous_minute(db)
                _with_serve(page, args, destinations, tmp_path)
            finally:
                browser.close()
    finally:
        for d in destinations.values():
            d.stop()
    print(f"\n[browser test] total {time.monotonic() - started:.1f} s")


def _with_serve(page: Any, args: list[str], destinations: dict[str, Destination], tmp_path: Path) -> None:
    serve = Serve(args, cwd=tmp_path)
    try:
        _drive(page, serve.start(), destinations, tmp_path)
    except BaseException as exc:
        exc.add_note(f"wiremap serve output:\n{serve.output()}")
        raise
    finally:
        code = serve.stop()
    assert code == 0, f"wiremap serve exited {code} on SIGTERM (want 0); its output:\n{serve.output()}"


def _drive(page: Any, base: str, destinations: dict[str, Destination], tmp_path: Path) -> None:
    # (1) the catalog lists both integrations, and both come up
    response = page.goto(base + "/", wait_until="domcontentloaded")
    assert response is not None and response.status == 200, f"GET / -> {response and response.status}"
    for i in (HEALTHY, STOPPED):
        assert page.locator(f'tr[data-integration="{i}"]').count() == 1, f"{i} not in the catalog"
    _poll(page, "both integrations up", lambda: set(_statuses(page).values()) == {"up"}, timeout=15)

    # (2) stop one destination: its row turns down within N+1 intervals; the other stays up
    destinations[STOPPED].stop()
    stopped_at = time.monotonic()
    _poll(page, f"{STOPPED} down", lambda: _row_status(page, STOPPED) == "down", timeout=20, pause=0.05)
    to_down = time.monotonic() - stopped_at
    print(f"\n[browser test] {STOPPED} down {to_down:.2f} s after its destination stopped")
    assert to_down <= DOWN_BUDGET_S, (
        f"{STOPPED} took {to_down:.2f} s to turn down; want <= {DOWN_BUDGET_S:g} s "
        f"({DOWN_AFTER} + 1 intervals of {INTERVAL_S:g} s, plus 2 s of margin)"
    )
    assert _row_status(page, HEALTHY) == "up", f"{HEALTHY} is {_row_status(page, HEALTHY)} (want up)"
    # the strips come from the monitor's memory: the stopped one ends in failed cells
    strip = page.locator(f'tr[data-integration="{STOPPED}"] .strip')
    assert strip.locator("i.ok").count() >= 1 and strip.locator("i.failed").count() >= DOWN_AFTER
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    catalog_png = tmp_path / "catalog.png"
    page.screenshot(path=str(catalog_png), full_page=True)

    # (3) the integration page of the healthy one: up, with the latency chart
    response = page.goto(f"{base}/integrations/{HEALTHY}", wait_until="domcontentloaded")
    assert response is not None and response.status == 200, f"GET /integrations/{HEALTHY} -> {response}"
    assert page.locator("#status").get_attribute("data-status") == "up"
    chart = page.locator("#latency-chart")

    def lines() -> list[str]:
        points = chart.locator("polyline").evaluate_all("els => els.map(e => e.getAttribute('points'))")
        return [p for p in points if p and len(p.split()) >= 2]

    # a line joins two adjacent minutes (seeded one + live one); if the first live probes missed the minute
    # after the seeded one, the line comes with the next minute boundary
    _poll(page, "a latency polyline on the chart", lines, timeout=75, pause=0.5)
    assert chart.is_visible(), "#latency-chart is not visible"
    box = chart.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100, f"#latency-chart box {box}"
    assert page.locator("line#documented-p99").count() == 1, "no line#documented-p99 on the chart"
    assert page.locator("#status").get_attribute("data-status") == "up"
    integration_png = tmp_path / "integration.png"
    page.screenshot(path=str(integration_png), full_page=True)

    # (4) the screenshots
    for png in (catalog_png, integration_png):
        assert png.is_file() and png.stat().st_size > 0, f"empty screenshot {png}"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
