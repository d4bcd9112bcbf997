"""The token: bearer, cookie, or ``?token=`` once (cookie + redirect); 401 otherwise; /healthz open."""

from __future__ import annotations

import hmac
from collections.abc import Iterator

import pytest

from tests.web._fakes import NOW, TestClient, example_view
from wiremap.web import auth, create_app

TOKEN = "t0ken-with.odd_chars~"


@pytest.fixture
def guarded() -> Iterator[TestClient]:
    app = create_app(example_view(), token=TOKEN, clock=lambda: NOW, metrics=lambda: (b"m 1\n", "text/plain"))
    with TestClient(app, follow_redirects=False) as c:
        yield c


BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    "url",
    ["/", "/graph", "/api/integrations", "/api/graph", "/openapi.json", "/metrics", "/static/style.css"],
)
def test_no_token_is_401(guarded: TestClient, url: str) -> None:
    r = guarded.get(url)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["detail"].startswith("a token is required")
    assert guarded.get(url, headers=BEARER).status_code == 200


def test_browsers_get_a_page_explaining_the_token(guarded: TestClient) -> None:
    r = guarded.get("/integrations/x", headers={"Accept": "text/html"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("text/html")
    assert "?token=" in r.text and "Authorization: Bearer" in r.text
    assert TOKEN not in r.text


def test_healthz_is_open(guarded: TestClient) -> None:
    assert guarded.get("/healthz").json() == {"status": "ok"}


def test_bearer(guarded: TestClient) -> None:
    assert guarded.get("/api/integrations", headers=BEARER).status_code == 200
    assert guarded.get("/api/integrations", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200
    for wrong in ("Bearer nope", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer", ""):
        assert guarded.get("/api/integrations", headers={"Authorization": wrong}).status_code == 401


def test_cookie(guarded: TestClient) -> None:
    guarded.cookies.set(auth.COOKIE, "nope")
    assert guarded.get("/api/integrations").status_code == 401
    guarded.cookies.set(auth.COOKIE, TOKEN)
    assert guarded.get("/api/integrations").status_code == 200


def test_token_in_the_url_sets_the_cookie_and_redirects(guarded: TestClient) -> None:
    r = guarded.get("/graph", params={"down": "Cart Redis", "token": TOKEN})
    assert r.status_code == 303
    assert r.headers["location"] == "/graph?down=Cart+Redis"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{auth.COOKIE}=")
    for attr in ("HttpOnly", "SameSite=strict", "Path=/"):
        assert attr.lower() in cookie.lower()
    assert "secure" not in cookie.lower()
    # the client keeps the cookie: the page opens without the token from now on
    page = guarded.get(r.headers["location"])
    assert page.status_code == 200
    assert "Cart Redis is down" in page.text
    assert TOKEN not in page.text


@pytest.mark.parametrize("token", ['quotes "and"; semicolons=', "non-ascii é ü"])
def test_odd_tokens_survive_the_cookie(token: str) -> None:
    app = create_app(example_view(), token=token, clock=lambda: NOW)
    with TestClient(app, follow_redirects=False) as c:
        r = c.get("/api/graph", params={"token": token})
        assert r.status_code == 303
        assert c.get("/api/graph").status_code == 200
        assert c.get("/api/graph", params={"token": token + "x"}).status_code == 401


def test_token_in_the_url_over_https_is_a_secure_cookie() -> None:
    app = create_app(example_view(), token=TOKEN, clock=lambda: NOW)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        r = c.get("/", params={"token": TOKEN})
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    assert "secure" in r.headers["set-cookie"].lower()


def test_a_wrong_token_in_the_url_is_401(guarded: TestClient) -> None:
    r = guarded.get("/", params={"token": "nope"}, headers={"Accept": "text/html"})
    assert r.status_code == 401
    assert "set-cookie" not in r.headers
    # even with a good cookie: a wrong token in the URL is not silently ignored
    guarded.cookies.set(auth.COOKIE, TOKEN)
    assert guarded.get("/", params={"token": "nope"}).status_code == 401


def test_the_redirect_never_leaves_the_site(guarded: TestClient) -> None:
    r = guarded.get("http://testserver//evil.example/x", params={"token": TOKEN})
    assert r.status_code == 303
    assert r.headers["location"] == "/evil.example/x"


def test_tokens_are_compared_in_constant_time(guarded: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return bool(real(a, b))

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert guarded.get("/api/graph", headers=BEARER).status_code == 200
    assert calls and calls[0][1] == TOKEN.encode()


def test_no_token_configured_means_open() -> None:
    with TestClient(create_app(example_view(), token=None)) as c:
        assert c.get("/api/integrations").status_code == 200


def test_methods_are_checked_before_the_token(guarded: TestClient) -> None:
    assert guarded.post("/api/integrations").status_code == 405
