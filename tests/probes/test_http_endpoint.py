"""What an HTTP Endpoint asks to send: its method and path."""

from __future__ import annotations

import pytest

from wiremap import parse_text
from wiremap.probes.http import method_and_path


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("POST /v1/charges", ("POST", "/v1/charges")),
        # methods listed: the one that changes nothing is probed, on the path (it was GET / without a word:
        # a true doc failed on the root's 404, a false one passed; new user, round 14)
        ("GET, POST /v1/items", ("GET", "/v1/items")),
        ("GET|HEAD /v1/users/u_5", ("GET", "/v1/users/u_5")),
        ("PUT or PATCH /v1/carts/u_1", ("PUT", "/v1/carts/u_1")),
        ("GET http://127.0.0.1:1/x?y=1", ("GET", "/x?y=1")),
        ("billing.v1.Billing/Charge", ("GET", "/")),  # not HTTP: the root
        ("orders/created events", ("GET", "/")),  # words that are no methods
    ],
)
def test_method_and_path(endpoint: str, expected: tuple[str, str]) -> None:
    integ = parse_text(f"# Integration: A → B\n\n**Endpoint:** `{endpoint}`\n", "d.md").integration
    assert method_and_path(integ, None) == expected


def test_a_target_url_with_a_query_and_no_path_keeps_the_docs_path() -> None:
    """Round 69: ``--target id=http://u:p@127.0.0.1:25401?apikey=K`` sent ``GET ?apikey=K HTTP/1.1`` (no
    server takes it: 400, and a page of the doc's path that was never asked for). The runner's query goes on
    the doc's path; a path of the runner's replaces the doc's, as before."""
    from wiremap.verify.targets import resolve_target

    integ = parse_text(
        "# Integration: A → B\n\n**Destination:** B (127.0.0.1:8081)\n**Endpoint:** `GET /v1/items/42?x=1`\n",
        "d.md",
    ).integration
    target = resolve_target(integ, {integ.id: "http://u:p@127.0.0.1:25401?apikey=K"}, {})
    assert target is not None and target.path == "?apikey=K"
    assert method_and_path(integ, target.path) == ("GET", "/v1/items/42?x=1&apikey=K")
    assert method_and_path(integ, "/other") == ("GET", "/other")
    plain = parse_text("# Integration: A → B\n\n**Endpoint:** `GET /v1/items`\n", "d.md").integration
    assert method_and_path(plain, "?apikey=K") == ("GET", "/v1/items?apikey=K")
