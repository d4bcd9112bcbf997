"""Pages and API while the history store is unavailable (issue 13): 200 from memory with a "history
unavailable since" banner, never a 500; what needs the store is null with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.web._fakes import NOW, PAYMENTS, FakeView, TestClient, example_view
from wiremap.catalog import Catalog
from wiremap.monitor.model import IntegrationState, Store
from wiremap.monitor.outage import Backlog, GuardedStore, StoreHealth, StoreOutage
from wiremap.web import create_app


@dataclass
class OutageView:
    """The example view whose store is unavailable (its states come from memory, as the monitor's)."""

    inner: FakeView
    store: Store
    health: StoreHealth

    @property
    def catalog(self) -> Catalog:
        return self.inner.catalog

    @property
    def started_at(self) -> float:
        return self.inner.started_at

    @property
    def interval_s(self) -> float:
        return self.inner.interval_s

    @property
    def store_outage(self) -> StoreOutage | None:
        return self.health.outage()

    def states(self) -> list[IntegrationState]:
        return self.inner.states()

    def state(self, integration_id: str) -> IntegrationState | None:
        return self.inner.state(integration_id)


@pytest.fixture
def down() -> Iterator[tuple[TestClient, StoreHealth]]:
    inner = example_view()
    backlog = Backlog(5)
    health = StoreHealth(backlog, clock=lambda: NOW - 90)
    for r in inner.store.checks[:7]:
        backlog.add_result(r)  # 2 dropped
    health.failed(OSError("connection refused"))
    view = OutageView(inner, GuardedStore(inner.store, health), health)
    with TestClient(create_app(view, clock=lambda: NOW)) as c:
        yield c, health


def test_the_catalog_answers_from_memory_with_the_banner(down: tuple[TestClient, StoreHealth]) -> None:
    client, _ = down
    r = client.get("/")
    assert r.status_code == 200
    assert 'id="history-unavailable"' in r.text and "History unavailable since" in r.text
    assert "connection refused" in r.text and "5 results wait to be written" in r.text
    assert 'data-unavailable="day"' in r.text
    for page in ("/graph", f"/integrations/{PAYMENTS}"):
        r = client.get(page)
        assert r.status_code == 200 and 'id="history-unavailable"' in r.text, page
    assert 'data-unavailable="week"' in client.get(f"/integrations/{PAYMENTS}").text


def test_the_api_says_what_is_missing_and_since_when(down: tuple[TestClient, StoreHealth]) -> None:
    client, health = down
    body = client.get("/api/integrations").json()
    out = body["history_unavailable"]
    assert out["since"] == NOW - 90 and out["error"] == "connection refused"
    assert out["missing"] == ["latency_day"] and out["waiting_results"] == 5
    assert out["buffer_size"] == 5 and out["dropped_results"] == 0  # dropped before it went away
    assert all(i["latency_day"] is None for i in body["integrations"])
    detail = client.get(f"/api/integrations/{PAYMENTS}").json()
    assert detail["latency_week"] is None and detail["history_unavailable"]["missing"] == [
        "latency_day",
        "latency_week",
        "recent_failures",
        "transitions",
    ]
    series = client.get(f"/api/integrations/{PAYMENTS}/latency").json()
    assert series["points"] == [] and series["history_unavailable"]["missing"] == ["points"]

    health.wrote(5, 0)  # back: from the store again, no banner
    body = client.get("/api/integrations").json()
    assert body["history_unavailable"] is None
    assert any(i["latency_day"]["count"] for i in body["integrations"])
    assert 'id="history-unavailable"' not in client.get("/").text


def test_a_read_that_fails_answers_from_memory_too(view: FakeView) -> None:
    health = StoreHealth(Backlog(10), clock=lambda: NOW)

    def broken(*args: object, **kwargs: object) -> object:
        raise OSError("server closed the connection unexpectedly")

    view.store.percentiles = broken  # type: ignore[method-assign]
    outage = OutageView(view, GuardedStore(view.store, health), health)
    with TestClient(create_app(outage, clock=lambda: NOW)) as c:
        r = c.get(f"/integrations/{PAYMENTS}")
        assert r.status_code == 200 and "server closed the connection unexpectedly" in r.text
        assert c.get("/api/integrations").json()["history_unavailable"]["since"] == NOW
