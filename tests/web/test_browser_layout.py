"""The dashboard's layout in a real headless Chromium at 1280×800 and 390×844 (issue 13): no horizontal
page scroll, the Owner column visible at 1280, rows as cards on a phone, the filters by navigating to query
URLs (no script involved), the strip of recent checks on every row.

The app is the test's own (:mod:`tests.web._fakes`: the example shop with a known history), served by
uvicorn in a thread, so the pages hold down, degraded and failed checks at once. Skipped where Chromium or
Playwright is missing, unless ``WIREMAP_REQUIRE_SERVICES=1``. ``WIREMAP_SCREENSHOT=1`` refreshes the
README's ``docs/images/dashboard.png`` (1280) and ``docs/images/dashboard-mobile.png`` (390).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests._paths import ROOT
from tests.web._fakes import NOW, PAYMENTS, REDIS, example_view
from tests.web._live import CHROMIUM_FALLBACK, skip_or_fail
from wiremap.web import create_app

IMAGES = ROOT / "docs" / "images"
SIZES = {"desktop": (1280, 800), "mobile": (390, 844)}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def _chromium() -> str:
    path = shutil.which("chromium") or CHROMIUM_FALLBACK
    if not Path(path).is_file():
        skip_or_fail(f"no Chromium: neither `chromium` on PATH nor {CHROMIUM_FALLBACK} (.ci/run installs it)")
    return path


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    try:
        import uvicorn
    except ImportError as exc:  # pragma: no cover - a dependency of serve
        skip_or_fail(f"uvicorn is not installed ({exc})")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(example_view(), clock=lambda: NOW)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise AssertionError("uvicorn did not start within 10 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        skip_or_fail(f"Playwright for Python is not installed ({exc})")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def _open(browser: Any, base: str, size: str, url: str) -> Any:
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    response = page.goto(base + url, wait_until="load")
    assert response is not None and response.status == 200, f"GET {url} -> {response and response.status}"
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        wide = page.evaluate(
            "() => [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 8)"
            ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
        )
        raise AssertionError(f"{url} at {width}×{height} scrolls sideways by {overflow} px: {wide}")
    return page


def _ids(page: Any) -> list[str]:
    rows = page.locator("tr[data-integration]")
    return [rows.nth(k).get_attribute("data-integration") for k in range(rows.count())]


def _shoot(page: Any, name: str, tmp_path: Path, full_page: bool) -> None:
    png = tmp_path / name
    page.screenshot(path=str(png), full_page=full_page)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    if os.environ.get("WIREMAP_SCREENSHOT") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, IMAGES / name)
        print(f"[browser layout] screenshot saved to {IMAGES / name}")


def _in_view(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not displayed"
    width = page.evaluate("window.innerWidth")
    assert box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width, f"{selector} at {box}"
    return dict(box)


def test_the_catalog_fits_1280_with_every_column(browser: Any, base: str, tmp_path: Path) -> None:
    page = _open(browser, base, "desktop", "/")
    for field in ("status", "name", "recent", "hour", "day", "documented", "owner"):
        _in_view(page, f'tr[data-integration="{PAYMENTS}"] td[data-field="{field}"]')
    assert page.locator("thead th").last.inner_text() == "Owner"
    _in_view(page, "thead th:last-child")
    owner = page.locator(f'tr[data-integration="{PAYMENTS}"] td[data-field="owner"]').inner_text()
    assert owner == "Payments Team (@payments-team)"
    # a strip on every row; its cells are drawn (a size, a colour) and titled
    rows = page.locator("tr[data-integration]").count()
    assert page.locator("tr[data-integration] .strip[role=img]").count() == rows == 7
    cell = page.locator(f'tr[data-integration="{REDIS}"] .strip i.failed').last
    box = cell.bounding_box()
    assert box is not None and box["width"] >= 4 and box["height"] >= 12, box
    assert "refused" in (cell.get_attribute("title") or "")
    _shoot(page, "dashboard.png", tmp_path, full_page=False)
    page.close()


def test_the_catalog_is_cards_on_a_phone(browser: Any, base: str, tmp_path: Path) -> None:
    page = _open(browser, base, "mobile", "/")
    assert page.locator("thead").bounding_box() is None or page.locator("thead").bounding_box()["height"] <= 1
    for field in ("recent", "hour", "owner"):  # every field still there, each under its label
        _in_view(page, f'tr[data-integration="{PAYMENTS}"] td[data-field="{field}"]')
    label = page.evaluate(
        "getComputedStyle(document.querySelector("
        f"'tr[data-integration=\"{PAYMENTS}\"] td[data-field=\"owner\"]'), '::before').content"
    )
    assert label == '"Owner"', label
    _in_view(page, "form#filters button")
    _shoot(page, "dashboard-mobile.png", tmp_path, full_page=False)
    page.close()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_filters_by_query_url(browser: Any, base: str, size: str) -> None:
    page = _open(browser, base, size, "/?status=down")
    assert _ids(page) == [REDIS]
    assert "status down" in page.locator("#current-filter").inner_text()
    page.close()
    page = _open(browser, base, size, "/?owner=Payments+Team+(%40payments-team)&critical=1&q=pay")
    assert _ids(page) == [PAYMENTS]
    assert page.locator('select[name="critical"] option:checked').get_attribute("value") == "1"
    page.locator("#clear-filter").click()
    page.wait_for_load_state()
    assert len(_ids(page)) == 7 and page.locator("#current-filter").count() == 0
    page.close()


def test_the_form_submits_without_scripts(browser: Any, base: str) -> None:
    width, height = SIZES["desktop"]
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(base + "/")
    page.select_option('select[name="status"]', "degraded")
    page.click("form#filters button")
    page.wait_for_load_state()
    assert "status=degraded" in page.url
    rows = page.locator("tr[data-integration]").all()
    assert [r.get_attribute("data-status") for r in rows] == ["degraded"]
    context.close()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_integration_page_fits(browser: Any, base: str, size: str) -> None:
    page = _open(browser, base, size, f"/integrations/{PAYMENTS}")
    _in_view(page, "#recent-checks .strip")
    _in_view(page, "#target")
    _in_view(page, "#windows")
    assert "time to first response" in page.locator("#last-check").inner_text()
    page.close()
