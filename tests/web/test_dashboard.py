"""The catalog's filters (page and API, no script), the strip of recent checks, what each figure measures,
and the effective target on the integration page (issue 13)."""

from __future__ import annotations

import time

import pytest

from tests.web._fakes import INVENTORY, NOW, ORDERS, PAYMENTS, REDIS, SECRET, FakeView, TestClient
from tests.web._html import Node, parse
from wiremap.monitor.model import CheckResult, RecentCheck, Status
from wiremap.web import create_app

HTML = {"Accept": "text/html"}
STOREFRONT = "storefront-to-cart-service"
BROKER = "checkout-service-to-order-events-broker"


def _page(client: TestClient, url: str, status: int = 200) -> Node:
    r = client.get(url, headers=HTML)
    assert r.status_code == status, r.text
    return parse(r.text)


def _ids(doc: Node) -> list[str]:
    return [r.attrs["data-integration"] for r in doc.find_all("tr", data_integration="*")]


def _api_ids(client: TestClient, query: str) -> list[str]:
    r = client.get("/api/integrations" + query)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["integrations"]]


def _text(node: Node) -> str:
    return " ".join(node.text.split())


# -- filters ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "want"),
    [
        ("?status=down", [REDIS]),
        ("?status=down&status=degraded", [ORDERS, REDIS]),
        ("?status=down,degraded", [ORDERS, REDIS]),
        ("?status=UP", [INVENTORY, PAYMENTS]),
        ("?owner=payments-team", []),  # exactly the Maintained By, not a part of it
        ("?owner=Payments+Team+(%40payments-team)", [PAYMENTS]),
        ("?owner=payments+team+(%40PAYMENTS-team)", [PAYMENTS]),
        ("?critical=1&status=up", [INVENTORY, PAYMENTS]),
        ("?critical=0", [BROKER, "notifications-service-to-realtime-gateway"]),
        ("?q=cart", [REDIS, STOREFRONT]),
        ("?q=PAYMENTS-API", [PAYMENTS]),  # the id
        ("?q=storefront", [STOREFRONT]),  # the source
        ("?status=down&critical=1&q=redis", [REDIS]),
        ("?status=&owner=&critical=&q=", None),  # a form's "any": no filter
    ],
)
def test_filters_by_the_query_string_on_the_page_and_the_api(
    client: TestClient, view: FakeView, query: str, want: list[str] | None
) -> None:
    every = [s.id for s in view.states()]
    expected = every if want is None else [i for i in every if i in want]
    assert sorted(expected) == sorted(want if want is not None else every)
    doc = _page(client, "/" + query)
    assert _ids(doc) == expected
    assert _api_ids(client, query) == expected
    current = doc.find_all(id="current-filter")
    if want is None:
        assert not current
    else:
        assert _text(current[0]).startswith(f"Showing {len(expected)} of {len(every)}")
        assert current[0].find("a", id="clear-filter").attrs["href"] == "/"


def test_the_filter_form_works_without_scripts_and_shows_the_current_filter(client: TestClient) -> None:
    doc = _page(client, "/?status=down&owner=Cart+Team+(%40cart-team)&critical=1&q=redis")
    form = doc.find("form", id="filters")
    assert form.attrs["method"] == "get" and form.attrs["action"] == "/"
    selected = {
        s.attrs["name"]: o.attrs["value"]
        for s in form.find_all("select")
        for o in s.find_all("option")
        if "selected" in o.attrs
    }
    assert selected == {"status": "down", "owner": "Cart Team (@cart-team)", "critical": "1"}
    assert form.find("input", name="q").attrs["value"] == "redis"
    assert not doc.find_all("script", src="*") or all(  # the only script is the optional refresh
        "refresh.js" in s.attrs["src"] for s in doc.find_all("script", src="*")
    )
    current = _text(doc.find(id="current-filter"))
    assert "status down" in current and "owner Cart Team (@cart-team)" in current
    assert "critical path" in current and "“redis”" in current
    # the status counts are of the whole catalog, and link to their filter
    down = doc.find("a", data_count="down")
    assert down.attrs["href"] == "/?status=down" and _text(down) == "1 down"
    assert _text(doc.find("a", data_count="unknown")) == "3 unknown"


