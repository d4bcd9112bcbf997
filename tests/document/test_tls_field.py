"""The model's ``tls``: what every command speaks to the destination."""

from __future__ import annotations

import pytest

from wiremap import parse_text


@pytest.mark.parametrize(
    ("endpoint", "tls"),
    [
        ("`POST https://partner.example.com:9443/api/events`", True),  # was false (round 57)
        ("GET wss://stream.internal/v1/prices", True),
        ("https://a.internal/x", True),
        ("POST http://a.internal/x", False),
        ("GET /x", False),
    ],
)
def test_an_endpoint_url_after_its_method_says_tls(endpoint: str, tls: bool) -> None:
    text = f"# Integration: A → B\n\n**Protocol:** webhook\n\n## Request Format\n\n**Endpoint:** {endpoint}\n"
    assert parse_text(text, "x.md").integration.tls is tls
