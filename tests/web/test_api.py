"""The JSON API: names, numbers, 404s, read-only, OpenAPI, no secret anywhere."""

from __future__ import annotations

import pytest

from tests.web._fakes import NOW, ORDERS, PAYMENTS, REDIS, SECRET, FakeView, TestClient, example_view
from wiremap.monitor.model import Status
from wiremap.web import create_app

API_PATHS = [
    "/api",
    "/api/integrations",
    "/api/integrations/{integration_id}",
    "/api/integrations/{integration_id}/latency",
    "/api/graph",
    "/api/impact/{service}",
    "/healthz",
]


def test_list_of_integrations(client: TestClient, view: FakeView) -> None:
    r = client.get("/api/integrations")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["generated_at"] == NOW
    assert body["counts"] == {"unknown": 3, "skipped": 0, "up": 2, "degraded": 1, "down": 1}
    items = body["integrations"]
    assert [i["id"] for i in items] == [s.id for s in view.states()]
    by_id = {i["id"]: i for i in items}
    assert by_id[REDIS]["status"] == "down"
    assert by_id[ORDERS]["status"] == "degraded"
    pay = by_id[PAYMENTS]
    assert set(pay) == {
        "id", "name", "source", "destination", "protocol", "critical_path", "maintained_by", "doc_path",
        "status", "status_since", "note", "last_check", "next_check", "consecutive_failures",
        "consecutive_successes", "late_s", "skipped_rounds", "doc_broken", "latency_hour", "latency_day",
        "documented_latency", "locations", "quorum",
    }  # fmt: skip
    assert pay["name"] == "Checkout Service → Payments API"
    assert pay["critical_path"] is True
    assert pay["latency_hour"] == {
        "count": 120,
        "failures": 1,
        "uptime": pytest.approx(119 / 120),
        "p50_ms": 100.0,
        "p95_ms": 1000.0,
        "p99_ms": 1000.0,
    }
    assert pay["latency_day"]["count"] == 240
    assert pay["documented_latency"] == {"typical_ms": 180.0, "p95_ms": 420.0, "p99_ms": 900.0}
    assert pay["last_check"] == {
        "ts": NOW - 30,
        "ok": True,
        "duration_ms": 1001.0,
        "ttfb_ms": 1000.0,
        "error_kind": None,
        "message": "",
    }


def test_one_integration_with_failures_and_transitions(client: TestClient) -> None:
    body = client.get(f"/api/integrations/{REDIS}").json()
    assert body["status"] == "down"
    assert body["latency_week"]["count"] == 23
    assert [f["error_kind"] for f in body["recent_failures"]] == ["refused"] * 3
    times = [f["ts"] for f in body["recent_failures"]]
    assert times == sorted(times, reverse=True)
    assert [(t["old"], t["new"]) for t in body["transitions"]] == [("up", "down"), ("unknown", "up")]
    assert "redis://:***@cache" in body["transitions"][0]["reason"]
    pay = client.get(f"/api/integrations/{PAYMENTS}").json()
    assert pay["recent_failures"][0]["message"] == "connection failed: postgresql://app:***@db/x refused"


@pytest.mark.parametrize(
    ("window", "bucket_s", "points"), [("1h", 60, 60), ("24h", 60, 121), ("7d", 3600, 3)]
)
def test_latency_series(client: TestClient, window: str, bucket_s: int, points: int) -> None:
    body = client.get(f"/api/integrations/{PAYMENTS}/latency", params={"window": window}).json()
    assert body["integration_id"] == PAYMENTS
    assert body["window"] == window
    assert body["bucket_s"] == bucket_s
    assert body["documented_p99_ms"] == 900.0
    assert body["until"] == NOW
    pts = body["points"]
    assert len(pts) == points
    assert [p["ts"] for p in pts] == sorted(p["ts"] for p in pts)
    assert all(p["ts"] % bucket_s == 0 for p in pts)
    assert pts[-1]["complete"] is False  # the bucket still filling
    assert all(p["complete"] for p in pts[:-1])
    assert set(pts[0]) == {"ts", "count", "failures", "p50_ms", "p95_ms", "p99_ms", "complete"}


def test_latency_default_window_and_a_bad_one(client: TestClient) -> None:
    assert client.get(f"/api/integrations/{PAYMENTS}/latency").json()["window"] == "1h"
    assert client.get(f"/api/integrations/{PAYMENTS}/latency?window=2h").status_code == 422


