"""The HTML pages: statuses and numbers on the catalog, the integration page, the graph."""

from __future__ import annotations

import pytest

from tests.web._fakes import (
    INVENTORY,
    NOW,
    ORDERS,
    PAYMENTS,
    REDIS,
    SECRET,
    FakeView,
    TestClient,
    example_view,
)
from tests.web._html import Node, parse
from wiremap.web import create_app

HTML = {"Accept": "text/html"}


def _page(client: TestClient, url: str, status: int = 200) -> Node:
    r = client.get(url, headers=HTML)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")
    return parse(r.text)


def _row(doc: Node, integration_id: str) -> Node:
    return doc.find("tr", data_integration=integration_id)


def _cell(row: Node, name: str) -> str:
    return " ".join(row.find(data_field=name).text.split())


# -- the catalog ---------------------------------------------------------------------------------------------


def test_catalog_lists_every_integration_with_its_status(client: TestClient, view: FakeView) -> None:
    doc = _page(client, "/")
    rows = doc.find_all("tr", data_integration="*")
    assert [r.attrs["data-integration"] for r in rows] == [s.id for s in view.states()]
    statuses = {r.attrs["data-integration"]: r.attrs["data-status"] for r in rows}
    assert statuses[REDIS] == "down"
    assert statuses[PAYMENTS] == "up"
    assert statuses[ORDERS] == "degraded"
    assert statuses[INVENTORY] == "up"
    assert statuses["notifications-service-to-realtime-gateway"] == "unknown"
    for r in rows:  # the status as text and as a colour class, not colour alone
        badge = r.find("span", data_status="*")
        assert badge.text == r.attrs["data-status"]
        assert f"status-{r.attrs['data-status']}" in badge.classes()
    assert doc.find(data_count="down").text.strip() == "1 down"
    assert doc.find(data_count="unknown").text.strip() == "3 unknown"


def test_catalog_puts_the_critical_path_first(client: TestClient) -> None:
    rows = _page(client, "/").find_all("tr", data_integration="*")
    critical = ["critical" in r.text for r in rows]
    assert critical == sorted(critical, reverse=True)
    assert critical[0] and not critical[-1]


def test_catalog_numbers_beside_the_documented_latency(client: TestClient) -> None:
    row = _row(_page(client, "/"), PAYMENTS)
    # last hour: 100 checks at 100 ms, 19 at 1000 ms, one failure
    assert _cell(row, "hour").startswith("100 / 1,000 / 1,000 ms")
    assert "120 checks · 99.16% up" in _cell(row, "hour")
    assert "over" in row.find("td", data_field="hour").classes()  # p99 1000 ms > documented 900 ms
    assert "240 checks · 99.58% up" in _cell(row, "day")
    assert _cell(row, "documented") == "180 / 420 / 900 ms"
    assert _cell(row, "owner") == "Payments Team (@payments-team)"
    redis = _row(_page(client, "/"), REDIS)
    assert _cell(redis, "hour").startswith("2.0 / 2.0 / 2.0 ms")
    assert _cell(redis, "documented") == "1.0 / 3.0 / 8.0 ms"


def test_catalog_last_check_relative_and_absolute(client: TestClient) -> None:
    last = _cell(_row(_page(client, "/"), PAYMENTS), "last")
    assert last.startswith("last 30 s ago ok · 1,000 ms to first response")
    assert "2027-01-15 08:00:00 UTC" in last
    redis = _row(_page(client, "/"), REDIS)
    assert "refused" in _cell(redis, "last")
    assert _cell(_row(_page(client, "/"), INVENTORY), "last") == "never"


def test_catalog_rows_link_to_the_integration_page(client: TestClient, view: FakeView) -> None:
    doc = _page(client, "/")
    for s in view.states():
        assert _row(doc, s.id).find("a").attrs["href"] == f"/integrations/{s.id}"


def test_pages_refresh_with_and_without_scripts(client: TestClient) -> None:
    r = client.get("/", headers=HTML)
    doc = parse(r.text)
    assert doc.find("html").attrs["data-refresh"] == "30"
    assert doc.find("noscript").find("meta", http_equiv="refresh").attrs["content"] == "30"
    assert doc.find("script").attrs["src"].startswith("/static/refresh.js")
    assert client.get("/static/refresh.js").status_code == 200
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")


