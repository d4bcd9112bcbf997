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