def test_graph(client: TestClient) -> None:
    body = client.get("/api/graph").json()
    services = {s["name"]: s for s in body["services"]}
    assert len(services) == 10
    assert services["Cart Redis"] == {
        "name": "Cart Redis",
        "status": "down",
        "calls": [],
        "called_by": [REDIS],
    }
    assert services["Storefront"]["status"] is None
    assert services["Checkout Service"]["calls"] and services["Checkout Service"]["status"] is None
    edges = {e["integration_id"]: e for e in body["edges"]}
    assert len(edges) == 7
    assert edges[REDIS] == {
        "integration_id": REDIS,
        "source": "Cart Service",
        "destination": "Cart Redis",
        "protocol": "redis",
        "critical_path": True,
        "bidirectional": True,
        "status": "down",
    }
    assert edges[PAYMENTS]["bidirectional"] is False


@pytest.mark.parametrize("name", ["Cart Redis", "cart-redis"])
def test_impact(client: TestClient, name: str) -> None:
    body = client.get(f"/api/impact/{name}").json()
    assert body["service"] == "Cart Redis"
    assert [(i["id"], i["status"]) for i in body["broken_integrations"]] == [
        (REDIS, "down"),
        ("storefront-to-cart-service", "unknown"),
    ]
    assert body["affected_services"] == ["Cart Service", "Storefront"]
    leaf = client.get("/api/impact/Storefront").json()
    assert leaf == {"service": "Storefront", "broken_integrations": [], "affected_services": []}


@pytest.mark.parametrize(
    "url",
    ["/api/integrations/nope", "/api/integrations/nope/latency", "/api/impact/nope", "/api/nope"],
)
def test_unknown_ids_are_json_404s(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"Accept": "text/html"})  # the API answers JSON even to a browser
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    assert "detail" in r.json()


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize(
    "url", ["/", "/api/integrations", f"/api/integrations/{PAYMENTS}", "/healthz", "/nope"]
)
def test_only_get_and_head(client: TestClient, method: str, url: str) -> None:
    r = client.request(method, url)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert r.json()["detail"].startswith("method not allowed")


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert sorted(spec["paths"]) == sorted(API_PATHS)
    assert all(set(ops) == {"get"} for ops in spec["paths"].values())
    schemas = spec["components"]["schemas"]
    for name in ("IntegrationOut", "IntegrationDetailOut", "IntegrationListOut", "LatencySeriesOut"):
        assert name in schemas
    assert {"p50_ms", "p95_ms", "p99_ms", "uptime"} <= set(schemas["PercentilesOut"]["properties"])
    window = spec["paths"]["/api/integrations/{integration_id}/latency"]["get"]["parameters"][1]
    assert window["name"] == "window"
    assert window["schema"]["enum"] == ["1h", "24h", "7d"]
    not_found = spec["paths"]["/api/integrations/{integration_id}"]["get"]["responses"]["404"]
    assert not_found["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert set(schemas["Status"]["enum"]) == {s.value for s in Status}
    assert client.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN


def test_metrics_when_given() -> None:
    def metrics() -> tuple[bytes, str]:
        return b"wiremap_up 1\n", "text/plain; version=0.0.4; charset=utf-8"

    with TestClient(create_app(example_view(), metrics=metrics)) as c:
        r = c.get("/metrics")
        assert r.status_code == 200
        assert r.text == "wiremap_up 1\n"
        assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
        assert "/metrics" not in c.get("/openapi.json").json()["paths"]
    with TestClient(create_app(example_view())) as c:
        assert c.get("/metrics").status_code == 404


def test_security_headers(client: TestClient) -> None:
    for url in ("/", "/api/integrations", "/healthz", "/nope"):
        h = client.get(url).headers
        assert "script-src 'self'" in h["content-security-policy"]
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert h["cache-control"] == "no-store"


def test_no_secret_in_any_output(client: TestClient, view: FakeView) -> None:
    urls = ["/", "/graph", "/graph?down=Payments+API", "/api/integrations", "/api/graph"]
    for s in view.states():
        urls += [f"/integrations/{s.id}", f"/api/integrations/{s.id}"]
        urls += [f"/api/integrations/{s.id}/latency?window={w}" for w in ("1h", "24h", "7d")]
    for url in urls:
        for accept in ("text/html", "application/json"):
            r = client.get(url, headers={"Accept": accept})
            assert r.status_code == 200, url
            assert SECRET not in r.text, url


def test_api_alone_lists_what_it_answers(client: TestClient) -> None:
    """``/api`` was a 404 while the README says to read the API (new user, round 29)."""
    r = client.get("/api")
    assert r.status_code == 200
    index = r.json()
    assert index["integrations"] == "/api/integrations"
    for path in ("/api/integrations", "/api/graph", "/openapi.json"):
        assert client.get(path).status_code == 200, path