def test_head_is_get_without_a_body(client: TestClient) -> None:
    r = client.head("/")
    assert r.status_code == 200
    assert r.content == b""


# -- one integration -----------------------------------------------------------------------------------------


def test_integration_page_status_uptime_and_windows(client: TestClient) -> None:
    doc = _page(client, f"/integrations/{PAYMENTS}")
    badge = doc.find(id="status")
    assert badge.attrs["data-status"] == "up"
    assert badge.text == "up"
    windows = {
        r.attrs["data-window"]: r for r in doc.find("table", id="windows").find_all("tr", data_window="*")
    }
    assert windows["hour"].find("td", data_field="uptime").text == "99.16%"
    assert windows["week"].find("td", data_field="uptime").text == "99.58%"
    assert "900 ms" in windows["documented"].text
    assert _page(client, f"/integrations/{REDIS}").find(id="status").attrs["data-status"] == "down"


def test_latency_chart_is_an_svg_with_lines_and_the_documented_p99(client: TestClient) -> None:
    doc = _page(client, f"/integrations/{PAYMENTS}")
    chart = doc.find("svg", id="latency-chart")
    assert chart.attrs["data-points"] == "60"  # 57 rolled-up minutes, 2 not yet, and the current one
    for name in ("p50", "p95", "p99"):
        series = chart.find("g", data_series=name)
        lines = series.find_all("polyline")
        assert lines and all(len(line.attrs["points"].split()) > 1 for line in lines)
    line = chart.find("line", id="documented-p99")
    assert float(line.attrs["data-value"]) == 900.0
    assert line.attrs["y1"] == line.attrs["y2"]
    assert "documented P99 900 ms" in chart.text
    assert chart.find("g", class_="legend").text.split()[:3] == ["p50", "p95", "p99"]
    assert [t.text for t in chart.find_all("text", class_="x-tick")][-1] == "08:00"
    assert chart.find_all("rect", class_="failure-mark")  # the minute with the failed check


def test_chart_documented_line_sits_below_the_slow_minutes(client: TestClient) -> None:
    chart = _page(client, f"/integrations/{PAYMENTS}").find("svg", id="latency-chart")
    doc_y = float(chart.find("line", id="documented-p99").attrs["y1"])
    p99 = chart.find("g", data_series="p99").find("polyline").attrs["points"].split()
    ys = [float(p.split(",")[1]) for p in p99]
    assert max(ys) > doc_y > min(ys)  # 100 ms below the line (larger y), 1000 ms above it


def test_empty_chart_says_so(client: TestClient) -> None:
    chart = _page(client, f"/integrations/{INVENTORY}").find("svg", id="latency-chart")
    assert chart.attrs["data-points"] == "0"
    assert "No checks in the last hour" in chart.text
    assert chart.find("line", id="documented-p99")


def test_failures_are_listed_with_secrets_masked(client: TestClient) -> None:
    r = client.get(f"/integrations/{PAYMENTS}", headers=HTML)
    assert SECRET not in r.text
    failures = parse(r.text).find("table", id="failures")
    assert "timeout" in failures.text
    assert "postgresql://app:***@db/x" in failures.text
    assert "2027-01-15 07:55:30 UTC" in failures.text


def test_transitions_are_listed_newest_first_and_masked(client: TestClient) -> None:
    r = client.get(f"/integrations/{REDIS}", headers=HTML)
    assert SECRET not in r.text
    rows = parse(r.text).find("table", id="transitions").find("tbody").find_all("tr")
    assert [[b.attrs["data-status"] for b in row.find_all("span", data_status="*")] for row in rows] == [
        ["up", "down"],
        ["unknown", "up"],
    ]
    assert "redis://:***@cache:6379/0" in rows[0].text


def test_the_doc_is_rendered_beside_the_live_data(client: TestClient) -> None:
    doc = _page(client, f"/integrations/{PAYMENTS}").find("article", id="doc")
    assert doc.find("h1").text == "Integration: Checkout Service → Payments API"
    assert "Quick Reference" in [h.text for h in doc.find_all("h2")]
    assert "POST /v1/charges" in doc.text


EVIL = """# Integration: Evil Service → Target API

**Purpose:** <script>alert("doc")</script> steals cookies
**Protocol:** HTTP

<img src=x onerror="alert(1)">

<div onclick="alert(2)">
a block
</div>

[click me](javascript:alert(3)) and <a href="javascript:alert(4)">raw</a>

```bash
export DB_PASSWORD=hunter2
psql postgresql://app:s3cret@db/x
```
"""