def test_nothing_matches(client: TestClient) -> None:
    doc = _page(client, "/?q=no-such-thing")
    assert _ids(doc) == []
    assert "No integration matches the filter" in _text(doc.find("table", id="integrations"))
    body = client.get("/api/integrations?q=no-such-thing").json()
    assert body["integrations"] == [] and body["total"] == 7
    assert body["counts"] == dict.fromkeys(["unknown", "skipped", "up", "degraded", "down"], 0)


@pytest.mark.parametrize("query", ["?status=sideways", "?critical=maybe"])
def test_a_bad_filter_is_a_422_that_says_what_is_allowed(client: TestClient, query: str) -> None:
    r = client.get("/api/integrations" + query)
    assert r.status_code == 422
    allowed = "down, degraded, up, skipped, unknown" if "status" in query else "1 (critical path only)"
    assert allowed in r.json()["detail"]
    page = client.get("/" + query, headers=HTML)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")


def test_the_api_documents_the_filters(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/integrations"]["get"]["parameters"]}
    assert set(params) == {"status", "owner", "critical", "q"}
    assert all(p["in"] == "query" and p.get("description") for p in params.values())


def test_a_filter_reads_only_the_rows_it_shows(view: FakeView) -> None:
    seen: list[str] = []
    percentiles = view.store.percentiles

    def spy(integration_id: str, since: float, until: float | None = None):  # type: ignore[no-untyped-def]
        seen.append(integration_id)
        return percentiles(integration_id, since, until)

    view.store.percentiles = spy  # type: ignore[method-assign]
    with TestClient(create_app(view, clock=lambda: NOW)) as c:
        assert _ids(_page(c, "/?status=down")) == [REDIS]
    assert set(seen) == {REDIS}


# -- the strip of recent checks -----------------------------------------------------------------------------


def test_each_row_has_a_strip_of_its_recent_checks(client: TestClient) -> None:
    doc = _page(client, "/")
    pay = doc.find("tr", data_integration=PAYMENTS).find(class_="strip")
    assert pay.attrs["role"] == "img"
    label = pay.attrs["aria-label"]
    assert label == "Last 20 checks since 2027-01-15 07:50:30 UTC, oldest first: 19 of 20 ok · 1 failed"
    cells = pay.find_all("i")
    assert len(cells) == 20
    outcomes = [next(iter(c.classes())) for c in cells]
    assert outcomes.count("failed") == 1 and outcomes.count("ok") == 19
    failed = next(c for c in cells if "failed" in c.classes())
    title = failed.attrs["title"]
    assert title.startswith("07:55:30 UTC · failed after 5,000 ms · timeout: connection failed")
    assert SECRET not in title and "***" in title  # masked
    ok = cells[-1].attrs["title"]
    assert ok == "08:00:00 UTC · ok · 1,000 ms to first response"
    # redis: a short history is padded on the left; the cells say what was timed
    redis = doc.find("tr", data_integration=REDIS).find(class_="strip")
    redis_cells = redis.find_all("i")
    assert len(redis_cells) == 20 and "none" not in redis_cells[0].classes()
    assert redis_cells[0].attrs["title"].endswith("· ok · 2.0 ms PING")
    # nothing yet: empty cells, and words for it
    inventory = doc.find("tr", data_integration=INVENTORY)
    assert inventory.find(class_="strip").attrs["aria-label"] == "No check yet"
    assert all("none" in c.classes() for c in inventory.find_all("i"))
    assert _text(inventory.find(data_field="strip-summary")) == "no check yet"


def test_a_skipped_check_is_its_own_cell(view: FakeView) -> None:
    real = view._state

    def with_skip(integration_id: str):  # type: ignore[no-untyped-def]
        state = real(integration_id)
        if state is None or integration_id != INVENTORY:
            return state
        import dataclasses

        skip = RecentCheck(NOW - 5, "skipped", None, "POST not sent: needs --allow-writes")
        return dataclasses.replace(state, status=Status.SKIPPED, recent=(skip,))

    view._state = with_skip  # type: ignore[method-assign]
    with TestClient(create_app(view, clock=lambda: NOW)) as c:
        row = _page(c, "/?status=skipped").find("tr", data_integration=INVENTORY)
    cell = row.find("i", class_="skipped")
    assert cell.attrs["title"].endswith("· skipped · POST not sent: needs --allow-writes")
    assert _text(row.find(data_field="strip-summary")) == "0 of 1 ok · 1 skipped"


def test_the_catalog_at_500_integrations_stays_cheap(view: FakeView) -> None:
    """500 rows, each with a full strip: the page renders in well under a second (measured ~0.2 s)."""
    import dataclasses

    states = view.states()
    many = []
    for k in range(500):
        base = states[k % len(states)]
        integ = base.integration.model_copy(update={"id": f"{base.id}-{k}"})
        recent = tuple(
            RecentCheck.of(CheckResult(integ.id, NOW - 30 * j, j % 7 != 0, 12.0, 11.0, "timeout", "x" * 80))
            for j in range(30)
        )
        many.append(dataclasses.replace(base, integration=integ, recent=recent))
    view.states = lambda: many  # type: ignore[method-assign]
    with TestClient(create_app(view, clock=lambda: NOW)) as c:
        c.get("/", headers=HTML)  # templates compiled
        started = time.perf_counter()
        r = c.get("/", headers=HTML)
        took = time.perf_counter() - started
    assert r.status_code == 200 and r.text.count('class="strip"') == 500
    assert took < 3.0, f"the catalog of 500 took {took:.2f} s"


# -- what each figure measures; the effective target ---------------------------------------------------------


def test_the_last_check_says_what_was_timed(client: TestClient) -> None:
    pay = _text(_page(client, f"/integrations/{PAYMENTS}").find(id="last-check"))
    assert "ok — time to first response 1,000 ms (HTTP POST /v1/charges)" in pay
    orders = _text(_page(client, f"/integrations/{ORDERS}").find(id="last-check"))
    assert "ok — SELECT 1 80 ms (PostgreSQL, connect not counted)" in orders
    redis = _text(_page(client, f"/integrations/{REDIS}").find(id="last-check"))
    assert "refused after 1.5 ms (whole probe: Redis: connect + PING)" in redis
    row = _page(client, "/").find("tr", data_integration=ORDERS)
    assert "ok · 80 ms SELECT 1" in _text(row.find(data_field="last"))


def test_latency_columns_say_their_window_and_percentiles(client: TestClient) -> None:
    doc = _page(client, "/")
    heads = ["".join(th.text.split()) for th in doc.find("table", id="integrations").find_all("th")]
    assert "Lasthourp50/p95/p99" in heads  # a <br> between the window and the percentiles
    assert "Last24hp50/p95/p99" in heads
    assert "Documentedtypical/p95/p99" in heads
    page = _page(client, f"/integrations/{PAYMENTS}")
    assert "time to first response" in _text(page.find("table", id="windows").find("caption"))


def test_the_degraded_rule_with_its_numbers(client: TestClient) -> None:
    rule = _text(_page(client, f"/integrations/{PAYMENTS}").find(id="degraded-rule"))
    assert "documented P99 900 ms" in rule and "judged from 10" in rule and "less than 1% chance" in rule
    # the last hour: 100 checks at 100 ms, 19 at 1000 ms (over 900 ms), one failure
    assert "Now: 19 of 119 successful probes slower" in rule and "— degraded" in rule


def test_the_effective_target_beside_the_doc_address(client: TestClient) -> None:
    doc = _page(client, f"/integrations/{PAYMENTS}")
    assert _text(doc.find(id="doc-address")) == "127.0.0.1:8081"
    target = _text(doc.find(id="target"))
    assert target == "http://127.0.0.1:9000/v1/charges (the runner's --target, not the doc's address)"
    # no override: the doc's address only
    redis = _page(client, f"/integrations/{REDIS}")
    assert _text(redis.find(id="doc-address")) == "127.0.0.1:6379"
    assert not redis.find_all(id="target")