def test_a_doc_cannot_inject_script_or_leak_a_secret() -> None:
    view = example_view(extra_doc=EVIL)
    with TestClient(create_app(view, clock=lambda: NOW)) as client:
        r = client.get("/integrations/evil-service-to-target-api", headers=HTML)
    assert r.status_code == 200
    page = parse(r.text)
    doc = page.find("article", id="doc")
    assert not doc.find_all("script")
    assert not doc.find_all("img")
    assert not doc.find_all("div")
    assert all(not k.startswith("on") for n in page.iter() for k in n.attrs)
    assert all(not n.attrs.get("href", "").lower().startswith("javascript") for n in page.iter())
    assert '<script>alert("doc")</script>' in doc.text  # shown as text
    assert "&lt;script&gt;" in r.text
    assert "hunter2" not in r.text and SECRET not in r.text
    assert [s.attrs["src"].split("?")[0] for s in page.find_all("script")] == ["/static/refresh.js"]


def test_unknown_integration_is_a_404_page(client: TestClient) -> None:
    doc = _page(client, "/integrations/no-such-thing", 404)
    assert "no-such-thing" in doc.find(id="error").text
    assert client.get("/no/such/page", headers=HTML).status_code == 404


# -- the graph -----------------------------------------------------------------------------------------------


def test_graph_edges_and_nodes_are_coloured_by_status(client: TestClient) -> None:
    svg = _page(client, "/graph").find("svg", id="system-graph")
    edges = {e.attrs["data-integration"]: e for e in svg.find_all("g", class_="*", data_integration="*")}
    assert len(edges) == 7
    assert edges[REDIS].attrs["data-status"] == "down"
    assert edges[REDIS].find("path").attrs["stroke"] == "#c62828"
    assert edges[PAYMENTS].find("path").attrs["stroke"] == "#2e7d32"
    assert edges[ORDERS].find("path").attrs["stroke"] == "#b26a00"
    assert "marker-start" in edges[REDIS].find("path").attrs  # bidirectional
    assert "marker-start" not in edges[PAYMENTS].find("path").attrs
    nodes = {n.attrs["data-service"]: n for n in svg.find_all("g", data_service="*")}
    assert len(nodes) == 10
    assert nodes["Cart Redis"].attrs["data-status"] == "down"
    assert nodes["Payments API"].attrs["data-status"] == "up"
    assert nodes["Orders Database"].attrs["data-status"] == "degraded"
    assert nodes["Storefront"].attrs["data-status"] == "none"  # nothing calls it
    assert nodes["Cart Service"].attrs["data-status"] == "unknown"  # storefront → cart service
    assert not svg.find_all(data_impacted="*")


@pytest.mark.parametrize("down", ["Cart Redis", "cart-redis", "CART REDIS"])
def test_what_breaks_if_a_service_is_down(client: TestClient, down: str) -> None:
    doc = _page(client, f"/graph?down={down}")
    svg = doc.find("svg", id="system-graph")
    impacted = {e.attrs["data-integration"] for e in svg.find_all("g", data_impacted="true")}
    assert impacted == {REDIS, "storefront-to-cart-service"}
    roles = {n.attrs["data-service"]: n.attrs.get("data-role") for n in svg.find_all("g", data_service="*")}
    assert roles["Cart Redis"] == "down"
    assert roles["Cart Service"] == roles["Storefront"] == "affected"
    assert roles["Payments API"] is None
    section = doc.find("section", id="impact")
    assert section.attrs["data-service"] == "Cart Redis"
    assert {li.attrs["data-integration"] for li in section.find_all("li")} == impacted
    assert [s.text for s in section.find_all(class_="affected-service")] == ["Cart Service", "Storefront"]
    assert doc.find("option", selected="*").attrs["value"] == "Cart Redis"


def test_impact_of_an_unknown_service(client: TestClient) -> None:
    doc = _page(client, "/graph?down=Nope", 404)
    assert "Nope" in doc.find(id="impact").text
    assert doc.find("svg", id="system-graph")


def test_the_graph_form_works_without_scripts(client: TestClient) -> None:
    form = _page(client, "/graph").find("form")
    assert form.attrs["method"] == "get" and form.attrs["action"] == "/graph"
    assert form.find("select").attrs["name"] == "down"
